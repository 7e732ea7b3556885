import { describe, expect, it } from 'vitest';
import { schedule } from '../api/schedule.js';
import { request } from '../test-support.js';

const base = request({ principal: '1200', annualRatePercent: '12', termPeriods: 4, disbursementDate: '2024-01-31' });
const col = (r: ReturnType<typeof schedule>, k: 'principal' | 'interest' | 'total' | 'dueDate'): string[] => r.installments.map((i) => i[k]);

describe('repayment methods', () => {
  it('equal principal: level principal, interest on the declining balance', () => {
    const r = schedule({ ...base, method: 'equal-principal' });
    expect(col(r, 'principal')).toEqual(['300.00', '300.00', '300.00', '300.00']);
    expect(col(r, 'interest')).toEqual(['12.00', '9.00', '6.00', '3.00']);
  });

  it('flat rate: interest on the original principal for the whole term, spread evenly', () => {
    const r = schedule({ ...base, method: 'flat' });
    expect(col(r, 'total')).toEqual(['312.00', '312.00', '312.00', '312.00']);
    expect(r.totals.interest).toBe('48.00');
    expect(Number(r.apr)).toBeGreaterThan(12);
  });

  it('interest-only with a balloon', () => {
    const r = schedule({ ...base, method: 'interest-only' });
    expect(col(r, 'principal')).toEqual(['0.00', '0.00', '0.00', '1200.00']);
    expect(col(r, 'interest')).toEqual(['12.00', '12.00', '12.00', '12.00']);
  });

  it('bullet (payday): one payment of principal and simple interest at maturity', () => {
    const r = schedule({ ...base, method: 'bullet', termPeriods: 3 });
    expect(r.installments).toHaveLength(1);
    expect(r.installments[0]).toMatchObject({ dueDate: '2024-04-30', principal: '1200.00', interest: '36.00' });
  });

  it('zero-interest split (pay-in-4) with a down payment as installment 0', () => {
    const payIn4 = { ...base, termPeriods: 3, method: 'zero-interest-split', annualRatePercent: '0', frequency: 'biweekly' } as const;
    const r = schedule({ ...payIn4, principal: '100', downPayment: '25' });
    expect(col(r, 'principal')).toEqual(['25.00', '25.00', '25.00', '25.00']);
    expect(col(r, 'dueDate')).toEqual(['2024-01-31', '2024-02-14', '2024-02-28', '2024-03-13']);
    expect(r.installments[0]).toMatchObject({ number: 0, dueDate: '2024-01-31' });
    expect(r.totals.principal).toBe('100.00');
    expect(r.apr).toBe('0.0000');
  });

  it('zero-interest split puts the residual cent on the last installment', () => {
    const r = schedule({ ...base, method: 'zero-interest-split', annualRatePercent: '0', principal: '100', termPeriods: 3 });
    expect(col(r, 'principal')).toEqual(['33.33', '33.33', '33.34']);
  });
});

describe('odd first period, grace and moratorium', () => {
  it('long odd first period: simple interest for the extra days, installment sized to amortise it', () => {
    const regular = schedule({ ...base, disbursementDate: '2024-01-15' });
    const long = schedule({ ...base, disbursementDate: '2024-01-15', firstDueDate: '2024-03-01' });
    // Count back one month from Mar 1 to Feb 1; Jan 15 → Feb 1 is 16 days at 30/360:
    // 1 + 16/30 periods of 1 % on 1200 = 18.40.
    expect(long.installments[0]?.interest).toBe('18.40');
    expect(Number(long.installmentAmount)).toBeGreaterThan(Number(regular.installmentAmount));
    expect(long.installments.at(-1)?.balanceAfter).toBe('0.00');
  });

  it('short odd first period under daily Actual/365 interest', () => {
    const r = schedule({ ...base, disbursementDate: '2024-01-20', firstDueDate: '2024-02-01', interestCalculation: 'daily', dayCount: 'actual/365' });
    // 12 days × 1200 × 12 % / 365 = 4.73
    expect(r.installments[0]?.interest).toBe('4.73');
  });

  it('principal grace: interest-only installments first, then amortisation over the rest', () => {
    const r = schedule({ ...base, termPeriods: 6, grace: { principalPeriods: 2, interestPeriods: 0 } });
    expect(col(r, 'principal').slice(0, 2)).toEqual(['0.00', '0.00']);
    expect(col(r, 'interest').slice(0, 2)).toEqual(['12.00', '12.00']);
    expect(r.totals.principal).toBe('1200.00');
  });

  it('interest grace: interest is deferred to the first installment after the grace', () => {
    const r = schedule({ ...base, termPeriods: 6, grace: { principalPeriods: 2, interestPeriods: 2 } });
    expect(col(r, 'interest').slice(0, 3)).toEqual(['0.00', '0.00', '36.00']);
  });

  it('moratorium: no payments, interest capitalised into the balance', () => {
    const r = schedule({ ...base, termPeriods: 6, grace: { principalPeriods: 0, interestPeriods: 0, moratoriumPeriods: 2 } });
    expect(r.installments[0]).toMatchObject({ total: '0.00', capitalisedInterest: '12.00', balanceAfter: '1212.00' });
    expect(r.installments[1]).toMatchObject({ capitalisedInterest: '12.12', balanceAfter: '1224.12' });
    expect(r.totals).toMatchObject({ principal: '1224.12', capitalisedInterest: '24.12' });
    expect(r.installments.at(-1)?.balanceAfter).toBe('0.00');
  });
});

