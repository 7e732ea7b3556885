/**
 * The Key Fact Statement of an offer, in two variants:
 * - `rbi`: RBI/2024-25/18 (15 Apr 2024) Annex A part 1 (the loan, its charges and APR) and part 2 (cooling-off,
 *   grievance redressal), Annex B (the APR illustration) and Annex C (the repayment schedule);
 * - `tila`: the Regulation Z closed-end "federal box" (12 CFR 1026.18, model form H-2): APR, finance charge,
 *   amount financed, total of payments, payment schedule, late payment, prepayment and the creditor.
 * Every amount is the loan engine's, from the schedule of the offer's own terms (checkBookable, the schedule
 * the LMS books), and the statement is refused when that schedule's APR is not the offer's: what the borrower
 * is shown is what was priced and what will be booked. The parts sum to the totals exactly (checked here, in
 * minor units). Pure: the reference, time, creditor and product come in as arguments.
 */
import { createHash } from 'node:crypto';
import { checkBookable, type Money, type ProductDefinition } from '@lendstack/contracts';
import type { ScheduleResult } from '@lendstack/loan-engine';
import { formatMoney as fmt, type CreditorProfile } from '../../review/domain/adverse-action-notice.js';
import { toMoney, type Offer } from './offers.js';

export const KFS_VARIANTS = ['rbi', 'tila'] as const;
export type KfsVariant = (typeof KFS_VARIANTS)[number];
/** The template each variant is drawn from; a change of wording or fields is a new version. */
export const KFS_TEMPLATE_VERSIONS: Record<KfsVariant, string> = { rbi: 'rbi-kfs-2024.04', tila: 'tila-h2-2026.12' };
/** RBI digital lending: a cooling-off (look-up) period; at least 3 days satisfies every reading of the rules (research §5). */
export const DEFAULT_COOLING_OFF_DAYS = 3;
/**
 * The loan terms' fees carry no payee. These codes are charges the lender collects for a third party
 * (insurer, stamp duty, valuer), shown under "payable to third parties through the RE"; every other fee is
 * the lender's own.
 */
export const THIRD_PARTY_FEE_CODES: readonly string[] = ['INSURANCE', 'INS', 'STAMP', 'STAMP-DUTY', 'VALUATION'];

/** INR loans get the RBI statement; every other currency the TILA box. */
export const variantFor = (currency: string): KfsVariant => (currency === 'INR' ? 'rbi' : 'tila');

export interface KfsFee {
  readonly code: string;
  readonly name: string;
  readonly payee: 'lender' | 'third-party';
  /** upfront: deducted from the disbursal; financed: added to the loan; per-installment: in every instalment. */
  readonly timing: 'upfront' | 'financed' | 'per-installment';
  readonly recurrence: 'one-time' | 'recurring';
  /** Per occurrence. */
  readonly amount: Money;
  /** Over the loan (per-installment: amount × instalments). */
  readonly total: Money;
}

export interface KfsScheduleRow {
  readonly number: number;
  readonly dueDate: string;
  /** Principal outstanding before this instalment. */
  readonly outstandingPrincipal: Money;
  readonly principal: Money;
  readonly interest: Money;
  readonly fees: Money;
  readonly instalment: Money;
}

export interface ContingentCharges {
  /** Where they come from: the product in the LOS's catalogue, or not stated (the product is not in it). */
  readonly source: 'product-catalogue' | 'not-in-catalogue';
  readonly graceDays: number | null;
  readonly lateFee: ProductDefinition['lateFee'];
  readonly penalInterest: ProductDefinition['penalInterest'];
  readonly foreclosure: ProductDefinition['prepaymentCharge'];
}

interface KfsCommon {
  readonly reference: string;
  readonly templateVersion: string;
  readonly issuedAt: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly offerId: string;
  readonly productCode: string;
  readonly lender: { readonly legalName: string; readonly address: string; readonly contact: string };
  /** Reg Z APR (actuarial, Appendix J) in percent, 4 decimals: the offer's engine APR. */
  readonly apr: string;
  readonly fees: readonly KfsFee[];
  readonly contingentCharges: ContingentCharges;
  readonly schedule: readonly KfsScheduleRow[];
}

