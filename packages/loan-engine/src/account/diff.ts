// Ledger views of effects: net balances, and the difference between two replays.
import { LEDGER_ACCOUNTS, type Effect, type LedgerAccount } from './types.js';

/** Σ debits − Σ credits per logical account (credit-normal accounts come out negative). */
export function netBalances(effects: readonly Effect[]): Record<LedgerAccount, bigint> {
  const net = Object.fromEntries(LEDGER_ACCOUNTS.map((a) => [a, 0n])) as Record<LedgerAccount, bigint>;
  for (const e of effects) for (const l of e.lines) net[l.account] += l.side === 'debit' ? l.amountMinor : -l.amountMinor;
  return net;
}

export function isBalanced(effect: Effect): boolean {
  let sum = 0n;
  for (const l of effect.lines) sum += l.side === 'debit' ? l.amountMinor : -l.amountMinor;
  return sum === 0n && effect.lines.every((l) => l.amountMinor > 0n);
}

/** Same lines in the same order (account, side, amount), compared field by field: no strings built. */
function sameLines(a: Effect, b: Effect): boolean {
  if (a.lines.length !== b.lines.length) return false;
  for (let i = 0; i < a.lines.length; i += 1) {
    const x = a.lines[i] as Effect['lines'][number];
    const y = b.lines[i] as Effect['lines'][number];
    if (x.account !== y.account || x.side !== y.side || x.amountMinor !== y.amountMinor) return false;
  }
  return true;
}

export interface EffectDiff {
  /** Effects already posted that the new replay no longer has, or has differently: post a contra-entry of each. */
  readonly reverse: readonly Effect[];
  /** Effects to post: new keys, and the new version of changed ones. */
  readonly post: readonly Effect[];
}

/**
 * What the LMS posts after a replay: previous − reverse + post = next, effect by effect (keys
 * are stable across replays). An unchanged effect (same key, date, kind and lines) is left alone.
 * Keys must be unique in each list. Two replays of one loan list their effects in the same order,
 * so the equal effects both lists start and end with are passed over pairwise, and only the run
 * between them is compared by key (a RangeError if a key repeats there).
 */
export function diffEffects(previous: readonly Effect[], next: readonly Effect[]): EffectDiff {
  let start = 0;
  while (start < previous.length && start < next.length && sameEffect(previous[start] as Effect, next[start] as Effect)) start += 1;
  let endPrevious = previous.length;
  let endNext = next.length;
  while (endPrevious > start && endNext > start && sameEffect(previous[endPrevious - 1] as Effect, next[endNext - 1] as Effect)) {
    endPrevious -= 1;
    endNext -= 1;
  }
  const was = previous.slice(start, endPrevious);
  const is = next.slice(start, endNext);
  const before = new Map(was.map((e) => [e.key, e]));
  const after = new Map(is.map((e) => [e.key, e]));
  if (before.size !== was.length || after.size !== is.length) throw new RangeError('effect keys must be unique');
  const reverse = was.filter((e) => {
    const n = after.get(e.key);
    return n === undefined || !sameEffect(e, n);
  });
  const post = is.filter((e) => {
    const p = before.get(e.key);
    return p === undefined || !sameEffect(p, e);
  });
  return { reverse, post };
}

function sameEffect(a: Effect, b: Effect): boolean {
  return a.key === b.key && a.date === b.date && a.kind === b.kind && sameLines(a, b);
}
