import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { advanceAccount, replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { disbursed, EMI, paid, PRODUCT, reversed, unwrap } from './test-fixtures.js';
import type { MoneyEvent } from './types.js';

const writtenOff = (id: string, date: string, accelerate = false): MoneyEvent => ({ kind: 'write-off', id, valueDate: d(date), accelerate });

describe('write-off money event', () => {
  // Installment 1 paid on its due date; on Feb 15 installment 2's interest has accrued 14 of 28 days:
  // floor(2,010 × 14 / 28) = 1,005. Principal outstanding 3,000.00 − 990.07 = 2,009.93.
  const base = [disbursed(), paid('r1', '2027-02-01', 102_007n)];

  it('writes off the principal outstanding and reverses the accrued interest at the end of its value date, whatever the dpd', () => {
    const r = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...base, writtenOff('w1', '2027-02-15')], businessDate: d('2027-02-20') }));
    expect(r.state.status).toBe('charged-off');
    expect(r.state.chargedOffOn).toBe(d('2027-02-15'));
    expect(r.state.delinquency.dpd).toBe(0);
    expect(r.state.writeOff).toEqual({ id: 'w1', date: d('2027-02-15'), accelerated: false, acceleratedPrincipalMinor: 0n });
    expect(r.effects.find((e) => e.key === 'write-off:w1')).toEqual({
      key: 'write-off:w1', date: d('2027-02-15'), kind: 'charge-off',
      lines: [
        { account: 'write-off-expense', side: 'debit', amountMinor: 200_993n },
        { account: 'loan-portfolio', side: 'credit', amountMinor: 200_993n },
        { account: 'interest-income', side: 'debit', amountMinor: 1_005n },
        { account: 'interest-receivable', side: 'credit', amountMinor: 1_005n },
      ],
    });
    expect(r.events.filter((e) => e.kind === 'LoanChargedOff')).toEqual([
      { key: 'written-off:w1', date: d('2027-02-15'), kind: 'LoanChargedOff', writeOffId: 'w1', accelerated: false, acceleratedPrincipalMinor: 0n },
    ]);
    // Nothing accrues after it: the last accrual is Feb 15's.
    expect(r.effects.filter((e) => e.kind === 'interest-accrual').at(-1)?.date).toBe(d('2027-02-15'));
    const net = netBalances(r.effects);
    expect(net['loan-portfolio']).toBe(0n);
    expect(net['interest-receivable']).toBe(0n);
    expect(r.state.balances.principalWrittenOff).toBe(200_993n);
    expect(r.effects.every(isBalanced)).toBe(true);
  });

  it('with accelerate, the installments not yet due fall due on that day (2 and 3: 999.97 + 1,009.96 of principal)', () => {
    const r = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...base, writtenOff('w1', '2027-02-15', true)], businessDate: d('2027-02-20') }));
    expect(r.state.writeOff).toEqual({ id: 'w1', date: d('2027-02-15'), accelerated: true, acceleratedPrincipalMinor: 200_993n });
    expect(r.state.installments.map((i) => i.status)).toEqual(['paid', 'due', 'due']);
    expect(r.events.find((e) => e.kind === 'LoanChargedOff')).toMatchObject({ accelerated: true, acceleratedPrincipalMinor: 200_993n });
    // The ledger is the same as without acceleration: the whole principal is written off either way.
    const plain = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...base, writtenOff('w1', '2027-02-15')], businessDate: d('2027-02-20') }));
    expect(r.effects).toEqual(plain.effects);
  });

  it('later money is a recovery (recovery income); reversing the write-off replays the loan as if it never happened', () => {
    const events = [...base, writtenOff('w1', '2027-02-15', true), paid('r2', '2027-03-01', 50_000n)];
    const r = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: d('2027-03-05') }));
    expect(r.effects.find((e) => e.key === 'repayment:r2')?.lines).toEqual([
      { account: 'collection-clearing', side: 'debit', amountMinor: 50_000n },
      { account: 'recovery-income', side: 'credit', amountMinor: 50_000n },
    ]);
    expect(r.state.balances.recovered).toBe(50_000n);
    const undone = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...events, reversed('u1', 'w1', '2027-03-05')], businessDate: d('2027-03-05') }));
    const never = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...base, paid('r2', '2027-03-01', 50_000n)], businessDate: d('2027-03-05') }));
    expect(undone.effects).toEqual(never.effects);
    expect(undone.state).toEqual(never.state);
    expect(undone.state.status).toBe('active');
    expect(undone.state.writeOff).toBeUndefined();
    // r2 now pays installment 2's interest 20.10 and 479.90 of its principal.
    expect(undone.allocations.find((a) => a.source === 'r2')?.byComponent).toEqual({ penalties: 0n, fees: 0n, interest: 2_010n, principal: 47_990n });
  });

  it('a backdated repayment before it lowers what it writes off; on a loan closed by then it does nothing', () => {
    const events = [...base, writtenOff('w1', '2027-02-15'), paid('r0', '2027-02-10', 10_000n)];
    const r = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: d('2027-02-20') }));
    // 100.00 paid ahead on Feb 10 is excess (nothing due): written off 2,009.93, and the excess stays owed back.
    expect(r.effects.find((e) => e.key === 'write-off:w1')?.lines[0]).toEqual({ account: 'write-off-expense', side: 'debit', amountMinor: 200_993n });
    expect(r.state.balances.excess).toBe(10_000n);
    const closed = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [disbursed(), paid('r1', '2027-01-10', 400_000n), writtenOff('w1', '2027-04-05')], businessDate: d('2027-04-10') }));
    expect(closed.state.status).toBe('closed');
    expect(closed.state.writeOff).toBeUndefined();
    expect(closed.effects.some((e) => e.kind === 'charge-off')).toBe(false);
  });

  it('property: any write-off day leaves the books balanced with no principal on them, and advancing from a snapshot agrees with a replay', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 95 }), fc.boolean(), fc.integer({ min: 1, max: 30 }), (offset, accelerate, after) => {
        const date = d('2027-01-01') + offset;
        const w: MoneyEvent = { kind: 'write-off', id: 'w', valueDate: date, accelerate };
        const events = [...base, w];
        const end = date + after;
        const r = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: end }));
        expect(r.effects.every(isBalanced)).toBe(true);
        const net = netBalances(r.effects);
        expect(r.state.status).toBe('charged-off');
        expect(net['loan-portfolio']).toBe(0n);
        expect(net['interest-receivable'] ?? 0n).toBe(0n);
        expect(net['write-off-expense']).toBe(r.state.balances.principalWrittenOff);
        const half = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: events.filter((e) => e.valueDate <= date - 1), businessDate: date - 1 }));
        const later = events.filter((e) => e.valueDate > date - 1);
        const advanced = unwrap(advanceAccount(half.snapshot, { schedule: EMI, product: PRODUCT, events: later }, end));
        expect(advanced.state).toEqual(r.state);
        expect([...half.effects, ...advanced.effects]).toEqual(r.effects);
      }),
      { numRuns: 60 },
    );
  });
});
