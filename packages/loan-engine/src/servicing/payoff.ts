import type { DayNumber } from '../dates/local-date.js';
import type { Rational } from '../math/rational.js';
import { divRound } from '../math/rounding.js';
import { buildSchedule } from '../schedule/engine.js';
import { dayCountContext } from '../schedule/periods.js';
import type { LoanTerms } from '../schedule/types.js';
import { accruedInterest } from './accrual.js';
import { positionAt } from './loan-position.js';
import { err, ok, type Result, type ServicingError } from './result.js';

export interface PrepaymentCharge {
  /** Fraction of the outstanding principal (0.02 for 2 %). */
  readonly rate: Rational;
  readonly fixedMinor: bigint;
}

export interface PayoffInput {
  readonly terms: LoanTerms;
  readonly payoffDate: DayNumber;
  /** Installments paid in full so far (the first N of the schedule). */
  readonly installmentsPaid: number;
  readonly prepaymentCharge?: PrepaymentCharge;
  /** Penalties assessed and unpaid (they are not part of the schedule). */
  readonly penaltiesMinor?: bigint;
}

export interface PayoffQuote {
  readonly payoffDate: DayNumber;
  readonly principal: bigint;
  /** Interest of installments due and unpaid. */
  readonly overdueInterest: bigint;
  /** Interest accrued since the last due date up to the payoff date. */
  readonly accruedInterest: bigint;
  readonly accruedFrom: DayNumber;
  readonly fees: bigint;
  readonly penalties: bigint;
  readonly prepaymentCharge: bigint;
  readonly total: bigint;
}

/**
 * What closes the loan on `payoffDate`: all principal not repaid, interest of unpaid due
 * installments, interest accrued since the last due date (the loan's day count, rounded once),
 * unpaid fees and penalties, and the prepayment charge on the outstanding principal.
 * Fails with 'nothing-outstanding' when every installment is already paid.
 */
export function payoffQuote(input: PayoffInput): Result<PayoffQuote, ServicingError> {
  const { terms } = input;
  const schedule = buildSchedule(terms);
  const pos = positionAt(schedule, terms.disbursementDate, input.payoffDate, input.installmentsPaid);
  if (pos.principalOutstanding === 0n) return err('nothing-outstanding', 'installmentsPaid', 'the loan is already repaid');
  const mode = terms.rounding.mode;
  const accrued = accruedInterest({
    balanceMinor: pos.scheduledBalance,
    annualRate: terms.annualRate,
    dayCount: terms.dayCount,
    dayCountContext: dayCountContext(terms),
    from: pos.accrualFrom,
    to: input.payoffDate,
    mode,
  });
  const overdueInterest = pos.overdueRows.reduce((a, r) => a + r.interest, 0n);
  const fees = pos.overdueRows.reduce((a, r) => a + r.fees, 0n);
  const c = input.prepaymentCharge;
  const charge = c ? divRound(pos.principalOutstanding * c.rate.n, c.rate.d, mode) + c.fixedMinor : 0n;
  const penalties = input.penaltiesMinor ?? 0n;
  return ok({
    payoffDate: input.payoffDate,
    principal: pos.principalOutstanding,
    overdueInterest,
    accruedInterest: accrued,
    accruedFrom: pos.accrualFrom,
    fees,
    penalties,
    prepaymentCharge: charge,
    total: pos.principalOutstanding + overdueInterest + accrued + fees + penalties + charge,
  });
}
