import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { positiveMoneySchema } from '../money.js';
import { checkOneCurrency, engineKeySchema, lifecycleLoanIdSchema } from './loan-lifecycle.v1.js';
import { checkAllocationParts, repaymentAllocationV1Schema } from './repayment-received.v1.js';

/**
 * A repayment already published (RepaymentReceived) is split differently now: a backdated repayment, a
 * reversal, or a disbursement confirmed or returned with an earlier value date replayed the loan from that
 * date, and the same money went to other installments or components. `previousAllocation` is what the last
 * RepaymentReceived or RepaymentReallocated of this transaction said; `allocation` is what holds now. Both
 * follow RepaymentReceived's rules (the parts sum to the amount). One event per transaction whose split
 * changed, per cause: a replay that changes nothing publishes none.
 */
export const repaymentReallocatedV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    transactionId: z.string().min(1).max(100).describe('The repayment whose allocation changed'),
    effectKey: engineKeySchema.describe('The loan engine effect key of that repayment, repayment:<transactionId>, as in its RepaymentReceived'),
    eventKey: engineKeySchema.describe('reallocation:<transactionId>:<causeTransactionId>; the envelope id derives from it and the loan id'),
    causeTransactionId: z.string().min(1).max(100).describe('The transaction whose arrival replayed the loan: a backdated repayment, a reversal, a disbursement or its return'),
    amount: positiveMoneySchema,
    valueDate: loanDateSchema(),
    previousAllocation: repaymentAllocationV1Schema,
    allocation: repaymentAllocationV1Schema,
    businessDate: loanDateSchema(),
  })
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine((p, ctx) => {
    checkAllocationParts(p.amount, p.previousAllocation, 'previousAllocation', ctx);
    checkAllocationParts(p.amount, p.allocation, 'allocation', ctx);
  });
export type RepaymentReallocatedV1Payload = z.infer<typeof repaymentReallocatedV1PayloadSchema>;

/** RepaymentReallocated v1. Envelope id derived from (loan id, `eventKey`). */
export const repaymentReallocatedV1Schema = envelopeSchema('RepaymentReallocated', 1, repaymentReallocatedV1PayloadSchema);
export type RepaymentReallocatedV1 = z.infer<typeof repaymentReallocatedV1Schema>;
