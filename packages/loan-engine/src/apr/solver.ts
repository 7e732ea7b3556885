/**
 * Root finding for rates in fixed point: a rate i is the bigint I = i · RATE_SCALE, and value
 * functions return bigints, so the search is deterministic on every platform and no float is
 * involved. Illinois (modified regula falsi) keeps the root bracketed and converges superlinearly.
 */
export const RATE_SCALE = 10n ** 24n;
/**
 * RATE_SCALE = 5^24 · 2^24, each factor below 2^64: x / RATE_SCALE equals x / RATE_SCALE_FIVES /
 * RATE_SCALE_TWOS (truncating division composes), and two divisions by a one-word divisor are
 * cheaper than one by a two-word divisor — the present value's Horner loop divides once per flow.
 */
export const RATE_SCALE_FIVES = 5n ** 24n;
export const RATE_SCALE_TWOS = 2n ** 24n;

/** Stop once the bracket is narrower than 1e-16 per unit period (far below Reg Z tolerances). */
const TOLERANCE = RATE_SCALE / 10n ** 16n;
/** Half-width of the bracket tried around a floating-point estimate of the root. */
const GUESS_HALF_WIDTH = RATE_SCALE / 10n ** 12n; // = GUESS_HALF_WIDTH_FEMTO × 10^-15
const MAX_ITERATIONS = 300;
const MAX_RATE = RATE_SCALE * 1000n;
const MIN_RATE = -(RATE_SCALE * 99n) / 100n;

/**
 * Finds I with f(I) = 0 where f is increasing in I. Returns undefined when no root exists in
 * (−99 %, 100 000 %) per period. `estimate` (a float rate, e.g. from a float solve of the same
 * equation) only narrows the first bracket; the root itself is always located by the exact f,
 * so the answer does not depend on floating point.
 */
export function solveIncreasing(f: (rate: bigint) => bigint, estimate?: number): bigint | undefined {
  const bracket = (estimate === undefined ? undefined : bracketAround(f, estimate)) ?? findBracket(f);
  if (!bracket) return undefined;
  let [lo, flo, hi, fhi] = bracket;
  let side = 0;
  for (let i = 0; i < MAX_ITERATIONS && hi - lo > TOLERANCE; i += 1) {
    let mid = lo + ((hi - lo) * -flo) / (fhi - flo);
    if (mid <= lo || mid >= hi) mid = (lo + hi) / 2n;
    const fm = f(mid);
    if (fm === 0n) return mid;
    if (fm < 0n) {
      [lo, flo] = [mid, fm];
      if (side === -1) fhi /= 2n;
      side = -1;
    } else {
      [hi, fhi] = [mid, fm];
      if (side === 1) flo /= 2n;
      side = 1;
    }
    if (flo === 0n || fhi === 0n) break; // halving reached zero: fall back to bisection below
  }
  return bisect(f, lo, hi);
}

/**
 * The first bracket solveIncreasing tries around a float estimate: centre ± 10^-12 per period,
 * the centre being the estimate rounded to 10^-15 (`centreFemto` = that centre × 10^15, an
 * integer-valued double). Undefined when the estimate is out of range (then a search runs).
 */
export function guessBracket(estimate: number): { lo: bigint; hi: bigint; centreFemto: number } | undefined {
  const centreFemto = guessCentreFemto(estimate);
  if (centreFemto === undefined) return undefined;
  const centre = (BigInt(centreFemto) * RATE_SCALE) / FEMTO;
  return { lo: centre - GUESS_HALF_WIDTH, hi: centre + GUESS_HALF_WIDTH, centreFemto };
}

/** guessBracket's centre × 10^15 (an integer-valued double), without the bigints. */
export function guessCentreFemto(estimate: number): number | undefined {
  if (!Number.isFinite(estimate) || estimate <= -0.99 || estimate >= 1000) return undefined;
  return Math.round(estimate * 1e15);
}

const FEMTO = 10n ** 15n;

/** GUESS_HALF_WIDTH in units of 10^-15 per period. */
export const GUESS_HALF_WIDTH_FEMTO = 1000;

function bracketAround(f: (rate: bigint) => bigint, estimate: number): [bigint, bigint, bigint, bigint] | undefined {
  const guess = guessBracket(estimate);
  if (!guess) return undefined;
  const { lo, hi } = guess;
  const flo = f(lo);
  if (flo > 0n) return undefined;
  const fhi = f(hi);
  return fhi >= 0n ? [lo, flo, hi, fhi] : undefined;
}

/**
 * A floating-point estimate of the root of an increasing function by the secant method; only
 * ever used as a hint for solveIncreasing. Undefined when it does not settle.
 */
export function estimateRoot(f: (rate: number) => number, start = 0.01): number | undefined {
  return estimateRootWith(callWithRate, f, start);
}

function callWithRate(rate: number, f: (rate: number) => number): number {
  return f(rate);
}

/** estimateRoot of f(·, context): a module-level f needs no closure per solve. */
export function estimateRootWith<C>(f: (rate: number, context: C) => number, context: C, start = 0.01): number | undefined {
  let x0 = start;
  let x1 = start * 1.1 + 1e-4;
  let f0 = f(x0, context);
  for (let i = 0; i < 60; i += 1) {
    const f1 = f(x1, context);
    if (!Number.isFinite(f1) || f1 === f0) break;
    const x2 = x1 - (f1 * (x1 - x0)) / (f1 - f0);
    if (!Number.isFinite(x2) || x2 <= -0.99) return undefined;
    if (Math.abs(x2 - x1) < 1e-14) return x2;
    [x0, f0, x1] = [x1, f1, x2];
  }
  return undefined;
}

function bisect(f: (rate: bigint) => bigint, low: bigint, high: bigint): bigint {
  let lo = low;
  let hi = high;
  for (let i = 0; i < MAX_ITERATIONS && hi - lo > TOLERANCE; i += 1) {
    const mid = (lo + hi) / 2n;
    if (f(mid) < 0n) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2n;
}

function findBracket(f: (rate: bigint) => bigint): [bigint, bigint, bigint, bigint] | undefined {
  let lo = 0n;
  let flo = f(lo);
  if (flo === 0n) return [lo, flo, lo, flo];
  if (flo > 0n) {
    const hi = lo;
    const fhi = flo;
    lo = MIN_RATE;
    flo = f(lo);
    return flo <= 0n ? [lo, flo, hi, fhi] : undefined;
  }
  let hi = RATE_SCALE / 10n;
  let fhi = f(hi);
  while (fhi < 0n && hi < MAX_RATE) {
    [lo, flo] = [hi, fhi];
    hi *= 4n;
    fhi = f(hi);
  }
  return fhi >= 0n ? [lo, flo, hi, fhi] : undefined;
}
