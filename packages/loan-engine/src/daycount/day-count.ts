import { nthDate, PERIODS_PER_YEAR, type Frequency } from '../dates/frequency.js';
import { add, rat, type Rational } from '../math/rational.js';
import { daysInMonth, fromCivil, isLeapYear, toCivil, type DayNumber } from '../dates/local-date.js';

/**
 * Day count conventions, as defined in the 2006 ISDA Definitions, section 4.16, and ICMA Rule 251:
 * - '30/360-us'          30/360 US (SIA / NASD bond basis, with the February month-end rules)
 * - '30/360-isda'        30/360 Bond Basis (4.16(f)): D1 = 31 → 30; D2 = 31 → 30 only when D1 ≥ 30
 * - '30e/360'            30E/360, Eurobond basis (4.16(g)): any 31st is the 30th
 * - '30e/360-isda'       30E/360 (ISDA) (4.16(h)): a 31st or the last day of February is the 30th,
 *                        except February month-end when it is the termination date
 * - 'actual/360'         Actual/360 (4.16(e))
 * - 'actual/365'         Actual/365 Fixed (4.16(d))
 * - 'actual/actual-isda' Actual/Actual ISDA (4.16(b)): days in leap years / 366 + others / 365
 * - 'actual/actual-icma' Actual/Actual ICMA (4.16(c), ICMA Rule 251): days in each reference period
 *                        ÷ (frequency × days of that reference period)
 * Documented alias: '30/360' is '30/360-us' (the name this engine used before the others existed).
 */
export type DayCount =
  | '30/360'
  | '30/360-us'
  | '30/360-isda'
  | '30e/360'
  | '30e/360-isda'
  | 'actual/360'
  | 'actual/365'
  | 'actual/actual-isda'
  | 'actual/actual-icma';

export const DAY_COUNTS: readonly DayCount[] = [
  '30/360',
  '30/360-us',
  '30/360-isda',
  '30e/360',
  '30e/360-isda',
  'actual/360',
  'actual/365',
  'actual/actual-isda',
  'actual/actual-icma',
];

/** Alias → canonical name ('30/360' → '30/360-us'); canonical names map to themselves. */
export const DAY_COUNT_ALIASES: Readonly<Partial<Record<DayCount, DayCount>>> = { '30/360': '30/360-us' };

/**
 * What some conventions need beyond the two dates. 30E/360 ISDA needs the termination date (a
 * February month-end that is the termination date stays as it is); without one no date is the
 * termination date. Actual/Actual ICMA needs the coupon frequency and one date of the regular
 * coupon series (the reference periods are that series' periods); without a reference date the
 * series is counted back from `end` (the period ends on a coupon date, ICMA Rule 251).
 */
export interface DayCountContext {
  readonly terminationDate?: DayNumber;
  readonly frequency?: Frequency;
  readonly referenceDate?: DayNumber;
}

/** Conventions that cannot answer without a coupon frequency in their context. */
export function needsFrequency(convention: DayCount): boolean {
  return convention === 'actual/actual-icma';
}

/** Year fraction from `start` to `end` as an exact rational (negative if end < start). */
export function yearFraction(convention: DayCount, start: DayNumber, end: DayNumber, context: DayCountContext = {}): Rational {
  if (end < start) {
    const f = yearFraction(convention, end, start, context);
    return { n: -f.n, d: f.d };
  }
  switch (convention) {
    case 'actual/360':
      return rat(BigInt(end - start), 360n);
    case 'actual/365':
      return rat(BigInt(end - start), 365n);
    case 'actual/actual-isda':
      return actualActualIsda(start, end);
    case 'actual/actual-icma':
      return actualActualIcma(start, end, context);
    default:
      return rat(BigInt(thirtyDays(convention, start, end, context)), 360n);
  }
}

/** Day count numerator (days under the convention) between two dates. */
export function dayCountDays(convention: DayCount, start: DayNumber, end: DayNumber, context: DayCountContext = {}): number {
  if (convention.startsWith('actual/')) return end - start;
  return thirtyDays(convention, start, end, context);
}

function thirtyDays(convention: DayCount, start: DayNumber, end: DayNumber, context: DayCountContext): number {
  switch (convention) {
    case '30/360':
    case '30/360-us':
      return days30360Us(start, end);
    case '30/360-isda':
      return days30360Isda(start, end);
    case '30e/360':
      return days30E360(start, end);
    case '30e/360-isda':
      return days30E360Isda(start, end, context.terminationDate);
    default:
      return end - start;
  }
}

