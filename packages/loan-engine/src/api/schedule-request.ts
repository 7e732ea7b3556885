import { z } from 'zod';
import { BUSINESS_DAY_CONVENTIONS, longestNonBusinessRun, makeCalendar, MAX_SHIFT_DAYS } from '../dates/business-days.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { formatIsoDate, tryParseIsoDate } from '../dates/local-date.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { compare, fromInt, parseDecimal } from '../math/rational.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { findCurrency } from '../money/currency.js';
import { METHODS } from '../schedule/types.js';
import { MAX_TERM_PERIODS } from '../schedule/validate.js';
import { currencyCode, decimals, decimalString, isDecimal, isoDateString, loanDateString } from './common-schemas.js';

const MAX_GRACE_PERIODS = MAX_TERM_PERIODS;
const MAX_FEES = 50;
const MAX_RATE_PERCENT = 1000;
const MAX_HOLIDAYS = 5000;

const feeSchema = z.object({
  name: z.string().min(1).max(100),
  amount: decimalString,
  timing: z.enum(['upfront', 'financed', 'per-installment']),
  /** Whether the fee is a finance charge for the APR; defaults to true. */
  includeInApr: z.boolean().default(true),
});

const graceSchema = z.object({
  principalPeriods: z.int().min(0).max(MAX_GRACE_PERIODS).default(0),
  interestPeriods: z.int().min(0).max(MAX_GRACE_PERIODS).default(0),
  moratoriumPeriods: z.int().min(0).max(MAX_GRACE_PERIODS).default(0),
});

const roundingSchema = z.object({
  mode: z.enum(ROUNDING_MODES).default('half-up'),
  installmentMultipleOf: decimalString.optional(),
});

const businessDaysSchema = z.object({
  convention: z.enum(BUSINESS_DAY_CONVENTIONS),
  holidays: z.array(isoDateString).max(MAX_HOLIDAYS).default([]),
  weekendDays: z.array(z.int().min(0).max(6)).max(7).default([0, 6]),
});

const baseSchema = z.object({
  principal: decimalString.describe('Loan amount in major units, at most the currency\'s decimals'),
  currency: currencyCode.describe('ISO 4217 code; sets the minor-unit scale (USD 2, JPY 0, KWD 3)'),
  annualRatePercent: decimalString.describe('Nominal annual interest rate in percent, e.g. "10.5"'),
  termPeriods: z.int().min(1).max(MAX_TERM_PERIODS).describe('Number of installments'),
  frequency: z.enum(FREQUENCIES),
  method: z.enum(METHODS),
  interestCalculation: z
    .enum(['per-period', 'daily'])
    .describe('per-period: annual rate ÷ periods per year; daily: annual rate × day-count year fraction'),
  dayCount: z.enum(DAY_COUNTS),
  disbursementDate: loanDateString,
  firstDueDate: loanDateString.optional().describe('First due date; makes the first period odd (short or long)'),
  rounding: roundingSchema.optional(),
  grace: graceSchema.optional(),
  fees: z.array(feeSchema).max(MAX_FEES).optional(),
  /** Paid on the disbursement date (installment 0); the rest is financed. */
  downPayment: decimalString.optional(),
  businessDays: businessDaysSchema.optional(),
});

type Ctx = z.core.$RefinementCtx<z.output<typeof baseSchema>>;

/**
 * The schedule request: every amount a decimal string in major units of `currency`, every rate
 * a decimal percent string. Errors carry the field path (e.g. ["fees", 0, "amount"]).
 */
export const scheduleRequestSchema = baseSchema.superRefine((req, ctx) => {
  const currency = findCurrency(req.currency);
  if (!currency) return;
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  checkAmount(req.principal, currency.scale, ['principal'], issue, true);
  checkAmount(req.downPayment, currency.scale, ['downPayment'], issue, false);
  checkAmount(req.rounding?.installmentMultipleOf, currency.scale, ['rounding', 'installmentMultipleOf'], issue, true);
  req.fees?.forEach((f, i) => checkAmount(f.amount, currency.scale, ['fees', i, 'amount'], issue, false));
  const down = req.downPayment;
  if (isDecimal(down) && isDecimal(req.principal) && compare(parseDecimal(down), parseDecimal(req.principal)) >= 0) {
    issue(['downPayment'], 'must be less than the principal');
  }
  checkRelations(req, ctx);
  checkCalendar(req.businessDays, issue);
});

type Issue = (path: (string | number)[], message: string) => void;

function checkAmount(value: string | undefined, scale: number, path: (string | number)[], issue: Issue, positive: boolean): void {
  if (value === undefined || !isDecimal(value)) return; // the field's own check reports it
  if (decimals(value) > scale) issue(path, `must have at most ${scale} decimals for this currency`);
  else if (positive && !/[1-9]/.test(value)) issue(path, 'must be greater than zero');
}

function checkRelations(req: z.output<typeof baseSchema>, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const disbursed = tryParseIsoDate(req.disbursementDate);
  const first = req.firstDueDate === undefined ? undefined : tryParseIsoDate(req.firstDueDate);
  if (disbursed !== undefined && first !== undefined && first <= disbursed) {
    issue(['firstDueDate'], 'must be after disbursementDate');
  }
  const g = req.grace;
  if (g && g.moratoriumPeriods + Math.max(g.principalPeriods, g.interestPeriods) >= req.termPeriods) {
    issue(['grace'], 'moratorium plus grace periods must leave at least one installment within termPeriods');
  }
  if (req.method === 'flat' && (g?.moratoriumPeriods ?? 0) > 0) {
    issue(['grace', 'moratoriumPeriods'], 'is not supported with the flat method');
  }
  if (req.method === 'zero-interest-split' && /[1-9]/.test(req.annualRatePercent)) {
    issue(['annualRatePercent'], 'must be 0 for zero-interest-split');
  }
  const rate = req.annualRatePercent;
  if (isDecimal(rate) && compare(parseDecimal(rate), fromInt(MAX_RATE_PERCENT)) > 0) {
    issue(['annualRatePercent'], `must be at most ${MAX_RATE_PERCENT}`);
  }
}

/**
 * A due date moves at most MAX_SHIFT_DAYS to a business day, so the calendar must not hold a
 * longer run of non-business days: refused here with a field path rather than thrown by schedule().
 */
function checkCalendar(bd: z.output<typeof businessDaysSchema> | undefined, issue: Issue): void {
  if (!bd || bd.convention === 'none') return;
  const holidays = bd.holidays.map(tryParseIsoDate).filter((d): d is number => d !== undefined);
  const run = longestNonBusinessRun(makeCalendar(holidays, bd.weekendDays));
  if (run === undefined || run.days <= MAX_SHIFT_DAYS) return;
  if (!Number.isFinite(run.days)) {
    issue(['businessDays', 'weekendDays'], 'must leave at least one business day in the week');
    return;
  }
  const last = formatIsoDate(run.start + run.days - 1);
  issue(['businessDays', 'holidays'], `must leave a business day within every ${MAX_SHIFT_DAYS + 1} days; ${formatIsoDate(run.start)} to ${last} has none`);
}

export type ScheduleRequest = z.input<typeof scheduleRequestSchema>;
export type ParsedScheduleRequest = z.output<typeof scheduleRequestSchema>;
