import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, formatIsoDate, fromCivil, toCivil, tryParseIsoDate } from './local-date.js';

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

  it('formats every day of 1899–2101 like the reference, computed and then kept (2000–2100)', () => {
    for (let pass = 0; pass < 2; pass += 1) {
      for (let d = fromCivil(1899, 1, 1); d <= fromCivil(2101, 12, 31); d += 1) if (formatIsoDate(d) !== reference(d)) expect(formatIsoDate(d)).toBe(reference(d));
    }
    expect(formatIsoDate(fromCivil(2024, 2, 29))).toBe('2024-02-29');
    expect(formatIsoDate(fromCivil(999, 12, 31))).toBe('0999-12-31');
  });
});

/** tryParseIsoDate as it was, by regular expression. */
function parseReference(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return fromCivil(year, month, day);
}

describe('tryParseIsoDate', () => {
  it('agrees with the YYYY-MM-DD regular expression on dates, near-dates and junk', () => {
    const near = fc.array(fc.constantFrom(...'0123456789-/ a\n٣'), { minLength: 8, maxLength: 12 }).map((cs) => cs.join(''));
    const dateLike = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(
      ([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    );
    const text = fc.oneof(near, dateLike, fc.string({ maxLength: 12 }), dateLike.map((s) => `${s}\n`), dateLike.map((s) => ` ${s}`));
    fc.assert(
      fc.property(text, (t) => {
        expect(tryParseIsoDate(t)).toBe(parseReference(t));
      }),
      { numRuns: 20_000 },
    );
    expect(tryParseIsoDate('2024-02-29')).toBe(fromCivil(2024, 2, 29));
    expect(tryParseIsoDate('2023-02-29')).toBeUndefined();
    expect(tryParseIsoDate('0000-01-01')).toBe(fromCivil(0, 1, 1));
  });
});
