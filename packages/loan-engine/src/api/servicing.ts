import { z } from 'zod';
import { formatIsoDate, parseIsoDate, tryParseIsoDate } from '../dates/local-date.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { formatMoney, parseMoney } from '../money/money.js';
import { scheduleApr } from '../apr/schedule-apr.js';
import { accruedInterest, dailyAccruals } from '../servicing/accrual.js';
import { contextOf, dayCountContextFields, requireFrequency } from './yearfrac.js';
import { payoffQuote } from '../servicing/payoff.js';
import { partialPrepayment } from '../servicing/prepayment.js';
import { reschedule } from '../servicing/reschedule.js';
import { FREQUENCIES } from '../dates/frequency.js';
import type { ServicingError } from '../servicing/result.js';
import { currencyCode, decimals, decimalString, isoDateString, loanDateString } from './common-schemas.js';
import { formatSchedule, APR_DECIMALS, type ScheduleResult } from './schedule.js';
import { scheduleRequestSchema } from './schedule-request.js';
import { percentToRate, requireCurrency, toLoanTerms } from './to-terms.js';
import { findCurrency } from '../money/currency.js';
import { mul, rat, toDecimalString } from '../math/rational.js';

/** A servicing request refers to a loan by its schedule request and says how much is paid. */
const loanAt = {
  loan: scheduleRequestSchema,
  installmentsPaid: z.int().min(0).max(1200).default(0),
};

/** Amounts of a servicing request are in the loan's currency: at most its decimals, never rounded. */
function checkScale(loan: { currency: string }, amounts: Record<string, string | undefined>, ctx: z.core.$RefinementCtx): void {
  const currency = findCurrency(loan.currency);
  if (!currency) return; // loan.currency reports it
  for (const [field, value] of Object.entries(amounts)) {
    if (value !== undefined && decimals(value) > currency.scale) {
      ctx.addIssue({ code: 'custom', path: [field], message: `must have at most ${currency.scale} decimals for ${currency.code}` });
    }
  }
}

function checkDate(loan: { disbursementDate: string }, date: string, field: string, ctx: z.core.$RefinementCtx): void {
  const d = tryParseIsoDate(date);
  const from = tryParseIsoDate(loan.disbursementDate);
  if (d !== undefined && from !== undefined && d < from) {
    ctx.addIssue({ code: 'custom', path: [field], message: 'must not be before loan.disbursementDate' });
  }
}

export const payoffRequestSchema = z
  .object({
    ...loanAt,
    payoffDate: loanDateString,
    prepaymentChargePercent: decimalString.optional(),
    prepaymentChargeFixed: decimalString.optional(),
    penalties: decimalString.optional(),
  })
  .superRefine((req, ctx) => {
    checkDate(req.loan, req.payoffDate, 'payoffDate', ctx);
    checkScale(req.loan, { prepaymentChargeFixed: req.prepaymentChargeFixed, penalties: req.penalties }, ctx);
  });

export type PayoffRequest = z.input<typeof payoffRequestSchema>;

export interface PayoffResponse {
  currency: string;
  payoffDate: string;
  principal: string;
  overdueInterest: string;
  accruedInterest: string;
  accruedFrom: string;
  fees: string;
  penalties: string;
  prepaymentCharge: string;
  total: string;
}

export class ServicingFailure extends Error {
  constructor(readonly failure: ServicingError) {
    super(`${failure.field}: ${failure.message}`);
  }
}

/** Payoff quote at a date. Throws ServicingFailure (field + message) when nothing is outstanding. */
export function payoff(request: PayoffRequest): PayoffResponse {
  const req = payoffRequestSchema.parse(request);
  const terms = toLoanTerms(req.loan);
  const money = (v: string | undefined): bigint => (v === undefined ? 0n : parseMoney(v, terms.currency));
  const result = payoffQuote({
    terms,
    payoffDate: parseIsoDate(req.payoffDate),
    installmentsPaid: req.installmentsPaid,
    prepaymentCharge: {
      rate: percentToRate(req.prepaymentChargePercent ?? '0'),
      fixedMinor: money(req.prepaymentChargeFixed),
    },
    penaltiesMinor: money(req.penalties),
  });
  if (!result.ok) throw new ServicingFailure(result.error);
  const q = result.value;
  const fmt = (v: bigint): string => formatMoney(v, terms.currency);
  return {
    currency: terms.currency.code,
    payoffDate: formatIsoDate(q.payoffDate),
    principal: fmt(q.principal),
    overdueInterest: fmt(q.overdueInterest),
    accruedInterest: fmt(q.accruedInterest),
    accruedFrom: formatIsoDate(q.accruedFrom),
    fees: fmt(q.fees),
    penalties: fmt(q.penalties),
    prepaymentCharge: fmt(q.prepaymentCharge),
    total: fmt(q.total),
  };
}

export const prepayRequestSchema = z
  .object({
    ...loanAt,
    date: loanDateString,
    amount: decimalString,
    strategy: z.enum(['reduce-installment', 'reduce-tenure']),
  })
  .superRefine((req, ctx) => {
    checkDate(req.loan, req.date, 'date', ctx);
    checkScale(req.loan, { amount: req.amount }, ctx);
  });

export type PrepayRequest = z.input<typeof prepayRequestSchema>;

export interface PrepayResponse {
  balanceBefore: string;
  balanceAfter: string;
  accruedOnPrepaid: string;
  schedule: ScheduleResult;
}

