import type { Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';

/**
 * Regulation Z Appendix J (b)(4): the unit-period is the most frequent interval between
 * payments (ties go to the shorter one). Intervals are classified by length in days.
 */
export function inferUnitPeriod(paymentDates: readonly DayNumber[]): Frequency {
  const dates = [...paymentDates].sort((a, b) => a - b);
  const counts = new Map<Frequency, number>();
  for (let i = 1; i < dates.length; i += 1) {
    const unit = classify((dates[i] as number) - (dates[i - 1] as number));
    if (unit) counts.set(unit, (counts.get(unit) ?? 0) + 1);
  }
  const order: Frequency[] = ['weekly', 'biweekly', 'semi-monthly', 'monthly', 'quarterly'];
  let best: Frequency = 'monthly';
  let bestCount = 0;
  for (const unit of order) {
    const c = counts.get(unit) ?? 0;
    if (c > bestCount) [best, bestCount] = [unit, c];
  }
  return best;
}

function classify(days: number): Frequency | undefined {
  if (days >= 6 && days <= 8) return 'weekly';
  if (days === 14) return 'biweekly';
  if (days >= 12 && days <= 18) return 'semi-monthly';
  if (days >= 27 && days <= 32) return 'monthly';
  if (days >= 88 && days <= 93) return 'quarterly';
  return undefined;
}
