import { countBackPeriods, PERIODS_PER_YEAR, type Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import { rat, type Rational } from '../math/rational.js';

/**
 * Regulation Z, Appendix J (b)(5): time from the start of the term to a transaction is counted
 * in whole unit-periods back from the transaction date, plus the remaining odd days as a fraction
 * of a unit-period (a month counts as 30 days, a semimonth 15, a week 7, two weeks 14, four weeks
 * 28, two months 60, a quarter 90).
 */
export interface UnitTime {
  readonly wholePeriods: number;
  readonly fraction: Rational;
}

/**
 * Appendix J unit-periods: the loan frequencies plus the two payment intervals of its (c) examples
 * that are not loan frequencies — every 4 weeks ((c)(2)(ii)) and every 2 months ((c)(4)(ii)).
 */
export type UnitPeriod = Frequency | 'four-weekly' | 'two-monthly';

export const UNIT_PERIODS: readonly UnitPeriod[] = ['weekly', 'biweekly', 'four-weekly', 'semi-monthly', 'monthly', 'two-monthly', 'quarterly'];

export const UNIT_PERIOD_DAYS: Readonly<Record<UnitPeriod, number>> = {
  weekly: 7,
  biweekly: 14,
  'four-weekly': 28,
  'semi-monthly': 15,
  monthly: 30,
  'two-monthly': 60,
  quarterly: 90,
};

const PER_YEAR: Readonly<Record<UnitPeriod, number>> = { ...PERIODS_PER_YEAR, 'four-weekly': 13, 'two-monthly': 6 };

export function unitPeriodsPerYear(unit: UnitPeriod): number {
  return PER_YEAR[unit];
}

/** Time from `termStart` to `date` (date ≥ termStart) in unit-periods, Appendix J style. */
export function unitTime(termStart: DayNumber, date: DayNumber, unit: UnitPeriod): UnitTime {
  if (date <= termStart) return { wholePeriods: 0, fraction: rat(0n) };
  if (unit === 'two-monthly') return countBackTwoMonths(termStart, date);
  // (b)(5)(iv): a multiple of a week divides the actual days by the days of the unit-period.
  const { wholePeriods, stubEnd } =
    unit === 'four-weekly' ? { wholePeriods: Math.floor((date - termStart) / 28), stubEnd: termStart + ((date - termStart) % 28) } : countBackPeriods(termStart, date, unit);
  return { wholePeriods, fraction: rat(BigInt(stubEnd - termStart), BigInt(UNIT_PERIOD_DAYS[unit])) };
}

/**
 * (b)(5)(iii), a multimonthly unit-period: the days between the dates are 30 × the whole months
 * counted back from the later date plus the remaining days, divided by 60 for two months.
 */
function countBackTwoMonths(start: DayNumber, end: DayNumber): { wholePeriods: number; fraction: Rational } {
  const { wholePeriods: months, stubEnd } = countBackPeriods(start, end, 'monthly');
  const days = 30 * months + (stubEnd - start);
  return { wholePeriods: Math.floor(days / 60), fraction: rat(BigInt(days % 60), 60n) };
}
