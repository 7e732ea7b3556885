/**
 * The loan agreement of an accepted offer: a versioned template (templates/<version>.txt, placeholders
 * `{{name}}`) filled with the accepted offer's terms and pricing, its repayment schedule as the loan engine
 * computes it for those terms (the schedule the LMS books), the parties and the stamp; the stamp duty an INR
 * agreement pays; and the rule for a signature: accepted only over the exact bytes generated. Pure: the
 * template text, ids, time and the stamp come in as arguments.
 */
import { checkBookable, type Money } from '@lendstack/contracts';
import type { Application, LoanTerms } from '../../applications/domain/application.js';
import { toMoney, type Offer } from '../../offers/domain/offers.js';
import { formatMoney, type CreditorProfile } from '../../review/domain/adverse-action-notice.js';

/** The template new agreements are drawn from; a change of wording or fields is a new version (a new file). */
export const AGREEMENT_TEMPLATE_VERSION = 'loan-agreement-2026.12';
export const AGREEMENT_STATUSES = ['generated', 'sent', 'signed', 'declined', 'voided'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** Indian state and union-territory codes (as e-stamp certificate numbers use them, `IN-KA…`). */
export const INDIAN_STATE_CODES: readonly string[] = ['AN', 'AP', 'AR', 'AS', 'BR', 'CH', 'CT', 'DD', 'DL', 'DN', 'GA', 'GJ', 'HP', 'HR', 'JH', 'JK', 'KA', 'KL', 'LA', 'LD', 'MH', 'ML', 'MN', 'MP', 'MZ', 'NL', 'OR', 'PB', 'PY', 'RJ', 'SK', 'TG', 'TN', 'TR', 'UP', 'UT', 'WB'];

/**
 * Stamp duty on a loan agreement, per state: the article of the state's Stamp Act and the duty as basis points of
 * the principal within a floor and a cap (paise). ILLUSTRATIVE figures for the sandbox, not a state's schedule
 * (check before production: each state sets its own article and rate); unknown states use `default`.
 */
export const STAMP_DUTY_RULES: Readonly<Record<string, { article: string; basisPoints: number; minMinor: bigint; maxMinor: bigint }>> = {
  default: { article: 'Article 5 (agreement or memorandum of an agreement)', basisPoints: 10, minMinor: 10_000n, maxMinor: 2_000_000n },
  KA: { article: 'Article 5(f) (agreement relating to a loan)', basisPoints: 10, minMinor: 10_000n, maxMinor: 2_000_000n },
  MH: { article: 'Article 6 (agreement relating to deposit of title deeds, pawn or pledge)', basisPoints: 10, minMinor: 10_000n, maxMinor: 1_000_000n },
};

export type StampPlan =
  | { readonly required: true; readonly state: string; readonly article: string; readonly dutyMinor: bigint; readonly considerationMinor: bigint }
  | { readonly required: false; readonly reason: string };

export interface StampRecord {
  readonly required: true; readonly certificateNumber: string; readonly state: string; readonly article: string; readonly duty: Money; readonly issuedAt: string;
}
export type Stamp = StampRecord | { readonly required: false; readonly reason: string };

export type AgreementError = { readonly kind: 'stamp-state-unknown'; readonly region: string } | { readonly kind: 'unpriceable'; readonly reason: string } | { readonly kind: 'template-placeholder'; readonly name: string };

/** An INR agreement is stamped in the borrower's state; any other currency needs no Indian stamp. */
export function stampPlan(terms: LoanTerms, address: { region?: string | undefined; country: string }): { ok: true; plan: StampPlan } | { ok: false; error: AgreementError } {
  if (terms.principal.currency !== 'INR') return { ok: true, plan: { required: false, reason: `not required: a ${terms.principal.currency} loan is not an instrument under an Indian Stamp Act` } };
  const state = (address.region ?? '').toUpperCase();
  if (!INDIAN_STATE_CODES.includes(state)) return { ok: false, error: { kind: 'stamp-state-unknown', region: address.region ?? '' } };
  const rule = STAMP_DUTY_RULES[state] ?? STAMP_DUTY_RULES.default!;
  const principal = BigInt(terms.principal.amount);
  const raw = (principal * BigInt(rule.basisPoints)) / 10_000n;
  const dutyMinor = raw < rule.minMinor ? rule.minMinor : raw > rule.maxMinor ? rule.maxMinor : raw;
  return { ok: true, plan: { required: true, state, article: rule.article, dutyMinor, considerationMinor: principal } };
}

export interface ScheduleRow { readonly number: number; readonly dueDate: string; readonly principal: string; readonly interest: string; readonly fees: string; readonly total: string; readonly balanceAfter: string }

export interface AgreementContent {
  readonly reference: string;
  readonly templateVersion: string;
  readonly agreementDate: string;
  /** The filled template, line by line; `{{schedule}}` stays a line of its own for the renderer's table. */
  readonly lines: readonly string[];
  readonly schedule: readonly ScheduleRow[];
  readonly title: string;
  readonly lender: string;
  readonly borrower: string;
}

export interface AgreementInput {
  readonly reference: string;
  readonly template: { readonly version: string; readonly text: string };
  readonly at: Date;
  readonly creditor: CreditorProfile;
  readonly applicant: Application['applicant'];
  readonly offer: Pick<Offer, 'id' | 'terms' | 'pricing'>;
  readonly acceptance: { readonly kfsReference: string; readonly kfsVersion: string; readonly kfsSha256: string; readonly acceptedAt: Date };
  readonly stamp: Stamp;
}

const money = (m: Money | null) => (m ? formatMoney(m) : 'not applicable');

export function stampLine(stamp: Stamp): string {
  return stamp.required
    ? `Stamp duty of ${formatMoney(stamp.duty)} paid under ${stamp.article} in ${stamp.state}: e-stamp certificate ${stamp.certificateNumber}, issued ${stamp.issuedAt}.`
    : `Stamp duty ${stamp.reason}.`;
}

/** The agreement's content from the accepted offer; refused when a placeholder has no value or the terms cannot be scheduled. */
export function agreementContent(input: AgreementInput): { ok: true; content: AgreementContent } | { ok: false; error: AgreementError } {
  const { terms, pricing } = input.offer;
  const priced = checkBookable(terms);
  if (!priced.ok) return { ok: false, error: { kind: 'unpriceable', reason: priced.reason } };
  const { currency, scale } = terms.principal;
  const major = (decimal: string) => formatMoney(toMoney(decimal, currency, scale));
  const schedule: ScheduleRow[] = priced.schedule.installments.map((i) => ({
    number: i.number, dueDate: i.dueDate, principal: major(i.principal), interest: major(i.interest), fees: major(i.fees), total: major(i.total), balanceAfter: major(i.balanceAfter),
  }));
  const a = input.applicant;
  const address = [a.address.line1, a.address.line2, a.address.city, a.address.region, a.address.postalCode, a.address.country].filter(Boolean).join(', ');
  const borrowerName = `${a.name.given} ${a.name.family}`;
  const values: Record<string, string> = {
    reference: input.reference, agreementDate: input.at.toISOString().slice(0, 10), templateVersion: input.template.version,
    lenderName: input.creditor.legalName, lenderAddress: input.creditor.address, lenderContact: input.creditor.contact,
    borrowerName, borrowerAddress: address, borrowerEmail: a.contact.email, borrowerIdentity: `${a.nationalId.type} ${a.nationalId.masked}`,
    stampLine: stampLine(input.stamp),
    principal: formatMoney(terms.principal), repaidBalance: formatMoney({ amount: priced.schedule.installments.reduce((sum, i) => sum + BigInt(toMoney(i.principal, currency, scale).amount), 0n).toString(), currency, scale }),
    annualRate: terms.annualRatePercent, apr: priced.schedule.apr ?? 'not computable', termPeriods: String(terms.termPeriods), frequency: terms.frequency,
    installment: money(pricing.installment), firstDueDate: pricing.firstDueDate ?? schedule[0]?.dueDate ?? 'not applicable',
    fees: terms.fees.length === 0 ? 'none' : terms.fees.map((f) => `${f.name} ${formatMoney(f.amount)} (${f.timing})`).join('; '),
    amountFinanced: formatMoney(pricing.amountFinanced), netDisbursed: formatMoney(pricing.netDisbursed), disbursementDate: terms.expectedDisbursementDate,
    totalInterest: formatMoney(pricing.totals.interest), totalFees: formatMoney(pricing.totals.fees), totalPayable: formatMoney(pricing.totals.payable),
    offerId: input.offer.id, acceptedAt: input.acceptance.acceptedAt.toISOString(), kfsReference: input.acceptance.kfsReference, kfsVersion: input.acceptance.kfsVersion, kfsSha256: input.acceptance.kfsSha256,
  };
  const lines: string[] = [];
  for (const line of input.template.text.split('\n')) {
    if (line.trim() === '{{schedule}}') { lines.push(line.trim()); continue; }
    let missing: string | undefined;
    const filled = line.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
      const v = values[name];
      if (v === undefined) missing = name;
      return v ?? '';
    });
    if (missing) return { ok: false, error: { kind: 'template-placeholder', name: missing } };
    if (filled.trim() !== '') lines.push(filled);
  }
  const title = lines.find((l) => l.startsWith('# '))?.slice(2) ?? 'Loan Agreement';
  return { ok: true, content: { reference: input.reference, templateVersion: input.template.version, agreementDate: values.agreementDate!, lines, schedule, title, lender: input.creditor.legalName, borrower: borrowerName } };
}

export type SignatureVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'already-signed' }
  | { readonly kind: 'refuse'; readonly reason: 'hash-mismatch' }
  | { readonly kind: 'not-signable'; readonly status: AgreementStatus };

/**
 * A completed signature is accepted only over the exact bytes generated (their SHA-256), and only once, on an
 * agreement that was sent; a second completion changes nothing; a different hash is refused whatever the status.
 */
export function judgeSignature(agreement: { status: AgreementStatus; documentSha256: string }, signedSha256: string): SignatureVerdict {
  if (signedSha256 !== agreement.documentSha256) return { kind: 'refuse', reason: 'hash-mismatch' };
  if (agreement.status === 'signed') return { kind: 'already-signed' };
  if (agreement.status !== 'sent') return { kind: 'not-signable', status: agreement.status };
  return { kind: 'accept' };
}
