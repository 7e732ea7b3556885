import type { DayNumber } from '../dates/local-date.js';
import { formatScaled, POW10_DOUBLE, rat, reduce, toDecimalString, type Rational } from '../math/rational.js';
import { estimateRootWith, GUESS_HALF_WIDTH_FEMTO, guessCentreFemto, RATE_SCALE, RATE_SCALE_FIVES, RATE_SCALE_TWOS, solveIncreasing } from './solver.js';
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
  const rate = exactRate(prepareFlows(advances, payments));
  if (rate === undefined) return undefined;
  const perYear = unitPeriodsPerYear(unit);
  return {
    apr: rat(rate * BigInt(perYear), RATE_SCALE),
    periodicRate: rat(rate, RATE_SCALE),
    unitPeriod: unit,
    unitPeriodsPerYear: perYear,
  };
}

/**
 * The Appendix J APR of the same flows as a percent string with `places` decimals (half-even), or
 * null when no rate balances them: always the string regZAprTimed's exact rate prints as
 * (`toDecimalString(apr × 100, places)`), usually without the exact solve (see decideAprPercent).
 */
export function regZAprPercentTimed(advances: readonly TimedAmount[], payments: readonly TimedAmount[], unit: UnitPeriod, places: number): string | null {
  return decideAprPercent(prepareFlows(advances, payments), unitPeriodsPerYear(unit), places).percent;
}

/**
 * Net flows grouped by odd-day fraction (groupByFraction), as doubles for the float estimate and
 * the certified signs, with the exact groups built only when the exact solve needs them.
 */
export interface PreparedFlows {
  /** Number(amount) of each group's net amount per whole unit-period. */
  readonly floatAmounts: readonly (readonly number[])[];
  /** Number(f.n) / Number(f.d) of each group's reduced fraction. */
  readonly floatFractions: readonly number[];
  /** The float estimate of the root (estimateFlowsRoot), the exact solve's first bracket's centre. */
  readonly estimate: number | undefined;
  /** The groups themselves (their doubles are floatAmounts and floatFractions). */
  exactGroups(): readonly FractionGroup[];
}

export function prepareFlows(advances: readonly TimedAmount[], payments: readonly TimedAmount[]): PreparedFlows {
  const groups = groupByFraction([...advances.map((a) => signed(a, 1n)), ...payments.map((p) => signed(p, -1n))]);
  return preparedFromGroups(groups);
}

/** PreparedFlows of groups already formed (the conversions to double made once per solve). */
export function preparedFromGroups(groups: readonly FractionGroup[]): PreparedFlows {
  return new GroupedFlows(groups);
}

class GroupedFlows implements PreparedFlows {
  readonly floatAmounts: readonly (readonly number[])[];
  readonly floatFractions: readonly number[];
  readonly estimate: number | undefined;

  constructor(private readonly groups: readonly FractionGroup[]) {
    this.floatAmounts = groups.map((g) => g.amountsByPeriod.map(Number));
    this.floatFractions = groups.map((g) => Number(g.fraction.n) / Number(g.fraction.d));
    this.estimate = estimateFlowsRoot(this.floatAmounts, this.floatFractions);
  }

  exactGroups(): readonly FractionGroup[] {
    return this.groups;
  }
}

/** The float estimate of the root of the doubles' present value (floatNpv's arithmetic). */
export function estimateFlowsRoot(floatAmounts: readonly (readonly number[])[], floatFractions: readonly number[]): number | undefined {
  return estimateRootWith(floatPresentValue, { floatAmounts, floatFractions });
}

function floatPresentValue(rate: number, flows: { readonly floatAmounts: readonly (readonly number[])[]; readonly floatFractions: readonly number[] }): number {
  const { floatAmounts, floatFractions } = flows;
  const v = 1 / (1 + rate);
  let sum = 0;
  for (let j = 0; j < floatAmounts.length; j += 1) {
    const amounts = floatAmounts[j] as number[];
    let acc = 0;
    for (let t = amounts.length - 1; t >= 0; t -= 1) acc = acc * v + (amounts[t] as number);
    sum += acc * (1 / (1 + (floatFractions[j] as number) * rate));
  }
  return sum;
}

/** The exact fixed-point root (rate × RATE_SCALE per unit-period), located by solveIncreasing. */
export function exactRate(flows: PreparedFlows): bigint | undefined {
  const groups = flows.exactGroups();
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
  return solveIncreasing(npv, flows.estimate);
}

/** The APR percent string of a fixed-point periodic rate: toDecimalString(rate × perYear × 100 / RATE_SCALE). */
export function percentOfRate(rate: bigint, perYear: number, places: number): string {
  return toDecimalString({ n: rate * BigInt(perYear) * 100n, d: RATE_SCALE }, places);
}

