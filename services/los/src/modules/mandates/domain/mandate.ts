/**
 * The repayment mandate of an accepted offer: its terms (maximum debit, frequency, validity) from the offer
 * and the request, the rail each currency may use, and how a processor's answer moves it. Pure: `today` and
 * the offer come in as arguments.
 *
 * Defaults, as the API documents them: the maximum is the offer's installment × 1.5 rounded UP to a whole
 * currency unit (headroom for a late fee or a rate reset without a new mandate, while staying near the
 * installment the borrower agreed to); the frequency is the loan's; the mandate runs from the day it is
 * registered until one year after the loan's maturity (time for arrears after the last installment). A maximum
 * below the installment, or a validity ending before maturity, could not collect the loan and is refused.
 */
import { checkBookable, type Money } from '@lendstack/contracts';
import type { LoanTerms } from '../../applications/domain/application.js';

export const MANDATE_RAILS = ['nach', 'upi', 'ach'] as const;
export type MandateRail = (typeof MANDATE_RAILS)[number];
export type MandateStatus = 'pending' | 'active' | 'rejected' | 'cancelled';

/** A mandate's debit frequency (NPCI's list; `as-presented` is ADHO, not allowed for a loan instalment on NACH). */
export const MANDATE_FREQUENCIES = ['weekly', 'fortnightly', 'monthly', 'bi-monthly', 'quarterly', 'half-yearly', 'yearly', 'as-presented'] as const;
export type MandateFrequency = (typeof MANDATE_FREQUENCIES)[number];

/** Weeks between debits a frequency allows at most often; a mandate must allow the loan's installments. */
const MANDATE_WEEKS: Record<Exclude<MandateFrequency, 'as-presented'>, number> = { weekly: 1, fortnightly: 2, monthly: 4, 'bi-monthly': 8, quarterly: 13, 'half-yearly': 26, yearly: 52 };
const LOAN_WEEKS: Record<LoanTerms['frequency'], number> = { weekly: 1, biweekly: 2, 'semi-monthly': 2, monthly: 4, quarterly: 13 };
const DEFAULT_FREQUENCY: Record<LoanTerms['frequency'], MandateFrequency | undefined> = { weekly: 'weekly', biweekly: 'fortnightly', 'semi-monthly': undefined, monthly: 'monthly', quarterly: 'quarterly' };
/** The currency each rail debits. */
export const RAIL_CURRENCY: Record<MandateRail, string> = { nach: 'INR', upi: 'INR', ach: 'USD' };

export interface MandateRequest {
  readonly rail: MandateRail;
  readonly maxAmount?: Money | undefined;
  readonly frequency?: MandateFrequency | undefined;
  readonly validUntil?: string | undefined;
}

export interface MandateTerms {
  readonly maxAmount: Money;
  readonly installment: Money;
  readonly frequency: MandateFrequency;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly maturity: string;
}

export interface TermsRefusal {
  readonly pointer: string;
  readonly detail: string;
}

/** ceil(installment × 1.5) to a whole currency unit (10^scale minor units). */
export function defaultMaxAmount(installment: Money): Money {
  const unit = 10n ** BigInt(installment.scale);
  const minor = BigInt(installment.amount) * 3n;
  const units = (minor + 2n * unit - 1n) / (2n * unit);
  return { ...installment, amount: (units * unit).toString() } as Money;
}

/** The same calendar day a year later (29 February → 28 February). */
export function addYear(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = m === 2 && d === 29 ? 28 : d;
  return `${y + 1}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The mandate's terms for the accepted offer, or the field that makes them unusable. */
export function mandateTerms(request: MandateRequest, offer: { terms: LoanTerms; installment: Money | null }, today: string): { ok: true; terms: MandateTerms } | { ok: false; refusal: TermsRefusal } {
  const refuse = (pointer: string, detail: string) => ({ ok: false as const, refusal: { pointer, detail } });
  const currency = offer.terms.principal.currency;
  if (RAIL_CURRENCY[request.rail] !== currency) return refuse('/rail', `the ${request.rail} rail debits ${RAIL_CURRENCY[request.rail]}; the loan is in ${currency}`);
  const priced = checkBookable(offer.terms);
  if (!priced.ok) return refuse('/offer', `the accepted offer cannot be scheduled: ${priced.reason}`);
  const installments = priced.schedule.installments;
  const maturity = installments[installments.length - 1]!.dueDate;
  // A schedule without a level installment (e.g. a balloon) has no default: the caller names the maximum.
  const installment = offer.installment;
  if (!installment) return refuse('/maxAmount', 'the accepted offer has no level installment; name maxAmount');
  const maxAmount = request.maxAmount ?? defaultMaxAmount(installment);
  if (maxAmount.currency !== currency || maxAmount.scale !== installment.scale) return refuse('/maxAmount', `maxAmount is in ${currency} at scale ${installment.scale}, the loan's currency`);
  if (BigInt(maxAmount.amount) < BigInt(installment.amount)) return refuse('/maxAmount', `maxAmount ${maxAmount.amount} is below the installment of ${installment.amount}: the mandate could not collect it`);
  const frequency = request.frequency ?? DEFAULT_FREQUENCY[offer.terms.frequency];
  if (!frequency) return refuse('/frequency', `a ${offer.terms.frequency} loan has no matching mandate frequency; name one`);
  if (frequency === 'as-presented' && request.rail === 'nach') return refuse('/frequency', 'a loan-instalment NACH mandate needs a fixed frequency; "as and when presented" (ADHO) is not allowed');
  if (frequency !== 'as-presented' && MANDATE_WEEKS[frequency] > LOAN_WEEKS[offer.terms.frequency]) return refuse('/frequency', `a ${frequency} mandate cannot debit ${offer.terms.frequency} installments`);
  const validUntil = request.validUntil ?? addYear(maturity);
  if (validUntil < maturity) return refuse('/validUntil', `validUntil ${validUntil} is before the loan's maturity ${maturity}`);
  return { ok: true, terms: { maxAmount, installment, frequency, validFrom: today, validUntil, maturity } };
}

/** What a processor's current answer does to a stored mandate: only a pending one moves, once. */
export type MandateTransition = { kind: 'none' } | { kind: 'activate'; reference: string } | { kind: 'reject'; code: string | null; reason: string };

export function transitionOf(current: MandateStatus, vendor: { status: MandateStatus; mandateReference: string | null; reasonCode: string | null; reason: string | null }): MandateTransition {
  if (current !== 'pending') return { kind: 'none' };
  if (vendor.status === 'active' && vendor.mandateReference) return { kind: 'activate', reference: vendor.mandateReference };
  if (vendor.status === 'rejected' || vendor.status === 'cancelled') return { kind: 'reject', code: vendor.reasonCode, reason: vendor.reason ?? `the processor ${vendor.status} the mandate` };
  return { kind: 'none' };
}
