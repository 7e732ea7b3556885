import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { advanceAccount, replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { disbursed, EMI, paid, PRODUCT, reversed, unwrap } from './test-fixtures.js';
import type { MoneyEvent, ScheduledInstallment } from './types.js';

const reaged = (id: string, date: string): MoneyEvent => ({ kind: 're-age', id, valueDate: d(date) });
/** EMI with installment 2's arrears (999.97 + 20.10) moved to a 4th installment a month after maturity. */
const TAILED: readonly ScheduledInstallment[] = [...EMI, { number: 4, dueDate: d('2027-05-01'), principalMinor: 99_997n, interestMinor: 2_010n, feesMinor: 0n }];

describe('re-age money event', () => {
  // Installment 1 paid; installment 2 (due Mar 1) unpaid: late fee 25.00 on Mar 7 (day 6 past due), penal
  // interest 0.1 % a day on 999.97 for Mar 7, 8, 9 = 2.99991 → 3.00 (half-up). Re-aged on Mar 10 before its end of day.
  const base = [disbursed(), paid('r1', '2027-02-01', 102_007n)];

  it('moves the arrears to the appended installment: dpd 0 that day, interest out of income until earned again, penalties stay due', () => {
    const r = unwrap(replayAccount({ schedule: TAILED, product: PRODUCT, events: [...base, reaged('a1', '2027-03-10')], businessDate: d('2027-03-10') }));
    expect(r.state.delinquency.dpd).toBe(0);
    expect(r.state.balances).toMatchObject({ principalOutstanding: 200_993n, principalDue: 0n, interestDue: 0n, penaltiesDue: 2_800n, totalDueNow: 2_800n });
    expect(r.effects.find((e) => e.key === 're-age:a1')?.lines).toEqual([
      { account: 'interest-income', side: 'debit', amountMinor: 2_010n },
      { account: 'interest-receivable', side: 'credit', amountMinor: 2_010n },
    ]);
    expect(r.delinquencyHistory.at(-1)).toMatchObject({ date: d('2027-03-10'), dpd: 0, usBucket: 'current' });
    expect(r.state.installments.map((i) => i.status)).toEqual(['paid', 'due', 'not-due', 'not-due']);
    // No penal interest after it: none on Mar 10 or later.
    const later = unwrap(replayAccount({ schedule: TAILED, product: PRODUCT, events: [...base, reaged('a1', '2027-03-10')], businessDate: d('2027-03-31') }));
    expect(later.state.balances.penaltiesDue).toBe(2_800n);
    expect(later.state.delinquency.dpd).toBe(0);
  });

  it('the loan then runs to the appended installment and closes; income is what it would have been, plus the penalties', () => {
    const events = [...base, reaged('a1', '2027-03-10'), paid('r3', '2027-04-01', 102_006n + 2_800n), paid('r4', '2027-05-01', 102_007n)];
    const r = unwrap(replayAccount({ schedule: TAILED, product: PRODUCT, events, businessDate: d('2027-05-02') }));
    expect(r.state.status).toBe('closed');
    expect(r.effects.every(isBalanced)).toBe(true);
    const net = netBalances(r.effects);
    expect(net['loan-portfolio'] ?? 0n).toBe(0n);
    expect(net['interest-receivable'] ?? 0n).toBe(0n);
    expect(net['interest-income']).toBe(-(3_000n + 2_010n + 1_010n));
    expect(net['penalty-income']).toBe(-2_800n);
    expect(r.state.balances.excess).toBe(0n);
  });

  it('reversed (with the schedule given back) the loan is as if it was never re-aged; advancing from a snapshot agrees with a replay', () => {
    const undone = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [...base, reaged('a1', '2027-03-10'), reversed('u1', 'a1', '2027-03-10')], businessDate: d('2027-03-20') }));
    const never = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: base, businessDate: d('2027-03-20') }));
    expect(undone.effects).toEqual(never.effects);
    expect(undone.state).toEqual(never.state);
    expect(never.state.delinquency.dpd).toBe(19);
    const events = [...base, reaged('a1', '2027-03-10')];
    const full = unwrap(replayAccount({ schedule: TAILED, product: PRODUCT, events, businessDate: d('2027-04-15') }));
    const half = unwrap(replayAccount({ schedule: TAILED, product: PRODUCT, events: base, businessDate: d('2027-03-09') }));
    const rest = unwrap(advanceAccount(half.snapshot, { schedule: TAILED, product: PRODUCT, events: [reaged('a1', '2027-03-10')] }, d('2027-04-15')));
    expect(rest.state).toEqual(full.state);
    expect([...half.effects, ...rest.effects]).toEqual(full.effects);
  });

  it('while non-accrual the moved interest leaves the memorandum; on a loan no longer active it does nothing', () => {
    const product = { ...PRODUCT, nonAccrualDpd: 5 };
    const r = unwrap(replayAccount({ schedule: TAILED, product, events: [...base, reaged('a1', '2027-03-10')], businessDate: d('2027-03-10') }));
    expect(r.effects.find((e) => e.key === 're-age:a1')?.lines).toEqual([
      { account: 'memo-interest-suspense', side: 'debit', amountMinor: 2_010n },
      { account: 'memo-interest-receivable', side: 'credit', amountMinor: 2_010n },
    ]);
    expect(r.state.accrualStatus).toBe('accruing'); // dpd 0 that day: accruing again
    expect(r.effects.every(isBalanced)).toBe(true);
    const closed = unwrap(replayAccount({ schedule: EMI, product: PRODUCT, events: [disbursed(), paid('r1', '2027-01-10', 400_000n), reaged('a1', '2027-04-05')], businessDate: d('2027-04-10') }));
    expect(closed.effects.some((e) => e.kind === 're-age')).toBe(false);
  });
});
