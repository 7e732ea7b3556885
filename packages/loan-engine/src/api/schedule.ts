import { scheduleApr } from '../apr/schedule-apr.js';
import { formatIsoDate } from '../dates/local-date.js';
import { toDecimalString, type Rational } from '../math/rational.js';
import { formatMoney } from '../money/money.js';
import { buildSchedule } from '../schedule/engine.js';
import type { InstallmentMinor, ScheduleMinor } from '../schedule/types.js';
import { scheduleRequestSchema, type ScheduleRequest } from './schedule-request.js';
import { toLoanTerms } from './to-terms.js';

export interface InstallmentView {
  number: number;
  dueDate: string;
  principal: string;
  interest: string;
  fees: string;
  total: string;
  balanceAfter: string;
  /** Present only for moratorium rows: interest added to the balance instead of paid. */
  capitalisedInterest?: string;
}

export interface ScheduleResult {
  currency: string;
  installments: InstallmentView[];
  totals: { principal: string; interest: string; fees: string; payable: string; capitalisedInterest: string; upfrontFees: string };
  /** Regulation Z APR in percent with 4 decimals; null when the flows have no solution. */
  apr: string | null;
  installmentAmount: string | null;
  amountFinanced: string;
  netDisbursed: string;
}

/** APR percent places: Reg Z tolerances are 1/8 or 1/4 of a point, so 4 decimals is ample. */
export const APR_DECIMALS = 4;

/**
 * Builds a schedule from a request in major-unit decimal strings. Validates with
 * `scheduleRequestSchema` (throws its ZodError, with field paths, on bad input).
 */
export function schedule(request: ScheduleRequest): ScheduleResult {
  const terms = toLoanTerms(scheduleRequestSchema.parse(request));
  const minor = buildSchedule(terms);
  const apr = scheduleApr(terms, minor);
  return formatSchedule(minor, apr ? aprPercent(apr.apr) : null);
}

/** The APR in percent with APR_DECIMALS places (toDecimalString needs no reduced fraction: no gcd). */
export function aprPercent(apr: Rational): string {
  return toDecimalString({ n: apr.n * 100n, d: apr.d }, APR_DECIMALS);
}

export function formatSchedule(s: ScheduleMinor, apr: string | null): ScheduleResult {
  const m = (v: bigint): string => formatMoney(v, s.currency);
  const hasMoratorium = s.totals.capitalisedInterest > 0n;
  return {
    currency: s.currency.code,
    installments: s.installments.map((r) => formatRow(r, m, hasMoratorium)),
    totals: {
      principal: m(s.totals.principal),
      interest: m(s.totals.interest),
      fees: m(s.totals.fees),
      payable: m(s.totals.payable),
      capitalisedInterest: m(s.totals.capitalisedInterest),
      upfrontFees: m(s.totals.upfrontFees),
    },
    apr,
    installmentAmount: s.installmentAmountMinor === undefined ? null : m(s.installmentAmountMinor),
    amountFinanced: m(s.amountFinancedMinor),
    netDisbursed: m(s.netDisbursedMinor),
  };
}

function formatRow(r: InstallmentMinor, m: (v: bigint) => string, withCapitalised: boolean): InstallmentView {
  const view: InstallmentView = {
    number: r.number,
    dueDate: formatIsoDate(r.dueDate),
    principal: m(r.principal),
    interest: m(r.interest),
    fees: m(r.fees),
    total: m(r.total),
    balanceAfter: m(r.balanceAfter),
  };
  if (withCapitalised) view.capitalisedInterest = m(r.capitalisedInterest);
  return view;
}
