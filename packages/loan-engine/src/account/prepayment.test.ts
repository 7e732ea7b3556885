import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { disbursed, EMI, paid, PRODUCT, unwrap } from './test-fixtures.js';
import type { AccountProduct, MoneyEvent, ScheduledInstallment } from './types.js';

const CHARGED: AccountProduct = { ...PRODUCT, prepaymentCharge: { percentOfPrincipal: '2', fixedMinor: 100n } };
const prepaid = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'prepayment', id, valueDate: d(date), amountMinor });

/** EMI after 500.00 of principal paid ahead on 2027-02-01 (installment 1 paid): 2,009.93 − 500.00 = 1,509.93 over 2 months, interest 1 %. */
const REAMORTISED: readonly ScheduledInstallment[] = [
  EMI[0]!,
  { number: 2, dueDate: d('2027-03-01'), principalMinor: 75_118n, interestMinor: 1_510n, feesMinor: 0n },
  { number: 3, dueDate: d('2027-04-01'), principalMinor: 75_875n, interestMinor: 759n, feesMinor: 0n },
];

describe('prepayment money event', () => {
  it('credits the principal paid ahead and the charge (2 % + 1.00 = 11.00) to fee income; the re-amortised schedule then closes the loan', () => {
    const events = [disbursed(), paid('r1', '2027-02-01', 102_007n), prepaid('p1', '2027-02-01', 50_000n)];
    const r = unwrap(replayAccount({ schedule: REAMORTISED, product: CHARGED, events, businessDate: d('2027-02-10') }));
    expect(r.state.balances.principalOutstanding).toBe(300_000n - 99_007n - 50_000n);
    expect(r.state.balances.principalOutstanding).toBe(75_118n + 75_875n);
    const a = r.allocations.find((x) => x.source === 'p1');
    expect(a).toMatchObject({ kind: 'prepayment', amountMinor: 51_100n, byComponent: { principal: 50_000n }, prepaymentChargeMinor: 1_100n, excessMinor: 0n });
    const effect = r.effects.find((e) => e.key === 'prepayment:p1');
    expect(effect?.lines).toEqual([
      { account: 'collection-clearing', side: 'debit', amountMinor: 51_100n },
      { account: 'loan-portfolio', side: 'credit', amountMinor: 50_000n },
      { account: 'fee-income', side: 'credit', amountMinor: 1_100n },
    ]);
    // Nothing is due after it: the principal paid ahead is not counted against the installments to come.
    expect([r.state.balances.principalDue, r.state.balances.totalDueNow]).toEqual([0n, 0n]);
    const due2 = unwrap(replayAccount({ schedule: REAMORTISED, product: CHARGED, events, businessDate: d('2027-03-01') }));
    expect([due2.state.balances.principalDue, due2.state.balances.interestDue]).toEqual([75_118n, 1_510n]);
    const rest = [...events, paid('r2', '2027-03-01', 76_628n), paid('r3', '2027-04-01', 76_634n)];
    const done = unwrap(replayAccount({ schedule: REAMORTISED, product: CHARGED, events: rest, businessDate: d('2027-04-02') }));
    expect(done.state.status).toBe('closed');
    expect(done.state.balances.principalDue).toBe(0n);
    expect(done.effects.every(isBalanced)).toBe(true);
    expect(netBalances(done.effects)['loan-portfolio']).toBe(0n);
  });

  it('on a closed loan the money is excess, like a repayment', () => {
    const events = [disbursed(), paid('r1', '2027-01-10', 400_000n), prepaid('p1', '2027-04-05', 1_000n)];
    const r = unwrap(replayAccount({ schedule: EMI, product: CHARGED, events, businessDate: d('2027-04-10') }));
    expect(r.state.status).toBe('closed');
    expect(r.allocations.find((x) => x.source === 'p1')?.excessMinor).toBe(1_000n);
  });
});
