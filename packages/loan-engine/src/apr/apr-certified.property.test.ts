import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleRequestArb } from '../api/fuzz-arbitraries.js';
import { APR_DECIMALS } from '../api/schedule.js';
import { scheduleRequestSchema } from '../api/schedule-request.js';
import { toLoanTerms } from '../api/to-terms.js';
import { rat, toDecimalString } from '../math/rational.js';
import { buildSchedule } from '../schedule/engine.js';
import { decideAprPercent, exactRate, percentOfRate, prepareFlows, type TimedAmount } from './reg-z.js';
import { scheduleApr, scheduleAprPercent } from './schedule-apr.js';
import { UNIT_PERIODS, unitPeriodsPerYear, type UnitPeriod } from './unit-period.js';

// The printed APR is decided from a float solve with a certified error bound when no rounding
// boundary can lie between the exact solver's possible answers, and by the exact solve otherwise.
// These properties check the decision against the exact solve alone, on random flows and on flows
// built to put the root on, or within 10^-12 of, a rounding boundary of the printed percent.

const PROPERTY_TIMEOUT_MS = 120_000;

const exactPercent = (advances: TimedAmount[], payments: TimedAmount[], unit: UnitPeriod, places: number): string | null => {
  const rate = exactRate(prepareFlows(advances, payments));
  return rate === undefined ? null : percentOfRate(rate, unitPeriodsPerYear(unit), places);
};

const flow = (t: number, fn: bigint, fd: bigint, amountMinor: bigint): TimedAmount => ({ time: { wholePeriods: t, fraction: rat(fn, fd) }, amountMinor });

describe('APR decided from a certified float bound = the exact solve (property)', () => {
  it('random advances and payments, several odd-day fractions, amounts up to 10^17 minor units', () => {
    const item = fc.record({ t: fc.integer({ min: 0, max: 400 }), fDays: fc.integer({ min: 0, max: 29 }), amount: fc.bigInt({ min: 1n, max: 10n ** 17n }) });
    let certified = 0;
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 3 }), fc.array(item, { minLength: 1, maxLength: 40 }), fc.constantFrom(...UNIT_PERIODS), fc.integer({ min: 0, max: 6 }), (adv, pay, unit, places) => {
        const advances = adv.map((a) => flow(a.t % 3, BigInt(a.fDays), 30n, a.amount));
        const payments = pay.map((p) => flow(p.t + 3, BigInt(p.fDays), 30n, p.amount));
        const decided = decideAprPercent(prepareFlows(advances, payments), unitPeriodsPerYear(unit), places);
        if (decided.path === 'certified') certified += 1;
        expect(decided.percent).toBe(exactPercent(advances, payments, unit, places));
      }),
      { numRuns: 500 },
    );
    expect(certified).toBeGreaterThan(100); // the fast path is exercised, not only the fallback
  }, PROPERTY_TIMEOUT_MS);

  it('one payment one period later whose rate is a rounding boundary exactly or within a few minor units of one', () => {
    let exact = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400_000 }), fc.constantFrom(...UNIT_PERIODS), fc.integer({ min: 2, max: 4 }), fc.bigInt({ min: -3n, max: 3n }), (k, unit, places, nudge) => {
        // APR % = 100 · perYear · (P − A) / A; the boundary is (k + ½) · 10^-places.
        const perYear = BigInt(unitPeriodsPerYear(unit));
        const denominator = 2n * 100n * perYear * 10n ** BigInt(places);
        const advance = denominator * 10n ** 12n; // the root is then within 10^-16 of the boundary
        const payment = advance + (2n * BigInt(k) + 1n) * 10n ** 12n + nudge;
        const advances = [flow(0, 0n, 1n, advance)];
        const payments = [flow(1, 0n, 1n, payment)];
        const decided = decideAprPercent(prepareFlows(advances, payments), Number(perYear), places);
        if (decided.path === 'exact') exact += 1;
        expect(decided.percent).toBe(exactPercent(advances, payments, unit, places));
      }),
      { numRuns: 400 },
    );
    expect(exact).toBe(400); // within 10^-12 of a boundary the exact solve decides
  }, PROPERTY_TIMEOUT_MS);

  it('level payments at a boundary rate (the payment rounded to a minor unit of a large loan)', () => {
    let exact = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 2, max: 480 }), fc.constantFrom(...UNIT_PERIODS), (k, n, unit) => {
        const perYear = unitPeriodsPerYear(unit);
        const i = ((k + 0.5) / 1e4 / 100) / perYear; // APR (k + ½) · 10^-4 %
        const advance = 10n ** 16n;
        const payment = BigInt(Math.round((1e16 * i) / (1 - (1 + i) ** -n)));
        const advances = [flow(0, 0n, 1n, advance)];
        const payments = Array.from({ length: n }, (_, t) => flow(t + 1, 0n, 1n, payment));
        const decided = decideAprPercent(prepareFlows(advances, payments), perYear, APR_DECIMALS);
        if (decided.path === 'exact') exact += 1;
        expect(decided.percent).toBe(exactPercent(advances, payments, unit, APR_DECIMALS));
      }),
      { numRuns: 150 },
    );
    expect(exact).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT_MS);

  it('the schedule API’s APR string is the exact rate printed, for fuzzed requests', () => {
    fc.assert(
      fc.property(scheduleRequestArb, (request) => {
        const parsed = scheduleRequestSchema.safeParse(request);
        if (!parsed.success) return;
        const terms = toLoanTerms(parsed.data);
        let minor;
        try {
          minor = buildSchedule(terms);
        } catch {
          return;
        }
        const apr = scheduleApr(terms, minor);
        expect(scheduleAprPercent(terms, minor, APR_DECIMALS)).toBe(apr ? toDecimalString({ n: apr.apr.n * 100n, d: apr.apr.d }, APR_DECIMALS) : null);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