/**
 * Actual/Actual ICMA: the span is split over the reference periods of the coupon series, and
 * each part counts its actual days ÷ (frequency × the reference period's actual days). A regular
 * period is exactly 1/frequency; short and long stubs use notional periods of the same series.
 */
function actualActualIcma(start: DayNumber, end: DayNumber, context: DayCountContext): Rational {
  const frequency = context.frequency;
  if (frequency === undefined) throw new RangeError('actual/actual-icma needs the coupon frequency');
  if (end === start) return rat(0n);
  const anchor = context.referenceDate ?? end;
  const perYear = BigInt(PERIODS_PER_YEAR[frequency]);
  let k = seriesIndexAtOrBefore(anchor, frequency, start);
  let total: Rational = rat(0n);
  for (let from = nthDate(anchor, frequency, k); from < end; k += 1) {
    const to = nthDate(anchor, frequency, k + 1);
    const days = Math.min(to, end) - Math.max(from, start);
    if (days > 0) total = add(total, rat(BigInt(days), perYear * BigInt(to - from)));
    from = to;
  }
  return total;
}

/** Index k of the last date of the series anchored at `anchor` that is on or before `date`. */
function seriesIndexAtOrBefore(anchor: DayNumber, frequency: Frequency, date: DayNumber): number {
  let k = Math.floor(((date - anchor) * PERIODS_PER_YEAR[frequency]) / 366);
  while (nthDate(anchor, frequency, k) > date) k -= 1;
  while (nthDate(anchor, frequency, k + 1) <= date) k += 1;
  return k;
}

function actualActualIsda(start: DayNumber, end: DayNumber): Rational {
  const y1 = toCivil(start).year;
  const y2 = toCivil(end).year;
  let leapDays = 0;
  let otherDays = 0;
  for (let y = y1; y <= y2; y += 1) {
    const from = Math.max(start, fromCivil(y, 1, 1));
    const to = Math.min(end, fromCivil(y + 1, 1, 1));
    if (isLeapYear(y)) leapDays += to - from;
    else otherDays += to - from;
  }
  // leap/366 + other/365 over the common denominator 366 * 365.
  return rat(BigInt(leapDays) * 365n + BigInt(otherDays) * 366n, 366n * 365n);
}

function thirty(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): number {
  return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}

/** 30/360 US: the SIA rules, including last-day-of-February. */
function days30360Us(start: DayNumber, end: DayNumber): number {
  const a = toCivil(start);
  const b = toCivil(end);
  let d1 = a.day;
  let d2 = b.day;
  const aFebEnd = a.month === 2 && d1 === daysInMonth(a.year, 2);
  const bFebEnd = b.month === 2 && d2 === daysInMonth(b.year, 2);
  if (aFebEnd && bFebEnd) d2 = 30;
  if (aFebEnd) d1 = 30;
  if (d2 === 31 && d1 >= 30) d2 = 30;
  if (d1 === 31) d1 = 30;
  return thirty(a.year, a.month, d1, b.year, b.month, d2);
}

/** 30/360 Bond Basis (ISDA 2006 4.16(f)): no February rule. */
function days30360Isda(start: DayNumber, end: DayNumber): number {
  const a = toCivil(start);
  const b = toCivil(end);
  const d1 = Math.min(a.day, 30);
  const d2 = b.day === 31 && d1 === 30 ? 30 : b.day;
  return thirty(a.year, a.month, d1, b.year, b.month, d2);
}

/** 30E/360 (ISDA) (4.16(h)): the 31st and February month-end become the 30th, except D2 on the termination date. */
function days30E360Isda(start: DayNumber, end: DayNumber, terminationDate: DayNumber | undefined): number {
  const a = toCivil(start);
  const b = toCivil(end);
  const d1 = a.day === 31 || (a.month === 2 && a.day === daysInMonth(a.year, 2)) ? 30 : a.day;
  const bFebEnd = b.month === 2 && b.day === daysInMonth(b.year, 2) && end !== terminationDate;
  const d2 = b.day === 31 || bFebEnd ? 30 : b.day;
  return thirty(a.year, a.month, d1, b.year, b.month, d2);
}

/** 30E/360: any 31st becomes the 30th. */
function days30E360(start: DayNumber, end: DayNumber): number {
  const a = toCivil(start);
  const b = toCivil(end);
  return thirty(a.year, a.month, Math.min(a.day, 30), b.year, b.month, Math.min(b.day, 30));
}
