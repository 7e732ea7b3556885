import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { advanceAccount, replayAccount } from './account.js';
import { diffEffects, netBalances } from './diff.js';
import { EMI, PRODUCT, disbursed, paid, reversed, unwrap } from './test-fixtures.js';
import type { AccountInput, AccountProduct, MoneyEvent, ScheduledInstallment } from './types.js';

const replay = (events: MoneyEvent[], businessDate: string, product: AccountProduct = PRODUCT, schedule: readonly ScheduledInstallment[] = EMI) =>
  unwrap(replayAccount({ schedule, product, events, businessDate: d(businessDate) }));
const keysOf = (r: { effects: readonly { key: string }[] }, prefix: string) => r.effects.filter((e) => e.key.startsWith(prefix)).map((e) => e.key);
const amountOf = (r: { effects: readonly { key: string; lines: readonly { amountMinor: bigint; side: string }[] }[] }, key: string) =>
  r.effects.find((e) => e.key === key)?.lines.filter((l) => l.side === 'debit').reduce((s, l) => s + l.amountMinor, 0n);

describe('a monthly EMI loan paid on time', () => {
  const r = replay([disbursed(), paid('r1', '2027-02-01', 102_007n), paid('r2', '2027-03-01', 102_007n), paid('r3', '2027-04-01', 102_006n)], '2027-04-30');

  it('accrues the scheduled interest day by day: floor(3,000 × k / 31), the due date taking the residual', () => {
    // Given 30.00 of interest over 31 days: day 1 = floor(3000/31) = 96, day 2 = 193 − 96 = 97,
    // and the due date gets 3000 − floor(3000 × 30 / 31) = 3000 − 2903 = 97.
    expect(amountOf(r, 'accrual:2027-01-02')).toBe(96n);
    expect(amountOf(r, 'accrual:2027-01-03')).toBe(97n);
    expect(amountOf(r, 'accrual:2027-02-01')).toBe(97n);
    expect(keysOf(r, 'accrual:')).toHaveLength(31 + 28 + 31);
    expect(netBalances(r.effects)['interest-income']).toBe(-(3_000n + 2_010n + 1_010n));
  });

  it('closes on the last due date with nothing owed, no fee, no penalty and dpd 0 throughout', () => {
    expect(r.state.status).toBe('closed');
    expect(r.state.closedOn).toBe(d('2027-04-01'));
    expect(r.state.balances.principalOutstanding).toBe(0n);
    expect(r.state.balances.totalDueNow).toBe(0n);
    expect(r.effects.some((e) => e.kind === 'late-fee' || e.kind === 'penal-interest')).toBe(false);
    expect(r.delinquencyHistory).toHaveLength(1);
    expect(r.events.filter((e) => e.kind === 'InstallmentPaid').map((e) => e.key)).toEqual([
      'installment-paid:1:2027-02-01',
      'installment-paid:2:2027-03-01',
      'installment-paid:3:2027-04-01',
    ]);
    expect(r.events.at(-1)).toMatchObject({ kind: 'LoanClosed', key: 'closed:2027-04-01' });
  });

  it('posts each repayment against the receivables it pays', () => {
    expect(r.effects.find((e) => e.key === 'repayment:r1')?.lines).toEqual([
      { account: 'collection-clearing', side: 'debit', amountMinor: 102_007n },
      { account: 'loan-portfolio', side: 'credit', amountMinor: 99_007n },
      { account: 'interest-receivable', side: 'credit', amountMinor: 3_000n },
    ]);
  });
});

