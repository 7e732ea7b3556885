import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { nonNegativeMoneySchema } from '../money.js';
import { dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

/**
 * Present when an operator wrote the loan off on demand (POST /v1/loans/{id}/write-off) rather than the
 * product's charge-off DPD: the write-off transaction, its reason and whether maturity was accelerated
 * (the installments not yet due fell due on the write-off date; `acceleratedPrincipal` their principal).
 * Undoing the write-off publishes TransactionReversed with `reversedEffectKey` `write-off:<transactionId>`.
 */
export const loanWriteOffSchema = z
  .object({
    transactionId: z.string().min(1).max(100),
    reason: z.string().min(1).max(500),
    accelerated: z.boolean(),
    acceleratedPrincipal: nonNegativeMoneySchema,
  })
  .strict();

/**
 * The loan was charged off at the end of the business date (dpd reached the product's charge-off
 * threshold, 120 by default for closed-end retail loans, or an operator wrote it off: `writeOff`):
 * principal outstanding written off, receivable interest, fees and penalties reversed. Nothing accrues or
 * falls due afterwards; later repayments are recoveries (RepaymentReceived with `allocation.recovery`).
 */
export const loanChargedOffV1PayloadSchema = z
  .object({
    ...engineEventShape,
    principalWrittenOff: nonNegativeMoneySchema,
    dpd: dpdSchema,
    writeOff: loanWriteOffSchema.optional(),
  })
  .strict();
export type LoanChargedOffV1Payload = z.infer<typeof loanChargedOffV1PayloadSchema>;

/** LoanChargedOff v1. Engine key `charged-off:<date>`, or `written-off:<transaction id>` for a write-off. */
export const loanChargedOffV1Schema = envelopeSchema('LoanChargedOff', 1, loanChargedOffV1PayloadSchema);
export type LoanChargedOffV1 = z.infer<typeof loanChargedOffV1Schema>;
