import type { BusinessDayConvention, HolidayCalendar } from '../dates/business-days.js';
import type { Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import type { DayCount } from '../daycount/day-count.js';
import type { Rational } from '../math/rational.js';
import type { RoundingMode } from '../math/rounding.js';
import type { Currency } from '../money/currency.js';

export type Method =
  | 'equal-installment'
  | 'equal-principal'
  | 'flat'
  | 'interest-only'
  | 'bullet'
  | 'zero-interest-split';

export const METHODS: readonly Method[] = [
  'equal-installment',
  'equal-principal',
  'flat',
  'interest-only',
  'bullet',
  'zero-interest-split',
];

export type InterestCalculation = 'per-period' | 'daily';

export type FeeTiming = 'upfront' | 'financed' | 'per-installment';

export interface Fee {
  readonly name: string;
  /** Minor units; for 'per-installment' the amount charged with every installment. */
  readonly amountMinor: bigint;
  readonly timing: FeeTiming;
  /** Whether the fee is a finance charge for the APR (default true). */
  readonly includeInApr: boolean;
}

export interface Grace {
  /** Installments (after any moratorium) that pay no principal. */
  readonly principalPeriods: number;
  /** Installments (after any moratorium) that collect no interest; it is collected with the next one. */
  readonly interestPeriods: number;
  /** Leading periods with no payment at all; their interest is capitalised into the balance. */
  readonly moratoriumPeriods: number;
}

export interface BusinessDayRule {
  readonly convention: BusinessDayConvention;
  readonly calendar: HolidayCalendar;
}

/** Loan terms in minor units and exact rationals: the minor-unit API's input. */
export interface LoanTerms {
  readonly currency: Currency;
  readonly principalMinor: bigint;
  /** Annual nominal rate as a fraction (0.105 for 10.5 %). */
  readonly annualRate: Rational;
  readonly termPeriods: number;
  readonly frequency: Frequency;
  readonly method: Method;
  readonly interestCalculation: InterestCalculation;
  readonly dayCount: DayCount;
  readonly disbursementDate: DayNumber;
  readonly firstDueDate?: DayNumber;
  readonly rounding: { readonly mode: RoundingMode; readonly installmentMultipleMinor: bigint };
  readonly grace: Grace;
  readonly fees: readonly Fee[];
  readonly downPaymentMinor: bigint;
  readonly businessDays?: BusinessDayRule;
  /** Fixes the installment (equal-installment): the term then runs until the balance is repaid. */
  readonly fixedInstallmentMinor?: bigint;
  /**
   * Index in the original due-date series of this schedule's first installment (0 for a new
   * loan). Servicing re-amortises the rest of a loan with it, so dates keep the original anchor
   * and installments keep their numbers.
   */
  readonly seriesStart?: number;
  /** The original loan's due-date series (anchor date and index of its first due date). */
  readonly seriesAnchor?: { readonly anchor: DayNumber; readonly offset: number };
  /** Extra interest added to the first installment (e.g. accrued on a prepayment's stub). */
  readonly extraFirstInterestMinor?: bigint;
}

export interface InstallmentMinor {
  /** 0 is the down payment, paid on the disbursement date. */
  readonly number: number;
  readonly dueDate: DayNumber;
  /** Accrual period [periodStart, periodEnd): unadjusted dates. */
  readonly periodStart: DayNumber;
  readonly periodEnd: DayNumber;
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly total: bigint;
  readonly balanceAfter: bigint;
  /** Interest added to the balance instead of being paid (moratorium). */
  readonly capitalisedInterest: bigint;
}

export interface ScheduleTotals {
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly payable: bigint;
  readonly capitalisedInterest: bigint;
  readonly upfrontFees: bigint;
}

export interface ScheduleMinor {
  readonly currency: Currency;
  readonly installments: readonly InstallmentMinor[];
  readonly totals: ScheduleTotals;
  /** Cash actually advanced to the borrower: principal − down payment − upfront fees. */
  readonly netDisbursedMinor: bigint;
  /** Regulation Z amount financed: net disbursed + upfront fees not counted as finance charges. */
  readonly amountFinancedMinor: bigint;
  /** The level installment before per-installment fees (equal-installment and flat), if any. */
  readonly installmentAmountMinor?: bigint;
}
