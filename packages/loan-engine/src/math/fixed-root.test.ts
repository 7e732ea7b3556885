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

  it('powers above one: 1.1^(3/2) = 1.1 · √1.1, as a 91-day stub of a 90-day quarter needs', () => {
    const base = (11n * S) / 10n;
    const x = fixedPowFraction(base, 3n, 2n, S); // floor of 1.1^1.5 · S: x² · S ≤ base³ < (x + 1)² · S
    expect(x * x * S <= base ** 3n && (x + 1n) ** 2n * S > base ** 3n).toBe(true);
    expect(fixedPowFraction((121n * S) / 100n, 3n, 2n, S)).toBe((1331n * S) / 1000n);
    expect(fixedPowFraction(base, 2n, 1n, S)).toBe((121n * S) / 100n);
  });

  it('integerRoot works from a start below the root too', () => {
    expect(integerRoot(10n ** 30n, 3n, 1n)).toBe(10n ** 10n);
  });
});
