/**
 * Calendar dates as integer day numbers (days since 1970-01-01, proleptic Gregorian).
 * No time zones and no `Date`: a due date is a civil date, and day arithmetic is integer.
 * Conversions use Howard Hinnant's days_from_civil / civil_from_days algorithms.
 */
export type DayNumber = number;

export interface Civil {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

export function fromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function toCivil(dayNumber: DayNumber): Civil {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Parses YYYY-MM-DD (exactly: 4, 2 and 2 ASCII digits); undefined when malformed or not a real calendar date. */
export function tryParseIsoDate(text: string): DayNumber | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return fromCivil(year, month, day);
}

const DASH = 0x2d;
const ZERO_CODE = 0x30;

/** The number written by `count` ASCII digits from `start`, or −1 if one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - ZERO_CODE;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export function parseIsoDate(text: string): DayNumber {
  const d = tryParseIsoDate(text);
  if (d === undefined) throw new RangeError(`not a valid YYYY-MM-DD date: ${text}`);
  return d;
}

export function formatIsoDate(dayNumber: DayNumber): string {
  // Dates of this century are formatted once and kept (a schedule formats one per row, and
  // loans share their due dates): at most ISO_CACHE_DAYS strings of 10 characters.
  const index = dayNumber - ISO_CACHE_FIRST_DAY;
  if (index >= 0 && index < ISO_CACHE_DAYS) return (ISO_CACHE[index] as string | undefined) ?? (ISO_CACHE[index] = computeIsoDate(dayNumber));
  return computeIsoDate(dayNumber);
}

function computeIsoDate(dayNumber: DayNumber): string {
  // toCivil inlined (no object per date), months and days from a table of two-digit strings.
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year >= 1000 && year <= 9999 ? `${year}` : String(year).padStart(4, '0');
  return y + ((MONTH_DAYS_TEXT[month] as readonly string[])[day] as string);
}

/** 2000-01-01 (day 10,957) to 2100-12-31: 36,890 days. */
const ISO_CACHE_FIRST_DAY = 10_957;
const ISO_CACHE_DAYS = 36_890;
const ISO_CACHE: (string | undefined)[] = new Array<string | undefined>(ISO_CACHE_DAYS);

/** MONTH_DAYS_TEXT[month][day] = "-MM-DD" (one concatenation per date). */
const MONTH_DAYS_TEXT: readonly (readonly string[])[] = Array.from({ length: 13 }, (_, m) =>
  Array.from({ length: 32 }, (_, d) => `-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
);

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(dayNumber: DayNumber): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/**
 * The date `months` months after (year, month) on `anchorDay`, clamped to the month end.
 * Always computed from the anchor, so a clamp never sticks: Jan 31 → Feb 28 → Mar 31.
 */
export function addMonthsAnchored(year: number, month: number, months: number, anchorDay: number): DayNumber {
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return fromCivil(y, m, Math.min(anchorDay, daysInMonth(y, m)));
}

export function isLastDayOfMonth(dayNumber: DayNumber): boolean {
  const c = toCivil(dayNumber);
  return c.day === daysInMonth(c.year, c.month);
}
