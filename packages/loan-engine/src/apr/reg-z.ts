import type { Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import { rat, type Rational } from '../math/rational.js';
import { RATE_SCALE, solveIncreasing } from './solver.js';
import { unitPeriodsPerYear, unitTime, type UnitTime } from './unit-period.js';

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
  readonly unitPeriod: Frequency;
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
export function regZApr(advances: readonly DatedAmount[], payments: readonly DatedAmount[], unit: Frequency): AprResult | undefined {
  const termStart = Math.min(...advances.map((a) => a.date));
  const place = (x: DatedAmount): TimedAmount => ({ time: unitTime(termStart, x.date, unit), amountMinor: x.amountMinor });
  return regZAprTimed(advances.map(place), payments.map(place), unit);
}

/** Appendix J on flows already placed on the unit-period time line (e.g. a regular schedule). */
export function regZAprTimed(advances: readonly TimedAmount[], payments: readonly TimedAmount[], unit: Frequency): AprResult | undefined {
  const flows = [...advances.map((a) => ({ ...a, sign: 1n })), ...payments.map((p) => ({ ...p, sign: -1n }))];
  const maxT = flows.reduce((m, x) => Math.max(m, x.time.wholePeriods), 0);
  const npv = (rate: bigint): bigint => {
    const powers = discountPowers(rate, maxT);
    let sum = 0n;
    for (const x of flows) {
      const { n: fn, d: fd } = x.time.fraction;
      const disc = powers[x.time.wholePeriods] as bigint;
      sum += (x.sign * x.amountMinor * disc * fd * RATE_SCALE) / (fd * RATE_SCALE + fn * rate);
    }
    return sum;
  };
  const rate = solveIncreasing(npv);
  if (rate === undefined) return undefined;
  const perYear = unitPeriodsPerYear(unit);
  return {
    apr: rat(rate * BigInt(perYear), RATE_SCALE),
    periodicRate: rat(rate, RATE_SCALE),
    unitPeriod: unit,
    unitPeriodsPerYear: perYear,
  };
}

/** (1 + i)^-t for t = 0..maxT in fixed point (RATE_SCALE). */
export function discountPowers(rate: bigint, maxT: number): bigint[] {
  const v = (RATE_SCALE * RATE_SCALE) / (RATE_SCALE + rate);
  const powers: bigint[] = [RATE_SCALE];
  for (let t = 1; t <= maxT; t += 1) powers.push(((powers[t - 1] as bigint) * v) / RATE_SCALE);
  return powers;
}
