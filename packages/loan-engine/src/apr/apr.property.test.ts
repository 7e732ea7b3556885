import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedule } from '../api/schedule.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { request } from '../test-support.js';

const loan = fc.record({
  principal: fc.integer({ min: 1_000, max: 5_000_000 }),
  rateBp: fc.integer({ min: 100, max: 4_000 }),
  termPeriods: fc.integer({ min: 3, max: 120 }),
  frequency: fc.constantFrom(...FREQUENCIES),
  feePermille: fc.integer({ min: 5, max: 50 }),
  timing: fc.constantFrom('upfront' as const, 'financed' as const),
});

/** Generous: the machine running the suite may be busy; a property run is a few seconds. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe('APR invariants (property)', () => {
  it('APR ≥ nominal rate when fees are charged, and above the same loan without fees', () => {
    fc.assert(
      fc.property(loan, (x) => {
        const base = request({
          principal: String(x.principal),
          annualRatePercent: (x.rateBp / 100).toFixed(2),
          termPeriods: x.termPeriods,
          frequency: x.frequency,
        });
        const fee = ((x.principal * x.feePermille) / 1000).toFixed(2);
        const withFee = schedule({ ...base, fees: [{ name: 'processing', amount: fee, timing: x.timing }] });
        const without = schedule(base);
        expect(Number(withFee.apr)).toBeGreaterThanOrEqual(x.rateBp / 100);
        expect(Number(withFee.apr)).toBeGreaterThan(Number(without.apr));
      }),
      { numRuns: 60 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a fee-free schedule discloses its nominal rate within Reg Z tolerance (1/8 point, § 1026.22(a)(2))', () => {
    fc.assert(
      fc.property(loan, (x) => {
        const r = schedule(request({ principal: String(x.principal), annualRatePercent: (x.rateBp / 100).toFixed(2), termPeriods: x.termPeriods, frequency: x.frequency }));
        expect(Math.abs(Number(r.apr) - x.rateBp / 100)).toBeLessThanOrEqual(0.125);
      }),
      { numRuns: 60 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
