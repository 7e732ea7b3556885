import type { Frequency } from '../dates/frequency.js';
import { fixedPowFraction } from '../math/fixed-root.js';
import { rat, type Rational } from '../math/rational.js';
import type { TimedAmount } from './reg-z.js';
import { discountPowers } from './reg-z.js';
import { RATE_SCALE, solveIncreasing } from './solver.js';
import { unitPeriodsPerYear } from './unit-period.js';

export interface IrrResult {
  /** Annualised IRR, nominal: periodic IRR × unit-periods per year (the KFS "APR"). */
  readonly apr: Rational;
  /** (1 + periodic IRR)^(periods per year) − 1. */
  readonly effectiveAnnualRate: Rational;
  readonly periodicRate: Rational;
  readonly unitPeriod: Frequency;
  readonly unitPeriodsPerYear: number;
}

/**
 * Internal rate of return of dated flows, compounded per unit-period including fractional
 * periods: Σ A_k (1 + i)^−(t_k + f_k) = Σ P_j (1 + i)^−(t_j + f_j). Annualised by multiplying the
 * periodic rate by the number of unit-periods in a year, as the Reserve Bank of India's Key Fact
 * Statement illustration does (monthly IRR × 12). Differs from Regulation Z only in how odd
 * days are treated (compound here, simple interest there).
 */
export function irrApr(advances: readonly TimedAmount[], payments: readonly TimedAmount[], unit: Frequency): IrrResult | undefined {
  const flows = [...advances.map((a) => ({ ...a, sign: 1n })), ...payments.map((p) => ({ ...p, sign: -1n }))];
  const maxT = flows.reduce((m, x) => Math.max(m, x.time.wholePeriods), 0);
  const npv = (rate: bigint): bigint => {
    const powers = discountPowers(rate, maxT);
    const v = (RATE_SCALE * RATE_SCALE) / (RATE_SCALE + rate);
    const fractional = new Map<string, bigint>();
    let sum = 0n;
    for (const x of flows) {
      const { n, d } = x.time.fraction;
      const key = `${n}/${d}`;
      let vf = fractional.get(key);
      if (vf === undefined) {
        vf = n === 0n ? RATE_SCALE : fixedPowFraction(v, n, d, RATE_SCALE);
        fractional.set(key, vf);
      }
      // Kept at RATE_SCALE precision so the root is not limited by whole minor units.
      sum += (x.sign * x.amountMinor * (powers[x.time.wholePeriods] as bigint) * vf) / RATE_SCALE;
    }
    return sum;
  };
  const rate = solveIncreasing(npv);
  if (rate === undefined) return undefined;
  const perYear = unitPeriodsPerYear(unit);
  const py = BigInt(perYear);
  return {
    apr: rat(rate * py, RATE_SCALE),
    effectiveAnnualRate: rat((RATE_SCALE + rate) ** py - RATE_SCALE ** py, RATE_SCALE ** py),
    periodicRate: rat(rate, RATE_SCALE),
    unitPeriod: unit,
    unitPeriodsPerYear: perYear,
  };
}
