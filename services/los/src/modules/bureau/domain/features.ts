/**
 * Features derived from a credit report, pure. Conventions (written down because bureaus differ):
 * - Monthly obligations: the scheduled monthly payment of every open tradeline (balance > 0, status not paid,
 *   closed or deleted); a revolving line without one counts `revolvingMinimumBasisPoints` of its balance.
 * - FOIR / DTI: monthly obligations over monthly income, in basis points (rounded down), with the proposed
 *   loan's monthly installment added to the existing obligations (`foirBasisPoints`; the existing ones alone in
 *   `existingFoirBasisPoints`); null without income or across currencies. Without a proposed installment the
 *   two are equal.
 * - Worst DPD: the lower bound of the worst Metro 2 bucket (1 → 30, 2 → 60, 3 → 90, 4 → 120, 5 → 150, 6 and
 *   G/H/J/K/L → 180) over the current month (account status / payment rating) and the profile's previous 11
 *   (12 months) or 23 (24 months) months. B, D and E carry no delinquency.
 * - Enquiries in 6 months: inquiry dates after the report date minus 6 calendar months.
 * - Thin file: no score, or fewer than `minSeasonedTradelines` tradelines with at least `seasonedMonths` of history.
 */
import type { BureauReport, BureauTradeline } from './report.js';

export interface FeaturePolicy {
  readonly revolvingMinimumBasisPoints: number;
  readonly minSeasonedTradelines: number;
  readonly seasonedMonths: number;
}

export const DEFAULT_FEATURE_POLICY: FeaturePolicy = { revolvingMinimumBasisPoints: 500, minSeasonedTradelines: 2, seasonedMonths: 6 };

export interface BureauFeatures {
  readonly reportId: string;
  readonly score: number | null;
  readonly tradelines: number;
  readonly openTradelines: number;
  readonly totalMonthlyObligations: { readonly amount: string; readonly currency: string; readonly scale: number };
  /** Existing obligations plus the proposed installment, over income. */
  readonly foirBasisPoints: number | null;
  /** Existing obligations only, over income. */
  readonly existingFoirBasisPoints: number | null;
  readonly proposedMonthlyInstallment: { readonly amount: string; readonly currency: string; readonly scale: number } | null;
  readonly worstDpd12m: number;
  readonly worstDpd24m: number;
  readonly derogatory24m: boolean;
  readonly enquiries6m: number;
  readonly thinFile: boolean;
}

const CLOSED_STATUSES = new Set(['05', '13', '61', '62', '63', '64', '65', 'DA', 'DF']);
const STATUS_DPD: Record<string, number> = { '71': 30, '78': 60, '80': 90, '82': 120, '83': 150, '84': 180, '88': 180, '89': 180, '93': 180, '94': 180, '95': 180, '96': 180, '97': 180 };
const DEROGATORY_STATUSES = new Set(['88', '89', '93', '94', '95', '96', '97']);
const DEROGATORY_MARKS = new Set(['G', 'H', 'J', 'K', 'L']);

/** DPD (lower bound) of one Metro 2 payment history / rating character; null when it says nothing. */
export function dpdOf(mark: string): number | null {
  if (/^[0-6]$/.test(mark)) return Number(mark) * 30;
  if (DEROGATORY_MARKS.has(mark)) return 180;
  return null;
}

const isOpen = (t: BureauTradeline) => !CLOSED_STATUSES.has(t.accountStatus) && t.currentBalance > 0n;

function worstDpd(t: BureauTradeline, months: number): { dpd: number; derogatory: boolean } {
  const marks = [t.paymentRating, ...t.paymentHistoryProfile.slice(0, months - 1)];
  let dpd = STATUS_DPD[t.accountStatus] ?? 0;
  let derogatory = DEROGATORY_STATUSES.has(t.accountStatus);
  for (const mark of marks) {
    dpd = Math.max(dpd, dpdOf(mark) ?? 0);
    if (DEROGATORY_MARKS.has(mark)) derogatory = true;
  }
  return { dpd, derogatory };
}

/** Months of history: the profile's months that are not "no history before" (B), plus the current one. */
const seasoning = (t: BureauTradeline) => 1 + [...t.paymentHistoryProfile].filter((c) => c !== 'B').length;

function sixMonthsBefore(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1 - 6, 1));
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), Math.min(d, lastDay))).toISOString().slice(0, 10);
}

type Amount = { readonly amount: string; readonly currency: string; readonly scale: number };

export function deriveBureauFeatures(report: BureauReport, monthlyIncome: Amount | null, policy: FeaturePolicy = DEFAULT_FEATURE_POLICY, proposedMonthlyInstallment: Amount | null = null): BureauFeatures {
  let obligations = 0n;
  let open = 0;
  let dpd12 = 0;
  let dpd24 = 0;
  let derogatory = false;
  for (const t of report.tradelines) {
    if (isOpen(t)) {
      open += 1;
      const revolving = t.portfolioType === 'R' || t.portfolioType === 'O' || t.portfolioType === 'C';
      obligations += t.scheduledMonthlyPayment > 0n ? t.scheduledMonthlyPayment : revolving ? (t.currentBalance * BigInt(policy.revolvingMinimumBasisPoints) + 9_999n) / 10_000n : 0n;
    }
    dpd12 = Math.max(dpd12, worstDpd(t, 12).dpd);
    const w24 = worstDpd(t, 24);
    dpd24 = Math.max(dpd24, w24.dpd);
    derogatory ||= w24.derogatory;
  }
  let foir: number | null = null;
  let existingFoir: number | null = null;
  const proposed = proposedMonthlyInstallment && proposedMonthlyInstallment.currency === report.currency ? proposedMonthlyInstallment : null;
  if (monthlyIncome && monthlyIncome.currency === report.currency) {
    // Every amount to the largest scale before dividing.
    const scale = Math.max(monthlyIncome.scale, report.scale, proposed?.scale ?? 0);
    const at = (amount: bigint, from: number) => amount * 10n ** BigInt(scale - from);
    const income = at(BigInt(monthlyIncome.amount), monthlyIncome.scale);
    const owed = at(obligations, report.scale);
    const owedWithNew = owed + (proposed ? at(BigInt(proposed.amount), proposed.scale) : 0n);
    existingFoir = income > 0n ? Number((owed * 10_000n) / income) : null;
    foir = income > 0n ? Number((owedWithNew * 10_000n) / income) : null;
  }
  const since = sixMonthsBefore(report.reportDate);
  const seasoned = report.tradelines.filter((t) => seasoning(t) >= policy.seasonedMonths).length;
  return {
    reportId: report.id,
    score: report.score,
    tradelines: report.tradelines.length,
    openTradelines: open,
    totalMonthlyObligations: { amount: obligations.toString(), currency: report.currency, scale: report.scale },
    foirBasisPoints: foir,
    existingFoirBasisPoints: existingFoir,
    proposedMonthlyInstallment: proposed,
    worstDpd12m: dpd12,
    worstDpd24m: dpd24,
    derogatory24m: derogatory,
    enquiries6m: report.inquiries.filter((i) => i.date > since && i.date <= report.reportDate).length,
    thinFile: report.score === null || seasoned < policy.minSeasonedTradelines,
  };
}
