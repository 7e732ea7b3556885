import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { accrualStatusSchema, dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

/**
 * The loan moved to non-accrual (dpd reached the product's non-accrual threshold, 90 by default: unpaid
 * accrued interest and penalties leave income for the memorandum) or back to accruing (dpd 0 again).
 */
export const accrualStatusChangedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    accrualStatus: accrualStatusSchema,
    previousAccrualStatus: accrualStatusSchema,
    dpd: dpdSchema,
  })
  .strict()
  .refine((p) => p.accrualStatus !== p.previousAccrualStatus, { path: ['previousAccrualStatus'], message: 'must differ from accrualStatus' });
export type AccrualStatusChangedV1Payload = z.infer<typeof accrualStatusChangedV1PayloadSchema>;

/** AccrualStatusChanged v1: accruing ⇄ non-accrual. Engine key `accrual-status:<date>`. */
export const accrualStatusChangedV1Schema = envelopeSchema('AccrualStatusChanged', 1, accrualStatusChangedV1PayloadSchema);
export type AccrualStatusChangedV1 = z.infer<typeof accrualStatusChangedV1Schema>;