describe('the same loan paid late', () => {
  // Nothing paid for installment 1 (due Feb 1) until Mar 10. Grace 5 days.
  const events = [disbursed(), paid('r1', '2027-03-10', 107_576n)];

  it('is overdue from the day after the due date, but stays in the current bucket during grace', () => {
    const r = replay(events, '2027-02-06');
    expect(r.state.delinquency).toMatchObject({ dpd: 5, usBucket: 'current', rbiClass: 'SMA-0' });
    expect(r.events.find((e) => e.kind === 'InstallmentOverdue')).toMatchObject({ date: d('2027-02-02'), installment: 1 });
    expect(r.state.balances.penaltiesDue).toBe(0n);
  });

  it('charges the 25.00 late fee once on day 6 and penal interest of 0.1 % a day on 990.07 (99 a day)', () => {
    const r = replay(events, '2027-02-08');
    expect(r.state.delinquency).toMatchObject({ dpd: 7, usBucket: '1-29' });
    expect(keysOf(r, 'late-fee:')).toEqual(['late-fee:1']);
    expect(amountOf(r, 'penal:2027-02-07')).toBe(99n);
    expect(r.state.balances.penaltiesDue).toBe(2_500n + 198n); // 990.07 × 0.001 × 2 = 1.98014
  });

  it('moves to 30-59 on dpd 30 (Mar 3) and to SMA-1 on dpd 31 (Mar 4)', () => {
    const r = replay(events, '2027-03-09');
    const points = r.delinquencyHistory.map((p) => [p.date, p.dpd, p.usBucket, p.rbiClass]);
    expect(points).toContainEqual([d('2027-03-03'), 30, '30-59', 'SMA-0']);
    expect(points).toContainEqual([d('2027-03-04'), 31, '30-59', 'SMA-1']);
    // Penal on installment 1 for Feb 7..Mar 9 (31 days): 99,007 × 31 / 1000 = 3,069.217 → 3,069;
    // installment 2 (due Mar 1) from Mar 7: 3 × 99.997 = 299.991 → 300; two late fees.
    expect(r.state.balances.penaltiesDue).toBe(2_500n + 3_069n + 2_500n + 300n);
    expect(r.state.delinquency.dpd).toBe(36);
  });

  it('a payment of exactly installment 1 with its penalties settles it; dpd now counts from installment 2', () => {
    const r = replay(events, '2027-03-10');
    expect(r.allocations[0]?.installments).toEqual([{ installment: 1, penalties: 5_569n, fees: 0n, interest: 3_000n, principal: 99_007n }]);
    expect(r.state.delinquency).toMatchObject({ dpd: 9, usBucket: '1-29', rbiClass: 'SMA-0', oldestUnpaidDueDate: d('2027-03-01') });
    expect(r.state.installments[0]).toMatchObject({ status: 'paid', paidOn: d('2027-03-10'), lateFeeMinor: 2_500n });
  });
});

describe('partial payment with a percent late fee', () => {
  const product: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 0, lateFee: { kind: 'percent', percent: '5', capMinor: 4_000n } };

  it('pays interest before principal, leaves the installment overdue, and charges 5 % of what was unpaid', () => {
    // Given 500.00 paid on the due date: 30.00 interest, 470.00 principal; 520.07 unpaid.
    // Then on Feb 2 the late fee is 5 % of 520.07 = 26.0035 → 26.00.
    const r = replay([disbursed(), paid('r1', '2027-02-01', 50_000n)], '2027-02-02', product);
    expect(r.allocations[0]?.byComponent).toEqual({ penalties: 0n, fees: 0n, interest: 3_000n, principal: 47_000n });
    expect(r.state.balances).toMatchObject({ principalDue: 52_007n, interestDue: 0n, penaltiesDue: 2_600n });
    expect(r.state.delinquency.dpd).toBe(1);
  });

  it('caps the percent fee', () => {
    const capped = replay([disbursed()], '2027-02-02', { ...product, lateFee: { kind: 'percent', percent: '5', capMinor: 4_000n } });
    expect(capped.state.balances.penaltiesDue).toBe(4_000n); // 5 % of 1,020.07 = 51.00 > 40.00
  });
});

describe('backdated payments and reversals', () => {
  it('a payment that arrives late but is valued on the due date cures the DPD as if it had come on time', () => {
    const before = replay([disbursed()], '2027-02-20');
    const after = replay([disbursed(), paid('r1', '2027-02-01', 102_007n)], '2027-02-20');
    expect(before.state.delinquency.dpd).toBe(19);
    expect(after.state.delinquency).toMatchObject({ dpd: 0, usBucket: 'current', rbiClass: 'standard' });
    const diff = diffEffects(before.effects, after.effects);
    expect(diff.reverse.map((e) => e.key)).toContain('late-fee:1');
    expect(diff.post.map((e) => e.key)).toEqual(['repayment:r1']);
  });

  it('a reversal re-opens the delinquency as if the payment had never been made', () => {
    const r = replay([disbursed(), paid('r1', '2027-02-01', 102_007n), reversed('x1', 'r1', '2027-02-15')], '2027-02-20');
    expect(r.state.delinquency.dpd).toBe(19);
    expect(r.effects.some((e) => e.key === 'repayment:r1')).toBe(false);
    expect(keysOf(r, 'late-fee:')).toEqual(['late-fee:1']);
  });

  it('refuses a reversal of a reversal, of an unknown id, and a second reversal of the same repayment', () => {
    const base: AccountInput = { schedule: EMI, product: PRODUCT, businessDate: d('2027-02-20'), events: [disbursed(), paid('r1', '2027-02-01', 1n)] };
    const withEvents = (...more: MoneyEvent[]) => replayAccount({ ...base, events: [...base.events, ...more] });
    expect(withEvents(reversed('x1', 'nope', '2027-02-02'))).toMatchObject({ ok: false, error: { code: 'unknown-reversal-target' } });
    expect(withEvents(reversed('x1', 'r1', '2027-02-02'), reversed('x2', 'x1', '2027-02-03'))).toMatchObject({ ok: false, error: { code: 'reversal-of-reversal' } });
    expect(withEvents(reversed('x1', 'r1', '2027-02-02'), reversed('x2', 'r1', '2027-02-03'))).toMatchObject({ ok: false, error: { code: 'repayment-already-reversed' } });
    expect(withEvents(reversed('x1', 'd1', '2027-02-02'))).toMatchObject({ ok: false, error: { code: 'reversal-of-disbursement' } });
  });
});

