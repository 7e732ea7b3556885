import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { positiveMoneySchema } from '../money.js';
import { engineEventShape } from './loan-lifecycle.v1.js';

/**
 * A loan a foreclosure had closed is open again: a later backdated change (a reversed repayment, a
 * repayment moved) raised the payoff on the foreclosure's value date above what the foreclosure paid.
 * Its money now counts as a repayment; `shortfall` is what the payoff on that date exceeds it by. The
 * LoanClosed published for the foreclosure no longer holds.
 */
export const loanReopenedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    foreclosureId: z.string().min(1).max(100).describe('The foreclosure transaction that no longer closes the loan'),
    foreclosureValueDate: loanDateSchema(),
    shortfall: positiveMoneySchema,
  })
  .strict();
export type LoanReopenedV1Payload = z.infer<typeof loanReopenedV1PayloadSchema>;

/** LoanReopened v1. Engine key `reopened:<foreclosure id>:<shortfall>`. */
export const loanReopenedV1Schema = envelopeSchema('LoanReopened', 1, loanReopenedV1PayloadSchema);
export type LoanReopenedV1 = z.infer<typeof loanReopenedV1Schema>;
