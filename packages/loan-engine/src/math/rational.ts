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
  // Up to 15 digits the numerator and 10^decimals are exact doubles, and so is their gcd: the
  // reduced fraction (unique) is found without bigint arithmetic.
  const small = smallDecimal(text);
  if (small !== undefined) return reducedFromDoubles(small.numerator, POW10_DOUBLE[small.decimals] as number);
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${text}`);
  const frac = m[3] ?? '';
  const n = BigInt((m[2] ?? '0') + frac);
  return reduce({ n: m[1] ? -n : n, d: 10n ** BigInt(frac.length) });
}

/**
 * A decimal string of at most 15 digits ("-12.5", "7", "0.001") as its digits' integer and its
 * number of decimals; undefined for anything else (longer, malformed), which the exact paths take.
 */
export function smallDecimal(text: string): { numerator: number; decimals: number } | undefined {
  const length = text.length;
  if (length === 0 || length > 17) return undefined;
  const negative = text.charCodeAt(0) === MINUS;
  let value = 0;
  let digits = 0;
  let dot = -1;
  for (let i = negative ? 1 : 0; i < length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === DOT && dot < 0 && digits > 0) {
      dot = i;
      continue;
    }
    const digit = c - ZERO_CODE;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
    digits += 1;
  }
  if (digits === 0 || digits > 15 || dot === length - 1) return undefined;
  return { numerator: negative ? -value : value, decimals: dot < 0 ? 0 : length - dot - 1 };
}

/** numerator / denominator reduced, both integers below 2^53 (denominator > 0), as bigints. */
export function reducedFromDoubles(numerator: number, denominator: number): Rational {
  let x = numerator < 0 ? -numerator : numerator;
  let y = denominator;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  const g = x === 0 ? 1 : x;
  return { n: BigInt(numerator / g), d: BigInt(denominator / g) };
}

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO_CODE = 0x30;
/** 10^0 … 10^22 as doubles, each exact (10^22 is the largest power of ten a double holds), built by multiplying. */
export const POW10_DOUBLE: readonly number[] = Array.from({ length: 22 }).reduce<number[]>((acc) => [...acc, (acc.at(-1) as number) * 10], [1]);

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
  // (Number(value) is a safe integer exactly when |value| ≤ 2^53 − 1: beyond, it rounds to ≥ 2^53.)
  const n = Number(value);
  if (Number.isSafeInteger(n) && places <= MAX_TABLE_PLACES) {
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

/** Currencies have 0–4 minor-unit decimals; tables for up to 3 cover all but a few (1,110 strings). */
const MAX_TABLE_PLACES = 3;
const POW10: readonly number[] = [1, 10, 100, 1000];
/** DOT_FRACTIONS[places][f] = "." and f zero-padded to `places` digits (one concatenation per value). */
const DOT_FRACTIONS: readonly (readonly string[])[] = POW10.map((p, places) => Array.from({ length: p }, (_, f) => `.${String(f).padStart(places, '0')}`));
/** "0", "0.0", "0.00", "0.000". */
const ZEROS: readonly string[] = POW10.map((_, places) => (places === 0 ? '0' : `0${DOT_FRACTIONS[places]?.[0] as string}`));
