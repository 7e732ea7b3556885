// Partial prepayment in the engine's terms: the loan terms of the current schedule, the re-amortised
// schedule (the engine's partialPrepayment) and the terms that produce it, kept for the next prepayment.
import { scheduleRequestFor, type LoanTermsV1 } from '@lendstack/contracts';
import {
  buildSchedule,
  partialPrepayment,
  remainingTerms,
  scheduleRequestSchema,
  toLoanTerms,
  type DayNumber,
  type InstallmentMinor,
  type LoanTerms,
  type Result,
  type ServicingError,
} from '@lendstack/loan-engine';

export type PrepaymentOption = 'reduce-installment' | 'reduce-term';

/** The engine terms of a loan's booked schedule: its LoanApproved terms anchored on its disbursement date (as booking and re-anchoring do). */
export function bookedTerms(terms: LoanTermsV1, disbursementDate: string): LoanTerms {
  const { firstDueDate, ...rest } = terms;
  const anchored: LoanTermsV1 = { ...rest, expectedDisbursementDate: disbursementDate, ...(firstDueDate && firstDueDate > disbursementDate ? { firstDueDate } : {}) };
  return toLoanTerms(scheduleRequestSchema.parse(scheduleRequestFor(anchored)));
}

export interface Reamortised {
  /** The installments after the prepayment, numbered as in the original schedule (k+1 on). */
  readonly installments: readonly InstallmentMinor[];
  /** Terms whose schedule is exactly `installments`: what the next prepayment starts from. */
  readonly terms: LoanTerms;
  readonly balanceAfter: bigint;
}

/**
 * The schedule after paying `amount` of principal on `date`, with `due` installments due (all paid):
 * reduce-installment keeps the maturity, reduce-term keeps the installment (equal-installment loans).
 * `terms` produce the loan's current schedule (bookedTerms, or the terms a previous prepayment kept).
 */
export function reamortise(terms: LoanTerms, due: number, date: DayNumber, amount: bigint, option: PrepaymentOption): Result<Reamortised, ServicingError> {
  const installmentsPaid = due - (terms.seriesStart ?? 0);
  const strategy = option === 'reduce-term' ? 'reduce-tenure' : 'reduce-installment';
  const r = partialPrepayment({ terms, installmentsPaid, date, amountMinor: amount, strategy });
  if (!r.ok) return r;
  // The same terms partialPrepayment built the schedule from, so the next prepayment can start from them.
  const original = buildSchedule(terms);
  const last = original.installments.filter((i) => i.number > 0)[installmentsPaid - 1];
  const from = last?.periodEnd ?? terms.disbursementDate;
  const fixed = option === 'reduce-term' ? original.installmentAmountMinor : undefined;
  const next: LoanTerms = {
    ...remainingTerms(terms, installmentsPaid, r.value.balanceAfter, from),
    ...(fixed === undefined ? {} : { fixedInstallmentMinor: fixed }),
    extraFirstInterestMinor: r.value.accruedOnPrepaidMinor,
  };
  const check = buildSchedule(next).installments;
  const same = check.length === r.value.schedule.installments.length && check.every((i, k) => sameRow(i, r.value.schedule.installments[k]!));
  if (!same) throw new Error('the remaining terms do not reproduce the re-amortised schedule');
  return { ok: true, value: { installments: r.value.schedule.installments.filter((i) => i.number > 0), terms: next, balanceAfter: r.value.balanceAfter } };
}

const sameRow = (a: InstallmentMinor, b: InstallmentMinor) =>
  a.number === b.number && a.dueDate === b.dueDate && a.principal === b.principal && a.interest === b.interest && a.fees === b.fees;

/** LoanTerms as JSON (bigints as `"<digits>n"`), for schedule_terms. */
export const termsToJson = (t: LoanTerms): string => JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
export const termsFromJson = (json: unknown): LoanTerms =>
  JSON.parse(JSON.stringify(json), (_k, v: unknown) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as LoanTerms;
