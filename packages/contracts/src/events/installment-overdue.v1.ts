import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkOneCurrency, checkScheduledTotal, installmentShape } from './loan-lifecycle.v1.js';

/**
 * An installment is overdue: principal, interest or fees still unpaid at the end of its due date. The
 * business date is the day after the due date (grace days delay fees and bucket moves, not this event).
 */
export const installmentOverdueV1PayloadSchema = z
  .object(installmentShape)
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine(checkScheduledTotal);
export type InstallmentOverdueV1Payload = z.infer<typeof installmentOverdueV1PayloadSchema>;

/** InstallmentOverdue v1: an installment went past due unpaid. Engine key `installment-overdue:<n>`. */
export const installmentOverdueV1Schema = envelopeSchema('InstallmentOverdue', 1, installmentOverdueV1PayloadSchema);
export type InstallmentOverdueV1 = z.infer<typeof installmentOverdueV1Schema>;
