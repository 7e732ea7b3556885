/**
 * Exact non-negative-denominator rationals over bigint. Rates, year fractions and
 * period fractions are carried as rationals so that no float ever touches money.
 * Values are not always reduced: callers that keep them around call `reduce`.
 */
export interface Rational {
  readonly n: bigint;
  /** Always > 0. */
  readonly d: bigint;
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('rational with zero denominator');
  return d < 0n ? { n: -n, d: -d } : { n, d };
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function reduce(r: Rational): Rational {
  const g = gcd(r.n, r.d);
  return g <= 1n ? r : { n: r.n / g, d: r.d / g };
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  return reduce({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, { n: -b.n, d: b.d });
}

export function mul(a: Rational, b: Rational): Rational {
  return reduce({ n: a.n * b.n, d: a.d * b.d });
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return reduce(rat(a.n * b.d, a.d * b.n));
}

export function fromInt(n: bigint | number): Rational {
  return { n: BigInt(n), d: 1n };
}

export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isZero(r: Rational): boolean {
  return r.n === 0n;
}

/** Parses a plain decimal string ("12.5", "-0.001", "7") into an exact rational. */
export function parseDecimal(text: string): Rational {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${text}`);
  const frac = m[3] ?? '';
  const n = BigInt((m[2] ?? '0') + frac);
  return reduce({ n: m[1] ? -n : n, d: 10n ** BigInt(frac.length) });
}

/** Decimal string of `r` with exactly `places` decimals, rounded half-even. */
export function toDecimalString(r: Rational, places: number): string {
  const scale = 10n ** BigInt(places);
  const num = r.n * scale;
  let q = num / r.d;
  const rem = num % r.d;
  const twice = (rem < 0n ? -rem : rem) * 2n;
  if (twice > r.d || (twice === r.d && q % 2n !== 0n)) q += num < 0n ? -1n : 1n;
  return formatScaled(q, places);
}

/** Formats an integer count of 10^-places units as a decimal string ("-12.05"). */
export function formatScaled(value: bigint, places: number): string {
  // Fast path: a value within ±(2^53 − 1) is an exact double, and its digits come from the
  // double's own integer-to-string conversion; a % p and (a − a % p) / p are exact for integers
  // below 2^53, and the fraction's zero-padded digits come from a table.
  if (value <= MAX_SAFE && value >= -MAX_SAFE && places <= MAX_TABLE_PLACES) {
    const n = Number(value);
    if (n === 0) return ZEROS[places] as string;
    const a = n < 0 ? -n : n;
    if (places === 0) return n < 0 ? `-${a}` : `${a}`;
    const p = POW10[places] as number;
    const f = a % p;
    const text = `${(a - f) / p}${(DOT_FRACTIONS[places] as readonly string[])[f] as string}`;
    return n < 0 ? `-${text}` : text;
  }
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString();
  if (places === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(places + 1, '0');
  const int = padded.slice(0, padded.length - places);
  return `${neg ? '-' : ''}${int}.${padded.slice(padded.length - places)}`;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Currencies have 0–4 minor-unit decimals; tables for up to 3 cover all but a few (1,110 strings). */
const MAX_TABLE_PLACES = 3;
const POW10: readonly number[] = [1, 10, 100, 1000];
/** DOT_FRACTIONS[places][f] = "." and f zero-padded to `places` digits (one concatenation per value). */
const DOT_FRACTIONS: readonly (readonly string[])[] = POW10.map((p, places) => Array.from({ length: p }, (_, f) => `.${String(f).padStart(places, '0')}`));
/** "0", "0.0", "0.00", "0.000". */
const ZEROS: readonly string[] = POW10.map((_, places) => (places === 0 ? '0' : `0${DOT_FRACTIONS[places]?.[0] as string}`));
