import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjustDate, makeCalendar } from './business-days.js';
import { dateSeries, FREQUENCIES, nthDate } from './frequency.js';
import { dayOfWeek, formatIsoDate, fromCivil, parseIsoDate, toCivil, tryParseIsoDate } from './local-date.js';

const d = parseIsoDate;
const series = (anchor: string, f: Parameters<typeof nthDate>[1], n: number): string[] =>
  Array.from({ length: n }, (_, k) => formatIsoDate(nthDate(d(anchor), f, k)));

describe('calendar dates', () => {
  it('round-trips civil dates across centuries and leap days', () => {
    for (const s of ['1900-03-01', '2000-02-29', '1970-01-01', '2100-12-31', '1969-12-31']) {
      expect(formatIsoDate(d(s))).toBe(s);
    }
    expect(toCivil(fromCivil(2024, 2, 29))).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('rejects impossible dates', () => {
    expect(tryParseIsoDate('2023-02-29')).toBeUndefined();
    expect(tryParseIsoDate('2024-13-01')).toBeUndefined();
    expect(tryParseIsoDate('2024-1-01')).toBeUndefined();
  });

  it('knows 1970-01-01 was a Thursday', () => expect(dayOfWeek(0)).toBe(4));
});

describe('due-date series', () => {
  it('monthly: clamps to month end without sticking (Jan 31 → Feb 28 → Mar 31)', () => {
    expect(series('2023-01-31', 'monthly', 4)).toEqual(['2023-01-31', '2023-02-28', '2023-03-31', '2023-04-30']);
  });

  it('quarterly keeps the anchor day', () => {
    expect(series('2023-11-30', 'quarterly', 3)).toEqual(['2023-11-30', '2024-02-29', '2024-05-30']);
  });

  it('semi-monthly pairs the 15th with the month end', () => {
    expect(series('2024-01-15', 'semi-monthly', 5)).toEqual(['2024-01-15', '2024-01-30', '2024-02-15', '2024-02-29', '2024-03-15']);
  });

  it('weekly and biweekly step 7 and 14 days', () => {
    expect(series('2024-12-26', 'weekly', 2)).toEqual(['2024-12-26', '2025-01-02']);
    expect(series('2024-12-26', 'biweekly', 2)).toEqual(['2024-12-26', '2025-01-09']);
  });

  it('dateSeries gives the dates nthDate gives, one by one (property)', () => {
    const anchor = fc.integer({ min: fromCivil(1900, 1, 1), max: fromCivil(2999, 12, 31) });
    fc.assert(
      fc.property(anchor, fc.constantFrom(...FREQUENCIES), fc.integer({ min: -30, max: 30 }), fc.integer({ min: 0, max: 400 }), (a, f, from, count) => {
        expect(dateSeries(a, f, from, count)).toEqual(Array.from({ length: count }, (_, i) => nthDate(a, f, from + i)));
      }),
    );
  });
});

describe('business-day adjustment (ISDA 2006 section 4.12 conventions)', () => {
  const cal = makeCalendar([d('2024-03-29'), d('2024-04-01')]);

  it('following skips the weekend and holidays', () => {
    expect(formatIsoDate(adjustDate(d('2024-03-30'), 'following', cal))).toBe('2024-04-02');
  });

  it('modified following rolls back when following leaves the month', () => {
    expect(formatIsoDate(adjustDate(d('2024-03-30'), 'modified-following', cal))).toBe('2024-03-28');
  });

  it('preceding goes back to the previous business day', () => {
    expect(formatIsoDate(adjustDate(d('2024-04-01'), 'preceding', cal))).toBe('2024-03-28');
  });

  it('leaves business days alone', () => {
    expect(formatIsoDate(adjustDate(d('2024-04-03'), 'following', cal))).toBe('2024-04-03');
  });
});
