import { z } from 'zod';
import { BUSINESS_DAY_CONVENTIONS, longestNonBusinessRun, makeCalendar, MAX_SHIFT_DAYS } from '../dates/business-days.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { formatIsoDate, tryParseIsoDate } from '../dates/local-date.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { compare, fromInt, parseDecimal } from '../math/rational.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { findCurrency, isKnownCurrency } from '../money/currency.js';
import { METHODS } from '../schedule/types.js';
import { MAX_TERM_PERIODS } from '../schedule/validate.js';
import { currencyCode, decimals, decimalString, isDecimal, isoDateString, LOAN_DATE_RANGE, loanDateString } from './common-schemas.js';

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

/**
 * The schedule request: every amount a decimal string in major units of `currency`, every rate
 * a decimal percent string. Errors carry the field path (e.g. ["fees", 0, "amount"]).
 */
export const scheduleRequestSchema = baseSchema.superRefine((req, ctx) => {
  crossFieldChecks(req, (path, message, documented) => ctx.addIssue({ code: 'custom', path, message, ...(documented ? { params: { documented: true } } : {}) }));
});

/** `documented`: a published JSON Schema of the request states the rule too (the LOS quote document's `withEngineRules`). */
type Issue = (path: (string | number)[], message: string, documented?: boolean) => void;

/** The checks across fields, run on a request whose every field passed its own schema. */
function crossFieldChecks(req: z.output<typeof baseSchema>, issue: Issue): void {
  const currency = findCurrency(req.currency);
  if (!currency) return;
  checkAmount(req.principal, currency.scale, ['principal'], issue, true);
  checkAmount(req.downPayment, currency.scale, ['downPayment'], issue, false);
  checkAmount(req.rounding?.installmentMultipleOf, currency.scale, ['rounding', 'installmentMultipleOf'], issue, true);
  req.fees?.forEach((f, i) => checkAmount(f.amount, currency.scale, ['fees', i, 'amount'], issue, false));
  const down = req.downPayment;
  if (isDecimal(down) && isDecimal(req.principal) && compare(parseDecimal(down), parseDecimal(req.principal)) >= 0) {
    issue(['downPayment'], 'must be less than the principal');
  }
  checkRelations(req, issue);
  checkCalendar(req.businessDays, issue);
}

function checkAmount(value: string | undefined, scale: number, path: (string | number)[], issue: Issue, positive: boolean): void {
  if (value === undefined || !isDecimal(value)) return; // the field's own check reports it
  if (decimals(value) > scale) issue(path, `must have at most ${scale} decimals for this currency`);
  else if (positive && !/[1-9]/.test(value)) issue(path, 'must be greater than zero', true);
}

