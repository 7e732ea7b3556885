import { countBackPeriods, PERIODS_PER_YEAR, type Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import { rat, type Rational } from '../math/rational.js';

/**
 * Regulation Z Appendix J, (b)(5): time from the start of the term to a transaction is counted
 * in whole unit-periods back from the transaction date, plus the remaining odd days as a fraction
 * of a unit-period (a month counts as 30 days, a semimonth 15, a week 7, two weeks 14, a quarter 90).
 */
export interface UnitTime {
  readonly wholePeriods: number;
  readonly fraction: Rational;
}

export const UNIT_PERIOD_DAYS: Readonly<Record<Frequency, number>> = {
  weekly: 7,
  biweekly: 14,
  'semi-monthly': 15,
  monthly: 30,
  quarterly: 90,
};

export function unitPeriodsPerYear(unit: Frequency): number {
  return PERIODS_PER_YEAR[unit];
}

/** Time from `termStart` to `date` (date ≥ termStart) in unit-periods, Appendix J style. */
export function unitTime(termStart: DayNumber, date: DayNumber, unit: Frequency): UnitTime {
  if (date <= termStart) return { wholePeriods: 0, fraction: rat(0n) };
  const { wholePeriods, stubEnd } = countBackPeriods(termStart, date, unit);
  return { wholePeriods, fraction: rat(BigInt(stubEnd - termStart), BigInt(UNIT_PERIOD_DAYS[unit])) };
}
