import { DECIMAL_CURRENCIES, scheduleRequestSchema } from '@lendstack/loan-engine';
import { z } from 'zod';

/**
 * The engine's schedule request, exactly as the `loancalc schedule` CLI takes it, except that an
 * unknown top-level property is refused: a misspelt optional field (`firstDuedate`) would otherwise be
 * dropped silently and the partner would be shown a quote for other terms than they asked for.
 */
export const quoteRequestSchema = scheduleRequestSchema.strict();

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; pattern?: string };

/**
 * What the engine's refinements enforce, written into the request's JSON Schema so a schema-valid
 * request is one the engine accepts: a principal (and an installment multiple) above zero, and a
 * currency the engine has (ISO 4217 with a decimal minor unit). The decimals allowed per currency
 * depend on the currency and stay in the description.
 */
export function withEngineRules(doc: JsonSchema): JsonSchema {
  const props = doc.properties ?? {};
  const aboveZero = (schema: JsonSchema | undefined) => {
    if (schema?.pattern?.startsWith('^')) schema.pattern = `^(?!0*(\\.0*)?$)${schema.pattern.slice(1)}`;
  };
  aboveZero(props.principal);
  aboveZero(props.rounding?.properties?.installmentMultipleOf);
  if (props.currency) props.currency = { ...props.currency, type: 'string', enum: DECIMAL_CURRENCIES.map((c) => c.code) };
  return doc;
}

const amount = z.string().describe('Decimal string in major units with exactly the currency\'s decimals');

/** The engine's schedule result; for the OpenAPI document only (the engine builds the value). */
export const quoteResponseDocSchema = z.object({
  currency: z.string(),
  installments: z.array(
    z.object({
      number: z.int().min(0).max(1200).describe('1-based; 0 is the down payment row when there is one'),
      dueDate: z.string().meta({ format: 'date' }),
      principal: amount,
      interest: amount,
      fees: amount,
      total: amount,
      balanceAfter: amount,
      capitalisedInterest: amount.optional().describe('Only with a moratorium'),
    }),
  ),
  totals: z.object({ principal: amount, interest: amount, fees: amount, payable: amount, capitalisedInterest: amount, upfrontFees: amount }),
  apr: z.string().nullable().describe('Regulation Z APR in percent, 4 decimals; null when the flows have no solution'),
  installmentAmount: amount.nullable(),
  amountFinanced: amount,
  netDisbursed: amount,
});
