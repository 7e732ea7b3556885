import { loanTermsShape } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LoanTerms } from '../applications/domain/application.js';
import { monthlyInstallmentOf } from './check-subject.js';

// As stored, with the defaults the submission schema applies (schedule method, day count …).
const terms = (t: Partial<LoanTerms> = {}): LoanTerms => z.object(loanTermsShape).parse({
  productCode: 'PL-12', principal: { amount: '50000000', currency: 'INR', scale: 2 }, annualRatePercent: '14.5', termPeriods: 12,
  frequency: 'monthly', expectedDisbursementDate: '2026-12-09', scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', fees: [], ...t,
}) as LoanTerms;

describe('the proposed monthly installment (for FOIR)', () => {
  it("is the schedule's largest installment for a monthly loan: INR 5,00,000 at 14.5 % over 12 months", () => {
    // EMI = P·r/(1 − (1+r)^−n) with r = 0.145/12, computed independently in floating point (≈ 45,011.5); the
    // engine's exact installments round to the paisa, the last one absorbing the remainder.
    const r = 0.145 / 12;
    const emiMajor = (500_000 * r) / (1 - (1 + r) ** -12);
    const emi = monthlyInstallmentOf(terms());
    expect(emi?.currency).toBe('INR');
    expect(emi?.scale).toBe(2);
    expect(Math.abs(Number(emi!.amount) / 100 - emiMajor)).toBeLessThan(1);
  });

  it('scales other frequencies to a month, rounded up: biweekly × 26 / 12', () => {
    const monthly = monthlyInstallmentOf(terms())!;
    const biweekly = monthlyInstallmentOf(terms({ frequency: 'biweekly', termPeriods: 26 } as Partial<LoanTerms>))!;
    // A fortnightly installment is a bit under half the monthly one over the same year; a month holds 26/12 of them.
    expect(Number(biweekly.amount)).toBeGreaterThan(Number(monthly.amount) * 0.95);
    expect(Number(biweekly.amount)).toBeLessThan(Number(monthly.amount) * 1.05);
    expect(BigInt(biweekly.amount) * 12n).toBeGreaterThanOrEqual(26n * ((BigInt(biweekly.amount) * 12n) / 26n));
  });

  it('is null when the terms give no schedule', () => {
    expect(monthlyInstallmentOf({ ...terms(), termPeriods: 0 })).toBeNull();
  });
});
