import { feeTotals } from '../schedule/fees.js';
import { firstDueDate } from '../schedule/periods.js';
import type { InstallmentMinor, LoanTerms, ScheduleMinor } from '../schedule/types.js';
import { reduce, type Rational } from '../math/rational.js';
import { decideAprPercent, estimateFlowsRoot, regZAprPercentTimed, regZAprTimed, type AprResult, type FractionGroup, type PreparedFlows, type TimedAmount } from './reg-z.js';
import { unitPeriodsPerYear, unitTime } from './unit-period.js';

/**
 * Regulation Z APR of a schedule's own flows. The advance is the amount financed on the
 * disbursement date; payments are installment totals less fees that are not finance charges.
 * Payments are placed on the regular series counted from the first due date (t = t₀ + k with the
 * first period's odd fraction): months of different lengths and due dates moved off weekends and
 * holidays are disregarded, as 12 CFR 1026.17(c)(4) permits.
 */
export function scheduleApr(terms: LoanTerms, schedule: ScheduleMinor): AprResult | undefined {
  const flows = scheduleFlows(terms, schedule);
  return flows && regZAprTimed(flows.advances, flows.payments, terms.frequency);
}

/**
 * scheduleApr's APR in percent with `places` decimals (half-even), null when there is none: the
 * same string as `toDecimalString(scheduleApr(…).apr × 100, places)`, decided without the exact
 * solve when a certified float bound allows it (regZAprPercentTimed).
 */
export function scheduleAprPercent(terms: LoanTerms, schedule: ScheduleMinor, places: number): string | null {
  const perYear = unitPeriodsPerYear(terms.frequency);
  const regular = terms.method === 'bullet' ? undefined : regularFlows(terms, schedule);
  if (regular !== undefined) return regular && decideAprPercent(regular, perYear, places).percent;
  const flows = scheduleFlows(terms, schedule);
  return flows ? regZAprPercentTimed(flows.advances, flows.payments, terms.frequency, places) : null;
}

/**
 * The flows scheduleFlows gives a schedule that is not a bullet, grouped as groupByFraction groups
 * them (the advance's fraction 0 first, then the payments' common fraction, or one group when
 * that is 0 too), built straight from the rows: no object per payment, and the exact groups only
 * if the exact solve runs. null when there is no advance; undefined (use the general path) in the
 * cases this does not handle: a payment at a negative time, or two flows at one time of a group.
 */
function regularFlows(terms: LoanTerms, schedule: ScheduleMinor): PreparedFlows | null | undefined {
  const advance = schedule.amountFinancedMinor;
  if (advance <= 0n) return null;
  const notInApr = feeTotals(terms).perInstallmentNotInApr;
  const rows = schedule.installments;
  const first = unitTime(terms.disbursementDate, firstScheduledDate(terms, rows), terms.frequency);
  const fraction = reduce(first.fraction);
  const merged = fraction.n === 0n; // the payments' group is the advance's (key "0/1")
  const offset = first.wholePeriods - 1 - (terms.seriesStart ?? 0);
  const floats: number[] = merged ? [Number(advance)] : [];
  let payments = 0;
  // A level installment repeats its amount: its double is converted once.
  let lastMinor: bigint | undefined;
  let lastDouble = 0;
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as InstallmentMinor;
    const amountMinor = paymentOf(row, notInApr);
    if (amountMinor <= 0n) continue;
    const t = offset + row.number;
    if (t < 0 || (merged && t === 0)) return undefined;
    while (floats.length <= t) floats.push(0);
    if (floats[t] !== 0) return undefined;
    if (amountMinor !== lastMinor) {
      lastMinor = amountMinor;
      lastDouble = Number(amountMinor);
    }
    floats[t] = -lastDouble; // = Number(0n − amount): rounding to nearest is symmetric
    payments += 1;
  }
  return new RegularFlows(advance, fraction, merged, floats, payments > 0, rows, notInApr, offset);
}

/**
 * firstDueDate(terms), read from the schedule when it has an installment: both amortisation
 * loops give installment k the period [periods[k].start, periods[k].end) of buildPeriods, whose
 * first end is the series' first date (dateSeries(…)[0] = nthDate(…) = scheduledDate(terms, 0)).
 */
function firstScheduledDate(terms: LoanTerms, rows: readonly InstallmentMinor[]): number {
  for (let i = 0; i < rows.length && i < 2; i += 1) if ((rows[i] as InstallmentMinor).number !== 0) return (rows[i] as InstallmentMinor).periodEnd;
  return firstDueDate(terms);
}

/** The payment a row makes for the APR (0n for the down-payment row): scheduleFlows' amount. */
function paymentOf(row: InstallmentMinor, notInApr: bigint): bigint {
  if (row.number === 0) return 0n;
  return row.fees > 0n && notInApr !== 0n ? row.total - notInApr : row.total;
}

class RegularFlows implements PreparedFlows {
  readonly floatAmounts: readonly (readonly number[])[];
  readonly floatFractions: readonly number[];
  readonly estimate: number | undefined;

  constructor(
    private readonly advance: bigint,
    private readonly fraction: Rational,
    private readonly merged: boolean,
    floats: number[],
    private readonly hasPayments: boolean,
    private readonly rows: readonly InstallmentMinor[],
    private readonly notInApr: bigint,
    private readonly offset: number,
  ) {
    const fractionDouble = Number(fraction.n) / Number(fraction.d);
    if (merged) [this.floatAmounts, this.floatFractions] = [[floats], [fractionDouble]];
    // With no payment at all groupByFraction makes no payment group.
    else if (!hasPayments) [this.floatAmounts, this.floatFractions] = [[[Number(advance)]], [0]];
    else [this.floatAmounts, this.floatFractions] = [[[Number(advance)], floats], [0, fractionDouble]];
    this.estimate = estimateFlowsRoot(this.floatAmounts, this.floatFractions);
  }

  /** The same rows read again, the amounts kept as bigints this time (only the exact solve needs them). */
  exactGroups(): readonly FractionGroup[] {
    const advanceGroup: FractionGroup = { fraction: { n: 0n, d: 1n }, amountsByPeriod: [this.advance] };
    if (!this.merged && !this.hasPayments) return [advanceGroup];
    const byPeriod: bigint[] = (this.floatAmounts.at(-1) as readonly number[]).map(() => 0n);
    if (this.merged) byPeriod[0] = this.advance;
    for (const row of this.rows) {
      const amountMinor = paymentOf(row, this.notInApr);
      if (amountMinor > 0n) byPeriod[this.offset + row.number] = -amountMinor;
    }
    const payments: FractionGroup = { fraction: this.fraction, amountsByPeriod: byPeriod };
    return this.merged ? [payments] : [advanceGroup, payments];
  }
}

function scheduleFlows(terms: LoanTerms, schedule: ScheduleMinor): { advances: TimedAmount[]; payments: TimedAmount[] } | undefined {
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
  return { advances, payments };
}
