import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { fromCivil } from '../dates/local-date.js';
import { rat } from '../math/rational.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { buildSchedule } from './engine.js';
import { METHODS, type LoanTerms } from './types.js';

const terms = fc
  .record({
    principalMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    rateBp: fc.integer({ min: 0, max: 6000 }),
    termPeriods: fc.integer({ min: 1, max: 480 }),
    frequency: fc.constantFrom(...FREQUENCIES),
    method: fc.constantFrom(...METHODS),
    daily: fc.boolean(),
    dayCount: fc.constantFrom(...DAY_COUNTS),
    mode: fc.constantFrom(...ROUNDING_MODES),
    multiple: fc.constantFrom(1n, 100n, 1000n),
    disbursed: fc.integer({ min: fromCivil(2000, 1, 1), max: fromCivil(2040, 12, 31) }),
    firstGapDays: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
  })
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
      grace: { principalPeriods: 0, interestPeriods: 0, moratoriumPeriods: 0 },
      fees: [],
      downPaymentMinor: 0n,
    }),
  );

/** Generous: the machine running the suite may be busy; a property run is a few seconds. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe('schedule invariants (property)', () => {
  it('principal sums to the principal exactly, balance never negative and ends at zero', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const s = buildSchedule(t);
        const sum = s.installments.reduce((a, r) => a + r.principal, 0n);
        expect(sum).toBe(t.principalMinor);
        expect(s.installments.every((r) => r.balanceAfter >= 0n && r.principal >= 0n && r.interest >= 0n)).toBe(true);
        expect(s.installments.at(-1)?.balanceAfter).toBe(0n);
        expect(s.installments.every((r) => r.total === r.principal + r.interest + r.fees)).toBe(true);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('due dates strictly increase', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const dates = buildSchedule(t).installments.map((r) => r.dueDate);
        expect(dates.every((d, i) => i === 0 || d > (dates[i - 1] as number))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
