import { z } from 'zod';

/**
 * Money on the wire: an integer count of minor units as a string (never a float), an ISO 4217
 * currency and the scale (number of minor-unit digits) the amount is expressed in.
 * `{"amount":"1234567","currency":"INR","scale":2}` is INR 12,345.67.
 */
export const moneySchema = z
  .object({
    amount: z.string().regex(/^-?(0|[1-9]\d*)$/, 'amount must be an integer count of minor units, as a string'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code'),
    scale: z.number().int().min(0).max(4),
  })
  .strict();
export type Money = z.infer<typeof moneySchema>;

/** Money that must be strictly positive (a principal, a fee). */
// A malformed amount already has its own issue from moneySchema; only a well-formed one is compared.
export const positiveMoneySchema = moneySchema.refine((m) => !/^-?(0|[1-9]\d*)$/.test(m.amount) || BigInt(m.amount) > 0n, {
  message: 'amount must be greater than zero',
  path: ['amount'],
});
