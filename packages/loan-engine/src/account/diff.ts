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
 */
export function diffEffects(previous: readonly Effect[], next: readonly Effect[]): EffectDiff {
  const before = new Map(previous.map((e) => [e.key, e]));
  const after = new Map(next.map((e) => [e.key, e]));
  if (before.size !== previous.length || after.size !== next.length) throw new RangeError('effect keys must be unique');
  const same = (a: Effect, b: Effect): boolean => a.date === b.date && a.kind === b.kind && sameLines(a, b);
  const reverse = previous.filter((e) => {
    const n = after.get(e.key);
    return n === undefined || !same(e, n);
  });
  const post = next.filter((e) => {
    const p = before.get(e.key);
    return p === undefined || !same(p, e);
  });
  return { reverse, post };
}