export interface RbiKfs extends KfsCommon {
  readonly variant: 'rbi';
  readonly loan: {
    readonly type: string;
    readonly sanctionedAmount: Money;
    readonly disbursal: { readonly schedule: '100% upfront'; readonly date: string };
    readonly termPeriods: number;
    readonly frequency: string;
    readonly instalments: { readonly type: 'EPI' | 'non-equated'; readonly count: number; readonly epi: Money | null; readonly firstDueDate: string; readonly lastDueDate: string };
    readonly interest: { readonly annualRatePercent: string; readonly type: 'fixed' };
  };
  readonly feesToLender: Money;
  readonly feesToThirdParties: Money;
  /** Annex B: sanctioned − fees deducted upfront; total interest; total payable = Σ instalments. */
  readonly aprIllustration: {
    readonly sanctionedAmount: Money;
    readonly totalInterest: Money;
    readonly totalFees: Money;
    readonly netDisbursed: Money;
    readonly totalPayable: Money;
    readonly apr: string;
  };
  readonly coolingOff: { readonly days: number; readonly statement: string };
  readonly grievance: { readonly officer: string; readonly contact: string; readonly address: string; readonly escalation: string };
}

export interface TilaKfs extends KfsCommon {
  readonly variant: 'tila';
  readonly creditor: { readonly legalName: string; readonly address: string; readonly contact: string };
  /** "The dollar amount the credit will cost you": total of payments − amount financed. */
  readonly financeCharge: Money;
  /** "The amount of credit provided to you or on your behalf". */
  readonly amountFinanced: Money;
  /** "The amount you will have paid after you have made all payments as scheduled". */
  readonly totalOfPayments: Money;
  /** Runs of equal payments: number, amount, when. */
  readonly paymentSchedule: readonly { readonly count: number; readonly amount: Money; readonly when: string }[];
  readonly itemization: { readonly amountPaidToYou: Money; readonly prepaidFinanceCharge: Money; readonly financedFinanceCharge: Money };
  readonly latePayment: string;
  readonly prepayment: string;
}

export type KfsContent = RbiKfs | TilaKfs;

export interface KfsInput {
  readonly reference: string;
  readonly variant: KfsVariant;
  readonly issuedAt: Date;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly offer: Offer;
  readonly creditor: CreditorProfile;
  /** The offer's product in the catalogue (contingent charges); undefined when the catalogue has none. */
  readonly product: ProductDefinition | undefined;
  readonly coolingOffDays: number;
}

export type KfsError = { readonly kind: 'unpriceable'; readonly reason: string };

