import { DECIMAL_CURRENCIES, findCurrency, MAX_INTEGER_DIGITS } from '@lendstack/loan-engine';
import { z } from 'zod';

/**
 * The largest amount of minor units anything in Lendstack carries: 18 digits, the loan engine's bound on
 * a number, which also fits a Postgres bigint (2^63 − 1 ≈ 9.2 × 10^18) with room for sums of a few parts.
 */
export const MAX_AMOUNT_DIGITS = MAX_INTEGER_DIGITS;
export const MAX_AMOUNT_MINOR = 10n ** BigInt(MAX_AMOUNT_DIGITS) - 1n;

/** ISO 4217 codes with a decimal minor unit, the engine's table (dinero.js): what a loan can be booked in. */
export const currencyCodes = DECIMAL_CURRENCIES.map((c) => c.code) as [string, ...string[]];

const AMOUNT = new RegExp(`^-?(0|[1-9]\\d{0,${MAX_AMOUNT_DIGITS - 1}})$`);

export const currencySchema = z.enum(currencyCodes, {
  error: 'currency must be an ISO 4217 code with a decimal minor unit (e.g. INR, USD, JPY, KWD)',
});

/**
 * The scale must be the currency's own minor-unit digits (JPY 0, INR 2, KWD 3): no other scale is bookable.
 * Money's refinements are `documented`: the services' OpenAPI documents state them (schemaDoc in the platform:
 * the amount's sign in its pattern, one branch per currency and scale), so breaking one breaks the document (400).
 */
const currencyScale = (m: { currency: string; scale: number }, ctx: z.core.$RefinementCtx): void => {
  const currency = findCurrency(m.currency);
  if (currency && currency.scale !== m.scale) {
    ctx.addIssue({ code: 'custom', path: ['scale'], message: `scale must be ${currency.scale} for ${currency.code}`, params: { documented: true } });
  }
};

/**
 * Money on the wire: an integer count of minor units as a string (never a float) of at most 18 digits,
 * an ISO 4217 currency with a decimal minor unit and that currency's scale (number of minor-unit digits).
 * `{"amount":"1234567","currency":"INR","scale":2}` is INR 12,345.67.
 */
export const moneySchema = z
  .object({
    amount: z.string().regex(AMOUNT, `amount must be an integer count of minor units, as a string of at most ${MAX_AMOUNT_DIGITS} digits`),
    currency: currencySchema,
    scale: z.number().int().min(0).max(4).describe("The currency's minor-unit digits: JPY 0, INR/USD 2, KWD 3"),
  })
  .strict()
  .superRefine(currencyScale);
export type Money = z.infer<typeof moneySchema>;

/** Money that must not be negative (a fee, which may be zero). */
export const nonNegativeMoneySchema = moneySchema.refine((m) => !AMOUNT.test(m.amount) || !m.amount.startsWith('-'), {
  message: 'amount must not be negative',
  path: ['amount'],
  params: { documented: true },
});

/** Money that must be strictly positive (a principal). */
// A malformed amount already has its own issue from moneySchema; only a well-formed one is compared.
export const positiveMoneySchema = moneySchema.refine((m) => !AMOUNT.test(m.amount) || BigInt(m.amount) > 0n, {
  message: 'amount must be greater than zero',
  path: ['amount'],
  params: { documented: true },
});
