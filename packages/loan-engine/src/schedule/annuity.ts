import type { Rational } from '../math/rational.js';
import { divRoundToMultiple, type RoundingMode } from '../math/rounding.js';

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
