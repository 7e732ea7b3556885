/**
 * Integer division with an explicit rounding mode. This is the ONLY place where a
 * quotient of money is rounded; see the rounding policy in the package README.
 *
 * Modes follow java.math.RoundingMode (the semantics Apache Fineract uses):
 * - half-up:   to nearest, ties away from zero
 * - half-even: to nearest, ties to the even neighbour (banker's rounding)
 * - up:        away from zero
 * - down:      towards zero (truncation)
 */
export type RoundingMode = 'half-up' | 'half-even' | 'up' | 'down';

export const ROUNDING_MODES: readonly RoundingMode[] = ['half-up', 'half-even', 'up', 'down'];

export function divRound(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates towards zero
  const r = n - q * d; // n % d, without a second long division
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'half-up':
    case 'half-even': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > d) return away;
      if (twice < d) return q;
      return mode === 'half-up' || q % 2n !== 0n ? away : q;
    }
  }
}

/** Rounds `value` to a multiple of `unit` (unit > 0) with the given mode. */
export function roundToMultiple(value: bigint, unit: bigint, mode: RoundingMode): bigint {
  if (unit === 1n) return value;
  return divRound(value, unit, mode) * unit;
}

/** Rounds the rational n/d to a multiple of `unit` minor units. */
export function divRoundToMultiple(n: bigint, d: bigint, unit: bigint, mode: RoundingMode): bigint {
  return divRound(n, d * unit, mode) * unit;
}

/**
 * Rounds value × n / d for value ≥ 0, n ≥ 0, d > 0 fixed: the schedule loop's hot path.
 * Same results as divRound(value * n, d, mode), with one bigint division instead of two.
 */
export class RatioRounder {
  private readonly n2: bigint;
  private readonly d2: bigint;

  constructor(
    private readonly n: bigint,
    private readonly d: bigint,
    private readonly mode: RoundingMode,
  ) {
    this.n2 = 2n * n;
    this.d2 = 2n * d;
  }

  round(value: bigint): bigint {
    switch (this.mode) {
      case 'half-up':
        return (value * this.n2 + this.d) / this.d2; // floor(v·n/d + 1/2)
      case 'down':
        return (value * this.n) / this.d;
      case 'up':
        return (value * this.n + this.d - 1n) / this.d;
      case 'half-even':
        return divRound(value * this.n, this.d, 'half-even');
    }
  }
}
