import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { nonNegativeMoneySchema } from '../money.js';
import { dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

/**
 * The loan was charged off at the end of the business date (dpd reached the product's charge-off
 * threshold, 120 by default for closed-end retail loans): principal outstanding written off, receivable
 * interest, fees and penalties reversed. Nothing accrues or falls due afterwards; later repayments are
 * recoveries (RepaymentReceived with `allocation.recovery`).
 */
export const loanChargedOffV1PayloadSchema = z
  .object({
    ...engineEventShape,
    principalWrittenOff: nonNegativeMoneySchema,
    dpd: dpdSchema,
  })
  .strict();
export type LoanChargedOffV1Payload = z.infer<typeof loanChargedOffV1PayloadSchema>;

/** LoanChargedOff v1. Engine key `charged-off:<date>`. */
export const loanChargedOffV1Schema = envelopeSchema('LoanChargedOff', 1, loanChargedOffV1PayloadSchema);
export type LoanChargedOffV1 = z.infer<typeof loanChargedOffV1Schema>;
