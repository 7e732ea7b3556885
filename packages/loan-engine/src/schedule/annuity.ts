import type { Rational } from '../math/rational.js';
import { divRoundToMultiple, type RoundingMode } from '../math/rounding.js';

/** Unit roundoff of a double (2^-53) times 8, as margin for the error bound below. */
const ROUNDOFF = 2 ** -50;
/** Above this many installment units a double no longer resolves halves reliably: use the exact path. */
const MAX_UNITS = 2 ** 50;

/**
 * The level installment that repays `balance` over `count` periods at periodic rate `rate`,
 * where the first period's interest factor is `firstFactor` (= rate for a regular period, larger
 * for a long odd first period, smaller for a short one). Computed exactly, rounded once:
 *
 *   A = B (1 + φ) · r·q^m / (r·q^m + (q^m − 1)),  q = 1 + r, m = count − 1, φ = first factor
 *
 * which is the spreadsheet PMT(r, count, −B) when φ = r. With all terms over bigint:
 * r = rn/rd, q = Q/D with Q = rd + rn, D = rd.
 */
export function levelInstallment(
  balance: bigint,
  rate: Rational,
  firstFactor: Rational,
  count: number,
  unitMinor: bigint,
  mode: RoundingMode,
): bigint {
  if (count <= 0) throw new RangeError('count must be positive');
  if (rate.n === 0n) return divRoundToMultiple(balance, BigInt(count), unitMinor, mode);
  return levelInstallmentIfClear(balance, rate, firstFactor, count, unitMinor, mode) ?? levelInstallmentExact(balance, rate, firstFactor, count, unitMinor, mode);
}

/** The same installment from the exact rational alone (q^m over bigint: thousands of bits for long terms). */
export function levelInstallmentExact(
  balance: bigint,
  rate: Rational,
  firstFactor: Rational,
  count: number,
  unitMinor: bigint,
  mode: RoundingMode,
): bigint {
  if (rate.n === 0n) return divRoundToMultiple(balance, BigInt(count), unitMinor, mode);
  const m = BigInt(count - 1);
  const rn = rate.n;
  const rd = rate.d;
  const qm = (rd + rn) ** m;
  const dm = rd ** m;
  // r q^m / (r q^m + q^m − 1) with everything multiplied by rd · D^m:
  const annuityNum = rn * qm;
  const annuityDen = rn * qm + rd * (qm - dm);
  const num = balance * (firstFactor.d + firstFactor.n) * annuityNum;
  const den = firstFactor.d * annuityDen;
  return divRoundToMultiple(num, den, unitMinor, mode);
}

/**
 * The rounded installment decided in floating point when that is certain, else undefined.
 * Rewritten without cancellation, A = B (1 + φ) q^m / S with S = Σ_{k=0..m} q^k (since
 * q^{m+1} − 1 = r S), so every operation is a product, quotient or sum of positive doubles, and
 * the computed A carries at most 9m + 9 roundings of 2^-53 each (q: 3, so q^m: 4m; S: 5m; the
 * rest: 9). The bound used, (10(m + 1) + 50) × 2^-50, is over eight times that, so the exact A
 * lies within it of the computed one; rounding is monotone, so when both ends of that interval
 * round to the same multiple of the unit (no rounding boundary inside), that is the exact result.
 * Otherwise (about one loan in 10^5 for 30-year terms, and any overflow) the caller computes it
 * exactly; the golden and property tests compare both paths.
 */
export function levelInstallmentIfClear(
  balance: bigint,
  rate: Rational,
  firstFactor: Rational,
  count: number,
  unitMinor: bigint,
  mode: RoundingMode,
): bigint | undefined {
  const m = count - 1;
  const q = Number(rate.d + rate.n) / Number(rate.d);
  let power = 1;
  let sum = 0;
  for (let k = 0; k < m; k += 1) {
    sum += power;
    power *= q;
  }
  sum += power;
  const units = (((Number(balance) * (Number(firstFactor.d + firstFactor.n) / Number(firstFactor.d))) * power) / sum) / Number(unitMinor);
  if (!(units >= 1 && units < MAX_UNITS)) return undefined; // also NaN and overflow
  const slack = units * ((10 * (m + 1) + 50) * ROUNDOFF);
  const half = mode === 'half-up' || mode === 'half-even' ? 0.5 : 0;
  const lo = units - slack + half;
  const hi = units + slack + half;
  const k = Math.floor(lo);
  // The exact value (+ ½ for the half modes) lies strictly between k and k + 1.
  if (lo === k || Math.floor(hi) !== k) return undefined;
  return BigInt(mode === 'up' ? k + 1 : k) * unitMinor;
}
