import { nthDate } from '../dates/frequency.js';
import { isLastDayOfMonth, toCivil, type DayNumber } from '../dates/local-date.js';
import { UNIT_PERIODS, type UnitPeriod } from './unit-period.js';

/**
 * Regulation Z Appendix J (b)(4): the unit-period is the most frequent interval between
 * payments (ties go to the shorter one). Calendar intervals (1, 2 or 3 months to the same day or
 * month-end) are months, two months or quarters whatever their days; other intervals are
 * classified by length in days (28 days is four weeks when it is not a calendar month).
 */
export function inferUnitPeriod(paymentDates: readonly DayNumber[]): UnitPeriod {
  const dates = [...paymentDates].sort((a, b) => a - b);
  const counts = new Map<UnitPeriod, number>();
  for (let i = 1; i < dates.length; i += 1) {
    const unit = classify(dates[i - 1] as number, dates[i] as number);
    if (unit) counts.set(unit, (counts.get(unit) ?? 0) + 1);
  }
  let best: UnitPeriod = 'monthly';
  let bestCount = 0;
  for (const unit of UNIT_PERIODS) {
    const c = counts.get(unit) ?? 0;
    if (c > bestCount) [best, bestCount] = [unit, c];
  }
  return best;
}

/** `to` is `months` calendar months after `from`: the same day (clamped to month end), or month-end to month-end. */
function monthsApart(from: DayNumber, to: DayNumber, months: number): boolean {
  if (nthDate(from, 'monthly', months) === to) return true;
  const [a, b] = [toCivil(from), toCivil(to)];
  return isLastDayOfMonth(from) && isLastDayOfMonth(to) && b.year * 12 + b.month - (a.year * 12 + a.month) === months;
}

function classify(from: DayNumber, to: DayNumber): UnitPeriod | undefined {
  const days = to - from;
  if (monthsApart(from, to, 1)) return 'monthly';
  if (monthsApart(from, to, 2)) return 'two-monthly';
  if (monthsApart(from, to, 3)) return 'quarterly';
  if (days >= 6 && days <= 8) return 'weekly';
  if (days === 14) return 'biweekly';
  if (days >= 12 && days <= 18) return 'semi-monthly';
  if (days === 28) return 'four-weekly';
  if (days >= 27 && days <= 32) return 'monthly';
  if (days >= 58 && days <= 62) return 'two-monthly';
  if (days >= 88 && days <= 93) return 'quarterly';
  return undefined;
}
