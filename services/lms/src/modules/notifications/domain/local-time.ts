/**
 * Wall-clock arithmetic in IANA time zones with the runtime's Intl data (no clock is read). Local dates are
 * ISO strings (YYYY-MM-DD); minutes are minutes after local midnight.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  readonly date: string;
  readonly minuteOfDay: number;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function parts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const p = parts(instant, timeZone);
  const date = `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return { date, minuteOfDay: p.hour! * 60 + p.minute! };
}

/** The zone's offset from UTC at `instant`, in milliseconds (UTC+05:30 → 19 800 000). */
function offsetMs(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant of local `date` `minuteOfDay` in `timeZone`. A wall time repeated by a DST fall-back is its
 * first occurrence; one skipped by a spring-forward gap moves forward by the gap's length (02:30 → 03:30),
 * as the Temporal proposal's "compatible" disambiguation does.
 */
export function zonedInstant(date: string, minuteOfDay: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  // Two passes settle the offset, a third catches a wall time inside a gap.
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  const back = localParts(new Date(guess), timeZone);
  if (back.date === date && back.minuteOfDay === minuteOfDay) return new Date(guess);
  const after = wall - offsetMs(new Date(guess + 3 * 3_600_000), timeZone);
  const before = wall - offsetMs(new Date(guess - 3 * 3_600_000), timeZone);
  // In a gap the offsets on either side straddle the wall time; the later reading is the forward shift.
  return new Date(Math.max(after, before));
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
