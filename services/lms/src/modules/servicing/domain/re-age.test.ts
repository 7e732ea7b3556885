import { describe, expect, it } from 'vitest';
import { addMonths, reAgeRuleBroken } from './re-age.js';
import type { LoanTransaction } from './servicing.js';

const tx = (id: string, kind: LoanTransaction['kind'], valueDate: string, amountMinor: bigint | null = null, targetId: string | null = null) =>
  ({ id, kind, valueDate, amountMinor, targetId }) as LoanTransaction;
const paidMonthly = (from: string, n: number) => Array.from({ length: n }, (_, k) => tx(`r${from}${k}`, 'repayment', addMonths(from, k), 1_000n));

describe('re-age limits (the product rule from the US retail classification policy)', () => {
  it('adds months with the day clamped', () => {
    expect([addMonths('2026-01-31', 1), addMonths('2024-01-31', 1), addMonths('2026-03-05', -3), addMonths('2026-12-05', 1)]).toEqual(['2026-02-28', '2024-02-29', '2025-12-05', '2027-01-05']);
  });

  it('needs 9 months of age, 3 consecutive minimum monthly payments, at most once in 12 months and twice in 5 years', () => {
    const base = { firstDisbursementDate: '2026-01-05', minimumPaymentMinor: 1_000n };
    expect(reAgeRuleBroken({ ...base, valueDate: '2026-10-04', transactions: paidMonthly('2026-07-05', 3) })?.rule).toBe('re-age-account-age');
    expect(reAgeRuleBroken({ ...base, valueDate: '2026-10-05', transactions: paidMonthly('2026-07-05', 3) })?.rule).toBe('re-age-payments'); // Jul 5 is not after Jul 5
    expect(reAgeRuleBroken({ ...base, valueDate: '2026-10-05', transactions: paidMonthly('2026-08-05', 3) })).toBeUndefined();
    const short = [...paidMonthly('2026-08-05', 2), tx('low', 'repayment', '2026-10-05', 999n)];
    expect(reAgeRuleBroken({ ...base, valueDate: '2026-10-05', transactions: short })?.rule).toBe('re-age-payments');
    // A reversed payment does not count.
    const bounced = [...paidMonthly('2026-08-05', 3), tx('u', 'reversal', '2026-10-06', null, 'r2026-08-052')];
    expect(reAgeRuleBroken({ ...base, valueDate: '2026-10-06', transactions: bounced })?.rule).toBe('re-age-payments');
    const once = [...paidMonthly('2027-05-05', 3), tx('a1', 're-age', '2026-08-10')];
    expect(reAgeRuleBroken({ ...base, valueDate: '2027-07-05', transactions: once })).toMatchObject({ rule: 're-age-limit', detail: expect.stringContaining('12 months') });
    expect(reAgeRuleBroken({ ...base, valueDate: '2027-08-10', transactions: [...paidMonthly('2027-06-05', 3), tx('a1', 're-age', '2026-08-10')] })).toBeUndefined();
    const twice = [...paidMonthly('2029-06-05', 3), tx('a1', 're-age', '2026-08-10'), tx('a2', 're-age', '2027-09-10')];
    expect(reAgeRuleBroken({ ...base, valueDate: '2029-08-10', transactions: twice })).toMatchObject({ rule: 're-age-limit', detail: expect.stringContaining('5 years') });
    // An undone re-age does not count.
    expect(reAgeRuleBroken({ ...base, valueDate: '2029-08-10', transactions: [...twice, tx('u2', 'reversal', '2027-09-10', null, 'a2')] })).toBeUndefined();
  });
});
