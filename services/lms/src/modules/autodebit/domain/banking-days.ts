/**
 * US banking days as FedACH settles them: no settlement on Saturdays, Sundays or Federal Reserve holidays
 * (collections-rails research §1.6). The Federal Reserve observes a holiday that falls on a Sunday on the
 * Monday after; one that falls on a Saturday is not moved (the Fed is closed that Saturday anyway, and open on
 * the Friday before). Dates are ISO YYYY-MM-DD strings; arithmetic is in UTC days, so no clock or zone is read.
 */

const DAY_MS = 86_400_000;
const toDays = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
const fromDays = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);
const weekday = (iso: string) => new Date(toDays(iso) * DAY_MS).getUTCDay();

export const addDays = (iso: string, days: number): string => fromDays(toDays(iso) + days);
export const daysBetween = (from: string, to: string): number => toDays(to) - toDays(from);

/** The n-th (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, day: number, n: number): string {
  if (n > 0) {
    const first = Date.UTC(year, month - 1, 1) / DAY_MS;
    const offset = (day - new Date(first * DAY_MS).getUTCDay() + 7) % 7;
    return fromDays(first + offset + (n - 1) * 7);
  }
  const last = Date.UTC(year, month, 0) / DAY_MS;
  return fromDays(last - ((new Date(last * DAY_MS).getUTCDay() - day + 7) % 7));
}

const holidayCache = new Map<number, ReadonlySet<string>>();

/** Federal Reserve holidays of a year, as observed (Sunday → Monday). */
export function federalReserveHolidays(year: number): ReadonlySet<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const pad = (n: number) => String(n).padStart(2, '0');
  const fixed = [[1, 1], [6, 19], [7, 4], [11, 11], [12, 25]].map(([m, d]) => `${year}-${pad(m!)}-${pad(d!)}`).map((iso) => (weekday(iso) === 0 ? addDays(iso, 1) : iso));
  const floating = [nthWeekday(year, 1, 1, 3), nthWeekday(year, 2, 1, 3), nthWeekday(year, 5, 1, -1), nthWeekday(year, 9, 1, 1), nthWeekday(year, 10, 1, 2), nthWeekday(year, 11, 4, 4)];
  const set = new Set([...fixed, ...floating]);
  holidayCache.set(year, set);
  return set;
}

export function isBankingDay(iso: string): boolean {
  const wd = weekday(iso);
  return wd !== 0 && wd !== 6 && !federalReserveHolidays(Number(iso.slice(0, 4))).has(iso);
}

/** The date itself if it is a banking day, else the next one. */
export function onOrNextBankingDay(iso: string): string {
  let d = iso;
  while (!isBankingDay(d)) d = addDays(d, 1);
  return d;
}

/** `n` banking days after `iso` (n ≥ 0; 0 gives the date itself or the next banking day). */
export function addBankingDays(iso: string, n: number): string {
  let d = onOrNextBankingDay(iso);
  for (let i = 0; i < n; i += 1) d = onOrNextBankingDay(addDays(d, 1));
  return d;
}