function checkRelations(req: z.output<typeof baseSchema>, issue: Issue): void {
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
  // Number(rate) < 1000 (correctly rounded, and 1000 is a double) already shows rate ≤ 1000.
  if (isDecimal(rate) && !(Number(rate) < MAX_RATE_PERCENT) && compare(parseDecimal(rate), fromInt(MAX_RATE_PERCENT)) > 0) {
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

/**
 * Validates a schedule request: `scheduleRequestSchema.parse(input)`, with its ZodError on bad
 * input. A request whose every field certainly passes (the checks below are the schema's own,
 * field by field, then the same cross-field checks) is returned without running zod, built as
 * zod builds it (defaults filled, unknown keys dropped); anything else — every refusal included —
 * goes through zod, so errors are zod's. (A property test compares the two on fuzzed requests.)
 */
export function parseScheduleRequest(input: unknown): ParsedScheduleRequest {
  return parseValidRequest(input) ?? scheduleRequestSchema.parse(input);
}

/** The parsed request when `input` passes scheduleRequestSchema for certain, else undefined. */
export function parseValidRequest(input: unknown): ParsedScheduleRequest | undefined {
  if (!isObject(input)) return undefined;
  const r = input as Record<string, unknown>;
  const { principal, currency, annualRatePercent, termPeriods, frequency, method, interestCalculation, dayCount, disbursementDate, firstDueDate, downPayment } = r;
  if (!isDecimal(principal) || typeof currency !== 'string' || !isKnownCurrency(currency) || !isDecimal(annualRatePercent)) return undefined;
  if (!isIntIn(termPeriods, 1, MAX_TERM_PERIODS)) return undefined;
  if (!isOneOf<Field<'frequency'>>(frequency, FREQUENCY_SET) || !isOneOf<Field<'method'>>(method, METHOD_SET)) return undefined;
  if (!isOneOf<Field<'interestCalculation'>>(interestCalculation, INTEREST_SET) || !isOneOf<Field<'dayCount'>>(dayCount, DAY_COUNT_SET)) return undefined;
  if (!isLoanDate(disbursementDate) || (firstDueDate !== undefined && !isLoanDate(firstDueDate))) return undefined;
  if (downPayment !== undefined && !isDecimal(downPayment)) return undefined;
  const out: ParsedScheduleRequest = { principal, currency, annualRatePercent, termPeriods, frequency, method, interestCalculation, dayCount, disbursementDate };
  if (firstDueDate !== undefined) out.firstDueDate = firstDueDate;
  if (r.rounding !== undefined) {
    const rounding = parseRounding(r.rounding);
    if (!rounding) return undefined;
    out.rounding = rounding;
  }
  if (r.grace !== undefined) {
    const grace = parseGrace(r.grace);
    if (!grace) return undefined;
    out.grace = grace;
  }
  if (r.fees !== undefined) {
    const fees = parseFees(r.fees);
    if (!fees) return undefined;
    out.fees = fees;
  }
  if (downPayment !== undefined) out.downPayment = downPayment;
  if (r.businessDays !== undefined) {
    const businessDays = parseBusinessDays(r.businessDays);
    if (!businessDays) return undefined;
    out.businessDays = businessDays;
  }
  refusals = 0;
  crossFieldChecks(out, countRefusal);
  return refusals === 0 ? out : undefined;
}

/** Cross-field refusals of the request parseValidRequest is checking (it runs synchronously). */
let refusals = 0;
const countRefusal: Issue = () => {
  refusals += 1;
};

type Parsed<K extends keyof ParsedScheduleRequest> = NonNullable<ParsedScheduleRequest[K]>;
type Field<K extends keyof ParsedScheduleRequest> = ParsedScheduleRequest[K];

const FREQUENCY_SET: ReadonlySet<unknown> = new Set(FREQUENCIES);
const METHOD_SET: ReadonlySet<unknown> = new Set(METHODS);
const INTEREST_SET: ReadonlySet<unknown> = new Set(['per-period', 'daily']);
const DAY_COUNT_SET: ReadonlySet<unknown> = new Set(DAY_COUNTS);
const ROUNDING_SET: ReadonlySet<unknown> = new Set(ROUNDING_MODES);
const TIMING_SET: ReadonlySet<unknown> = new Set(['upfront', 'financed', 'per-installment']);
const CONVENTION_SET: ReadonlySet<unknown> = new Set(BUSINESS_DAY_CONVENTIONS);

/** What z.object accepts: a non-null object that is not an array. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T>(value: unknown, set: ReadonlySet<unknown>): value is T {
  return set.has(value);
}

/** z.int().min(min).max(max) with bounds inside the safe integers. */
function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isLoanDate(value: unknown): value is string {
  return typeof value === 'string' && tryParseIsoDate(value) !== undefined && value >= LOAN_DATE_RANGE.min && value <= LOAN_DATE_RANGE.max;
}

function parseRounding(value: unknown): Parsed<'rounding'> | undefined {
  if (!isObject(value)) return undefined;
  const { mode, installmentMultipleOf } = value;
  if (mode !== undefined && !isOneOf<Parsed<'rounding'>['mode']>(mode, ROUNDING_SET)) return undefined;
  if (installmentMultipleOf !== undefined && !isDecimal(installmentMultipleOf)) return undefined;
  const out: Parsed<'rounding'> = { mode: mode ?? 'half-up' };
  if (installmentMultipleOf !== undefined) out.installmentMultipleOf = installmentMultipleOf;
  return out;
}

function parseGrace(value: unknown): Parsed<'grace'> | undefined {
  if (!isObject(value)) return undefined;
  const { principalPeriods = 0, interestPeriods = 0, moratoriumPeriods = 0 } = value;
  const ok = isIntIn(principalPeriods, 0, MAX_GRACE_PERIODS) && isIntIn(interestPeriods, 0, MAX_GRACE_PERIODS) && isIntIn(moratoriumPeriods, 0, MAX_GRACE_PERIODS);
  return ok ? { principalPeriods, interestPeriods, moratoriumPeriods } : undefined;
}

function parseFees(value: unknown): Parsed<'fees'> | undefined {
  if (!Array.isArray(value) || value.length > MAX_FEES) return undefined;
  const fees: Parsed<'fees'> = [];
  for (let i = 0; i < value.length; i += 1) {
    const f: unknown = value[i];
    if (!isObject(f)) return undefined;
    const { name, amount, timing, includeInApr = true } = f;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100 || !isDecimal(amount)) return undefined;
    if (!isOneOf<Parsed<'fees'>[number]['timing']>(timing, TIMING_SET) || typeof includeInApr !== 'boolean') return undefined;
    fees.push({ name, amount, timing, includeInApr });
  }
  return fees;
}

function parseBusinessDays(value: unknown): Parsed<'businessDays'> | undefined {
  if (!isObject(value)) return undefined;
  const { convention, holidays = [], weekendDays = [0, 6] } = value;
  if (!isOneOf<Parsed<'businessDays'>['convention']>(convention, CONVENTION_SET)) return undefined;
  if (!Array.isArray(holidays) || holidays.length > MAX_HOLIDAYS || !Array.isArray(weekendDays) || weekendDays.length > 7) return undefined;
  const days: string[] = [];
  for (let i = 0; i < holidays.length; i += 1) {
    const h: unknown = holidays[i];
    if (typeof h !== 'string' || tryParseIsoDate(h) === undefined) return undefined;
    days.push(h);
  }
  const weekend: number[] = [];
  for (let i = 0; i < weekendDays.length; i += 1) {
    const w: unknown = weekendDays[i];
    if (!isIntIn(w, 0, 6)) return undefined;
    weekend.push(w);
  }
  return { convention, holidays: days, weekendDays: weekend };
}
