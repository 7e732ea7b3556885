import type { DayNumber } from '../dates/local-date.js';
import { rat, reduce, type Rational } from '../math/rational.js';
import { estimateRoot, RATE_SCALE, RATE_SCALE_FIVES, RATE_SCALE_TWOS, solveIncreasing } from './solver.js';
import { unitPeriodsPerYear, unitTime, type UnitPeriod, type UnitTime } from './unit-period.js';

export interface DatedAmount {
  readonly date: DayNumber;
  /** Minor units, > 0. */
  readonly amountMinor: bigint;
}

/** A cash flow placed on the Appendix J time line. */
export interface TimedAmount {
  readonly time: UnitTime;
  readonly amountMinor: bigint;
}

export interface AprResult {
  /** Annual percentage rate as an exact rational fraction (0.0969 for 9.69 %). */
  readonly apr: Rational;
  /** Rate per unit-period (fraction). */
  readonly periodicRate: Rational;
  readonly unitPeriod: UnitPeriod;
  readonly unitPeriodsPerYear: number;
}

/**
 * Regulation Z, Appendix J actuarial method (general equation, (b)(8)):
 *
 *   Σ A_k / ((1 + f_k i)(1 + i)^t_k) = Σ P_j / ((1 + f_j i)(1 + i)^t_j)
 *
 * t = whole unit-periods and f = fraction of a unit-period from the term start (the first
 * advance) to each advance and payment. APR = i × unit-periods per year. Returns undefined
 * when no rate balances the flows (e.g. payments never repay the advances).
 */
export function regZApr(advances: readonly DatedAmount[], payments: readonly DatedAmount[], unit: UnitPeriod): AprResult | undefined {
  const termStart = Math.min(...advances.map((a) => a.date));
  const place = (x: DatedAmount): TimedAmount => ({ time: unitTime(termStart, x.date, unit), amountMinor: x.amountMinor });
  return regZAprTimed(advances.map(place), payments.map(place), unit);
}

/** Appendix J on flows already placed on the unit-period time line (e.g. a regular schedule). */
export function regZAprTimed(advances: readonly TimedAmount[], payments: readonly TimedAmount[], unit: UnitPeriod): AprResult | undefined {
  const groups = groupByFraction([...advances.map((a) => signed(a, 1n)), ...payments.map((p) => signed(p, -1n))]);
  const scaled = groups.map((g) => g.amountsByPeriod.map((a) => a * RATE_SCALE));
  const npv = (rate: bigint): bigint => {
    const v = (RATE_SCALE * RATE_SCALE) / (RATE_SCALE + rate);
    let sum = 0n;
    for (let j = 0; j < groups.length; j += 1) {
      const g = groups[j] as FractionGroup;
      // Σ A_t v^t by Horner's rule, then the common simple-interest factor 1 / (1 + f i).
      const pv = hornerScaled(scaled[j] as bigint[], v);
      sum += (pv * g.fraction.d * RATE_SCALE) / (g.fraction.d * RATE_SCALE + g.fraction.n * rate);
    }
    return sum;
  };
  // floatNpv's arithmetic with the conversions to double made once per solve, not per evaluation.
  const floatAmounts = groups.map((g) => g.amountsByPeriod.map(Number));
  const floatFractions = groups.map((g) => Number(g.fraction.n) / Number(g.fraction.d));
  const estimate = estimateRoot((rate) => {
    const v = 1 / (1 + rate);
    let sum = 0;
    for (let j = 0; j < floatAmounts.length; j += 1) {
      const amounts = floatAmounts[j] as number[];
      let acc = 0;
      for (let t = amounts.length - 1; t >= 0; t -= 1) acc = acc * v + (amounts[t] as number);
      sum += acc * (1 / (1 + (floatFractions[j] as number) * rate));
    }
    return sum;
  });
  const rate = solveIncreasing(npv, estimate);
  if (rate === undefined) return undefined;
  const perYear = unitPeriodsPerYear(unit);
  return {
    apr: rat(rate * BigInt(perYear), RATE_SCALE),
    periodicRate: rat(rate, RATE_SCALE),
    unitPeriod: unit,
    unitPeriodsPerYear: perYear,
  };
}

function signed(x: TimedAmount, sign: bigint): TimedAmount {
  return { time: x.time, amountMinor: sign * x.amountMinor };
}

/** Flows grouped by their odd-day fraction, each as net amounts indexed by whole unit-periods. */
export interface FractionGroup {
  readonly fraction: Rational;
  readonly amountsByPeriod: bigint[];
}

export function groupByFraction(flows: readonly TimedAmount[]): FractionGroup[] {
  const groups = new Map<string, FractionGroup>();
  let lastFraction: Rational | undefined;
  let lastGroup: FractionGroup | undefined;
  for (const x of flows) {
    // Consecutive flows usually share one fraction object (a regular schedule): skip the key then.
    let g: FractionGroup | undefined;
    if (x.time.fraction === lastFraction && lastGroup) g = lastGroup;
    else {
      const f = reduce(x.time.fraction);
      const key = `${f.n}/${f.d}`;
      g = groups.get(key);
      if (!g) {
        g = { fraction: f, amountsByPeriod: [] };
        groups.set(key, g);
      }
      lastFraction = x.time.fraction;
      lastGroup = g;
    }
    const t = x.time.wholePeriods;
    while (g.amountsByPeriod.length <= t) g.amountsByPeriod.push(0n);
    g.amountsByPeriod[t] = (g.amountsByPeriod[t] as bigint) + x.amountMinor;
  }
  return [...groups.values()];
}

/** The same present value in floating point, only to give the exact solver a starting bracket. */
export function floatNpv(groups: readonly FractionGroup[], rate: number, groupFactor: (g: FractionGroup, rate: number) => number): number {
  const v = 1 / (1 + rate);
  let sum = 0;
  for (const g of groups) {
    let acc = 0;
    for (let t = g.amountsByPeriod.length - 1; t >= 0; t -= 1) acc = acc * v + Number(g.amountsByPeriod[t]);
    sum += acc * groupFactor(g, rate);
  }
  return sum;
}

/** Σ a_t · v^t (v in fixed point) by Horner's rule; the result is in minor units × RATE_SCALE. */
export function horner(amounts: readonly bigint[], v: bigint): bigint {
  let acc = 0n;
  for (let t = amounts.length - 1; t >= 0; t -= 1) acc = (acc * v) / RATE_SCALE_FIVES / RATE_SCALE_TWOS + (amounts[t] as bigint) * RATE_SCALE;
  return acc;
}

// Module-local copies for the Horner loop: under the tsx loader every read of an imported binding
// goes through an export getter.
const FIVES = RATE_SCALE_FIVES;
const TWOS = RATE_SCALE_TWOS;

/** horner() with the amounts already multiplied by RATE_SCALE (once per solve, not per evaluation). */
function hornerScaled(scaledAmounts: readonly bigint[], v: bigint): bigint {
  let acc = 0n;
  for (let t = scaledAmounts.length - 1; t >= 0; t -= 1) acc = (acc * v) / FIVES / TWOS + (scaledAmounts[t] as bigint);
  return acc;
}
