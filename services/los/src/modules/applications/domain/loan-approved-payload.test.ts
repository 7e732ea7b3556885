import { loanApprovedV1PayloadSchema } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { loanApprovedPayload, submit, type Application } from './application.js';

const NOW = new Date('2026-12-02T09:00:00Z');
const OLD_LOAN = '6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b';

function approved(topUpOf: string | null): Application {
  const app = submit({
    id: 'a1', tenantId: 't1', submittedBy: 'partner-1', now: NOW, topUpOf,
    applicant: {
      id: 'b1', name: { given: 'Priya', family: 'Sharma' }, contact: { email: 'p@example.in', phone: '+919876543210' },
      address: { line1: '1 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', masked: 'XXXXXX234F', token: 'tok_1234abcd' },
      bankAccount: { holderName: 'Priya Sharma', accountNumberMasked: 'XXXX4321', accountToken: 'tok_5678efgh', bankCode: 'HDFC0001234' },
    },
    loanRequest: {
      productCode: 'PL', principal: { amount: '100000', currency: 'INR', scale: 2 }, annualRatePercent: '12', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-12-10', fees: [],
    },
  });
  return { ...app, status: 'approved', loanId: '0b7d3c1a-2e4f-4a6b-9c8d-7e6f5a4b3c2d', decidedAt: NOW, decidedBy: 'approver-1' };
}

describe('the LoanApproved payload of a top-up', () => {
  it('given a top-up application, when approved, then LoanApproved names the loan it pays off (topUpOfLoanId), valid under the contract', () => {
    const payload = loanApprovedPayload(approved(OLD_LOAN), { offerId: 'ofr_1', kfsReference: 'KFS-1' });
    expect(payload.loan.topUpOfLoanId).toBe(OLD_LOAN);
    expect(loanApprovedV1PayloadSchema.safeParse(payload).success).toBe(true);
  });

  it('given any other application, then the field is absent', () => {
    const payload = loanApprovedPayload(approved(null), { offerId: 'ofr_1', kfsReference: 'KFS-1' });
    expect('topUpOfLoanId' in payload.loan).toBe(false);
    expect(loanApprovedV1PayloadSchema.safeParse(payload).success).toBe(true);
  });
});
