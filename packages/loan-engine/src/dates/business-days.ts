import { dayOfWeek, toCivil, type DayNumber } from './local-date.js';

/**
 * Business-day conventions (ISDA 2006 section 4.12):
 * - following: the next business day
 * - modified-following: the next business day unless that is in the next month, then preceding
 * - preceding: the previous business day
 */
export type BusinessDayConvention = 'none' | 'following' | 'modified-following' | 'preceding';

export const BUSINESS_DAY_CONVENTIONS: readonly BusinessDayConvention[] = [
  'none',
  'following',
  'modified-following',
  'preceding',
];

export interface HolidayCalendar {
  /** Days of week that are never business days, 0 = Sunday … 6 = Saturday. */
  readonly weekendDays: ReadonlySet<number>;
  readonly holidays: ReadonlySet<DayNumber>;
}

export function makeCalendar(holidays: Iterable<DayNumber>, weekendDays: Iterable<number> = [0, 6]): HolidayCalendar {
  return { weekendDays: new Set(weekendDays), holidays: new Set(holidays) };
}

export function isBusinessDay(date: DayNumber, calendar: HolidayCalendar): boolean {
  return !calendar.weekendDays.has(dayOfWeek(date)) && !calendar.holidays.has(date);
}

/**
 * Bound on the search so a calendar with every day a holiday cannot loop forever: a date moves
 * at most this many days, so it can be adjusted unless it lies in a run of more than this many
 * consecutive non-business days (see longestNonBusinessRun, which the request schema checks).
 */
export const MAX_SHIFT_DAYS = 366;

export interface NonBusinessRun {
  readonly start: DayNumber;
  /** Consecutive non-business days from `start`; Infinity when every weekday is a weekend day. */
  readonly days: number;
}

/**
 * The longest run of consecutive non-business days (holidays joined by weekend days), or
 * undefined when there are no holidays and at least one business weekday. O(holidays): a run
 * can only grow past six days through holidays.
 */
export function longestNonBusinessRun(calendar: HolidayCalendar): NonBusinessRun | undefined {
  if ([0, 1, 2, 3, 4, 5, 6].every((d) => calendar.weekendDays.has(d))) {
    return { start: 0, days: Number.POSITIVE_INFINITY };
  }
  let longest: NonBusinessRun | undefined;
  let covered = Number.NEGATIVE_INFINITY; // runs already measured end before this day
  for (const h of [...calendar.holidays].sort((a, b) => a - b)) {
    if (h < covered) continue;
    let start = h;
    while (!isBusinessDay(start - 1, calendar)) start -= 1;
    let end = h + 1;
    while (!isBusinessDay(end, calendar)) end += 1;
    covered = end;
    if (longest === undefined || end - start > longest.days) longest = { start, days: end - start };
  }
  return longest;
}

function shift(date: DayNumber, step: 1 | -1, calendar: HolidayCalendar): DayNumber {
  let d = date;
  for (let i = 0; i < MAX_SHIFT_DAYS && !isBusinessDay(d, calendar); i += 1) d += step;
  if (!isBusinessDay(d, calendar)) throw new RangeError('no business day within a year of the date');
  return d;
}

export function adjustDate(date: DayNumber, convention: BusinessDayConvention, calendar: HolidayCalendar): DayNumber {
  switch (convention) {
    case 'none':
      return date;
    case 'following':
      return shift(date, 1, calendar);
    case 'preceding':
      return shift(date, -1, calendar);
    case 'modified-following': {
      const next = shift(date, 1, calendar);
      return toCivil(next).month === toCivil(date).month ? next : shift(date, -1, calendar);
    }
  }
}
