import { countBackPeriods, PERIODS_PER_YEAR, type Frequency } from '../dates/frequency.js';
import { addMonthsAnchored, isLastDayOfMonth, toCivil, type DayNumber } from '../dates/local-date.js';
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
  const monthEnds = (unit === 'monthly' || unit === 'quarterly') && isLastDayOfMonth(date);
  const { wholePeriods, stubEnd } = monthEnds
    ? countBackMonthEnds(termStart, date, unit === 'monthly' ? 1 : 3)
    : countBackPeriods(termStart, date, unit);
  return { wholePeriods, fraction: rat(BigInt(stubEnd - termStart), BigInt(UNIT_PERIOD_DAYS[unit])) };
}

/** A payment on a month's last day counts back month-ends: Mar 31 → Feb 28 → Jan 31. */
function countBackMonthEnds(start: DayNumber, end: DayNumber, step: number): { wholePeriods: number; stubEnd: DayNumber } {
  const c = toCivil(end);
  const monthEnd = (k: number): DayNumber => addMonthsAnchored(c.year, c.month, -k * step, 31);
  let t = Math.max(0, Math.floor((end - start) / (31 * step)) - 1);
  while (monthEnd(t + 1) >= start) t += 1;
  return { wholePeriods: t, stubEnd: monthEnd(t) };
}
