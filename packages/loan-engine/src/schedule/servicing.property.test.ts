import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCivil } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { partialPrepayment } from '../servicing/prepayment.js';
import { buildSchedule } from './engine.js';
import { feeTotals } from './fees.js';
import type { LoanTerms } from './types.js';

const terms = fc
  .record({
    principalMinor: fc.bigInt({ min: 10_000n, max: 10n ** 10n }),
    rateBp: fc.integer({ min: 0, max: 3000 }),
    termPeriods: fc.integer({ min: 4, max: 240 }),
    method: fc.constantFrom('equal-installment' as const, 'equal-principal' as const, 'interest-only' as const),
    moratorium: fc.integer({ min: 0, max: 2 }),
    principalGrace: fc.integer({ min: 0, max: 1 }),
    interestGrace: fc.integer({ min: 0, max: 1 }),
    financedFee: fc.bigInt({ min: 0n, max: 50_000n }),
    downPermille: fc.integer({ min: 0, max: 500 }),
    daily: fc.boolean(),
    disbursed: fc.integer({ min: fromCivil(2020, 1, 1), max: fromCivil(2030, 12, 31) }),
  })
  .map(
    (x): LoanTerms => ({
      currency: { code: 'INR', scale: 2 },
      principalMinor: x.principalMinor,
      annualRate: rat(BigInt(x.rateBp), 10_000n),
      termPeriods: x.termPeriods,
      frequency: 'monthly',
      method: x.method,
      interestCalculation: x.daily ? 'daily' : 'per-period',
      dayCount: 'actual/365',
      disbursementDate: x.disbursed,
      rounding: { mode: 'half-even', installmentMultipleMinor: 1n },
      grace: { moratoriumPeriods: x.moratorium, principalPeriods: x.principalGrace, interestPeriods: x.interestGrace },
      fees: [{ name: 'insurance', amountMinor: x.financedFee, timing: 'financed', includeInApr: true }],
      downPaymentMinor: (x.principalMinor * BigInt(x.downPermille)) / 1000n,
    }),
  );

/** Generous: the machine running the suite may be busy; a property run is a few seconds. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe('schedules with grace, moratorium, fees and down payment (property)', () => {
  it('principal column = principal + financed fees + capitalised interest; ends at zero', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const s = buildSchedule(t);
        const capitalised = s.installments.reduce((a, r) => a + r.capitalisedInterest, 0n);
        const expected = t.principalMinor + feeTotals(t).financed + capitalised;
        expect(s.installments.reduce((a, r) => a + r.principal, 0n)).toBe(expected);
        expect(s.totals.principal).toBe(expected);
        expect(s.installments.at(-1)?.balanceAfter).toBe(0n);
        expect(s.installments.every((r) => r.balanceAfter >= 0n)).toBe(true);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a partial prepayment re-amortises exactly the remaining balance, ending no later', () => {
    fc.assert(
      fc.property(terms, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 90 }), fc.boolean(), (t, paid, pct, tenure) => {
        const original = buildSchedule(t);
        const rows = original.installments.filter((r) => r.number > 0);
        const k = Math.min(paid + t.grace.moratoriumPeriods, rows.length - 1);
        const row = rows[k - 1];
        if (!row || row.balanceAfter < 100n) return;
        const amountMinor = (row.balanceAfter * BigInt(pct)) / 100n || 1n;
        const strategy = tenure && t.method === 'equal-installment' ? 'reduce-tenure' : 'reduce-installment';
        const r = partialPrepayment({ terms: t, installmentsPaid: k, date: row.dueDate, amountMinor, strategy });
        if (!r.ok) throw new Error(r.error.message);
        const sum = r.value.schedule.installments.reduce((a, x) => a + x.principal, 0n);
        expect(sum).toBe(row.balanceAfter - amountMinor);
        expect(r.value.schedule.installments.at(-1)?.number).toBeLessThanOrEqual(t.termPeriods);
      }),
      { numRuns: 150 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
