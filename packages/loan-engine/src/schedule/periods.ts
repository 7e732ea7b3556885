import { adjustDate } from '../dates/business-days.js';
import { countBackPeriods, dateSeries, nthDate, PERIODS_PER_YEAR } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import { yearFraction, type DayCountContext } from '../daycount/day-count.js';
import { add, fromInt, mul, rat, reduce, type Rational } from '../math/rational.js';
import type { LoanTerms } from './types.js';

export interface Period {
  readonly start: DayNumber;
  readonly end: DayNumber;
  readonly dueDate: DayNumber;
  /** Interest for the period = balance × factor (exact), rounded once. */
  readonly factor: Rational;
}

/** The per-period nominal rate: annual rate ÷ periods per year. */
export function periodicRate(terms: LoanTerms): Rational {
  return reduce(rat(terms.annualRate.n, terms.annualRate.d * BigInt(PERIODS_PER_YEAR[terms.frequency])));
}

/**
 * The anchor of the due-date series and the index of the first due date in it. Without an
 * explicit first due date the series is anchored on the disbursement date, so a loan disbursed
 * on Jan 31 falls due Feb 29, Mar 31, Apr 30 … (the anchor day is kept, the clamp never sticks).
 */
export function dueSeries(terms: LoanTerms): { anchor: DayNumber; offset: number } {
  if (terms.seriesAnchor) return terms.seriesAnchor;
  return terms.firstDueDate === undefined
    ? { anchor: terms.disbursementDate, offset: 1 }
    : { anchor: terms.firstDueDate, offset: 0 };
}

/** Unadjusted date of installment k (0-based). */
export function scheduledDate(terms: LoanTerms, k: number): DayNumber {
  const { anchor, offset } = dueSeries(terms);
  return nthDate(anchor, terms.frequency, k + offset + (terms.seriesStart ?? 0));
}

/**
 * What the loan's day count needs beyond two dates: the maturity as the termination date
 * (30E/360 ISDA) and the due-date series as the reference periods (Actual/Actual ICMA).
 */
export function dayCountContext(terms: LoanTerms): DayCountContext {
  if (terms.dayCount === '30e/360-isda') return { terminationDate: scheduledDate(terms, terms.termPeriods - 1) };
  if (terms.dayCount === 'actual/actual-icma') return { frequency: terms.frequency, referenceDate: dueSeries(terms).anchor };
  return NO_CONTEXT;
}

const NO_CONTEXT: DayCountContext = {};

export function firstDueDate(terms: LoanTerms): DayNumber {
  return scheduledDate(terms, 0);
}

/**
 * Length of [start, end) in periods: whole periods counted back from `end`, plus the odd
 * stub as a fraction of a period under the day count (30/360 monthly: 10 days → 10/30).
 */
export function periodsBetween(terms: LoanTerms, start: DayNumber, end: DayNumber): Rational {
  const { wholePeriods, stubEnd } = countBackPeriods(start, end, terms.frequency);
  if (stubEnd === start) return fromInt(wholePeriods);
  const stub = mul(yearFraction(terms.dayCount, start, stubEnd, dayCountContext(terms)), fromInt(PERIODS_PER_YEAR[terms.frequency]));
  return add(fromInt(wholePeriods), stub);
}

/** The first period is measured (may be odd) only on a new loan with an explicit first due date. */
export function hasOddFirstPeriod(terms: LoanTerms): boolean {
  return terms.firstDueDate !== undefined && (terms.seriesStart ?? 0) === 0;
}

/**
 * Unadjusted accrual periods and adjusted due dates. Dates are generated from the first due
 * date as an anchor (never from the previous date), so month-end clamping does not stick.
 * Interest accrues on unadjusted dates; only the due date moves to a business day.
 */
export function buildPeriods(terms: LoanTerms, count: number): Period[] {
  const rate = periodicRate(terms);
  const { anchor, offset } = dueSeries(terms);
  const ends = dateSeries(anchor, terms.frequency, offset + (terms.seriesStart ?? 0), count);
  const bd = terms.businessDays;
  const context = dayCountContext(terms);
  const periods: Period[] = new Array<Period>(count);
  const daily = terms.interestCalculation === 'daily';
  let start = terms.disbursementDate;
  for (let k = 0; k < count; k += 1) {
    const end = ends[k] as DayNumber;
    const dueDate = bd ? adjustDate(end, bd.convention, bd.calendar) : end;
    // Per-period interest after the first period is always the periodic rate (one shared object).
    const factor = daily || k === 0 ? periodFactor(terms, rate, start, end, k, context) : rate;
    periods[k] = { start, end, dueDate, factor };
    start = end;
  }
  return periods;
}

function periodFactor(terms: LoanTerms, rate: Rational, start: DayNumber, end: DayNumber, k: number, context: DayCountContext): Rational {
  if (terms.interestCalculation === 'daily') return mul(terms.annualRate, yearFraction(terms.dayCount, start, end, context));
  if (k > 0 || !hasOddFirstPeriod(terms)) return rate;
  return mul(rate, periodsBetween(terms, start, end));
}
