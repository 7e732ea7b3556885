import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { positiveMoneySchema } from '../money.js';
import { engineKeySchema, lifecycleLoanIdSchema } from './loan-lifecycle.v1.js';

/**
 * A repayment was reversed (returned, bounced, entered in error), or a write-off undone: the loan is replayed
 * as if it never happened, so its RepaymentReceived (its LoanChargedOff) no longer holds and the lifecycle
 * events derived from it may be followed by new ones. `valueDate` is when the reversal takes effect; `amount`
 * is the reversed amount (for a write-off, the principal it had written off).
 */
export const transactionReversedV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    reversalId: z.string().min(1).max(100),
    reversedTransactionId: z.string().min(1).max(100),
    reversedEffectKey: engineKeySchema.describe('The loan engine effect key of the reversed transaction, repayment:<id> (write-off:<id> for an undone write-off); it leaves the ledger'),
    amount: positiveMoneySchema,
    reason: z.string().min(1).max(500),
    valueDate: loanDateSchema(),
    businessDate: loanDateSchema(),
  })
  .strict();
export type TransactionReversedV1Payload = z.infer<typeof transactionReversedV1PayloadSchema>;

/** TransactionReversed v1. Envelope id derived from (loan id, `reversal:<reversalId>`). */
export const transactionReversedV1Schema = envelopeSchema('TransactionReversed', 1, transactionReversedV1PayloadSchema);
export type TransactionReversedV1 = z.infer<typeof transactionReversedV1Schema>;
