import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedule } from '../api/schedule.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { rat } from '../math/rational.js';
import { request } from '../test-support.js';
import { regZAprTimed } from './reg-z.js';

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

describe('Appendix J solver recovers a known rate (property)', () => {
  it('for flows built at rate i with multiple advances and odd fractions, the APR is 12·i', () => {
    const flow = fc.record({ t: fc.integer({ min: 0, max: 60 }), fDays: fc.integer({ min: 0, max: 29 }), amount: fc.integer({ min: 1_000, max: 10_000_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(flow, { minLength: 1, maxLength: 4 }), fc.array(flow, { minLength: 1, maxLength: 12 }), (bp, advances, shape) => {
        const i = bp / 10_000; // per month
        // Every payment after every advance, as in a loan; then the root is unique.
        const lastAdvance = Math.max(...advances.map((a) => a.t));
        const paymentsShape = shape.map((p) => ({ ...p, t: lastAdvance + 1 + p.t }));
        const pv = (x: { t: number; fDays: number }): number => 1 / ((1 + (x.fDays / 30) * i) * (1 + i) ** x.t);
        const pvAdvances = advances.reduce((a, x) => a + x.amount * pv(x), 0);
        const weights = paymentsShape.reduce((a, x) => a + x.amount * pv(x), 0);
        // Scale the payments so they balance the advances at rate i (to 1e-7 in minor units).
        const scale = pvAdvances / weights;
        const toFlows = (xs: { t: number; fDays: number; amount: number }[], k: number) =>
          xs.map((x) => ({ time: { wholePeriods: x.t, fraction: rat(BigInt(x.fDays), 30n) }, amountMinor: BigInt(Math.round(x.amount * k * 1e7)) }));
        const r = regZAprTimed(toFlows(advances, 1), toFlows(paymentsShape, scale), 'monthly');
        expect(r).toBeDefined();
        expect(Math.abs(Number(r!.periodicRate.n * 10n ** 12n / r!.periodicRate.d) / 1e12 - i)).toBeLessThan(1e-6);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
