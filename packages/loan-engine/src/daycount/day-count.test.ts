import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../dates/local-date.js';
import { reduce, toDecimalString } from '../math/rational.js';
import { dayCountDays, yearFraction, type DayCount } from './day-count.js';

const yf = (c: DayCount, a: string, b: string, places = 8): string =>
  toDecimalString(yearFraction(c, parseIsoDate(a), parseIsoDate(b)), places);

describe('Actual/Actual ISDA (2006 ISDA Definitions 4.16(b))', () => {
  it('ISDA "EMU and market conventions" memo, Act/Act example: 2003-11-01 to 2004-05-01 = 61/365 + 121/366', () => {
    expect(yf('actual/actual-isda', '2003-11-01', '2004-05-01', 12)).toBe('0.497724380567');
    const f = reduce(yearFraction('actual/actual-isda', parseIsoDate('2003-11-01'), parseIsoDate('2004-05-01')));
    expect(`${f.n}/${f.d}`).toBe('66491/133590');
  });

  it('ISDA memo examples: short first period 1999-02-01 to 1999-07-01 = 150/365', () => {
    expect(yf('actual/actual-isda', '1999-02-01', '1999-07-01', 11)).toBe('0.41095890411');
  });

  it('ISDA memo examples: long first period 2002-08-15 to 2003-07-15 = 334/365', () => {
    expect(yf('actual/actual-isda', '2002-08-15', '2003-07-15', 11)).toBe('0.91506849315');
  });

  it('ISDA memo examples: 1999-07-30 to 2000-01-30 = 155/365 + 29/366', () => {
    expect(yf('actual/actual-isda', '1999-07-30', '2000-01-30', 11)).toBe('0.50389250692');
  });

  it('ISDA memo examples: 2000-01-30 to 2000-06-30 = 152/366', () => {
    expect(yf('actual/actual-isda', '2000-01-30', '2000-06-30', 11)).toBe('0.41530054645');
  });
});

describe('Excel YEARFRAC documentation example (1/1/2012 to 7/30/2012)', () => {
  it('basis 0, US 30/360 = 0.58055556', () => expect(yf('30/360', '2012-01-01', '2012-07-30')).toBe('0.58055556'));
  it('basis 1, actual/actual = 0.57650273 (whole span in one leap year, same as ISDA)', () =>
    expect(yf('actual/actual-isda', '2012-01-01', '2012-07-30')).toBe('0.57650273'));
  it('basis 3, actual/365 = 0.57808219', () => expect(yf('actual/365', '2012-01-01', '2012-07-30')).toBe('0.57808219'));
  it('basis 2, actual/360 = 211/360 = 0.58611111', () => expect(yf('actual/360', '2012-01-01', '2012-07-30')).toBe('0.58611111'));
});

describe('30/360 day counts', () => {
  const days = (c: DayCount, a: string, b: string): number => dayCountDays(c, parseIsoDate(a), parseIsoDate(b));

  it('Excel DAYS360 documentation examples (US method): 1/30/2011→2/1/2011 = 1, 1/1/2011→12/31/2011 = 360', () => {
    expect(days('30/360', '2011-01-30', '2011-02-01')).toBe(1);
    expect(days('30/360', '2011-01-01', '2011-12-31')).toBe(360);
  });

  it('ISDA 2006 4.16(f)/(g) rules: D2 = 31 stays 31 under 30/360 unless D1 ≥ 30; always 30 under 30E/360', () => {
    expect(days('30/360', '2024-01-15', '2024-03-31')).toBe(76);
    expect(days('30e/360', '2024-01-15', '2024-03-31')).toBe(75);
    expect(days('30/360', '2024-01-31', '2024-03-31')).toBe(60);
  });

  it('30/360 US February month-end rule: Feb 28 2007 → Mar 31 2007 is 30 days; 30E/360 counts 32', () => {
    expect(days('30/360', '2007-02-28', '2007-03-31')).toBe(30);
    expect(days('30e/360', '2007-02-28', '2007-03-31')).toBe(32);
  });

  it('gives a negative fraction when the dates are reversed', () => {
    expect(yf('actual/365', '2024-03-01', '2024-01-01')).toBe('-0.16438356');
  });
});

