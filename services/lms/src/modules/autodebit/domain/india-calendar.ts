/**
 * India's NACH business days and IST wall-clock arithmetic, pure (dates are ISO YYYY-MM-DD; instants are Date
 * values passed in, never read from a clock). NACH clears on bank working days: not Sundays, not the second and
 * fourth Saturdays (RBI's bank holidays since 2015), and not the holidays the caller lists (they differ by
 * state and year, so they are data, not code). A charge date that is not a business day rolls forward, except
 * at month-end, where it rolls back (the processor behaviour the collections-rails research §2.2 quotes).
 */
import { addDays } from './banking-days.js';

const IST_OFFSET_MS = 330 * 60_000;

/** The IST calendar date and minutes after IST midnight of an instant. */
export function istParts(at: Date): { date: string; minutes: number } {
  const shifted = new Date(at.getTime() + IST_OFFSET_MS);
  return { date: shifted.toISOString().slice(0, 10), minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
}

/** The instant of `minutes` after IST midnight of `date`. */
export const istInstant = (date: string, minutes: number): Date => new Date(Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS + minutes * 60_000);

export function isNachBusinessDay(iso: string, holidays: ReadonlySet<string> = new Set()): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  const wd = d.getUTCDay();
  if (wd === 0 || holidays.has(iso)) return false;
  if (wd === 6) {
    const nth = Math.floor((d.getUTCDate() - 1) / 7) + 1;
    return nth !== 2 && nth !== 4;
  }
  return true;
}

/** The charge date NACH will use for `iso`: itself if a business day; else the next one, or the previous one when the next falls in another month. */
export function nachChargeDate(iso: string, holidays: ReadonlySet<string> = new Set()): string {
  let forward = iso;
  while (!isNachBusinessDay(forward, holidays)) forward = addDays(forward, 1);
  if (forward.slice(0, 7) === iso.slice(0, 7)) return forward;
  let back = iso;
  while (!isNachBusinessDay(back, holidays)) back = addDays(back, -1);
  return back;
}

/** `n` NACH business days after `iso` (n ≥ 1), rolling forward only. */
export function addNachBusinessDays(iso: string, n: number, holidays: ReadonlySet<string> = new Set()): string {
  let d = iso;
  for (let i = 0; i < n; i += 1) {
    d = addDays(d, 1);
    while (!isNachBusinessDay(d, holidays)) d = addDays(d, 1);
  }
  return d;
}
