import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { nonNegativeMoneySchema } from '../money.js';
import { checkOneCurrency, checkScheduledTotal, componentAmountsSchema, installmentShape, sumMinor } from './loan-lifecycle.v1.js';

/**
 * An installment is fully paid, penalties included; the business date is the day it was settled.
 * `paid` is what it received by component (principal, interest and fees equal `scheduled`); `totalPaid`
 * is their sum.
 */
export const installmentPaidV1PayloadSchema = z
  .object({
    ...installmentShape,
    paid: componentAmountsSchema,
    totalPaid: nonNegativeMoneySchema,
  })
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine(checkScheduledTotal)
  .superRefine((p, ctx) => {
    const parts = sumMinor([p.paid.principal, p.paid.interest, p.paid.fees, p.paid.penalties]);
    const whole = sumMinor([p.totalPaid]);
    if (parts !== undefined && whole !== undefined && parts !== whole) {
      ctx.addIssue({ code: 'custom', path: ['totalPaid'], message: 'must equal the sum of paid principal, interest, fees and penalties' });
    }
  });
export type InstallmentPaidV1Payload = z.infer<typeof installmentPaidV1PayloadSchema>;

/** InstallmentPaid v1: an installment was settled. Engine key `installment-paid:<n>:<date>`. */
export const installmentPaidV1Schema = envelopeSchema('InstallmentPaid', 1, installmentPaidV1PayloadSchema);
export type InstallmentPaidV1 = z.infer<typeof installmentPaidV1Schema>;
