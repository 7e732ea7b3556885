import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { nonNegativeMoneySchema, positiveMoneySchema } from '../money.js';
import { engineKeySchema, installmentNumberSchema, lifecycleLoanIdSchema } from './loan-lifecycle.v1.js';

/**
 * The borrower paid principal ahead and the rest of the loan was re-amortised (the loan engine's
 * partialPrepayment): `reduce-installment` kept the maturity and lowered the installment, `reduce-term` kept
 * the installment and ended the loan earlier. `scheduleVersion` is the version under which the schedule it
 * replaced is kept (GET /v1/loans/{id}/schedule-versions); the new one is GET /v1/loans/{id}/schedule.
 */
export const prepaymentAppliedV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    transactionId: z.string().min(1).max(100),
    effectKey: engineKeySchema.describe('The loan engine effect key, prepayment:<transactionId>'),
    valueDate: loanDateSchema(),
    option: z.enum(['reduce-installment', 'reduce-term']),
    principalPrepaid: positiveMoneySchema,
    prepaymentCharge: nonNegativeMoneySchema,
    principalOutstanding: nonNegativeMoneySchema.describe('After the prepayment'),
    scheduleVersion: z.number().int().min(1).describe('The version the replaced schedule is kept under'),
    nextInstallment: z.object({ installmentNumber: installmentNumberSchema, dueDate: loanDateSchema(), total: positiveMoneySchema }).strict(),
    remainingInstallments: z.number().int().min(1).max(1200),
    maturityDate: loanDateSchema(),
    businessDate: loanDateSchema(),
  })
  .strict();
export type PrepaymentAppliedV1Payload = z.infer<typeof prepaymentAppliedV1PayloadSchema>;

/** PrepaymentApplied v1. Envelope id derived from (loan id, effect key). */
export const prepaymentAppliedV1Schema = envelopeSchema('PrepaymentApplied', 1, prepaymentAppliedV1PayloadSchema);
export type PrepaymentAppliedV1 = z.infer<typeof prepaymentAppliedV1Schema>;
