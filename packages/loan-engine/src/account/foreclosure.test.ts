import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { advanceAccount, replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { accountPayoffQuote } from './payoff.js';
import { disbursed, EMI, paid, PRODUCT, reversed, unwrap } from './test-fixtures.js';
import type { AccountProduct, MoneyEvent } from './types.js';

/** PRODUCT with a 2 % prepayment charge on the principal outstanding. */
const CHARGED: AccountProduct = { ...PRODUCT, prepaymentCharge: { percentOfPrincipal: '2', fixedMinor: 0n } };
const foreclosure = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'foreclosure', id, valueDate: d(date), amountMinor });
const run = (events: MoneyEvent[], to: string, product = CHARGED) => unwrap(replayAccount({ schedule: EMI, product, events, businessDate: d(to) }));
const quote = (events: MoneyEvent[], asOf: string) =>
  unwrap(accountPayoffQuote({ schedule: EMI, product: CHARGED, events }, d(asOf), { prepaymentCharge: { rate: rat(2n, 100n), fixedMinor: 0n } }));

describe('foreclosure', () => {
  it('mid-period, paying the quote closes the loan: 3,000.00 + floor(30.00 × 15/31) = 14.51 + 2 % = 60.00 → 3,074.51', () => {
    const r = run([disbursed(), foreclosure('f1', '2027-01-16', 307_451n)], '2027-01-20');
    expect(r.state.status).toBe('closed');
    expect(r.state.closedOn).toBe(d('2027-01-16'));
    expect(r.state.foreclosure).toEqual({ id: 'f1', date: d('2027-01-16'), amountMinor: 307_451n, payoffMinor: 307_451n, outcome: 'closed' });
    const b = r.state.balances;
    expect([b.principalOutstanding, b.interestAccrued, b.feesDue, b.penaltiesDue, b.excess, b.totalDueNow]).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    expect(r.state.installments.every((i) => i.status === 'paid')).toBe(true);
    const net = netBalances(r.effects);
    expect(net['loan-portfolio']).toBe(0n);
    expect(net['interest-receivable']).toBe(0n);
    expect(net['interest-income']).toBe(-1_451n);
    expect(net['fee-income']).toBe(-6_000n); // the prepayment charge
    expect(net['collection-clearing']).toBe(307_451n);
    expect(r.effects.every(isBalanced)).toBe(true);
    const closed = r.events.filter((e) => e.kind === 'LoanClosed');
    expect(closed).toEqual([{ key: 'closed:2027-01-16:foreclosure:307451', date: d('2027-01-16'), kind: 'LoanClosed', reason: 'foreclosed' }]);
    const a = r.allocations.find((x) => x.source === 'f1');
    expect(a).toMatchObject({ kind: 'foreclosure', byComponent: { principal: 300_000n, interest: 1_451n, fees: 0n, penalties: 0n }, prepaymentChargeMinor: 6_000n, excessMinor: 0n });
    expect(a?.installments.map((l) => [l.installment, l.principal, l.interest])).toEqual([[1, 99_007n, 1_451n], [2, 99_997n, 0n], [3, 100_996n, 0n]]);
  });

  it('one minor unit short: allocated as a repayment (nothing due: all excess), the loan stays open, LoanReopened', () => {
    const r = run([disbursed(), foreclosure('f1', '2027-01-16', 307_450n)], '2027-01-20');
    expect(r.state.status).toBe('active');
    expect(r.state.balances.excess).toBe(307_450n);
    expect(r.state.foreclosure?.outcome).toBe('short');
    expect(r.events.filter((e) => e.kind === 'LoanReopened')).toEqual([{ key: 'reopened:f1:1', date: d('2027-01-16'), kind: 'LoanReopened', foreclosureId: 'f1', shortfallMinor: 1n }]);
  });

  it('funded by a top-up: the same settlement, its money from disbursement-clearing (not a collection), LoanClosed reason top-up; short, it reopens the loan all the same', () => {
    const topUp = (amountMinor: bigint): MoneyEvent => ({ kind: 'foreclosure', id: 'f1', valueDate: d('2027-01-16'), amountMinor, fundedBy: 'top-up' });
    const r = run([disbursed(), topUp(307_451n)], '2027-01-20');
    expect(r.state.status).toBe('closed');
    const net = netBalances(r.effects);
    expect(net['disbursement-clearing']).toBe(-300_000n + 307_451n);
    expect(net['collection-clearing'] ?? 0n).toBe(0n);
    expect(net['loan-portfolio']).toBe(0n);
    expect(r.effects.every(isBalanced)).toBe(true);
    expect(r.events.filter((e) => e.kind === 'LoanClosed')).toEqual([{ key: 'closed:2027-01-16:top-up:307451', date: d('2027-01-16'), kind: 'LoanClosed', reason: 'top-up' }]);
    const short = run([disbursed(), topUp(307_450n)], '2027-01-20');
    expect(short.state.status).toBe('active');
    expect(short.events.filter((e) => e.kind === 'LoanReopened').map((e) => e.key)).toEqual(['reopened:f1:1']);
    const shortNet = netBalances(short.effects);
    expect([shortNet['disbursement-clearing'], shortNet['collection-clearing'] ?? 0n]).toEqual([-300_000n + 307_450n, 0n]);
  });

  it('overdue with late fee and penal interest: the quote for the day closes it exactly', () => {
    const events = [disbursed()];
    const q = quote(events, '2027-02-10');
    expect(q.parts.penalties).toBeGreaterThan(2_500n);
    const r = run([...events, foreclosure('f1', '2027-02-10', q.total)], '2027-02-28');
    expect(r.state.status).toBe('closed');
    expect(r.state.balances.excess).toBe(0n);
    expect(r.state.delinquency.dpd).toBe(0);
    const net = netBalances(r.effects);
    for (const a of ['loan-portfolio', 'interest-receivable', 'fees-receivable', 'penalties-receivable', 'excess-liability'] as const) expect(net[a]).toBe(0n);
    expect(net['collection-clearing']).toBe(q.total);
  });

  it('a backdated repayment before the foreclosure leaves a surplus held as excess; reversing it makes the foreclosure short', () => {
    const base = [disbursed(), paid('r1', '2027-01-10', 10_000n)];
    const q = quote(base, '2027-01-16');
    expect(q.total).toBe(297_451n); // the 100.00 paid early is excess, subtracted
    const closed = run([...base, foreclosure('f1', '2027-01-16', 297_451n)], '2027-01-20');
    expect(closed.state.status).toBe('closed');
    expect(closed.state.balances.excess).toBe(0n);
    // Paid the full 3,074.51 although 100.00 was already held: 100.00 is owed back.
    const surplus = run([...base, foreclosure('f1', '2027-01-16', 307_451n)], '2027-01-20');
    expect(surplus.state.status).toBe('closed');
    expect(surplus.state.balances.excess).toBe(10_000n);
    const short = run([...base, foreclosure('f1', '2027-01-16', 297_451n), reversed('x1', 'r1', '2027-01-18')], '2027-01-20');
    expect(short.state.status).toBe('active');
    expect(short.events.find((e) => e.kind === 'LoanReopened')).toMatchObject({ shortfallMinor: 10_000n });
  });

  it('a payment after the foreclosure is excess; the snapshot keeps the outcome', () => {
    const events = [disbursed(), foreclosure('f1', '2027-01-16', 307_451n)];
    const first = run(events, '2027-01-20');
    const later = unwrap(advanceAccount(first.snapshot, { schedule: EMI, product: CHARGED, events: [paid('r2', '2027-01-25', 500n)] }, d('2027-01-31')));
    expect(later.state.foreclosure).toEqual(first.state.foreclosure);
    expect(later.state.status).toBe('closed');
    expect(later.state.balances.excess).toBe(500n);
  });

  it('property: after random repayments, paying the quote closes the loan with every balance and receivable zero', () => {
    const rows = fc.array(fc.record({ day: fc.integer({ min: 1, max: 80 }), amount: fc.bigInt({ min: 1n, max: 120_000n }) }), { maxLength: 4 });
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 88 }), (list, on) => {
        const events: MoneyEvent[] = [disbursed(), ...list.map((x, i): MoneyEvent => ({ kind: 'repayment', id: `r${i}`, valueDate: d('2027-01-01') + x.day, amountMinor: x.amount }))];
        const asOf = d('2027-01-01') + on;
        const q = accountPayoffQuote({ schedule: EMI, product: CHARGED, events }, asOf, { prepaymentCharge: { rate: rat(2n, 100n), fixedMinor: 0n } });
        if (!q.ok) return; // closed or charged off by then
        const r = unwrap(replayAccount({ schedule: EMI, product: CHARGED, events: [...events, { kind: 'foreclosure', id: 'f', valueDate: asOf, amountMinor: q.value.total + 1n }], businessDate: asOf + 3 }));
        expect(r.state.status).toBe('closed');
        expect(r.effects.every(isBalanced)).toBe(true);
        const net = netBalances(r.effects);
        for (const a of ['loan-portfolio', 'interest-receivable', 'fees-receivable', 'penalties-receivable', 'memo-interest-receivable', 'memo-penalties-receivable'] as const) expect(net[a]).toBe(0n);
        const p = q.value.parts;
        // What was held, plus what was paid, less what it settled (1 more than the quote when the excess did not cover it all).
        // Payments dated after the foreclosure find the loan closed: all excess.
        const later = events.reduce((sum, e) => (e.kind === 'repayment' && e.valueDate > asOf && e.valueDate <= asOf + 3 ? sum + e.amountMinor : sum), 0n);
        const owed = p.excess + q.value.total + 1n - (p.principal + p.interest + p.fees + p.penalties + p.prepaymentCharge) + later;
        expect(r.state.balances.excess).toBe(owed);
        expect(net['excess-liability']).toBe(-owed);
      }),
      { numRuns: 150 },
    );
  });
});
