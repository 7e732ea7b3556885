import { fixedPowFraction } from '../math/fixed-root.js';
import { rat, type Rational } from '../math/rational.js';
import { floatNpv, groupByFraction, horner, type TimedAmount } from './reg-z.js';
import { estimateRoot, RATE_SCALE, solveIncreasing } from './solver.js';
import { unitPeriodsPerYear, type UnitPeriod } from './unit-period.js';

export interface IrrResult {
  /** Annualised IRR, nominal: periodic IRR × unit-periods per year (the KFS "APR"). */
  readonly apr: Rational;
  /** (1 + periodic IRR)^(periods per year) − 1. */
  readonly effectiveAnnualRate: Rational;
  readonly periodicRate: Rational;
  readonly unitPeriod: UnitPeriod;
  readonly unitPeriodsPerYear: number;
}

/**
 * Internal rate of return of dated flows, compounded per unit-period including fractional
 * periods: Σ A_k (1 + i)^−(t_k + f_k) = Σ P_j (1 + i)^−(t_j + f_j). Annualised by multiplying the
 * periodic rate by the number of unit-periods in a year, as the Reserve Bank of India's Key Fact
 * Statement illustration does (monthly IRR × 12). Differs from Regulation Z only in how odd
 * days are treated (compound here, simple interest there).
 */
export function irrApr(advances: readonly TimedAmount[], payments: readonly TimedAmount[], unit: UnitPeriod): IrrResult | undefined {
  const flows = [...advances, ...payments.map((p) => ({ time: p.time, amountMinor: -p.amountMinor }))];
  const groups = groupByFraction(flows);
  const npv = (rate: bigint): bigint => {
    const v = (RATE_SCALE * RATE_SCALE) / (RATE_SCALE + rate);
    let sum = 0n;
    for (const g of groups) {
      // v^(t + f) = v^t · v^f; v^f is an exact fixed-point root, shared by the whole group.
      const { n, d } = g.fraction;
      const vf = n === 0n ? RATE_SCALE : fixedPowFraction(v, n, d, RATE_SCALE);
      sum += (horner(g.amountsByPeriod, v) * vf) / RATE_SCALE;
    }
    return sum;
  };
  const estimate = estimateRoot((i) => floatNpv(groups, i, (g, r) => Math.pow(1 + r, -Number(g.fraction.n) / Number(g.fraction.d))));
  const rate = solveIncreasing(npv, estimate);
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
