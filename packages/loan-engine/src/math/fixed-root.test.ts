import { describe, expect, it } from 'vitest';
import { fixedPowFraction, integerRoot } from './fixed-root.js';

const S = 10n ** 24n;

describe('exact fixed-point fractional powers', () => {
  it('1.21^(1/2) = 1.1 and 1.331^(2/3) = 1.21 exactly', () => {
    expect(fixedPowFraction((121n * S) / 100n, 1n, 2n, S)).toBe((11n * S) / 10n);
    expect(fixedPowFraction((1331n * S) / 1000n, 2n, 3n, S)).toBe((121n * S) / 100n);
  });

  it('returns the floor of the true root', () => {
    const x = fixedPowFraction(2n * S, 1n, 2n, S); // √2
    expect(x * x <= 2n * S * S).toBe(true);
    expect((x + 1n) * (x + 1n) > 2n * S * S).toBe(true);
  });

  it('integerRoot works from a start below the root too', () => {
    expect(integerRoot(10n ** 30n, 3n, 1n)).toBe(10n ** 10n);
  });
});
