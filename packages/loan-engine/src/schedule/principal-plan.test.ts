import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedule } from '../api/schedule.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { fromCivil } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { request } from '../test-support.js';
import { buildSchedule } from './engine.js';
import { METHODS, type LoanTerms } from './types.js';

const paying = (r: ReturnType<typeof schedule>): number => r.installments.filter((i) => i.number > 0).length;

describe('the level amount never repays the loan before the last installment', () => {
  it('given equal principal 1000.00 over 600 quarters, when scheduled, then 600 installments, 1.66 each and 6.00 last', () => {
    const r = schedule(request({ principal: '1000.00', method: 'equal-principal', termPeriods: 600, frequency: 'quarterly' }));
    expect(r.installments).toHaveLength(600);
    expect(r.installments.slice(0, -1).every((i) => i.principal === '1.66')).toBe(true);
    expect(r.installments.at(-1)).toMatchObject({ number: 600, principal: '5.66', balanceAfter: '0.00' });
  });

  it('given zero-interest split 1000.00 in 600 parts, when scheduled, then 600 parts with the residual on the last', () => {
    const r = schedule(request({ principal: '1000.00', method: 'zero-interest-split', annualRatePercent: '0', termPeriods: 600 }));
    expect(r.installments).toHaveLength(600);
    expect(r.installments.at(-1)?.principal).toBe('5.66');
  });

  it('given equal principal in whole-unit multiples, when scheduled, then each part is rounded down to the multiple', () => {
    const r = schedule(request({ principal: '1000', method: 'equal-principal', termPeriods: 3, rounding: { mode: 'up', installmentMultipleOf: '1' } }));
    expect(r.installments.map((i) => i.principal)).toEqual(['333.00', '333.00', '334.00']);
  });

  it('given an equal installment rounded up at 0 %, when scheduled, then 600 installments all the same', () => {
    const r = schedule(request({ principal: '1000.00', annualRatePercent: '0', termPeriods: 600, rounding: { mode: 'half-up' } }));
    expect(paying(r)).toBe(600);
    expect(r.installments.at(-1)?.balanceAfter).toBe('0.00');
  });

  it('given a flat loan whose installment multiple overshoots, when scheduled, then principal is repaid in every installment', () => {
    const r = schedule(request({ principal: '1000', method: 'flat', termPeriods: 600, rounding: { mode: 'up', installmentMultipleOf: '1' } }));
    expect(paying(r)).toBe(600);
    expect(r.installments.slice(0, -1).every((i) => i.principal !== '0.00')).toBe(true);
  });
});

const terms = fc
  .record({
    principalMinor: fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
    rateBp: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
    termPeriods: fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 1200 })),
    frequency: fc.constantFrom(...FREQUENCIES),
    method: fc.constantFrom(...METHODS),
    daily: fc.boolean(),
    dayCount: fc.constantFrom(...DAY_COUNTS),
    mode: fc.constantFrom(...ROUNDING_MODES),
    multiple: fc.constantFrom(1n, 5n, 100n, 1000n, 10n ** 6n),
    disbursed: fc.integer({ min: fromCivil(1990, 1, 1), max: fromCivil(2060, 12, 31) }),
    firstGapDays: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
    grace: fc.record({ principalPeriods: fc.nat(4), interestPeriods: fc.nat(4), moratoriumPeriods: fc.nat(3) }),
    downPercent: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
    financedFee: fc.bigInt({ min: 0n, max: 10_000n }),
  })
  .filter((x) => x.grace.moratoriumPeriods + Math.max(x.grace.principalPeriods, x.grace.interestPeriods) < x.termPeriods)
  .map(
    (x): LoanTerms => ({
      currency: { code: 'USD', scale: 2 },
      principalMinor: x.principalMinor,
      annualRate: x.method === 'zero-interest-split' ? rat(0n) : rat(BigInt(x.rateBp), 10000n),
      termPeriods: x.termPeriods,
      frequency: x.frequency,
      method: x.method,
      interestCalculation: x.daily ? 'daily' : 'per-period',
      dayCount: x.dayCount,
      disbursementDate: x.disbursed,
      firstDueDate: x.firstGapDays === undefined ? undefined : x.disbursed + x.firstGapDays,
      rounding: { mode: x.mode, installmentMultipleMinor: x.multiple },
      grace: x.method === 'flat' ? { ...x.grace, moratoriumPeriods: 0 } : x.grace,
      fees: [{ name: 'financed', amountMinor: x.financedFee, timing: 'financed', includeInApr: true }],
      downPaymentMinor: x.downPercent === undefined ? 0n : (x.principalMinor * BigInt(x.downPercent)) / 100n,
    }),
  );

/** Generous: the machine running the suite may be busy; a property run is a few seconds. */
const PROPERTY_TIMEOUT_MS = 120_000;

describe('every method keeps its term (property)', () => {
  it('termPeriods installments (one for a bullet) plus the down payment row; principal exact; balance never negative, ends at zero', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const s = buildSchedule(t);
        const rows = s.installments;
        const downRows = t.downPaymentMinor > 0n ? 1 : 0;
        expect(rows.length).toBe((t.method === 'bullet' ? 1 : t.termPeriods) + downRows);
        expect(rows.filter((r) => r.number === 0).length).toBe(downRows);
        const capitalised = rows.reduce((a, r) => a + r.capitalisedInterest, 0n);
        const financed = t.fees.reduce((a, f) => a + f.amountMinor, 0n);
        expect(rows.reduce((a, r) => a + r.principal, 0n)).toBe(t.principalMinor + financed + capitalised);
        expect(rows.every((r) => r.balanceAfter >= 0n && r.principal >= 0n && r.interest >= 0n)).toBe(true);
        expect(rows.at(-1)?.balanceAfter).toBe(0n);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
