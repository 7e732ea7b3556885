import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { bookLoanAccount, decimalToMinor, minorToDecimal, type ScheduleRows } from './loan-account.js';

const row = (number: number, principal: string, interest: string, balanceAfter: string) => ({
  number, dueDate: `2027-0${number}-01`, principal, interest, fees: '0.00',
  total: (Number(principal) + Number(interest)).toFixed(2), balanceAfter,
});

describe('bookLoanAccount', () => {
  const event = sampleLoanApprovedV1({ loan: { principal: { amount: '100000', currency: 'INR', scale: 2 }, fees: [], termPeriods: 2 } });

  it('books an account whose schedule repays the principal exactly', () => {
    const schedule: ScheduleRows = { installments: [row(1, '500.00', '10.00', '500.00'), row(2, '500.00', '5.00', '0.00')] };
    const result = bookLoanAccount(event, schedule);
    expect(result.ok && result.account.installments.map((i) => i.totalMinor)).toEqual([51_000n, 50_500n]);
  });

  it('refuses a schedule whose principal column misses the principal by one minor unit', () => {
    const schedule: ScheduleRows = { installments: [row(1, '500.00', '10.00', '500.01'), row(2, '499.99', '5.00', '0.00')] };
    expect(bookLoanAccount(event, schedule)).toEqual({ ok: false, reason: 'schedule principal 99999 differs from the financed amount 100000' });
  });

  it('counts financed fees as lent', () => {
    const withFee = sampleLoanApprovedV1({ loan: { principal: { amount: '100000', currency: 'INR', scale: 2 }, termPeriods: 1, fees: [{ code: 'PF', name: 'Processing', amount: { amount: '1000', currency: 'INR', scale: 2 }, timing: 'financed' }] } });
    const schedule: ScheduleRows = { installments: [row(1, '1010.00', '10.00', '0.00')] };
    expect(bookLoanAccount(withFee, schedule).ok).toBe(true);
  });
});

describe('decimal amounts', () => {
  it('converts exactly between decimal strings and minor units', () => {
    expect(decimalToMinor('1234.5', 2)).toBe(123_450n);
    expect(decimalToMinor('-0.07', 2)).toBe(-7n);
    expect(decimalToMinor('12', 0)).toBe(12n);
    expect(minorToDecimal(123_450n, 2)).toBe('1234.50');
    expect(minorToDecimal(-7n, 2)).toBe('-0.07');
    expect(minorToDecimal(5n, 3)).toBe('0.005');
  });

  it('refuses more decimals than the scale', () => {
    expect(() => decimalToMinor('1.005', 2)).toThrow(/more than 2 decimals/);
  });
});