/** Partial prepayment, re-amortised. Throws ServicingFailure for overdue loans or too large amounts. */
export function prepay(request: PrepayRequest): PrepayResponse {
  const req = prepayRequestSchema.parse(request);
  const terms = toLoanTerms(req.loan);
  const result = partialPrepayment({
    terms,
    installmentsPaid: req.installmentsPaid,
    date: parseIsoDate(req.date),
    amountMinor: parseMoney(req.amount, terms.currency),
    strategy: req.strategy,
  });
  if (!result.ok) throw new ServicingFailure(result.error);
  const r = result.value;
  const fmt = (v: bigint): string => formatMoney(v, terms.currency);
  const apr = scheduleApr(terms, r.schedule);
  return {
    balanceBefore: fmt(r.balanceBefore),
    balanceAfter: fmt(r.balanceAfter),
    accruedOnPrepaid: fmt(r.accruedOnPrepaidMinor),
    schedule: formatSchedule(r.schedule, apr ? toDecimalString(mul(apr.apr, rat(100n)), APR_DECIMALS) : null),
  };
}

export const accrueRequestSchema = z
  .object({
    currency: currencyCode,
    balance: decimalString,
    annualRatePercent: decimalString,
    dayCount: z.enum(DAY_COUNTS),
    from: isoDateString,
    to: isoDateString,
    rounding: z.enum(ROUNDING_MODES).default('half-up'),
    daily: z.boolean().default(false),
    ...dayCountContextFields,
  })
  .superRefine((req, ctx) => {
    requireFrequency(req, req.dayCount, ctx);
    const [f, t] = [tryParseIsoDate(req.from), tryParseIsoDate(req.to)];
    if (f !== undefined && t !== undefined && t < f) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    if (f !== undefined && t !== undefined && req.daily && t - f > 3660) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'daily rows are limited to 3660 days' });
    }
    const c = (() => {
      try {
        return requireCurrency(req.currency);
      } catch {
        return undefined;
      }
    })();
    if (c && decimals(req.balance) > c.scale) ctx.addIssue({ code: 'custom', path: ['balance'], message: `must have at most ${c.scale} decimals` });
  });

export type AccrueRequest = z.input<typeof accrueRequestSchema>;

/** Interest accrued on a balance between two dates; optionally day by day for end-of-day posting. */
export function accrue(request: AccrueRequest): { interest: string; days?: { date: string; interest: string }[] } {
  const req = accrueRequestSchema.parse(request);
  const currency = requireCurrency(req.currency);
  const input = {
    balanceMinor: parseMoney(req.balance, currency),
    annualRate: percentToRate(req.annualRatePercent),
    dayCount: req.dayCount,
    from: parseIsoDate(req.from),
    to: parseIsoDate(req.to),
    mode: req.rounding,
    dayCountContext: contextOf(req),
  };
  const interest = formatMoney(accruedInterest(input), currency);
  if (!req.daily) return { interest };
  const days = dailyAccruals(input).map((d) => ({ date: formatIsoDate(d.date), interest: formatMoney(d.amountMinor, currency) }));
  return { interest, days };
}

export const rescheduleRequestSchema = z
  .object({
    ...loanAt,
    date: loanDateString,
    newAnnualRatePercent: decimalString.optional(),
    newTermPeriods: z.int().min(1).max(1200).optional(),
    newFrequency: z.enum(FREQUENCIES).optional(),
    newFirstDueDate: loanDateString.optional(),
    capitaliseArrears: z.boolean().default(true),
  })
  .superRefine((req, ctx) => {
    checkDate(req.loan, req.date, 'date', ctx);
    const [d, f] = [tryParseIsoDate(req.date), req.newFirstDueDate === undefined ? undefined : tryParseIsoDate(req.newFirstDueDate)];
    if (d !== undefined && f !== undefined && f <= d) ctx.addIssue({ code: 'custom', path: ['newFirstDueDate'], message: 'must be after date' });
    if (req.loan.method === 'zero-interest-split' && req.newAnnualRatePercent !== undefined && /[1-9]/.test(req.newAnnualRatePercent)) {
      ctx.addIssue({ code: 'custom', path: ['newAnnualRatePercent'], message: 'must be 0 for a zero-interest-split loan' });
    }
  });

export type RescheduleRequest = z.input<typeof rescheduleRequestSchema>;

export interface RescheduleResponse {
  capitalisedArrears: string;
  arrearsDue: string;
  newPrincipal: string;
  schedule: ScheduleResult;
}

/** Restructures a loan at a date (new rate, tenure or frequency; arrears capitalised by default). */
export function rescheduleLoan(request: RescheduleRequest): RescheduleResponse {
  const req = rescheduleRequestSchema.parse(request);
  const terms = toLoanTerms(req.loan);
  const result = reschedule({
    terms,
    installmentsPaid: req.installmentsPaid,
    date: parseIsoDate(req.date),
    newAnnualRate: req.newAnnualRatePercent === undefined ? undefined : percentToRate(req.newAnnualRatePercent),
    newTermPeriods: req.newTermPeriods,
    newFrequency: req.newFrequency,
    newFirstDueDate: req.newFirstDueDate === undefined ? undefined : parseIsoDate(req.newFirstDueDate),
    capitaliseArrears: req.capitaliseArrears,
  });
  if (!result.ok) throw new ServicingFailure(result.error);
  const r = result.value;
  const fmt = (v: bigint): string => formatMoney(v, terms.currency);
  const apr = scheduleApr(r.newTerms, r.schedule);
  return {
    capitalisedArrears: fmt(r.capitalisedArrearsMinor),
    arrearsDue: fmt(r.arrearsDueMinor),
    newPrincipal: fmt(r.newTerms.principalMinor),
    schedule: formatSchedule(r.schedule, apr ? toDecimalString(mul(apr.apr, rat(100n)), APR_DECIMALS) : null),
  };
}
