import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { advanceAccount, replayAccount } from './account.js';
import { accountPayoffQuote } from './payoff.js';
import { disbursed, EMI, paid, PRODUCT, reversed, unwrap } from './test-fixtures.js';
import type { MoneyEvent } from './types.js';

const TWO_PERCENT = { rate: rat(2n, 100n), fixedMinor: 0n };
const quote = (events: MoneyEvent[], asOf: string, charge = true) =>
  accountPayoffQuote({ schedule: EMI, product: PRODUCT, events }, d(asOf), charge ? { prepaymentCharge: TWO_PERCENT } : {});

describe('accountPayoffQuote (the account advanced to the as-of date)', () => {
  it('mid-period: principal, interest accrued to the day (floor(30.00 × 15/31) = 14.51), 2 % charge', () => {
    const q = unwrap(quote([disbursed()], '2027-01-16'));
    expect(q.parts).toEqual({ principal: 300_000n, interest: 1_451n, fees: 0n, penalties: 0n, prepaymentCharge: 6_000n, excess: 0n });
    expect(q.total).toBe(307_451n);
  });

  it('on the day an installment falls due: its whole interest, nothing of the next period yet', () => {
    const q = unwrap(quote([disbursed()], '2027-02-01', false));
    expect(q.parts).toMatchObject({ principal: 300_000n, interest: 3_000n, prepaymentCharge: 0n });
    expect(q.total).toBe(303_000n);
    const afterPaying = unwrap(quote([disbursed(), paid('r1', '2027-02-01', 102_007n)], '2027-02-01', false));
    expect(afterPaying.parts).toMatchObject({ principal: 200_993n, interest: 0n });
    expect(afterPaying.total).toBe(200_993n);
  });

  it('subtracts the excess held', () => {
    const q = unwrap(quote([disbursed(), paid('r1', '2027-01-20', 110_000n)], '2027-01-25', false));
    // floor(3,000 × 24 / 31) = 2,322
    expect(q.parts).toMatchObject({ principal: 300_000n, interest: 2_322n, excess: 110_000n });
    expect(q.total).toBe(192_322n);
  });

  it('overdue: the late fee and penal interest are penalties; a backdated reversal is seen by the next quote', () => {
    const events = [disbursed(), paid('r1', '2027-02-01', 102_007n)];
    const before = unwrap(quote(events, '2027-02-10', false));
    expect(before.parts.penalties).toBe(0n);
    const after = unwrap(quote([...events, reversed('x1', 'r1', '2027-02-05')], '2027-02-10', false));
    expect(after.parts.penalties).toBe(after.state.balances.penaltiesDue);
    expect(after.parts.penalties).toBeGreaterThanOrEqual(2_500n);
    expect(after.parts.principal).toBe(300_000n);
  });

  it('refuses a closed or never-disbursed loan', () => {
    const r = quote([disbursed(), paid('r1', '2027-01-10', 400_000n)], '2027-04-02');
    expect(r.ok ? null : r.error.code).toBe('nothing-outstanding'); // closed at the last due date, excess owed back
    const none = quote([], '2027-01-10');
    expect(none.ok ? null : none.error.code).toBe('nothing-outstanding');
  });
});

const eventsArb = fc
  .array(fc.record({ day: fc.integer({ min: 1, max: 120 }), amount: fc.bigInt({ min: 1n, max: 150_000n }) }), { maxLength: 5 })
  .map((rows): MoneyEvent[] => [disbursed(), ...rows.map((r, i) => ({ kind: 'repayment' as const, id: `r${i}`, valueDate: d('2027-01-01') + r.day, amountMinor: r.amount }))]);

describe('accountPayoffQuote properties', () => {
  it('sum of parts − excess = total; parts are the balances of the account at asOf; advancing a snapshot quotes the same', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: 130 }), (events, mid, extra) => {
        const asOf = d('2027-01-01') + mid + extra;
        const r = quote(events, '2027-01-01');
        expect(r.ok).toBe(true);
        const full = accountPayoffQuote({ schedule: EMI, product: PRODUCT, events }, asOf, { prepaymentCharge: TWO_PERCENT });
        const state = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: asOf })).state;
        if (!full.ok) {
          expect(state.status).not.toBe('active');
          return;
        }
        const p = full.value.parts;
        const gross = p.principal + p.interest + p.fees + p.penalties + p.prepaymentCharge;
        expect(full.value.total).toBe(gross > p.excess ? gross - p.excess : 0n);
        for (const v of Object.values(p)) expect(v).toBeGreaterThanOrEqual(0n);
        expect(p.principal).toBe(state.balances.principalOutstanding);
        expect(p.interest).toBe(state.balances.interestAccrued + state.balances.interestSuspended);
        const midDay = d('2027-01-01') + mid;
        const early = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: events.filter((e) => e.valueDate <= midDay), businessDate: midDay }));
        const later = events.filter((e) => e.valueDate > midDay);
        const advanced = accountPayoffQuote({ schedule: EMI, product: PRODUCT, events: later }, asOf, { prepaymentCharge: TWO_PERCENT }, early.snapshot);
        expect(advanced.ok && advanced.value.total).toBe(full.value.total);
        expect(advanceAccount(early.snapshot, { schedule: EMI, product: PRODUCT, events: later }, asOf).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
