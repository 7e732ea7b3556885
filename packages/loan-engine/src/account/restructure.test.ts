import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../dates/local-date.js';
import { replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { disbursed, EMI, paid, PRODUCT, unwrap } from './test-fixtures.js';
import type { MoneyEvent, ScheduledInstallment } from './types.js';

const restructured = (capitaliseArrears: boolean): MoneyEvent => ({ kind: 'restructure', id: 'rs1', valueDate: d('2027-03-01'), capitaliseArrears });

/**
 * Installment 1 (due 2027-02-01) never paid; restructured on 2027-03-01 (installment 2's due date). By the end
 * of that day installment 1 owes principal 990.07, interest 30.00, the late fee 25.00 (day 6 overdue) and penal
 * interest 0.1 % a day of 990.07 for days 6..28 overdue = 23 days: 990.07 × 0.023 = 22.77 (half-up of
 * 22.77161); installment 2 owes 999.97 + 20.10. Capitalised: interest 50.10, penalties 47.77; principal
 * outstanding 3,000.00 + 50.10 + 47.77 = 3,097.87, all on the new installment 3 (one installment, 1 %: 30.98).
 */
const NEW_SCHEDULE: readonly ScheduledInstallment[] = [EMI[0]!, EMI[1]!, { number: 3, dueDate: d('2027-04-01'), principalMinor: 309_787n, interestMinor: 3_098n, feesMinor: 0n }];

describe('restructure money event', () => {
  it('capitalises what is due unpaid at the end of its date: interest and penalties to loan-portfolio, overdue principal rescheduled', () => {
    const events = [disbursed(), restructured(true)];
    const r = unwrap(replayAccount({ schedule: NEW_SCHEDULE, product: PRODUCT, events, businessDate: d('2027-03-01') }));
    expect(r.effects.find((e) => e.key === 'restructure:rs1')?.lines).toEqual([
      { account: 'loan-portfolio', side: 'debit', amountMinor: 9_787n },
      { account: 'interest-receivable', side: 'credit', amountMinor: 5_010n },
      { account: 'penalties-receivable', side: 'credit', amountMinor: 4_777n },
    ]);
    const b = r.state.balances;
    expect(b.principalOutstanding).toBe(309_787n);
    expect([b.totalDueNow, b.interestAccrued, b.penaltiesDue]).toEqual([0n, 0n, 0n]);
    expect(r.state.delinquency.dpd).toBe(0);
    expect(r.state.installments.slice(0, 2).map((i) => i.status)).toEqual(['paid', 'paid']);
    expect(r.effects.every(isBalanced)).toBe(true);
    const net = netBalances(r.effects);
    expect(net['loan-portfolio']).toBe(309_787n);
    expect(net['interest-receivable'] ?? 0n).toBe(0n);
    expect(net['penalties-receivable'] ?? 0n).toBe(0n);
    // The new installment closes the loan: 3,097.87 + 30.98.
    const done = unwrap(replayAccount({ schedule: NEW_SCHEDULE, product: PRODUCT, events: [...events, paid('r1', '2027-04-01', 312_885n)], businessDate: d('2027-04-02') }));
    expect(done.state.status).toBe('closed');
    expect(netBalances(done.effects)['loan-portfolio'] ?? 0n).toBe(0n);
  });

  it('without capitalisation nothing moves: the arrears stay due and DPD runs on', () => {
    const schedule: readonly ScheduledInstallment[] = [EMI[0]!, EMI[1]!, { number: 3, dueDate: d('2027-04-01'), principalMinor: 100_996n, interestMinor: 1_010n, feesMinor: 0n }];
    const r = unwrap(replayAccount({ schedule, product: PRODUCT, events: [disbursed(), restructured(false)], businessDate: d('2027-03-01') }));
    expect(r.effects.some((e) => e.key === 'restructure:rs1')).toBe(false);
    expect(r.state.delinquency.dpd).toBe(28);
    expect(r.state.balances.principalDue).toBe(99_007n + 99_997n);
    expect(r.state.balances.principalOutstanding).toBe(300_000n);
  });

  it('a repayment on its date is allocated first, so less is capitalised', () => {
    const r = unwrap(replayAccount({ schedule: NEW_SCHEDULE, product: PRODUCT, events: [disbursed(), paid('r1', '2027-03-01', 10_000n), restructured(true)], businessDate: d('2027-03-01') }));
    // 100.00 pays installment 1's penalties so far (late fee 25.00 + penal days 6..27 overdue: 990.07 × 0.022 = 21.78),
    // its interest 30.00, and 23.22 of its principal; that day's penal interest then runs on 966.85: cumulative
    // (990.07 × 22 + 966.85) × 0.001 = 22.75 (half-up of 22.74839) instead of 22.77, so 2 minor units less are
    // capitalised, besides the 100.00 paid.
    expect(r.state.balances.principalOutstanding).toBe(309_787n - 10_000n - 2n);
    expect(r.state.balances.totalDueNow).toBe(0n);
  });
});
