import { addMonthsAnchored, daysInMonth, fromCivil, isLastDayOfMonth, toCivil, type DayNumber } from './local-date.js';

export type Frequency = 'weekly' | 'biweekly' | 'semi-monthly' | 'monthly' | 'quarterly';

export const FREQUENCIES: readonly Frequency[] = ['weekly', 'biweekly', 'semi-monthly', 'monthly', 'quarterly'];

export const PERIODS_PER_YEAR: Readonly<Record<Frequency, number>> = {
  weekly: 52,
  biweekly: 26,
  'semi-monthly': 24,
  monthly: 12,
  quarterly: 4,
};

const MAX_PERIOD_DAYS: Readonly<Record<Frequency, number>> = {
  weekly: 7,
  biweekly: 14,
  'semi-monthly': 16,
  monthly: 31,
  quarterly: 92,
};

const MIN_PERIOD_DAYS: Readonly<Record<Frequency, number>> = {
  weekly: 7,
  biweekly: 14,
  'semi-monthly': 13,
  monthly: 28,
  quarterly: 89,
};

/**
 * The k-th date of the regular series anchored at `anchor` (k may be negative).
 * Month-based series keep the anchor's day and clamp to month end without the clamp sticking.
 * Semi-monthly pairs the anchor day with the day 15 later (or earlier): 1st/16th, 15th/30th.
 */
export function nthDate(anchor: DayNumber, frequency: Frequency, k: number): DayNumber {
  switch (frequency) {
    case 'weekly':
      return anchor + 7 * k;
    case 'biweekly':
      return anchor + 14 * k;
    case 'monthly':
    case 'quarterly': {
      const c = toCivil(anchor);
      return addMonthsAnchored(c.year, c.month, k * (frequency === 'monthly' ? 1 : 3), c.day);
    }
    case 'semi-monthly':
      return nthSemiMonthly(anchor, k);
  }
}

/**
 * Dates k = from … from + count − 1 of the series anchored at `anchor`: the same dates as
 * nthDate, computed with one civil-date conversion for the whole series.
 */
export function dateSeries(anchor: DayNumber, frequency: Frequency, from: number, count: number): DayNumber[] {
  const out: DayNumber[] = new Array<DayNumber>(count);
  if (frequency !== 'monthly' && frequency !== 'quarterly') {
    for (let i = 0; i < count; i += 1) out[i] = nthDate(anchor, frequency, from + i);
    return out;
  }
  const c = toCivil(anchor);
  const step = frequency === 'monthly' ? 1 : 3;
  // addMonthsAnchored(c.year, c.month, (from + i) * step, c.day) for each i, walking the first
  // days of the months instead of converting every date from its civil form.
  const index = c.year * 12 + (c.month - 1) + from * step;
  let y = Math.floor(index / 12);
  let m = index - y * 12 + 1;
  let monthStart = fromCivil(y, m, 1);
  for (let i = 0; i < count; i += 1) {
    const days = monthLength(y, m);
    out[i] = monthStart + (c.day < days ? c.day : days) - 1;
    for (let s = 0; s < step; s += 1) {
      monthStart += monthLength(y, m);
      if (m === 12) {
        m = 1;
        y += 1;
      } else m += 1;
    }
  }
  return out;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * daysInMonth for the series loop, in this module: the tsx loader serves these modules as
 * CommonJS, where every call of an imported function first goes through an export getter.
 */
function monthLength(year: number, month: number): number {
  if (month !== 2) return MONTH_LENGTHS[month - 1] as number;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function nthSemiMonthly(anchor: DayNumber, k: number): DayNumber {
  const c = toCivil(anchor);
  const anchorIsLow = c.day <= 15;
  const low = anchorIsLow ? c.day : c.day - 15;
  const high = anchorIsLow ? c.day + 15 : c.day;
  const index = (anchorIsLow ? 0 : 1) + k;
  const monthOffset = Math.floor(index / 2);
  const half = index - monthOffset * 2;
  const monthIndex = c.year * 12 + (c.month - 1) + monthOffset;
  const y = Math.floor(monthIndex / 12);
  const m = monthIndex - y * 12 + 1;
  return fromCivil(y, m, Math.min(half === 0 ? low : high, daysInMonth(y, m)));
}

/**
 * Counts whole periods back from `end` towards `start` (start ≤ end): returns the number of
 * whole periods `t` and the date where they begin, so [start, stubEnd) is the odd stub.
 * From a month's last day, month-based periods count back month-ends (Feb 29 → Jan 31), as
 * Regulation Z Appendix J does.
 */
export function countBackPeriods(
  start: DayNumber,
  end: DayNumber,
  frequency: Frequency,
): { wholePeriods: number; stubEnd: DayNumber } {
  const monthly = frequency === 'monthly' || frequency === 'quarterly';
  if (monthly && isLastDayOfMonth(end)) return countBackMonthEnds(start, end, frequency === 'monthly' ? 1 : 3);
  // Start from a lower bound (no period is longer than MAX_PERIOD_DAYS), then step; bounded by
  // the spread between the shortest and longest period, a few dozen steps for 30 years.
  const span = end - start;
  let t = Math.max(0, Math.floor(span / MAX_PERIOD_DAYS[frequency]) - 1);
  const limit = Math.floor(span / MIN_PERIOD_DAYS[frequency]) + 1;
  while (t < limit && nthDate(end, frequency, -(t + 1)) >= start) t += 1;
  return { wholePeriods: t, stubEnd: nthDate(end, frequency, -t) };
}

function countBackMonthEnds(start: DayNumber, end: DayNumber, step: number): { wholePeriods: number; stubEnd: DayNumber } {
  // The month-ends k·step months before end's; no closure (under tsx each one created costs a call).
  const c = toCivil(end);
  let t = Math.max(0, Math.floor((end - start) / (31 * step)) - 1);
  while (addMonthsAnchored(c.year, c.month, -(t + 1) * step, 31) >= start) t += 1;
  return { wholePeriods: t, stubEnd: addMonthsAnchored(c.year, c.month, -t * step, 31) };
}
