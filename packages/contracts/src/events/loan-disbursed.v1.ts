import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { positiveMoneySchema } from '../money.js';
import { checkOneCurrency, engineKeySchema, lifecycleLoanIdSchema, sumMinor } from './loan-lifecycle.v1.js';

/**
 * Money was paid out to the borrower: one tranche of the loan (a single-disbursement loan has one).
 * `valueDate` is when it counts for interest (it may be before `businessDate`, the LMS business date on
 * which it was recorded); `cumulativeDisbursed` includes this tranche; `payoutReference` is the payment
 * rail's reference (UTR, ACH trace number) that reconciles it with the bank.
 */
export const loanDisbursedV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    trancheId: z.string().min(1).max(100),
    effectKey: engineKeySchema.describe('The loan engine effect key, disbursement:<trancheId>'),
    amount: positiveMoneySchema,
    valueDate: loanDateSchema(),
    cumulativeDisbursed: positiveMoneySchema,
    payoutReference: z.string().min(1).max(100),
    businessDate: loanDateSchema(),
  })
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine((p, ctx) => {
    const [amount, cumulative] = [sumMinor([p.amount]), sumMinor([p.cumulativeDisbursed])];
    if (amount !== undefined && cumulative !== undefined && cumulative < amount) {
      ctx.addIssue({ code: 'custom', path: ['cumulativeDisbursed'], message: 'must include this tranche (at least amount)' });
    }
  });
export type LoanDisbursedV1Payload = z.infer<typeof loanDisbursedV1PayloadSchema>;

/** LoanDisbursed v1: a tranche was paid out. Envelope id derived from (loan id, effect key). */
export const loanDisbursedV1Schema = envelopeSchema('LoanDisbursed', 1, loanDisbursedV1PayloadSchema);
export type LoanDisbursedV1 = z.infer<typeof loanDisbursedV1Schema>;
