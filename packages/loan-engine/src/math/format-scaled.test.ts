import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScaled } from './rational.js';

/** The plain bigint formatting formatScaled used before its double fast path. */
function reference(value: bigint, places: number): string {
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString();
  if (places === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(places + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const value = fc.oneof(
  fc.bigInt({ min: -10_000n, max: 10_000n }),
  fc.bigInt({ min: -SAFE, max: SAFE }),
  fc.bigInt({ min: SAFE - 2_000n, max: SAFE + 2_000n }),
  fc.bigInt({ min: -SAFE - 2_000n, max: -SAFE + 2_000n }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
);

describe('formatScaled', () => {
  it('gives the bigint formatting’s string for every value and scale, on both sides of ±(2^53 − 1)', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), (v, places) => {
        expect(formatScaled(v, places)).toBe(reference(v, places));
      }),
      { numRuns: 20_000 },
    );
  });

  it('pads fractions and keeps the sign of values under one major unit', () => {
    expect(formatScaled(-5n, 2)).toBe('-0.05');
    expect(formatScaled(0n, 2)).toBe('0.00');
    expect(formatScaled(7n, 3)).toBe('0.007');
    expect(formatScaled(-1234n, 0)).toBe('-1234');
    expect(formatScaled(9_007_199_254_740_991n, 3)).toBe('9007199254740.991');
    expect(formatScaled(9_007_199_254_740_993n, 2)).toBe('90071992547409.93');
    expect(formatScaled(123_456_789n, 4)).toBe('12345.6789');
  });
});