describe('rounding and installment multiples', () => {
  const loan = request({ principal: '10000', annualRatePercent: '8', termPeriods: 10 });

  it('rounds the installment to a multiple of 1.00 (up), the last installment absorbing the difference', () => {
    const r = schedule({ ...loan, rounding: { mode: 'up', installmentMultipleOf: '1.00' } });
    expect(r.installmentAmount).toBe('1038.00');
    expect(r.totals.principal).toBe('10000.00');
    expect(Number(r.installments.at(-1)?.total)).toBeLessThan(1038);
  });

  it('rounds down to 10.00, the last installment larger', () => {
    const r = schedule({ ...loan, rounding: { mode: 'down', installmentMultipleOf: '10' } });
    expect(r.installmentAmount).toBe('1030.00');
    expect(Number(r.installments.at(-1)?.total)).toBeGreaterThan(1030);
  });

  it('half-even differs from half-up on an exact tie of interest', () => {
    // 1250.50 × 1 % = 12.505 → 12.51 half-up, 12.50 half-even.
    const tie = request({ principal: '1250.50', annualRatePercent: '12', termPeriods: 2 });
    expect(schedule({ ...tie, rounding: { mode: 'half-up' } }).installments[0]?.interest).toBe('12.51');
    expect(schedule({ ...tie, rounding: { mode: 'half-even' } }).installments[0]?.interest).toBe('12.50');
  });
});

describe('fees and APR', () => {
  const loan = request({ principal: '10000', annualRatePercent: '10', termPeriods: 12 });

  it('upfront fee: deducted from the amount financed, raising the APR', () => {
    const r = schedule({ ...loan, fees: [{ name: 'processing', amount: '200', timing: 'upfront' }] });
    expect(r.amountFinanced).toBe('9800.00');
    expect(r.totals.upfrontFees).toBe('200.00');
    expect(Number(r.apr)).toBeGreaterThan(13.5);
  });

  it('financed fee: added to the amortised balance', () => {
    const r = schedule({ ...loan, fees: [{ name: 'insurance', amount: '120', timing: 'financed' }] });
    expect(r.totals.principal).toBe('10120.00');
    expect(r.amountFinanced).toBe('10000.00');
  });

  it('per-installment fee: in every installment; excluded from the APR when includeInApr is false', () => {
    const withFee = schedule({ ...loan, fees: [{ name: 'sms', amount: '5', timing: 'per-installment' }] });
    const excluded = schedule({ ...loan, fees: [{ name: 'sms', amount: '5', timing: 'per-installment', includeInApr: false }] });
    expect(withFee.installments.every((i) => i.fees === '5.00')).toBe(true);
    expect(withFee.totals.fees).toBe('60.00');
    expect(Number(withFee.apr)).toBeGreaterThan(Number(excluded.apr));
    expect(Number(excluded.apr)).toBeCloseTo(10, 2);
  });
});

describe('dates in schedules', () => {
  it('business-day adjustment moves the due date, not the accrual period', () => {
    const r = schedule({
      ...request({ disbursementDate: '2024-02-29', termPeriods: 2 }),
      businessDays: { convention: 'following', holidays: ['2024-04-01'] },
    });
    // Mar 29 2024 is a Friday; Apr 29 2024 a Monday.
    expect(col(r, 'dueDate')).toEqual(['2024-03-29', '2024-04-29']);
    const sat = schedule({ ...request({ disbursementDate: '2024-02-16', termPeriods: 1 }), businessDays: { convention: 'following', holidays: [] } });
    expect(sat.installments[0]?.dueDate).toBe('2024-03-18');
  });
});
