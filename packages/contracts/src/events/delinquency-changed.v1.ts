import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { dpdSchema, engineEventShape, rbiClassSchema, usBucketSchema } from './loan-lifecycle.v1.js';

/** The loan's classification on one day. */
export const delinquencyClassSchema = z
  .object({
    dpd: dpdSchema,
    usBucket: usBucketSchema,
    rbiClass: rbiClassSchema,
  })
  .strict();

/**
 * The US bucket or the RBI class changed at the end of the business date. `dpd` = business date − due
 * date of the oldest installment with principal, interest or fees unpaid (0 when none); the US bucket stays
 * `current` within the product's grace days, the RBI class follows raw DPD, and an NPA returns to standard
 * only when all arrears are paid. `previous` is the classification at the end of the day before.
 */
export const delinquencyChangedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    ...delinquencyClassSchema.shape,
    previous: delinquencyClassSchema,
    oldestUnpaidDueDate: loanDateSchema().optional().describe('Absent when nothing is past due (dpd 0)'),
    npaSince: loanDateSchema().optional().describe('The business date the loan became NPA, while it is NPA'),
  })
  .strict();
export type DelinquencyChangedV1Payload = z.infer<typeof delinquencyChangedV1PayloadSchema>;

/** DelinquencyChanged v1: a move between delinquency buckets or RBI classes. Engine key `delinquency:<date>`. */
export const delinquencyChangedV1Schema = envelopeSchema('DelinquencyChanged', 1, delinquencyChangedV1PayloadSchema);
export type DelinquencyChangedV1 = z.infer<typeof delinquencyChangedV1Schema>;