describe('the 30/360 family side by side (OpenGamma, "Interest Rate Instruments and Market Conventions Guide", 30/360 examples table)', () => {
  // [start, end, 30/360 ISDA bond basis, 30E/360, 30E/360 ISDA (end not the termination date)]
  const table: [string, string, number, number, number][] = [
    ['2007-01-15', '2007-01-30', 15, 15, 15],
    ['2007-01-15', '2007-02-15', 30, 30, 30],
    ['2007-01-15', '2007-07-15', 180, 180, 180],
    ['2007-09-30', '2008-03-31', 180, 180, 180],
    ['2007-09-30', '2007-10-31', 30, 30, 30],
    ['2007-09-30', '2008-09-30', 360, 360, 360],
    ['2007-01-15', '2007-01-31', 16, 15, 15],
    ['2007-01-31', '2007-02-28', 28, 28, 30],
    ['2007-02-28', '2007-03-31', 33, 32, 30],
    ['2006-08-31', '2007-02-28', 178, 178, 180],
    ['2007-02-28', '2007-08-31', 183, 182, 180],
    ['2007-02-14', '2007-02-28', 14, 14, 16],
    ['2007-02-26', '2008-02-29', 363, 363, 364],
    ['2008-02-29', '2009-02-28', 359, 359, 360],
    ['2008-02-29', '2008-03-30', 31, 31, 30],
    ['2008-02-29', '2008-03-31', 32, 31, 30],
    ['2007-02-28', '2007-03-05', 7, 7, 5],
    ['2007-10-31', '2007-11-28', 28, 28, 28],
    ['2007-08-31', '2008-02-29', 179, 179, 180],
    ['2008-02-29', '2008-08-31', 182, 181, 180],
    ['2008-08-31', '2009-02-28', 178, 178, 180],
    ['2009-02-28', '2009-08-31', 183, 182, 180],
  ];
  const days = (c: DayCount, a: string, b: string, terminationDate?: string): number =>
    dayCountDays(c, parseIsoDate(a), parseIsoDate(b), terminationDate ? { terminationDate: parseIsoDate(terminationDate) } : {});

  it.each(table)('%s → %s: bond basis %i, 30E/360 %i, 30E/360 ISDA %i', (a, b, bond, euro, isda) => {
    expect([days('30/360-isda', a, b), days('30e/360', a, b), days('30e/360-isda', a, b)]).toEqual([bond, euro, isda]);
  });

  it('30E/360 ISDA (4.16(h)): a February month-end that is the termination date is not moved to the 30th', () => {
    expect(days('30e/360-isda', '2008-08-31', '2009-02-28', '2009-02-28')).toBe(178);
    expect(days('30e/360-isda', '2007-01-31', '2007-02-28', '2007-02-28')).toBe(28);
    // The start date is never the termination date: Feb 28 as D1 is always the 30th.
    expect(days('30e/360-isda', '2007-02-28', '2007-03-05', '2007-02-28')).toBe(5);
  });

  it('30/360-us is the old 30/360 (documented alias): same days on the table and the February rule', () => {
    for (const [a, b] of table) expect(days('30/360-us', a, b)).toBe(days('30/360', a, b));
    expect(days('30/360-us', '2007-02-28', '2007-03-31')).toBe(30);
    expect(yf('30/360-us', '2012-01-01', '2012-07-30')).toBe('0.58055556');
  });
});

describe('Actual/Actual ICMA (2006 ISDA Definitions 4.16(c), ICMA Rule 251 method as in the ISDA "EMU and market conventions" memo)', () => {
  // The memo's own ICMA examples are annual and semi-annual coupons, which are not loan frequencies
  // here; these apply the memo's method (days in each reference period ÷ (frequency × its days))
  // to quarterly and monthly series, fractions worked by hand.
  const icma = (a: string, b: string, frequency: 'quarterly' | 'monthly', referenceDate?: string): string => {
    const context = { frequency, ...(referenceDate ? { referenceDate: parseIsoDate(referenceDate) } : {}) };
    const f = reduce(yearFraction('actual/actual-icma', parseIsoDate(a), parseIsoDate(b), context));
    return `${f.n}/${f.d}`;
  };

  it('a regular period is exactly 1/frequency, whatever its length (memo: 2003-11-01 → 2004-05-01 semi-annual = 0.5)', () => {
    expect(icma('2003-11-01', '2004-02-01', 'quarterly')).toBe('1/4');
    expect(icma('2024-01-31', '2024-02-29', 'monthly', '2024-01-31')).toBe('1/12');
    expect(icma('2024-02-29', '2024-03-31', 'monthly', '2024-01-31')).toBe('1/12');
  });

  it('short first period counted back from the first coupon (memo case 1999-02-01 → 1999-07-01 = 150/365 of an annual period)', () => {
    // Reference quarter 2003-11-01 → 2004-02-01 (92 days); the stub 2003-12-18 → 2004-02-01 has 45 days: 45/(4 × 92).
    expect(icma('2003-12-18', '2004-02-01', 'quarterly')).toBe('45/368');
  });

  it('long first period split over two reference periods (memo case 2002-08-15 → 2003-07-15 = 181/362 + 153/368)', () => {
    // 2002-11-15 → 2003-04-15, coupons …, 2003-01-15, 2003-04-15: 61 of the 92-day quarter 2002-10-15 → 2003-01-15
    // plus the whole quarter 2003-01-15 → 2003-04-15 (90 days): 61/368 + 1/4 = 153/368.
    expect(icma('2002-11-15', '2003-04-15', 'quarterly')).toBe('153/368');
  });

  it('short final period counted forward from the last coupon (reference date = start; memo case 2000-01-30 → 2000-06-30 = 152/364)', () => {
    // 60 days of the 91-day quarter 2000-01-30 → 2000-04-30: 60/(4 × 91) = 15/91.
    expect(icma('2000-01-30', '2000-03-30', 'quarterly', '2000-01-30')).toBe('15/91');
  });

  it('needs a frequency', () => {
    expect(() => yearFraction('actual/actual-icma', parseIsoDate('2024-01-01'), parseIsoDate('2024-02-01'))).toThrow(/frequency/);
  });
});