/** JSON with every object's keys in sorted order, so the same content always has the same hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}

export const kfsSha256 = (content: KfsContent): string => createHash('sha256').update(canonicalJson(content)).digest('hex');

export function buildKfs(input: KfsInput): { ok: true; content: KfsContent } | { ok: false; error: KfsError } {
  const priced = checkBookable(input.offer.terms);
  if (!priced.ok) return { ok: false, error: { kind: 'unpriceable', reason: priced.reason } };
  const s = priced.schedule;
  if (s.apr === null) return { ok: false, error: { kind: 'unpriceable', reason: 'the schedule has no APR' } };
  if (s.apr !== input.offer.pricing.apr) return { ok: false, error: { kind: 'unpriceable', reason: `the engine's APR ${s.apr} is not the offer's ${input.offer.pricing.apr ?? 'none'}` } };
  const parts = partsOf(input, s);
  const common: KfsCommon = {
    reference: input.reference, templateVersion: KFS_TEMPLATE_VERSIONS[input.variant], issuedAt: input.issuedAt.toISOString(),
    applicationId: input.applicationId, checksRun: input.checksRun, offerId: input.offer.id, productCode: input.offer.terms.productCode,
    lender: { legalName: input.creditor.legalName, address: input.creditor.address, contact: input.creditor.contact },
    apr: s.apr, fees: parts.fees, contingentCharges: contingent(input.product), schedule: parts.rows,
  };
  const content = input.variant === 'rbi' ? rbi(common, input, s, parts) : tila(common, input, s, parts);
  checkSums(content);
  return { ok: true, content };
}

interface Parts {
  readonly money: (minor: bigint) => Money;
  readonly minor: (decimal: string) => bigint;
  readonly fees: KfsFee[];
  readonly rows: KfsScheduleRow[];
  readonly upfront: bigint;
  readonly financed: bigint;
  readonly perInstallment: bigint;
}

function partsOf(input: KfsInput, s: ScheduleResult): Parts {
  const { currency, scale } = input.offer.terms.principal;
  const money = (minor: bigint): Money => ({ amount: minor.toString(), currency, scale }) as Money;
  const minor = (decimal: string) => BigInt(toMoney(decimal, currency, scale).amount);
  const count = BigInt(s.installments.length);
  const fees: KfsFee[] = input.offer.terms.fees.map((f) => {
    const each = BigInt(f.amount.amount);
    return {
      code: f.code, name: f.name, payee: THIRD_PARTY_FEE_CODES.includes(f.code.toUpperCase()) ? 'third-party' : 'lender', timing: f.timing,
      recurrence: f.timing === 'per-installment' ? 'recurring' : 'one-time', amount: money(each), total: money(f.timing === 'per-installment' ? each * count : each),
    };
  });
  const sumOf = (timing: KfsFee['timing']) => fees.filter((f) => f.timing === timing).reduce((t, f) => t + BigInt(f.total.amount), 0n);
  let outstanding = minor(s.totals.principal);
  const rows = s.installments.map((i): KfsScheduleRow => {
    const row = { number: i.number, dueDate: i.dueDate, outstandingPrincipal: money(outstanding), principal: money(minor(i.principal)), interest: money(minor(i.interest)), fees: money(minor(i.fees)), instalment: money(minor(i.total)) };
    outstanding = minor(i.balanceAfter);
    return row;
  });
  return { money, minor, fees, rows, upfront: sumOf('upfront'), financed: sumOf('financed'), perInstallment: sumOf('per-installment') };
}

function rbi(common: KfsCommon, input: KfsInput, s: ScheduleResult, p: Parts): RbiKfs {
  const t = input.offer.terms;
  const byPayee = (payee: KfsFee['payee']) => p.money(p.fees.filter((f) => f.payee === payee).reduce((sum, f) => sum + BigInt(f.total.amount), 0n));
  const first = s.installments[0]!;
  const last = s.installments[s.installments.length - 1]!;
  const days = input.coolingOffDays;
  return {
    ...common, variant: 'rbi',
    loan: {
      type: `Term loan (product ${t.productCode})`, sanctionedAmount: t.principal, disbursal: { schedule: '100% upfront', date: t.expectedDisbursementDate },
      termPeriods: t.termPeriods, frequency: t.frequency,
      instalments: { type: s.installmentAmount === null ? 'non-equated' : 'EPI', count: s.installments.length, epi: s.installmentAmount === null ? null : p.money(p.minor(s.installmentAmount)), firstDueDate: first.dueDate, lastDueDate: last.dueDate },
      interest: { annualRatePercent: t.annualRatePercent, type: 'fixed' },
    },
    feesToLender: byPayee('lender'), feesToThirdParties: byPayee('third-party'),
    aprIllustration: {
      sanctionedAmount: t.principal, totalInterest: p.money(p.minor(s.totals.interest)), totalFees: p.money(p.upfront + p.financed + p.perInstallment),
      netDisbursed: p.money(p.minor(s.netDisbursed)), totalPayable: p.money(p.minor(s.totals.payable)), apr: common.apr,
    },
    coolingOff: { days, statement: `You may exit this loan within ${days} day${days === 1 ? '' : 's'} of disbursal (the cooling-off or look-up period) by repaying the principal and the proportionate APR, without any penalty on prepayment.` },
    grievance: {
      officer: `Grievance Redressal Officer, ${input.creditor.legalName}`, contact: input.creditor.contact, address: input.creditor.address,
      escalation: 'If your complaint is not resolved within 30 days, you may lodge it with the Reserve Bank - Integrated Ombudsman Scheme (cms.rbi.org.in).',
    },
  };
}

function tila(common: KfsCommon, input: KfsInput, s: ScheduleResult, p: Parts): TilaKfs {
  const totalOfPayments = p.minor(s.totals.payable);
  const amountFinanced = p.minor(s.amountFinanced);
  const product = input.product;
  return {
    ...common, variant: 'tila',
    creditor: common.lender,
    financeCharge: p.money(totalOfPayments - amountFinanced), amountFinanced: p.money(amountFinanced), totalOfPayments: p.money(totalOfPayments),
    paymentSchedule: paymentRuns(common.schedule, input.offer.terms.frequency),
    itemization: { amountPaidToYou: p.money(p.minor(s.netDisbursed)), prepaidFinanceCharge: p.money(p.upfront), financedFinanceCharge: p.money(p.financed) },
    latePayment: latePaymentText(product),
    prepayment: !product ? 'Prepayment terms: see your loan agreement (the product is not in the catalogue).'
      : product.prepaymentCharge ? `If you pay off early, you may have to pay a penalty of ${product.prepaymentCharge.percentOfPrincipal}% of the principal prepaid plus ${fmt(product.prepaymentCharge.fixed)}.`
        : 'If you pay off early, you will not have to pay a penalty.',
  };
}

/** Consecutive instalments of the same amount as one line of the payment schedule. */
function paymentRuns(rows: readonly KfsScheduleRow[], frequency: string) {
  const runs: { count: number; amount: Money; from: string; to: string }[] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    if (last && last.amount.amount === r.instalment.amount) {
      last.count += 1;
      last.to = r.dueDate;
    } else runs.push({ count: 1, amount: r.instalment, from: r.dueDate, to: r.dueDate });
  }
  return runs.map((r) => ({ count: r.count, amount: r.amount, when: r.count === 1 ? `on ${r.from}` : `${frequency}, ${r.from} to ${r.to}` }));
}

