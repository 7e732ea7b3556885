import type { DayNumber } from '../dates/local-date.js';
import { yearFraction, type DayCount, type DayCountContext } from '../daycount/day-count.js';
import { mul, type Rational } from '../math/rational.js';
import { divRound, type RoundingMode } from '../math/rounding.js';

export interface AccrualInput {
  readonly balanceMinor: bigint;
  /** Annual nominal rate as a fraction. */
  readonly annualRate: Rational;
  readonly dayCount: DayCount;
  readonly from: DayNumber;
  readonly to: DayNumber;
  readonly mode: RoundingMode;
  /** Termination date / reference periods for the conventions that need them (see DayCountContext). */
  readonly dayCountContext?: DayCountContext;
}

/** Simple interest on a constant balance from `from` to `to`: balance × rate × yearFraction, rounded once. */
export function accruedInterest(input: AccrualInput): bigint {
  if (input.to <= input.from || input.balanceMinor === 0n) return 0n;
  const f = mul(input.annualRate, yearFraction(input.dayCount, input.from, input.to, input.dayCountContext));
  return divRound(input.balanceMinor * f.n, f.d, input.mode);
}

export interface DailyAccrual {
  readonly date: DayNumber;
  /** Interest recognised for the day ending on `date`. */
  readonly amountMinor: bigint;
  /** Interest accrued from `from` through `date` (rounded once, cumulatively). */
  readonly cumulativeMinor: bigint;
}

/** Bound on one call so an end-of-day job cannot ask for centuries of rows by mistake. */
export const MAX_ACCRUAL_DAYS = 3660;

/**
 * Day-by-day accrual for end-of-day processing. Each day's amount is the difference of the
 * cumulative accrual rounded once, so the days sum exactly to `accruedInterest` for the whole
 * span: rounding never drifts however many days are posted.
 */
export function dailyAccruals(input: AccrualInput): DailyAccrual[] {
  const days = input.to - input.from;
  if (days > MAX_ACCRUAL_DAYS) throw new RangeError(`at most ${MAX_ACCRUAL_DAYS} days per call`);
  const rows: DailyAccrual[] = [];
  let previous = 0n;
  for (let d = input.from + 1; d <= input.to; d += 1) {
    const cumulative = accruedInterest({ ...input, to: d });
    rows.push({ date: d, amountMinor: cumulative - previous, cumulativeMinor: cumulative });
    previous = cumulative;
  }
  return rows;
}