describe('non-accrual, charge-off and recovery', () => {
  it('goes non-accrual at dpd 90 (May 2), moving accrued unpaid interest to the memorandum', () => {
    const r = replay([disbursed()], '2027-05-02');
    expect(r.state.accrualStatus).toBe('non-accrual');
    expect(r.state.delinquency).toMatchObject({ dpd: 90, rbiClass: 'SMA-2', usBucket: '90-119' });
    const reversal = r.effects.find((e) => e.key === 'non-accrual:2027-05-02');
    expect(reversal?.lines).toContainEqual({ account: 'interest-income', side: 'debit', amountMinor: 6_020n });
    expect(r.state.balances).toMatchObject({ interestAccrued: 0n, interestSuspended: 6_020n });
    expect(netBalances(r.effects)['interest-income']).toBe(0n);
  });

  it('is NPA from dpd 91 and stays NPA after a partial cure, until all arrears are paid', () => {
    const npa = replay([disbursed()], '2027-05-03');
    expect(npa.state.delinquency).toMatchObject({ rbiClass: 'NPA', npaSince: d('2027-05-03') });
    const partly = replay([disbursed(), paid('r1', '2027-05-05', 120_000n)], '2027-05-06');
    expect(partly.state.delinquency.dpd).toBeLessThan(90);
    expect(partly.state.delinquency.rbiClass).toBe('NPA');
    expect(partly.state.accrualStatus).toBe('non-accrual');
  });

  it('returns to accruing when everything overdue is paid; interest paid meanwhile is income on cash basis', () => {
    const due = replay([disbursed()], '2027-05-09').state.balances.totalDueNow;
    const r = replay([disbursed(), paid('r1', '2027-05-10', due)], '2027-05-10');
    expect(r.state.accrualStatus).toBe('accruing');
    expect(r.state.delinquency).toMatchObject({ dpd: 0, rbiClass: 'standard', npaSince: null });
    const net = netBalances(r.effects);
    expect(net['interest-income']).toBe(-6_020n);
    expect(net['memo-interest-receivable']).toBe(0n);
    expect(r.state.status).toBe('closed');
  });

  it('charges off at dpd 120 (Jun 1): principal to write-off, receivables reversed; a later payment is a recovery', () => {
    const r = replay([disbursed(), paid('r1', '2027-07-01', 50_000n)], '2027-07-31');
    expect(r.state.status).toBe('charged-off');
    expect(r.state.chargedOffOn).toBe(d('2027-06-01'));
    const net = netBalances(r.effects);
    expect(net['write-off-expense']).toBe(300_000n);
    expect(net['loan-portfolio']).toBe(0n);
    expect(net['recovery-income']).toBe(-50_000n);
    expect(net['penalties-receivable']).toBe(0n);
    expect(net['memo-interest-receivable']).toBe(0n);
    expect(r.effects.some((e) => e.kind === 'interest-accrual' && e.date > d('2027-06-01'))).toBe(false);
    expect(r.events.find((e) => e.kind === 'LoanChargedOff')?.date).toBe(d('2027-06-01'));
  });
});

describe('excess', () => {
  it('closes with the overpayment kept as a liability to refund', () => {
    const r = replay([disbursed(), paid('r1', '2027-02-01', 102_007n), paid('r2', '2027-03-01', 102_007n), paid('r3', '2027-04-01', 102_100n)], '2027-04-02');
    expect(r.state.status).toBe('closed');
    expect(r.state.balances.excess).toBe(94n);
    expect(netBalances(r.effects)['excess-liability']).toBe(-94n);
  });

  it('an early payment is held as excess and applied when each installment falls due', () => {
    const r = replay([disbursed(), paid('r1', '2027-01-15', 306_020n)], '2027-04-01');
    expect(r.allocations[0]?.excessMinor).toBe(306_020n);
    expect(keysOf(r, 'excess-applied:')).toEqual(['excess-applied:2027-02-01', 'excess-applied:2027-03-01', 'excess-applied:2027-04-01']);
    expect(r.state).toMatchObject({ status: 'closed', balances: { excess: 0n } });
  });
});

