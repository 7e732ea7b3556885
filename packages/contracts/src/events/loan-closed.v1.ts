import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { engineEventShape } from './loan-lifecycle.v1.js';

/**
 * Why a loan closed. `repaid`: every installment paid (penalties included) and no principal left;
 * `charged-off-recovered`: a charged-off loan recovered in full; `foreclosed`: paid off early on a
 * foreclosure quote; `top-up`: closed into a new top-up loan. The list grows additively (a new value is
 * not a breaking change): consumers should treat a reason they do not know as a closure all the same.
 */
export const loanClosureReasonSchema = z.enum(['repaid', 'charged-off-recovered', 'foreclosed', 'top-up']);
export type LoanClosureReason = z.infer<typeof loanClosureReasonSchema>;

/** The loan closed on the business date; any excess the borrower paid stays owed back to them. */
export const loanClosedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    closedOn: loanDateSchema(),
    reason: loanClosureReasonSchema,
  })
  .strict();
export type LoanClosedV1Payload = z.infer<typeof loanClosedV1PayloadSchema>;

/** LoanClosed v1. Engine key `closed:<date>`. */
export const loanClosedV1Schema = envelopeSchema('LoanClosed', 1, loanClosedV1PayloadSchema);
export type LoanClosedV1 = z.infer<typeof loanClosedV1Schema>;
