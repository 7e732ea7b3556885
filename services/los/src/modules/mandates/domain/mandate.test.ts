import { describe, expect, it } from 'vitest';
import type { LoanTerms } from '../../applications/domain/application.js';
import { addYear, defaultMaxAmount, mandateTerms, transitionOf } from './mandate.js';

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 }) as never;
const terms = (over: Partial<LoanTerms> = {}): LoanTerms => ({
  productCode: 'PL-12M', principal: inr('50000000'), annualRatePercent: '14.5', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-installment',
  interestCalculation: 'per-period', dayCount: '30/360', fees: [], expectedDisbursementDate: '2027-01-04', ...over,
} as LoanTerms);
const offer = (over: Partial<LoanTerms> = {}, installment = inr('4500123')) => ({ terms: terms(over), installment });

describe('mandate terms', () => {
  it('defaults the maximum to the installment × 1.5, rounded up to a whole rupee', () => {
    expect(defaultMaxAmount(inr('4500123'))).toEqual(inr('6750200'));
    expect(defaultMaxAmount(inr('4500000'))).toEqual(inr('6750000'));
    expect(defaultMaxAmount({ amount: '101', currency: 'USD', scale: 2 } as never)).toEqual({ amount: '200', currency: 'USD', scale: 2 });
  });

  it('given a monthly offer, when nothing is named, then monthly from today until a year after maturity', () => {
    const r = mandateTerms({ rail: 'nach' }, offer(), '2027-01-02');
    expect(r).toMatchObject({ ok: true, terms: { maxAmount: inr('6750200'), frequency: 'monthly', validFrom: '2027-01-02' } });
    if (!r.ok) throw new Error('refused');
    expect(r.terms.validUntil).toBe(addYear(r.terms.maturity));
    expect(r.terms.maturity > '2027-12-01').toBe(true);
  });

  it('refuses a maximum below the installment, a validity ending before maturity, a slower frequency, ADHO on NACH and the wrong currency, naming the field', () => {
    const ok = mandateTerms({ rail: 'nach' }, offer(), '2027-01-02');
    if (!ok.ok) throw new Error('refused');
    expect(mandateTerms({ rail: 'nach', maxAmount: inr('4500122') }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/maxAmount' } });
    expect(mandateTerms({ rail: 'nach', maxAmount: { amount: '9000000', currency: 'USD', scale: 2 } as never }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/maxAmount' } });
    expect(mandateTerms({ rail: 'nach', validUntil: '2027-06-01' }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/validUntil' } });
    expect(mandateTerms({ rail: 'nach', validUntil: ok.terms.maturity }, offer(), '2027-01-02')).toMatchObject({ ok: true });
    expect(mandateTerms({ rail: 'nach', frequency: 'quarterly' }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/frequency' } });
    expect(mandateTerms({ rail: 'nach', frequency: 'as-presented' }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/frequency' } });
    expect(mandateTerms({ rail: 'ach', frequency: 'as-presented' }, offer(), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/rail' } });
    expect(mandateTerms({ rail: 'nach' }, offer({ frequency: 'semi-monthly' }), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/frequency' } });
    expect(mandateTerms({ rail: 'nach' }, offer({}, null as never), '2027-01-02')).toMatchObject({ ok: false, refusal: { pointer: '/maxAmount' } });
  });

  it('a year after 29 February is 28 February', () => {
    expect(addYear('2028-02-29')).toBe('2029-02-28');
    expect(addYear('2027-12-31')).toBe('2028-12-31');
  });
});

describe('transitions', () => {
  const active = { status: 'active' as const, mandateReference: 'SBOX0001', reasonCode: null, reason: null };
  it('only a pending mandate moves: active with its reference, rejected with the reason; once', () => {
    expect(transitionOf('pending', active)).toEqual({ kind: 'activate', reference: 'SBOX0001' });
    expect(transitionOf('pending', { status: 'rejected', mandateReference: null, reasonCode: 'AP05', reason: 'No such account' })).toEqual({ kind: 'reject', code: 'AP05', reason: 'No such account' });
    expect(transitionOf('pending', { ...active, status: 'pending' })).toEqual({ kind: 'none' });
    expect(transitionOf('active', active)).toEqual({ kind: 'none' });
    expect(transitionOf('rejected', active)).toEqual({ kind: 'none' });
  });
});
