// Checkpoints: copies of the working account at month ends of a replay, so a later replay of the same
// loan whose change is dated after one resumes from it instead of folding again from the disbursement.
import { toCivil, type DayNumber } from '../dates/local-date.js';
import type { Book } from './book.js';
import type { AppliedEvent } from './rules.js';
import type { AccountCheckpoint, AccountInput, AccountProduct, Delinquency, ScheduledInstallment } from './types.js';

export class Checkpoint implements AccountCheckpoint {
  constructor(
    readonly asOf: DayNumber,
    readonly delinquency: Delinquency,
    /** A copy never folded further: a resume folds a copy of it. */
    readonly book: Book,
    /** termsKey of the schedule and product. */
    readonly terms: string,
    /** eventKey of every effective event of the run it was taken in, in fold order (shared by its checkpoints). */
    readonly keys: readonly string[],
    /** How many of `keys` (a prefix: events are folded in date order) are dated on or before asOf. */
    readonly folded: number,
  ) {}

  get size(): number {
    return this.book.size;
  }
}

/** Everything of an event the fold reads. */
export function eventKey(e: AppliedEvent): string {
  return `${e.kind}|${e.id}|${e.valueDate}|${e.kind === 'write-off' ? String(e.accelerate) : e.kind === 'restructure' ? String(e.capitaliseArrears) : e.kind === 're-age' ? '' : e.amountMinor}`;
}

/** Everything of the schedule and product the fold reads, as one string. */
export function termsKey(input: Pick<AccountInput, 'schedule' | 'product'>): string {
  const rows = input.schedule.map((s: ScheduledInstallment) => `${s.number},${s.dueDate},${s.principalMinor},${s.interestMinor},${s.feesMinor}`).join(';');
  return `${rows}#${JSON.stringify(input.product as AccountProduct, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
}

/** Whether the end of day `d` is a checkpoint: the last day before a month whose index (year × 12 + month − 1) is a multiple of `every`. */
export function isCheckpointDay(d: DayNumber, every: number): boolean {
  const next = toCivil(d + 1);
  return next.day === 1 && (next.year * 12 + next.month - 1) % every === 0;
}

/**
 * Whether a checkpoint may be resumed from with these effective events: the ones dated on or before its
 * day are exactly those it folded (same ids, kinds, dates and amounts, same order).
 */
export function foldedSame(c: Checkpoint, applied: readonly AppliedEvent[], keys: readonly string[]): boolean {
  if (applied.length < c.folded) return false;
  if (c.folded < applied.length && (applied[c.folded] as AppliedEvent).valueDate <= c.asOf) return false;
  if (keys === c.keys) return true;
  for (let i = 0; i < c.folded; i += 1) if (keys[i] !== c.keys[i]) return false;
  return true;
}
