import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { nonNegativeMoneySchema, positiveMoneySchema } from '../money.js';
import { installmentNumberSchema, lifecycleLoanIdSchema } from './loan-lifecycle.v1.js';

/**
 * A restructuring proposed by one operator was approved by another (maker ≠ checker): from `effectiveDate`
 * (a due date of the schedule it replaced) the loan runs on a new annual rate and number of installments,
 * with `moratoriumInstallments` interest-only installments first (no principal; interest is charged and
 * payable every period, never deferred or capitalised). With `capitaliseArrears`, everything due unpaid at
 * the end of the effective date (principal, interest, fees, penalties) moved into the new schedule's
 * principal; `capitalised` is the interest, fees and penalties so moved (the ledger moved them from their
 * receivables to loan-portfolio). The loan is flagged restructured (RBI: restructured standard account; US:
 * troubled-debt modification). `scheduleVersion` is the version the replaced schedule is kept under.
 */
export const loanRestructuredV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    proposalId: z.uuid(),
    transactionId: z.string().min(1).max(100),
    effectiveDate: loanDateSchema(),
    annualRatePercent: z.string().regex(/^\d{1,3}(\.\d{1,6})?$/).describe('Decimal percent, "12.5" = 12.5 %'),
    installments: z.number().int().min(1).max(600).describe('Installments of the new schedule'),
    moratoriumInstallments: z.number().int().min(0).max(60),
    capitaliseArrears: z.boolean(),
    capitalised: z.object({ interest: nonNegativeMoneySchema, fees: nonNegativeMoneySchema, penalties: nonNegativeMoneySchema, principalRescheduled: nonNegativeMoneySchema }).strict(),
    principal: positiveMoneySchema.describe('Principal of the new schedule'),
    scheduleVersion: z.number().int().min(1).describe('The version the replaced schedule is kept under'),
    nextInstallment: z.object({ installmentNumber: installmentNumberSchema, dueDate: loanDateSchema(), total: positiveMoneySchema }).strict(),
    maturityDate: loanDateSchema(),
    proposedBy: z.string().min(1).max(200),
    approvedBy: z.string().min(1).max(200),
    businessDate: loanDateSchema(),
  })
  .strict();
export type LoanRestructuredV1Payload = z.infer<typeof loanRestructuredV1PayloadSchema>;

/** LoanRestructured v1. Envelope id derived from (loan id, `restructure:<proposal id>`). */
export const loanRestructuredV1Schema = envelopeSchema('LoanRestructured', 1, loanRestructuredV1PayloadSchema);
export type LoanRestructuredV1 = z.infer<typeof loanRestructuredV1Schema>;
