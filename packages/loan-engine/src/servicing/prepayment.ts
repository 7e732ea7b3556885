import type { DayNumber } from '../dates/local-date.js';
import { buildSchedule } from '../schedule/engine.js';
import { dayCountContext, dueSeries } from '../schedule/periods.js';
import type { LoanTerms, ScheduleMinor } from '../schedule/types.js';
import { accruedInterest } from './accrual.js';
import { positionAt } from './loan-position.js';
import { err, ok, type Result, type ServicingError } from './result.js';

export type PrepaymentStrategy = 'reduce-installment' | 'reduce-tenure';

export interface PrepaymentInput {
  readonly terms: LoanTerms;
  /** Installments paid in full; every installment due on or before `date` must be among them. */
  readonly installmentsPaid: number;
  readonly date: DayNumber;
  readonly amountMinor: bigint;
  readonly strategy: PrepaymentStrategy;
}

export interface PrepaymentResult {
  readonly balanceBefore: bigint;
  readonly balanceAfter: bigint;
  /** Interest the prepaid amount accrued since the last due date, collected with the next installment. */
  readonly accruedOnPrepaidMinor: bigint;
  /** The remaining installments, numbered as in the original schedule. */
  readonly schedule: ScheduleMinor;
}

const REAMORTISABLE = new Set(['equal-installment', 'equal-principal', 'interest-only']);

/**
 * Applies a partial prepayment and re-amortises the rest of the loan on the original due-date
 * series: 'reduce-installment' keeps the maturity and lowers the installment; 'reduce-tenure'
 * keeps the installment (equal-installment only) and ends the loan earlier.
 */
export function partialPrepayment(input: PrepaymentInput): Result<PrepaymentResult, ServicingError> {
  const { terms } = input;
  if (!REAMORTISABLE.has(terms.method)) return err('method-not-supported', 'loan.method', `cannot re-amortise a ${terms.method} loan`);
  if (input.strategy === 'reduce-tenure' && terms.method !== 'equal-installment') {
    return err('method-not-supported', 'strategy', 'reduce-tenure needs an equal-installment loan');
  }
  const original = buildSchedule(terms);
  const pos = positionAt(original, terms.disbursementDate, input.date, input.installmentsPaid);
  if (pos.overdueRows.length > 0) return err('overdue-installments', 'installmentsPaid', 'pay the overdue installments first');
  if (input.amountMinor >= pos.scheduledBalance) {
    return err('prepayment-exceeds-balance', 'amount', 'the amount repays the loan; ask for a payoff quote instead');
  }
  const k = pos.dueRows.length;
  const accrued = accruedInterest({
    balanceMinor: input.amountMinor,
    annualRate: terms.annualRate,
    dayCount: terms.dayCount,
    dayCountContext: dayCountContext(terms),
    from: pos.accrualFrom,
    to: input.date,
    mode: terms.rounding.mode,
  });
  const rest = remainingTerms(terms, k, pos.scheduledBalance - input.amountMinor, pos.accrualFrom);
  const fixed = input.strategy === 'reduce-tenure' ? original.installmentAmountMinor : undefined;
  const schedule = buildSchedule({ ...rest, fixedInstallmentMinor: fixed, extraFirstInterestMinor: accrued });
  return ok({ balanceBefore: pos.scheduledBalance, balanceAfter: pos.scheduledBalance - input.amountMinor, accruedOnPrepaidMinor: accrued, schedule });
}

/** Terms for installments k+1..n of a loan whose balance after installment k is `balance`. */
export function remainingTerms(terms: LoanTerms, k: number, balance: bigint, from: DayNumber): LoanTerms {
  const g = terms.grace;
  const afterMoratorium = Math.max(0, k - g.moratoriumPeriods);
  return {
    ...terms,
    principalMinor: balance,
    downPaymentMinor: 0n,
    fees: terms.fees.filter((f) => f.timing === 'per-installment'),
    disbursementDate: from,
    // Keep the original series anchor so dates (and month-end clamping) continue unchanged.
    seriesAnchor: dueSeries(terms),
    termPeriods: terms.termPeriods - k,
    seriesStart: (terms.seriesStart ?? 0) + k,
    grace: {
      moratoriumPeriods: Math.max(0, g.moratoriumPeriods - k),
      principalPeriods: Math.max(0, g.principalPeriods - afterMoratorium),
      interestPeriods: Math.max(0, g.interestPeriods - afterMoratorium),
    },
  };
}
