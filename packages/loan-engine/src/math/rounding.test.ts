import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRound, roundToMultiple } from './rounding.js';

describe('divRound (java.math.RoundingMode semantics)', () => {
  const cases: [bigint, bigint, string, bigint][] = [
    [5n, 2n, 'half-up', 3n],
    [5n, 2n, 'half-even', 2n],
    [7n, 2n, 'half-even', 4n],
    [-5n, 2n, 'half-up', -3n],
    [-5n, 2n, 'half-even', -2n],
    [11n, 10n, 'up', 2n],
    [19n, 10n, 'down', 1n],
    [-11n, 10n, 'up', -2n],
    [-19n, 10n, 'down', -1n],
    [14n, 10n, 'half-up', 1n],
    [16n, 10n, 'half-even', 2n],
  ];
  it.each(cases)('%d / %d rounded %s = %d (Java RoundingMode documentation table)', (n, d, mode, expected) => {
    expect(divRound(n, d, mode as 'half-up')).toBe(expected);
  });

  it('rounds to a multiple of a unit', () => {
    expect(roundToMultiple(123_449n, 100n, 'half-up')).toBe(123_400n);
    expect(roundToMultiple(123_450n, 100n, 'half-up')).toBe(123_500n);
    expect(roundToMultiple(123_401n, 100n, 'up')).toBe(123_500n);
  });

  it('never moves more than one unit from the exact quotient (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.constantFrom('half-up', 'half-even', 'up', 'down' as const), (n, d, mode) => {
        const q = divRound(n, d, mode);
        const diff = q * d - n;
        expect(diff <= d && diff >= -d).toBe(true);
        if (mode === 'half-up' || mode === 'half-even') expect(2n * (diff < 0n ? -diff : diff) <= d).toBe(true);
      }),
    );
  });
});