describe('other products', () => {
  it('zero-interest BNPL: 4 fortnightly 25.00, a flat 7.00 late fee with no grace', () => {
    const bnpl: ScheduledInstallment[] = ['2027-01-15', '2027-01-29', '2027-02-12', '2027-02-26'].map((date, k) => ({
      number: k + 1, dueDate: d(date), principalMinor: 2_500n, interestMinor: 0n, feesMinor: 0n,
    }));
    const product: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 0, lateFee: { kind: 'flat', amountMinor: 700n } };
    const events = [disbursed('2027-01-01', 10_000n), paid('r1', '2027-01-15', 2_500n), paid('r2', '2027-01-29', 2_500n), paid('r3', '2027-02-15', 2_500n)];
    const late = replay(events, '2027-02-15', product, bnpl);
    // The late fee is paid first, so 18.00 of the 25.00 goes to principal and 7.00 stays overdue.
    expect(late.allocations[2]?.byComponent).toMatchObject({ penalties: 700n, principal: 1_800n });
    expect(late.state.delinquency.dpd).toBe(3);
    expect(late.effects.some((e) => e.kind === 'interest-accrual')).toBe(false);
    const cured = replay([...events, paid('r4', '2027-02-16', 700n), paid('r5', '2027-02-26', 2_500n)], '2027-02-26', product, bnpl);
    expect(cured.state).toMatchObject({ status: 'closed', delinquency: { dpd: 0 } });
    expect(netBalances(cured.effects)['penalty-income']).toBe(-700n);
  });

  it('payday: one repayment of 500.00 + a 75.00 fee after 14 days', () => {
    const schedule = [{ number: 1, dueDate: d('2027-01-15'), principalMinor: 50_000n, interestMinor: 0n, feesMinor: 7_500n }];
    const r = replay([disbursed('2027-01-01', 50_000n), paid('r1', '2027-01-15', 57_500n)], '2027-01-15', PRODUCT, schedule);
    expect(r.effects.find((e) => e.key === 'fee-due:1')?.lines).toContainEqual({ account: 'fee-income', side: 'credit', amountMinor: 7_500n });
    expect(r.state.status).toBe('closed');
  });

  it('equal principal: 1,000.00 a month and interest of 30.00, 20.00, 10.00 with the interest-principal-across-due strategy', () => {
    const schedule = EMI.map((s, k) => ({ ...s, principalMinor: 100_000n, interestMinor: [3_000n, 2_000n, 1_000n][k] as bigint }));
    const product: AccountProduct = { ...PRODUCT, strategy: 'interest-principal-across-due' };
    // Both installments overdue on Mar 5; 60.00 pays the interest of both (50.00) before any principal.
    const r = replay([disbursed(), paid('r1', '2027-03-05', 6_000n)], '2027-03-05', product, schedule);
    expect(r.allocations[0]?.installments).toEqual([
      { installment: 1, penalties: 0n, fees: 0n, interest: 3_000n, principal: 1_000n },
      { installment: 2, penalties: 0n, fees: 0n, interest: 2_000n, principal: 0n },
    ]);
  });
});

describe('advanceAccount', () => {
  it('continues from a JSON snapshot and gives the same state as a replay, refusing backdated events', () => {
    const events = [disbursed(), paid('r1', '2027-02-10', 50_000n)];
    const first = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: d('2027-02-05') }));
    const snapshot = JSON.parse(JSON.stringify(first.snapshot));
    const rest = unwrap(advanceAccount(snapshot, { schedule: EMI, product: PRODUCT, events: [events[1] as MoneyEvent] }, d('2027-03-20')));
    const whole = replay(events, '2027-03-20');
    expect(rest.state).toEqual(whole.state);
    expect([...first.effects, ...rest.effects]).toEqual(whole.effects);
    expect(advanceAccount(snapshot, { schedule: EMI, product: PRODUCT, events: [paid('r0', '2027-02-01', 1n)] }, d('2027-03-20'))).toMatchObject({
      ok: false,
      error: { code: 'replay-required' },
    });
  });
});
