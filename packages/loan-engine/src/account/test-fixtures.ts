// Shared by the account tests: small hand-computed loans.
import { parseIsoDate as d } from '../dates/local-date.js';
import type { Result } from '../servicing/result.js';
import type { AccountProduct, MoneyEvent, ScheduledInstallment } from './types.js';

/**
 * 3,000.00 at 1 % a month over 3 months, EMI 1,020.07 (last 1,020.06):
 * interest 30.00, 20.10, 10.10 (1 % of 3,000.00, 2,009.93, 1,009.96).
 */
export const EMI: readonly ScheduledInstallment[] = [
  { number: 1, dueDate: d('2027-02-01'), principalMinor: 99_007n, interestMinor: 3_000n, feesMinor: 0n },
  { number: 2, dueDate: d('2027-03-01'), principalMinor: 99_997n, interestMinor: 2_010n, feesMinor: 0n },
  { number: 3, dueDate: d('2027-04-01'), principalMinor: 100_996n, interestMinor: 1_010n, feesMinor: 0n },
];

/** Late fee 25.00 after 5 days of grace; penal 36.5 % a year = 0.1 % a day of overdue principal. */
export const PRODUCT: AccountProduct = {
  strategy: 'penalties-fees-interest-principal',
  graceDays: 5,
  lateFee: { kind: 'flat', amountMinor: 2_500n },
  penalAnnualPercent: '36.5',
};

export const disbursed = (date = '2027-01-01', amountMinor = 300_000n, id = 'd1'): MoneyEvent => ({ kind: 'disbursement', id, valueDate: d(date), amountMinor });
export const paid = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'repayment', id, valueDate: d(date), amountMinor });
export const reversed = (id: string, targetId: string, date: string): MoneyEvent => ({ kind: 'reversal', id, targetId, valueDate: d(date) });

export function unwrap<T, E>(r: Result<T, E>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}