/**
 * Decides the printed APR without the exact solve when that is certain, else runs it.
 *
 * The exact solve starts from the bracket [lo, hi] = centre ± 10^-12 around the float estimate
 * (guessBracket) whenever the fixed-point present value F has F(lo) ≤ 0 ≤ F(hi), and every later
 * point it evaluates, and the rate it returns, lies inside that bracket. So when the signs
 * F(lo) < 0 < F(hi) are certain and lo and hi print the same string, every rate the exact solve
 * can return prints that string too (printing is monotone). The signs are decided in doubles
 * (certifiedSign) with a rigorous bound on the rounding error of the float sum and on the
 * fixed-point sum's own truncations; if either sign is not certain, or lo and hi print
 * differently (a rounding boundary lies within 10^-12 of the root), the exact solve decides.
 * Restricted to 0 < lo and hi < 1 per period, where v = 1/(1 + i) ≤ 1 keeps the bounds simple.
 */
export function decideAprPercent(flows: PreparedFlows, perYear: number, places: number): { percent: string | null; path: 'certified' | 'exact' } {
  const centre = flows.estimate === undefined ? undefined : guessCentreFemto(flows.estimate);
  if (centre !== undefined && centre > GUESS_HALF_WIDTH_FEMTO && centre + GUESS_HALF_WIDTH_FEMTO < 1e15) {
    const lo = centre - GUESS_HALF_WIDTH_FEMTO;
    const hi = centre + GUESS_HALF_WIDTH_FEMTO;
    const printed = commonPrintedValue(lo, hi, perYear, places);
    if (printed !== undefined && certifiedSign(flows, lo / 1e15) < 0 && certifiedSign(flows, hi / 1e15) > 0) {
      return { percent: formatScaled(BigInt(printed), places), path: 'certified' };
    }
  }
  const rate = exactRate(flows);
  return { percent: rate === undefined ? null : percentOfRate(rate, perYear, places), path: 'exact' };
}

/**
 * The integer percentOfRate prints (the percent × 10^places, rounded half-even) for every rate
 * from lo to hi × 10^-15 per period, when doubles show that one is common to them all: the
 * percent × 10^places of a rate r × 10^-15 is x = r · perYear · 10^(places + 2) / 10^15, computed
 * with three roundings (relative error under 4u); when [x_lo − ε, x_hi + ε] lies strictly inside
 * one (q − ½, q + ½), every rate between prints q (ties cannot occur). Undefined otherwise.
 */
function commonPrintedValue(lo: number, hi: number, perYear: number, places: number): number | undefined {
  if (places > 20) return undefined;
  const scale = POW10_DOUBLE[places + 2] as number;
  const xLo = ((lo * perYear) * scale) / 1e15;
  const xHi = ((hi * perYear) * scale) / 1e15;
  const q = Math.round(xLo);
  const margin = 8 * U * xHi;
  return xLo - margin > q - 0.5 && xHi + margin < q + 0.5 && Number.isSafeInteger(q) ? q : undefined;
}

const U = 2 ** -53;

/** 2^-52, twice the unit roundoff of a double. */
const TWO_U = 2 ** -52;

/**
 * The sign of the exact fixed-point present value F at the rate r (0 ≤ r < 1 per period, given as
 * the double nearest it), or 0 when doubles cannot tell. With N Horner steps in G groups:
 * - the float sum s̃ differs from the true present value s(r) by at most
 *   γ(5N + G + 10) · Σ|A_t| v^t / (1 + f r) (Horner's γ(2n) bound, v = 1/(1 + r) and r each one
 *   or three roundings off — v^t then γ(3t) — amounts converted to double, the group factor, the
 *   sum over groups); it is bounded here by (12N + 4G + 64) u times that absolute sum as computed
 *   (which is itself within γ(2N + …) of the true one), γ(k) = ku / (1 − ku);
 * - F / RATE_SCALE differs from s(r) by at most (N + G + N Σ|A_t|) / RATE_SCALE minor units: each
 *   Horner step and group division truncates by under one unit of 10^-24, and v's own truncation
 *   (under 10^-24) moves v^t by under t · 10^-24 since v ≤ 1.
 * So s̃ beyond both bounds has F's sign.
 */
export function certifiedSign(flows: PreparedFlows, rate: number): -1 | 0 | 1 {
  const { floatAmounts, floatFractions } = flows;
  const v = 1 / (1 + rate);
  let sum = 0;
  let sumAbs = 0;
  let steps = 0;
  let absAmounts = 0;
  for (let j = 0; j < floatAmounts.length; j += 1) {
    const amounts = floatAmounts[j] as number[];
    let acc = 0;
    let accAbs = 0;
    for (let t = amounts.length - 1; t >= 0; t -= 1) {
      const a = amounts[t] as number;
      acc = acc * v + a;
      accAbs = accAbs * v + Math.abs(a);
      absAmounts += Math.abs(a);
    }
    steps += amounts.length;
    const k = 1 / (1 + (floatFractions[j] as number) * rate);
    sum += acc * k;
    sumAbs += accAbs * k;
  }
  const groups = floatAmounts.length;
  const floatBound = sumAbs * (12 * steps + 4 * groups + 64) * (TWO_U / 2) * 1.01;
  const fixedBound = 2 * (steps + groups) * (1 + absAmounts) * 1e-24;
  const bound = floatBound + fixedBound;
  if (!(Number.isFinite(sum) && Number.isFinite(bound))) return 0;
  return sum > bound ? 1 : sum < -bound ? -1 : 0;
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
