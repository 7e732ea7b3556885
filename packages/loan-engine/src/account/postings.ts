// Building blocks for effects, and ISO day labels for their keys.
import { daysInMonth, toCivil, type DayNumber } from '../dates/local-date.js';
import type { Effect, EffectKind, LedgerAccount, PostingLine } from './types.js';

/** Adds a debit and a credit of `amount` (nothing when zero: lines are never zero or negative). */
export function pair(lines: PostingLine[], debit: LedgerAccount, credit: LedgerAccount, amount: bigint): void {
  if (amount === 0n) return;
  if (amount < 0n) throw new RangeError(`negative posting ${debit}/${credit}: ${amount}`);
  lines.push({ account: debit, side: 'debit', amountMinor: amount }, { account: credit, side: 'credit', amountMinor: amount });
}

export function line(lines: PostingLine[], account: LedgerAccount, side: 'debit' | 'credit', amount: bigint): void {
  if (amount === 0n) return;
  if (amount < 0n) throw new RangeError(`negative posting ${account}: ${amount}`);
  lines.push({ account, side, amountMinor: amount });
}

/** Most cached amounts repeat (a period's daily accrual takes two values): bounded anyway. */
const MAX_CACHED_AMOUNTS = 4096;

/**
 * Shared, frozen two-line postings for the daily effects (accrual, penal interest): the same
 * amount on the same pair of accounts is one array, so a quiet day allocates one effect object.
 */
export class PairCache {
  private readonly byDebit = new Map<LedgerAccount, Map<LedgerAccount, Map<bigint, readonly PostingLine[]>>>();

  lines(debit: LedgerAccount, credit: LedgerAccount, amount: bigint): readonly PostingLine[] {
    let byCredit = this.byDebit.get(debit);
    if (byCredit === undefined) this.byDebit.set(debit, (byCredit = new Map()));
    let cache = byCredit.get(credit);
    if (cache === undefined) byCredit.set(credit, (cache = new Map()));
    let lines = cache.get(amount);
    if (lines === undefined) {
      if (cache.size >= MAX_CACHED_AMOUNTS) cache.clear();
      const fresh: PostingLine[] = [];
      pair(fresh, debit, credit, amount);
      lines = Object.freeze(fresh.map((l) => Object.freeze(l)));
      cache.set(amount, lines);
    }
    return lines;
  }
}

export function effect(key: string, date: DayNumber, kind: EffectKind, lines: readonly PostingLine[]): Effect {
  return { key, date, kind, lines };
}

const TWO = Array.from({ length: 32 }, (_, k) => `-${String(k).padStart(2, '0')}`);

/**
 * YYYY-MM-DD labels for consecutive days without a civil-date conversion per call: the fold asks
 * for each day in turn, so the next label is the previous one plus a day.
 */
export class DayLabels {
  private day = Number.NaN;
  private year = 0;
  private month = 0;
  private dom = 0;
  private yearText = '';
  private text = '';

  of(day: DayNumber): string {
    if (day === this.day) return this.text;
    if (day === this.day + 1 && this.dom < daysInMonth(this.year, this.month)) {
      this.dom += 1;
    } else {
      const c = toCivil(day);
      if (c.year !== this.year) this.yearText = String(c.year).padStart(4, '0');
      this.year = c.year;
      this.month = c.month;
      this.dom = c.day;
    }
    this.day = day;
    this.text = this.yearText + (TWO[this.month] as string) + (TWO[this.dom] as string);
    return this.text;
  }
}
