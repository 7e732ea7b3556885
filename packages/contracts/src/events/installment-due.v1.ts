import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkOneCurrency, checkScheduledTotal, installmentShape } from './loan-lifecycle.v1.js';

/** An installment fell due (business date = its due date); `scheduled` is what the schedule asks for. */
export const installmentDueV1PayloadSchema = z
  .object(installmentShape)
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine(checkScheduledTotal);
export type InstallmentDueV1Payload = z.infer<typeof installmentDueV1PayloadSchema>;

/** InstallmentDue v1: end of day reached an installment's due date. Engine key `installment-due:<n>`. */
export const installmentDueV1Schema = envelopeSchema('InstallmentDue', 1, installmentDueV1PayloadSchema);
export type InstallmentDueV1 = z.infer<typeof installmentDueV1Schema>;
