import { toDecimal } from 'dinero.js/bigint';
import { describe, expect, it } from 'vitest';
import { findCurrency } from './currency.js';
import { formatMoney, fromDinero, fromWireMoney, parseMoney, toDinero, toWireMoney } from './money.js';

const usd = findCurrency('USD')!;
const jpy = findCurrency('JPY')!;
const kwd = findCurrency('KWD')!;

describe('money at the boundary', () => {
  it('takes the minor-unit scale from ISO 4217 (dinero.js table): USD 2, JPY 0, KWD 3, BHD 3, INR 2', () => {
    expect([usd.scale, jpy.scale, kwd.scale, findCurrency('BHD')?.scale, findCurrency('INR')?.scale]).toEqual([2, 0, 3, 3, 2]);
  });

  it('parses and formats major-unit decimal strings exactly', () => {
    expect(parseMoney('1234.5', usd)).toBe(123_450n);
    expect(parseMoney('1234.500', usd)).toBe(123_450n);
    expect(formatMoney(123_450n, usd)).toBe('1234.50');
    expect(formatMoney(5n, kwd)).toBe('0.005');
    expect(formatMoney(-5n, usd)).toBe('-0.05');
    expect(formatMoney(1234n, jpy)).toBe('1234');
  });

  it('refuses more decimals than the currency has instead of rounding', () => {
    expect(() => parseMoney('1.005', usd)).toThrow(/decimals/);
    expect(() => parseMoney('1.5', jpy)).toThrow(/decimals/);
  });

  it('round-trips through dinero.js, the money type at the package boundary', () => {
    const d = toDinero(123_450n, usd);
    expect(toDecimal(d)).toBe('1234.50');
    expect(fromDinero(d)).toEqual({ minor: 123_450n, currency: usd });
  });

  it('matches the Lendstack wire form {amount, currency, scale} and reads finer scales exactly', () => {
    expect(toWireMoney(1_234_567n, findCurrency('INR')!)).toEqual({ amount: '1234567', currency: 'INR', scale: 2 });
    expect(fromWireMoney({ amount: '1234560', currency: 'USD', scale: 3 }, usd)).toBe(123_456n);
    expect(() => fromWireMoney({ amount: '1234561', currency: 'USD', scale: 3 }, usd)).toThrow(/precision/);
  });
});
