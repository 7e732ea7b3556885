import { scheduleAprPercent } from '../apr/schedule-apr.js';
import { formatIsoDate } from '../dates/local-date.js';
import { formatScaled, toDecimalString, type Rational } from '../math/rational.js';
import { buildSchedule } from '../schedule/engine.js';
import type { InstallmentMinor, ScheduleMinor } from '../schedule/types.js';
import { parseScheduleRequest, type ScheduleRequest } from './schedule-request.js';
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
 * `scheduleRequestSchema` (throws its ZodError, with field paths, on bad input; see
 * parseScheduleRequest).
 */
export function schedule(request: ScheduleRequest): ScheduleResult {
  const terms = toLoanTerms(parseScheduleRequest(request));
  const minor = buildSchedule(terms);
  return formatSchedule(minor, scheduleAprPercent(terms, minor, APR_DECIMALS));
}

/** The APR in percent with APR_DECIMALS places (toDecimalString needs no reduced fraction: no gcd). */
export function aprPercent(apr: Rational): string {
  return toDecimalString({ n: apr.n * 100n, d: apr.d }, APR_DECIMALS);
}

export function formatSchedule(s: ScheduleMinor, apr: string | null): ScheduleResult {
  const scale = s.currency.scale;
  const hasMoratorium = s.totals.capitalisedInterest > 0n;
  const rows = s.installments;
  const installments: InstallmentView[] = [];
  // A level installment repeats its total (and fee) row after row: those strings are reused.
  let totalMinor: bigint | undefined;
  let totalText = '';
  let feesMinor: bigint | undefined;
  let feesText = '';
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i] as InstallmentMinor;
    if (r.total !== totalMinor) {
      totalMinor = r.total;
      totalText = money(r.total, scale);
    }
    if (r.fees !== feesMinor) {
      feesMinor = r.fees;
      feesText = money(r.fees, scale);
    }
    const view: InstallmentView = {
      number: r.number,
      dueDate: isoDate(r.dueDate),
      principal: money(r.principal, scale),
      interest: money(r.interest, scale),
      fees: feesText,
      total: totalText,
      balanceAfter: money(r.balanceAfter, scale),
    };
    if (hasMoratorium) view.capitalisedInterest = money(r.capitalisedInterest, scale);
    installments.push(view);
  }
  const totals = s.totals;
  return {
    currency: s.currency.code,
    installments,
    totals: {
      principal: money(totals.principal, scale),
      interest: money(totals.interest, scale),
      fees: money(totals.fees, scale),
      payable: money(totals.payable, scale),
      capitalisedInterest: money(totals.capitalisedInterest, scale),
      upfrontFees: money(totals.upfrontFees, scale),
    },
    apr,
    installmentAmount: s.installmentAmountMinor === undefined ? null : money(s.installmentAmountMinor, scale),
    amountFinanced: money(s.amountFinancedMinor, scale),
    netDisbursed: money(s.netDisbursedMinor, scale),
  };
}

// Module-local bindings: under the tsx loader every call of an imported function goes through
// an export getter, and formatting calls these up to seven times per row.
const money = formatScaled;
const isoDate = formatIsoDate;
