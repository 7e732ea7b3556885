import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDate, fromCivil, toCivil } from './local-date.js';

/** formatIsoDate as it was before toCivil was inlined into it. */
function reference(dayNumber: number): string {
  const { year, month, day } = toCivil(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

describe('formatIsoDate', () => {
  it('gives toCivil’s date, zero-padded, for every day from year 0 to 9999 and around', () => {
    fc.assert(
      fc.property(fc.integer({ min: fromCivil(0, 1, 1), max: fromCivil(10_500, 12, 31) }), (d) => {
        expect(formatIsoDate(d)).toBe(reference(d));
      }),
      { numRuns: 20_000 },
    );
  });

  it('formats every day of 1899–2101 like the reference', () => {
    for (let d = fromCivil(1899, 1, 1); d <= fromCivil(2101, 12, 31); d += 1) if (formatIsoDate(d) !== reference(d)) expect(formatIsoDate(d)).toBe(reference(d));
    expect(formatIsoDate(fromCivil(2024, 2, 29))).toBe('2024-02-29');
    expect(formatIsoDate(fromCivil(999, 12, 31))).toBe('0999-12-31');
  });
});
