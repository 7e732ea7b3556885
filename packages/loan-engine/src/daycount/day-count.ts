import { rat, type Rational } from '../math/rational.js';
import { daysInMonth, fromCivil, isLeapYear, toCivil, type DayNumber } from '../dates/local-date.js';

/**
 * Day count conventions, as defined in the 2006 ISDA Definitions, section 4.16:
 * - '30/360'             30/360 US (SIA / NASD bond basis, with the February month-end rules)
 * - '30e/360'            30E/360, Eurobond basis (4.16(g))
 * - 'actual/360'         Actual/360 (4.16(e))
 * - 'actual/365'         Actual/365 Fixed (4.16(d))
 * - 'actual/actual-isda' Actual/Actual ISDA (4.16(b)): days in leap years / 366 + others / 365
 */
export type DayCount = '30/360' | '30e/360' | 'actual/360' | 'actual/365' | 'actual/actual-isda';

export const DAY_COUNTS: readonly DayCount[] = ['30/360', '30e/360', 'actual/360', 'actual/365', 'actual/actual-isda'];

/** Year fraction from `start` to `end` as an exact rational (negative if end < start). */
export function yearFraction(convention: DayCount, start: DayNumber, end: DayNumber): Rational {
  if (end < start) {
    const f = yearFraction(convention, end, start);
    return { n: -f.n, d: f.d };
  }
  switch (convention) {
    case 'actual/360':
      return rat(BigInt(end - start), 360n);
    case 'actual/365':
      return rat(BigInt(end - start), 365n);
    case 'actual/actual-isda':
      return actualActualIsda(start, end);
    case '30/360':
      return rat(BigInt(days30360Us(start, end)), 360n);
    case '30e/360':
      return rat(BigInt(days30E360(start, end)), 360n);
  }
}

/** Day count numerator (days under the convention) between two dates. */
export function dayCountDays(convention: DayCount, start: DayNumber, end: DayNumber): number {
  if (convention === '30/360') return days30360Us(start, end);
  if (convention === '30e/360') return days30E360(start, end);
  return end - start;
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

/** 30E/360: any 31st becomes the 30th. */
function days30E360(start: DayNumber, end: DayNumber): number {
  const a = toCivil(start);
  const b = toCivil(end);
  return thirty(a.year, a.month, Math.min(a.day, 30), b.year, b.month, Math.min(b.day, 30));
}
