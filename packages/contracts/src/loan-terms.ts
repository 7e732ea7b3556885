import { LOAN_DATE_RANGE, loanDateString } from '@lendstack/loan-engine';
import { z } from 'zod';
import { moneySchema, nonNegativeMoneySchema, positiveMoneySchema } from './money.js';

/**
 * The loan terms a partner may submit, LoanApproved carries and the LMS books: one definition, built
 * from the loan engine's own rules (currencies, digits, calendar), so nothing the LOS accepts can be
 * refused by the LMS for its shape. Whether the engine can compute a schedule from a combination of
 * terms is checked by `checkBookable` (bookable.ts), the same function the LMS books with.
 */
export const frequencySchema = z.enum(['weekly', 'biweekly', 'semi-monthly', 'monthly', 'quarterly']);
export const scheduleMethodSchema = z.enum([
  'equal-installment',
  'equal-principal',
  'flat',
  'interest-only',
  'bullet',
  'zero-interest-split',
]);
/**
 * The engine's day counts (DAY_COUNTS in @lendstack/loan-engine). '30/360' is the documented alias of
 * '30/360-us' (the US / SIA rule with the February month-end rules); the other names followed it.
 */
export const dayCountSchema = z.enum([
  '30/360',
  '30e/360',
  'actual/360',
  'actual/365',
  'actual/actual-isda',
  '30/360-us',
  '30/360-isda',
  '30e/360-isda',
  'actual/actual-icma',
]);

/**
 * A loan date: a real calendar date within the engine's calendar (LOAN_DATE_RANGE). The JSON Schema
 * carries LOAN_DATE_PATTERN, the same set of dates as a regular expression (a test proves they agree).
 */
export function loanDateSchema(description?: string): typeof loanDateString {
  // `.describe()` makes a new instance, so a described loan date is registered as itself.
  const schema = description === undefined ? loanDateString.clone() : loanDateString.describe(description);
  loanDates.add(schema);
  return schema;
}
// Each use is its own instance, so the JSON Schema generator sees (and mirrors) every occurrence.
const loanDates = new WeakSet<object>();
export const isLoanDateSchema = (schema: unknown): boolean => typeof schema === 'object' && schema !== null && loanDates.has(schema);
export const LOAN_DATE_PATTERN =
  '^(?:(?:19(?:0[48]|[2468][048]|[13579][26])|2\\d(?:0[48]|[2468][048]|[13579][26])|2[048]00)-02-29|' +
  '(?:19|2\\d)\\d\\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))$';
export const loanDateDescription = `Calendar date, YYYY-MM-DD, from ${LOAN_DATE_RANGE.min} to ${LOAN_DATE_RANGE.max}`;

export const annualRatePercentSchema = z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, 'annual rate as a decimal string, e.g. "12.5"');

export const feeSchema = z
  .object({
    code: z.string().min(1).max(40),
    name: z.string().min(1).max(100),
    amount: nonNegativeMoneySchema,
    timing: z.enum(['upfront', 'financed', 'per-installment']),
  })
  .strict();

/** The fields of the loan terms, shared by the submission API and LoanApproved. */
export const loanTermsShape = {
  productCode: z.string().min(1).max(40),
  principal: positiveMoneySchema,
  annualRatePercent: annualRatePercentSchema,
  termPeriods: z.number().int().min(1).max(600),
  frequency: frequencySchema,
  scheduleMethod: scheduleMethodSchema,
  interestCalculation: z.enum(['per-period', 'daily']),
  dayCount: dayCountSchema,
  expectedDisbursementDate: loanDateSchema(),
  firstDueDate: loanDateSchema().optional(),
  fees: z.array(feeSchema).max(20),
};

type Terms = {
  principal: z.infer<typeof moneySchema>;
  fees: readonly { amount: z.infer<typeof moneySchema> }[];
  scheduleMethod: string;
  annualRatePercent: string;
  expectedDisbursementDate: string;
  firstDueDate?: string | undefined;
};

/** Rules across fields of the terms; each issue names its field. */
export function checkTermsRelations(terms: Terms, ctx: z.core.$RefinementCtx): void {
  terms.fees.forEach((fee, index) => {
    if (fee.amount.currency !== terms.principal.currency || fee.amount.scale !== terms.principal.scale) {
      ctx.addIssue({ code: 'custom', path: ['fees', index, 'amount'], message: 'every fee must be in the currency and scale of the principal' });
    }
  });
  // The engine splits without interest only at 0 %.
  if (terms.scheduleMethod === 'zero-interest-split' && /[1-9]/.test(terms.annualRatePercent)) {
    ctx.addIssue({ code: 'custom', path: ['annualRatePercent'], message: 'must be 0 for scheduleMethod zero-interest-split' });
  }
  const valid = (date: string | undefined): date is string => date !== undefined && loanDateString.safeParse(date).success;
  if (valid(terms.firstDueDate) && valid(terms.expectedDisbursementDate) && terms.firstDueDate <= terms.expectedDisbursementDate) {
    ctx.addIssue({ code: 'custom', path: ['firstDueDate'], message: 'must be after expectedDisbursementDate' });
  }
}
