import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1, type LoanApprovedV1 } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountOf } from '../src/modules/autodebit/adapters/autodebit.repository.js';
import { mandateByUmrn, mandatesOfLoan } from '../src/modules/autodebit/adapters/mandates.repository.js';
import { scheduleInstallmentDebit } from '../src/modules/autodebit/use-cases/schedule-debit.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import { startHarness, type Harness } from './servicing-harness.js';

// A loan whose LoanApproved carries the mandate registered at origination is booked with it as its debit
// authorisation (REAL Postgres, the booking store the LoanApproved consumer uses): no second registration.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

type BankAccount = LoanApprovedV1['payload']['borrower']['bankAccount'];
async function book(bankAccount: BankAccount, loan: Partial<LoanApprovedV1['payload']['loan']> = {}) {
  const tenantId = `om-${randomUUID().slice(0, 8)}`;
  const event = sampleLoanApprovedV1({ tenantId, borrower: { bankAccount }, loan: { productCode: 'TEST-PL', termPeriods: 6, firstDueDate: undefined, expectedDisbursementDate: '2026-01-01', ...loan } as never });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  const store = createPgLoanBookingStore(h.pool);
  const first = await store.bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  // Redelivered: the inbox makes it a no-op, mandate included.
  await store.bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  return { tenantId, loanId: booked.account.id, booked: first.booked, firstInstallment: booked.account.installments[0]! };
}

const account = { holderName: 'Priya Sharma', accountNumberMasked: 'XXXXXXXX4321', accountToken: 'tok_acct_8f3a2c91d4e5', bankCode: 'HDFC0001234' };

describe('a LoanApproved with the origination mandate', () => {
  it('books a NACH mandate active with its UMRN, maximum and validity, and the loan debits it', async () => {
    const umrn = `SBOX${String(Date.now()).slice(-10)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    const b = await book({ ...account, mandateReference: umrn, mandate: { rail: 'in-nach', maxAmount: { amount: '2500000', currency: 'INR', scale: 2 }, frequency: 'monthly', validFrom: '2025-12-20', validUntil: '2027-07-01' } as never });
    expect(b.booked).toEqual([b.loanId]);
    const mandates = await mandatesOfLoan(h.pool, b.tenantId, b.loanId);
    expect(mandates).toEqual([expect.objectContaining({ rail: 'in-nach', status: 'active', umrn, maxAmountMinor: 2_500_000n, currency: 'INR', frequency: 'monthly', category: 'loan-instalment', validFrom: '2025-12-20', validUntil: '2027-07-01', bankCode: 'HDFC0001234' })]);
    expect((await mandateByUmrn(h.pool, 'in-nach', umrn))?.loanId).toBe(b.loanId);
    expect(await accountOf(h.pool, b.tenantId, b.loanId)).toMatchObject({ rail: 'in-nach', status: 'active', authorisationId: umrn, accountType: 'savings', accountToken: 'tok_acct_8f3a2c91d4e5' });
    const scheduled = await scheduleInstallmentDebit({ pool: h.pool }, { tenantId: b.tenantId, loanId: b.loanId, installmentNumber: 1, amount: { amountMinor: b.firstInstallment.totalMinor, currency: 'INR', scale: 2 }, dueDate: b.firstInstallment.dueDate });
    expect(scheduled).toMatchObject({ ok: true, presentment: { rail: 'in-nach', installmentNumber: 1 } });
  });

  it('books a US ACH authorisation as the debit account (online: SEC code WEB), with no NACH mandate', async () => {
    const b = await book({ ...account, bankCode: '110000000', mandateReference: 'mandate_rHXFMqDGaRHzYdzCcAzhzi90', mandate: { rail: 'us-ach', maxAmount: { amount: '162100', currency: 'USD', scale: 2 }, frequency: 'monthly', validFrom: '2025-12-20' } as never },
      { principal: { amount: '1200000', currency: 'USD', scale: 2 }, fees: [] } as never);
    expect(await mandatesOfLoan(h.pool, b.tenantId, b.loanId)).toEqual([]);
    expect(await accountOf(h.pool, b.tenantId, b.loanId)).toMatchObject({ rail: 'us-ach', status: 'active', authorisationId: 'mandate_rHXFMqDGaRHzYdzCcAzhzi90', accountType: 'checking', achSecCode: 'WEB', bankCode: '110000000' });
  });

  it('adopts nothing without the mandate\'s terms, or with terms in another currency than the loan\'s', async () => {
    const plain = await book({ ...account, mandateReference: 'NACH-UMRN-HDFC7000012345' });
    expect(await accountOf(h.pool, plain.tenantId, plain.loanId)).toBeUndefined();
    const foreign = await book({ ...account, mandateReference: 'SBOX0000000000999999', mandate: { rail: 'in-nach', maxAmount: { amount: '2500000', currency: 'USD', scale: 2 }, frequency: 'monthly', validFrom: '2025-12-20' } as never });
    expect([await accountOf(h.pool, foreign.tenantId, foreign.loanId), await mandatesOfLoan(h.pool, foreign.tenantId, foreign.loanId)]).toEqual([undefined, []]);
  });
});