function contingent(product: ProductDefinition | undefined): ContingentCharges {
  if (!product) return { source: 'not-in-catalogue', graceDays: null, lateFee: null, penalInterest: null, foreclosure: null };
  return { source: 'product-catalogue', graceDays: product.graceDays, lateFee: product.lateFee, penalInterest: product.penalInterest, foreclosure: product.prepaymentCharge };
}

function latePaymentText(product: ProductDefinition | undefined): string {
  if (!product) return 'Late charges: see your loan agreement (the product is not in the catalogue).';
  const fee = product.lateFee;
  const charge = !fee ? 'no late fee is charged' : fee.kind === 'flat' ? `you will be charged ${fmt(fee.amount)}` : `you will be charged ${fee.percent}% of the overdue instalment, at most ${fmt(fee.cap)}`;
  const penal = product.penalInterest ? `; penal interest of ${product.penalInterest.annualRatePercent}% a year runs on overdue principal` : '';
  return `If a payment is more than ${product.graceDays} days late, ${charge}${penal}.`;
}

const sum = (xs: readonly Money[]) => xs.reduce((t, m) => t + BigInt(m.amount), 0n);

/** The statement's identities; a failure is a bug in this file or the engine, never the borrower's input. */
function checkSums(k: KfsContent): void {
  const rows = k.schedule;
  const payable = sum(rows.map((r) => r.instalment));
  const identities: [string, bigint, bigint][] = [
    ['instalment = principal + interest + fees', payable, sum(rows.map((r) => r.principal)) + sum(rows.map((r) => r.interest)) + sum(rows.map((r) => r.fees))],
  ];
  if (k.variant === 'rbi') {
    const a = k.aprIllustration;
    identities.push(
      ['total payable = Σ instalments', BigInt(a.totalPayable.amount), payable],
      ['total interest = Σ interest', BigInt(a.totalInterest.amount), sum(rows.map((r) => r.interest))],
      ['total fees = lender + third parties', BigInt(a.totalFees.amount), BigInt(k.feesToLender.amount) + BigInt(k.feesToThirdParties.amount)],
      ['total payable − net disbursed = interest + fees', BigInt(a.totalPayable.amount) - BigInt(a.netDisbursed.amount), BigInt(a.totalInterest.amount) + BigInt(a.totalFees.amount)],
    );
  } else {
    identities.push(
      ['total of payments = Σ instalments', BigInt(k.totalOfPayments.amount), payable],
      ['total of payments = amount financed + finance charge', BigInt(k.totalOfPayments.amount), BigInt(k.amountFinanced.amount) + BigInt(k.financeCharge.amount)],
      ['payment schedule = Σ instalments', k.paymentSchedule.reduce((t, r) => t + BigInt(r.amount.amount) * BigInt(r.count), 0n), payable],
      ['finance charge = interest + fees', BigInt(k.financeCharge.amount), sum(rows.map((r) => r.interest)) + sum(k.fees.map((f) => f.total))],
    );
  }
  const broken = identities.filter(([, a, b]) => a !== b);
  if (broken.length > 0) throw new Error(`KFS ${k.reference}: ${broken.map(([name, a, b]) => `${name} (${a} ≠ ${b})`).join('; ')}`);
}
