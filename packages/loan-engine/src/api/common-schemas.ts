import { z } from 'zod';
import { tryParseIsoDate } from '../dates/local-date.js';
import { isKnownCurrency } from '../money/currency.js';

/** Bounds on textual numbers keep every bigint small enough to stay fast. */
export const MAX_INTEGER_DIGITS = 18;
const MAX_FRACTION_DIGITS = 12;

const DECIMAL = new RegExp(`^\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,${MAX_FRACTION_DIGITS}})?$`);

export const decimalString = z.string().regex(DECIMAL, 'must be a non-negative decimal string such as "1234.50"');

export const isoDateString = z
  .string()
  .refine((v) => tryParseIsoDate(v) !== undefined, 'must be a real calendar date in YYYY-MM-DD form')
  .meta({ format: 'date', description: 'Calendar date, YYYY-MM-DD' });

/**
 * Loan dates are bounded: outside these years a date is a typo, and a 1,200-quarter schedule from
 * 2999-12-31 still ends in a 4-digit year (3299), so every due date stays ISO 8601 (YYYY-MM-DD).
 */
export const LOAN_DATE_RANGE = { min: '1900-01-01', max: '2999-12-31' } as const;

/** A real calendar date within LOAN_DATE_RANGE. */
// `params.documented`: the published JSON Schema states this rule too (LOAN_DATE_PATTERN in @lendstack/contracts),
// so a request breaking it breaks the document (a 400 in the services, not a 422 for a rule no schema states).
export const loanDateString = z
  .string()
  .refine((v) => tryParseIsoDate(v) !== undefined, { message: 'must be a real calendar date in YYYY-MM-DD form', abort: true, params: { documented: true } })
  .refine((v) => v >= LOAN_DATE_RANGE.min && v <= LOAN_DATE_RANGE.max, { message: `must be from ${LOAN_DATE_RANGE.min} to ${LOAN_DATE_RANGE.max}`, params: { documented: true } })
  .meta({ format: 'date', description: `Calendar date, YYYY-MM-DD, from ${LOAN_DATE_RANGE.min} to ${LOAN_DATE_RANGE.max}` });

export const currencyCode = z
  .string()
  // Documented: the quote document lists the codes as an enum (withEngineRules in the LOS).
  .refine((v) => isKnownCurrency(v), { message: 'must be an ISO 4217 currency code with a decimal minor unit', params: { documented: true } });

/** True for strings the decimalString schema accepts (used by cross-field checks). */
export function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** Number of decimals in a decimal string ("12.50" → 2). */
export function decimals(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.replace(/0+$/, '').length - dot - 1;
}
