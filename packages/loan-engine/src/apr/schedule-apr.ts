import { feeTotals } from '../schedule/fees.js';
import { firstDueDate } from '../schedule/periods.js';
import type { LoanTerms, ScheduleMinor } from '../schedule/types.js';
import { regZAprTimed, type AprResult, type TimedAmount } from './reg-z.js';
import { unitTime } from './unit-period.js';

/**
 * Regulation Z APR of a schedule's own flows. The advance is the amount financed on the
 * disbursement date; payments are installment totals less fees that are not finance charges.
 * Payments are placed on the regular series counted from the first due date (t = t₀ + k with the
 * first period's odd fraction): months of different lengths and due dates moved off weekends and
 * holidays are disregarded, as 12 CFR 1026.17(c)(4) permits.
 */
export function scheduleApr(terms: LoanTerms, schedule: ScheduleMinor): AprResult | undefined {
  const fees = feeTotals(terms);
  const advance = schedule.amountFinancedMinor;
  if (advance <= 0n) return undefined;
  const unit = terms.frequency;
  const start = terms.disbursementDate;
  const first = unitTime(start, firstDueDate(terms), unit);
  const payments: TimedAmount[] = [];
  for (const row of schedule.installments) {
    if (row.number === 0) continue;
    const amountMinor = row.total - (row.fees > 0n ? fees.perInstallmentNotInApr : 0n);
    if (amountMinor <= 0n) continue;
    const index = row.number - 1 - (terms.seriesStart ?? 0);
    const time = terms.method === 'bullet' ? unitTime(start, row.periodEnd, unit) : { ...first, wholePeriods: first.wholePeriods + index };
    payments.push({ time, amountMinor });
  }
  const advances: TimedAmount[] = [{ time: { wholePeriods: 0, fraction: { n: 0n, d: 1n } }, amountMinor: advance }];
  return regZAprTimed(advances, payments, unit);
}
