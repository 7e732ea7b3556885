import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rat } from '../math/rational.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { levelInstallment, levelInstallmentExact, levelInstallmentIfClear } from './annuity.js';

const rate = fc.oneof(
  fc.tuple(fc.bigInt({ min: 1n, max: 100_000n }), fc.constantFrom(1_200n, 120_000n, 5_200n, 400n)).map(([n, d]) => rat(n, d)),
  fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 18n })).map(([n, d]) => rat(n, d)),
);
const firstFactor = fc.oneof(fc.constant(undefined), fc.tuple(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10_000n })).map(([n, d]) => rat(n, d)));

describe('level installment: the floating-point decision agrees with the exact rational', () => {
  it('equals the exact installment for any balance, rate, first factor, term, unit and mode (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 18n })),
        rate,
        firstFactor,
        fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 1200 })),
        fc.constantFrom(1n, 5n, 100n, 10_000n),
        fc.constantFrom(...ROUNDING_MODES),
        (balance, r, phi, count, unit, mode) => {
          const f = phi ?? r;
          expect(levelInstallment(balance, r, f, count, unit, mode)).toBe(levelInstallmentExact(balance, r, f, count, unit, mode));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('leaves a value on a rounding boundary to the exact path', () => {
    // A rate of 10^-18 a period: 25 over 10 installments is 2.5 plus far less than the error bound,
    // so the interval holds the tie 2.5 (half-up) and 30 over 10 holds the integer 3 (down).
    expect(levelInstallmentIfClear(25n, rat(1n, 10n ** 18n), rat(1n, 10n ** 18n), 10, 1n, 'half-up')).toBeUndefined();
    expect(levelInstallmentExact(25n, rat(1n, 10n ** 18n), rat(1n, 10n ** 18n), 10, 1n, 'half-up')).toBe(3n);
    expect(levelInstallmentIfClear(30n, rat(1n, 10n ** 18n), rat(1n, 10n ** 18n), 10, 1n, 'down')).toBeUndefined();
    expect(levelInstallmentIfClear(2_500_000_00n, rat(7n, 960n), rat(7n, 960n), 360, 1n, 'half-up')).toBe(1_966_751n);
  });
});
