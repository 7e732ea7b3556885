import { contactSchema, dayCountSchema, frequencySchema, moneySchema, personNameSchema, postalAddressSchema, scheduleMethodSchema } from '@lendstack/contracts';
import { pageQuerySchema } from '@lendstack/platform';
import { z } from 'zod';

const isoDate = z.iso.date();

/** What a partner sends to apply for a loan. National id and account number arrive in clear and are tokenised. */
export const submitApplicationBodySchema = z
  .object({
    applicant: z
      .object({
        id: z.string().min(1).max(64).optional().describe("The partner's own borrower id; derived from the national id when absent."),
        name: personNameSchema,
        contact: contactSchema,
        address: postalAddressSchema,
        nationalId: z.object({ type: z.string().min(1).max(32), value: z.string().min(4).max(64) }).strict(),
        bankAccount: z
          .object({
            holderName: z.string().min(1).max(140),
            accountNumber: z.string().regex(/^\d{6,34}$/, 'account number must be 6 to 34 digits'),
            bankCode: z.string().min(1).max(34),
            mandateReference: z.string().min(1).max(64).optional(),
          })
          .strict(),
      })
      .strict(),
    loan: z
      .object({
        productCode: z.string().min(1).max(40),
        // zod runs this refinement even when `amount` failed its own format check ("1.5"), and BigInt
        // would throw on it (a 500); a malformed amount is already reported, so skip it here.
        principal: moneySchema.refine((m) => !/^-?\d+$/.test(m.amount) || BigInt(m.amount) > 0n, { message: 'principal must be greater than zero', path: ['amount'] }),
        annualRatePercent: z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, 'annual rate as a decimal string, e.g. "12.5"'),
        termPeriods: z.number().int().min(1).max(600),
        frequency: frequencySchema,
        scheduleMethod: scheduleMethodSchema.default('equal-installment'),
        interestCalculation: z.enum(['per-period', 'daily']).default('per-period'),
        dayCount: dayCountSchema.default('30/360'),
        expectedDisbursementDate: isoDate,
        firstDueDate: isoDate.optional(),
        fees: z
          .array(z.object({ code: z.string().min(1).max(40), name: z.string().min(1).max(100), amount: moneySchema, timing: z.enum(['upfront', 'financed', 'per-installment']) }).strict())
          .max(20)
          .default([]),
      })
      .strict()
      .refine((l) => l.fees.every((f) => f.amount.currency === l.principal.currency && f.amount.scale === l.principal.scale), {
        message: 'every fee must be in the currency and scale of the principal',
        path: ['fees'],
      })
      // The loan engine books a zero-interest split only at 0 %; refusing it here keeps the LMS from
      // dead-lettering a loan the LOS approved.
      .refine((l) => l.scheduleMethod !== 'zero-interest-split' || Number(l.annualRatePercent) === 0, {
        message: 'must be 0 for scheduleMethod zero-interest-split',
        path: ['annualRatePercent'],
      }),
  })
  .strict();
export type SubmitApplicationBody = z.infer<typeof submitApplicationBodySchema>;

export const declineBodySchema = z.object({ reason: z.string().min(3).max(500) }).strict();
export const approveBodySchema = z.object({ note: z.string().max(500).optional() }).strict().default({});
export const listApplicationsQuerySchema = pageQuerySchema.extend({ status: z.enum(['submitted', 'approved', 'declined']).optional() }).strict();
export const applicationParamsSchema = z.object({ id: z.uuid('application id must be a UUID') });
export const idempotencyKeySchema = z.string().min(8).max(128).regex(/^[\w.:-]+$/, 'Idempotency-Key: 8-128 characters of letters, digits, _ . : -');
