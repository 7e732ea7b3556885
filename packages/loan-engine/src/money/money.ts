import { dinero, toSnapshot, type Dinero } from 'dinero.js/bigint';
import { formatScaled, POW10_DOUBLE, smallDecimal } from '../math/rational.js';
import { dineroCurrency, type Currency } from './currency.js';

/**
 * Parses a decimal string in major units ("1234.5") into integer minor units at the
 * currency's scale. More decimals than the scale allows is an error, never a silent rounding.
 */
export function parseMoney(text: string, currency: Currency): bigint {
  // Up to 15 digits and no more decimals than the scale: integer arithmetic in doubles, exact
  // while the result is a safe integer.
  const small = smallDecimal(text);
  if (small !== undefined && small.decimals <= currency.scale) {
    const minor = small.numerator * (POW10_DOUBLE[currency.scale - small.decimals] ?? Number.NaN);
    if (Number.isSafeInteger(minor)) return BigInt(minor);
  }
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${text}`);
  const frac = m[3] ?? '';
  const extra = frac.slice(currency.scale);
  if (/[1-9]/.test(extra)) {
    throw new RangeError(`${text} has more than ${currency.scale} decimals for ${currency.code}`);
  }
  const digits = (m[2] ?? '0') + frac.slice(0, currency.scale).padEnd(currency.scale, '0');
  const value = BigInt(digits);
  return m[1] ? -value : value;
}

/** Formats minor units as a major-unit decimal string with exactly the currency's scale. */
export function formatMoney(minor: bigint, currency: Currency): string {
  return formatScaled(minor, currency.scale);
}

/** Minor units → dinero.js (bigint) object, the money type at the package boundary. */
export function toDinero(minor: bigint, currency: Currency): Dinero<bigint> {
  return dinero({ amount: minor, currency: dineroCurrency(currency.code), scale: BigInt(currency.scale) });
}

/** dinero.js object → minor units at the currency's own scale (must be exact). */
export function fromDinero(money: Dinero<bigint>): { minor: bigint; currency: Currency } {
  const snap = toSnapshot(money);
  const scale = Number(snap.currency.exponent);
  const diff = Number(snap.scale) - scale;
  const currency = { code: snap.currency.code, scale };
  if (diff <= 0) return { minor: snap.amount * 10n ** BigInt(-diff), currency };
  const factor = 10n ** BigInt(diff);
  if (snap.amount % factor !== 0n) throw new RangeError('amount has sub-minor-unit precision');
  return { minor: snap.amount / factor, currency };
}

/** The wire form used across Lendstack events: `{"amount":"1234567","currency":"INR","scale":2}`. */
export interface WireMoney {
  readonly amount: string;
  readonly currency: string;
  readonly scale: number;
}

export function toWireMoney(minor: bigint, currency: Currency): WireMoney {
  return { amount: minor.toString(), currency: currency.code, scale: currency.scale };
}

/** Wire money → minor units at the currency's own scale; a finer scale must be exact. */
export function fromWireMoney(money: WireMoney, currency: Currency): bigint {
  if (money.currency !== currency.code) throw new RangeError(`expected ${currency.code}, got ${money.currency}`);
  const value = BigInt(money.amount);
  const diff = money.scale - currency.scale;
  if (diff <= 0) return value * 10n ** BigInt(-diff);
  const factor = 10n ** BigInt(diff);
  if (value % factor !== 0n) throw new RangeError('amount has sub-minor-unit precision');
  return value / factor;
}
