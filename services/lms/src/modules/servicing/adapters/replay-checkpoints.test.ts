import { fromCivil, parseIsoDate, replayAccount, type AccountInput, type MoneyEvent, type ScheduledInstallment } from '@lendstack/loan-engine';
import { describe, expect, it } from 'vitest';
import { ReplayCheckpoints, replayFromCheckpoint } from './replay-checkpoints.js';

/** 36 monthly installments from 2026-01-15 and a repayment on every due date. */
function loan(): AccountInput {
  const schedule: ScheduledInstallment[] = [];
  for (let k = 1; k <= 36; k += 1) schedule.push({ number: k, dueDate: fromCivil(2026 + Math.floor(k / 12), (k % 12) + 1, 15), principalMinor: 100_000n, interestMinor: 5_000n, feesMinor: 0n });
  const events: MoneyEvent[] = [{ kind: 'disbursement', id: 'd', valueDate: fromCivil(2026, 1, 15), amountMinor: 3_600_000n }];
  schedule.forEach((s, i) => events.push({ kind: 'repayment', id: `r${i}`, valueDate: s.dueDate, amountMinor: 105_000n }));
  return { schedule, product: { strategy: 'penalties-fees-interest-principal', graceDays: 3, lateFee: { kind: 'flat', amountMinor: 500n } }, events, businessDate: parseIsoDate('2029-02-01') };
}

const withPayment = (input: AccountInput, id: string, date: string): AccountInput => ({ ...input, events: [...input.events, { kind: 'repayment', id, valueDate: parseIsoDate(date), amountMinor: 1_000n }] });

describe('replay checkpoints', () => {
  it('a backdated change resumes from the last checkpoint before it, with the full replay\'s state', () => {
    const kept = new ReplayCheckpoints();
    const first = replayFromCheckpoint(kept, 'L', loan(), Number.NEGATIVE_INFINITY);
    expect(first.resumedFrom).toBeUndefined();
    expect(kept.before('L', parseIsoDate('2029-01-01'))?.asOf).toBe(parseIsoDate('2028-12-31'));
    const changed = withPayment(loan(), 'late', '2028-03-20');
    const second = replayFromCheckpoint(kept, 'L', changed, parseIsoDate('2028-03-20'));
    expect(second.resumedFrom?.asOf).toBe(parseIsoDate('2027-12-31'));
    const full = replayAccount(changed);
    if (!second.replayed.ok || !full.ok) throw new Error('replay failed');
    expect(second.replayed.value.state).toEqual(full.value.state);
    expect(second.replayed.value.effects).toEqual(full.value.effects.filter((e) => e.date > parseIsoDate('2027-12-31')));
  });

  it('replays from the beginning when the loan changed behind the checkpoint (another process, a rollback)', () => {
    const kept = new ReplayCheckpoints();
    replayFromCheckpoint(kept, 'L', loan(), Number.NEGATIVE_INFINITY);
    // A repayment of 2026 this process never replayed, and a caller that only knows of a change in 2028.
    const behind = withPayment(withPayment(loan(), 'elsewhere', '2026-06-01'), 'late', '2028-03-20');
    const r = replayFromCheckpoint(kept, 'L', behind, parseIsoDate('2028-03-20'));
    expect(r.resumedFrom).toBeUndefined();
    const full = replayAccount(behind);
    if (!r.replayed.ok || !full.ok) throw new Error('replay failed');
    expect(r.replayed.value.state).toEqual(full.value.state);
    expect(r.replayed.value.effects).toEqual(full.value.effects);
  });

  it('believes kept books only at the servicing version they were confirmed for, from their first day on', () => {
    const kept = new ReplayCheckpoints();
    const r = replayFromCheckpoint(kept, 'L', loan(), Number.NEGATIVE_INFINITY);
    if (!r.replayed.ok) throw new Error('replay failed');
    const from = parseIsoDate('2027-01-01');
    kept.books('L', { version: 7, from, effects: r.replayed.value.effects });
    expect(kept.liveEffects('L', 6, from)).toBeUndefined();
    expect(kept.liveEffects('L', 7, from - 1)).toBeUndefined();
    expect(kept.liveEffects('L', 7, parseIsoDate('2028-01-01'))).toEqual(r.replayed.value.effects.filter((e) => e.date >= parseIsoDate('2028-01-01')));
    // A new replay drops them until its transaction confirms its own.
    replayFromCheckpoint(kept, 'L', withPayment(loan(), 'late', '2028-03-20'), parseIsoDate('2028-03-20'));
    expect(kept.liveEffects('L', 7, parseIsoDate('2028-01-01'))).toBeUndefined();
  });

  it('keeps at most its bound, dropping the least recently replayed loans first', () => {
    const kept = new ReplayCheckpoints(36 * 3);
    for (const id of ['A', 'B', 'C']) replayFromCheckpoint(kept, id, loan(), Number.NEGATIVE_INFINITY);
    expect(kept.size).toBeLessThanOrEqual(36 * 3);
    expect(kept.before('A', parseIsoDate('2029-01-01'))).toBeUndefined();
    expect(kept.before('C', parseIsoDate('2029-01-01'))).toBeDefined();
  });
});
