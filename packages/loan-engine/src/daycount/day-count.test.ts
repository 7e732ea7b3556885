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
