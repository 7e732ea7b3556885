import { describe, expect, it } from 'vitest';
import { toLoanTerms } from '../api/to-terms.js';
import { scheduleRequestSchema } from '../api/schedule-request.js';
import { parseIsoDate } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { buildSchedule } from '../schedule/engine.js';
import { request } from '../test-support.js';
import { accruedInterest, dailyAccruals } from './accrual.js';
import { payoffQuote } from './payoff.js';
import { partialPrepayment } from './prepayment.js';
import { reschedule } from './reschedule.js';

const terms = toLoanTerms(scheduleRequestSchema.parse(request({ principal: '10000', annualRatePercent: '12', termPeriods: 12, disbursementDate: '2024-01-31' })));
const d = parseIsoDate;
const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('accrual between dates', () => {
  const input = { balanceMinor: 10_000_000n, annualRate: rat(1n, 10n), dayCount: 'actual/365' as const, from: d('2024-01-01'), to: d('2024-01-31'), mode: 'half-up' as const };

  it('is balance × rate × year fraction, rounded once: 100,000.00 at 10 % for 30 days Act/365 = 821.92', () => {
    expect(accruedInterest(input)).toBe(82_192n);
  });

  it('daily rows sum exactly to the period accrual (no rounding drift)', () => {
    const rows = dailyAccruals(input);
    expect(rows).toHaveLength(30);
    expect(rows.reduce((a, r) => a + r.amountMinor, 0n)).toBe(82_192n);
    expect(new Set(rows.map((r) => r.amountMinor))).toEqual(new Set([2_739n, 2_740n]));
  });
});

describe('payoff quote', () => {
  it('principal outstanding + interest accrued since the last due date + prepayment charge', () => {
    const q = unwrap(payoffQuote({ terms, payoffDate: d('2024-05-10'), installmentsPaid: 3, prepaymentCharge: { rate: rat(2n, 100n), fixedMinor: 0n } }));
    const s = buildSchedule(terms);
    const balance = s.installments[2]?.balanceAfter as bigint;
    expect(q.principal).toBe(balance);
    // Apr 30 → May 10 is 10 days at 30/360: balance × 12 % × 10/360.
    expect(q.accruedInterest).toBe((balance * 12n * 10n + 18_000n) / 36_000n);
    expect(q.prepaymentCharge).toBe((balance * 2n + 50n) / 100n);
    expect(q.total).toBe(q.principal + q.accruedInterest + q.prepaymentCharge);
  });

  it('includes the interest and fees of installments due but unpaid', () => {
    const q = unwrap(payoffQuote({ terms, payoffDate: d('2024-05-10'), installmentsPaid: 1 }));
    const s = buildSchedule(terms);
    expect(q.overdueInterest).toBe((s.installments[1]?.interest as bigint) + (s.installments[2]?.interest as bigint));
    expect(q.principal).toBe(s.installments[0]?.balanceAfter);
  });

  it('refuses a loan that is already repaid', () => {
    const r = payoffQuote({ terms, payoffDate: d('2025-02-10'), installmentsPaid: 12 });
    expect(r.ok).toBe(false);
  });
});

describe('partial prepayment', () => {
  it('reduce-installment keeps the maturity and lowers the installment', () => {
    const r = unwrap(partialPrepayment({ terms, installmentsPaid: 3, date: d('2024-04-30'), amountMinor: 300_000n, strategy: 'reduce-installment' }));
    const rows = r.schedule.installments;
    expect(rows[0]?.number).toBe(4);
    expect(rows.at(-1)?.number).toBe(12);
    expect(rows.map((x) => x.dueDate).slice(0, 3)).toEqual([d('2024-05-31'), d('2024-06-30'), d('2024-07-31')]);
    expect(r.schedule.installmentAmountMinor).toBeLessThan(buildSchedule(terms).installmentAmountMinor as bigint);
    expect(rows.reduce((a, x) => a + x.principal, 0n)).toBe(r.balanceAfter);
  });

  it('reduce-tenure keeps the installment and ends earlier', () => {
    const r = unwrap(partialPrepayment({ terms, installmentsPaid: 3, date: d('2024-04-30'), amountMinor: 300_000n, strategy: 'reduce-tenure' }));
    expect(r.schedule.installments.at(-1)?.number).toBeLessThan(12);
    expect(r.schedule.installments[0]?.total).toBe(buildSchedule(terms).installmentAmountMinor);
    expect(r.schedule.installments.at(-1)?.balanceAfter).toBe(0n);
  });

  it('charges the prepaid amount its interest up to the prepayment date', () => {
    const r = unwrap(partialPrepayment({ terms, installmentsPaid: 3, date: d('2024-05-15'), amountMinor: 360_000n, strategy: 'reduce-installment' }));
    // 3,600.00 × 12 % × 15/360 = 18.00
    expect(r.accruedOnPrepaidMinor).toBe(1_800n);
  });

  it('refuses while installments are overdue, and amounts that repay the loan', () => {
    expect(partialPrepayment({ terms, installmentsPaid: 1, date: d('2024-04-30'), amountMinor: 100n, strategy: 'reduce-tenure' })).toMatchObject({ ok: false, error: { code: 'overdue-installments' } });
    expect(partialPrepayment({ terms, installmentsPaid: 3, date: d('2024-04-30'), amountMinor: 10n ** 9n, strategy: 'reduce-tenure' })).toMatchObject({ ok: false, error: { field: 'amount' } });
  });
});

describe('reschedule', () => {
  it('capitalises arrears into a new loan at a new rate and tenure', () => {
    const r = unwrap(reschedule({ terms, installmentsPaid: 2, date: d('2024-05-15'), newAnnualRate: rat(9n, 100n), newTermPeriods: 24, capitaliseArrears: true }));
    const s = buildSchedule(terms);
    const overdue = s.installments[2]?.interest as bigint;
    expect(r.capitalisedArrearsMinor).toBeGreaterThan(overdue);
    expect(r.newTerms.principalMinor).toBe((s.installments[1]?.balanceAfter as bigint) + r.capitalisedArrearsMinor);
    expect(r.schedule.installments).toHaveLength(24);
    expect(r.schedule.installments.at(-1)?.balanceAfter).toBe(0n);
  });

  it('leaves arrears payable when not capitalised', () => {
    const r = unwrap(reschedule({ terms, installmentsPaid: 2, date: d('2024-05-15'), capitaliseArrears: false }));
    expect(r.capitalisedArrearsMinor).toBe(0n);
    expect(r.arrearsDueMinor).toBeGreaterThan(0n);
    expect(r.schedule.installments).toHaveLength(10);
  });
});
