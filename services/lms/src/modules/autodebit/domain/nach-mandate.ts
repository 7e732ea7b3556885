/**
 * NACH e-mandates (NPCI), pure. A mandate is the borrower's standing authorisation for debits to one account,
 * registered through the sponsor bank and identified by its UMRN once NPCI has it. Rules, from the
 * collections-rails research §2.1–§2.2 and test vectors I6–I8, I14:
 * - registration → active (UMRN issued) | rejected (the destination bank's APxx reason); amendment keeps the UMRN
 *   and changes the maximum amount or the end of validity; cancellation is requested, then confirmed, and is
 *   irreversible: a cancelled mandate is never restored (NPCI/2025-26/NACH/001);
 * - an e-mandate's maximum is at most ₹1 crore (above it a paper mandate is needed);
 * - a loan-instalment mandate has a fixed frequency: "as and when presented" (ADHO) is refused for it;
 * - a debit is presented on an active mandate only, for at most its maximum, inside its validity, and reaches the
 *   sponsor bank at most 7 days before the charge date and no later than the bank's cut-off on the charge date
 *   (NPCI publishes no fixed notice for NACH; the INPUT batch "may go up to one week before the charge date,
 *   usually the day before or that morning", §2.2);
 * - cancelling while the loan is live needs the lender's (corporate's) confirmation and either another mandate
 *   or an explicit record that the risk is accepted (I14).
 */
import { daysBetween } from './banking-days.js';
import { istParts } from './india-calendar.js';

export type MandateFrequency = 'weekly' | 'fortnightly' | 'monthly' | 'bi-monthly' | 'quarterly' | 'half-yearly' | 'yearly' | 'as-presented';
export const MANDATE_FREQUENCIES: readonly MandateFrequency[] = ['weekly', 'fortnightly', 'monthly', 'bi-monthly', 'quarterly', 'half-yearly', 'yearly', 'as-presented'];
export type MandateCategory = 'loan-instalment' | 'other';
export type MandateStatus = 'registering' | 'active' | 'rejected' | 'cancel-requested' | 'cancelled';

/** ₹1,00,00,000 in paise: the e-mandate ceiling. */
export const E_MANDATE_MAX_PAISE = 1_000_000_000n;
export const MAX_PRESENTATION_LEAD_DAYS = 7;
/** UMRN as NPCI issues it: the sponsor bank's 4-letter code and 16 digits (20 characters). */
export const UMRN_PATTERN = /^[A-Z]{4}[0-9]{16}$/;
export const IFSC_PATTERN = /^[A-Z]{4}0[A-Z0-9]{6}$/;

export interface MandateTerms {
  readonly maxAmountMinor: bigint;
  readonly currency: string;
  readonly frequency: MandateFrequency;
  readonly category: MandateCategory;
  readonly validFrom: string;
  /** Absent: until cancelled. */
  readonly validUntil?: string;
}

export interface Mandate extends MandateTerms {
  readonly status: MandateStatus;
  readonly umrn?: string;
  readonly statusReason?: string;
}

export interface Issue {
  readonly field: string;
  readonly rule: string;
  readonly detail: string;
}

export type Decided<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: Issue };
const refuse = <T>(field: string, rule: string, detail: string): Decided<T> => ({ ok: false, issue: { field, rule, detail } });

/** The issues of a registration request's terms (empty: it may be sent to the sponsor bank). */
export function validateMandateTerms(t: MandateTerms, ifsc?: string): Issue[] {
  const issues: Issue[] = [];
  if (ifsc !== undefined && !IFSC_PATTERN.test(ifsc)) issues.push({ field: '/account/bankCode', rule: 'ifsc-format', detail: `${ifsc} is not an IFSC (4 letters, 0, 6 letters or digits)` });
  if (t.currency !== 'INR') issues.push({ field: '/mandate/currency', rule: 'currency', detail: 'a NACH mandate is in INR' });
  if (t.maxAmountMinor <= 0n) issues.push({ field: '/mandate/maxAmount', rule: 'amount-positive', detail: 'the maximum amount must be at least one paisa' });
  if (t.maxAmountMinor > E_MANDATE_MAX_PAISE) issues.push({ field: '/mandate/maxAmount', rule: 'e-mandate-limit', detail: 'an e-mandate is for at most ₹1,00,00,000; above that a paper mandate is needed' });
  if (!MANDATE_FREQUENCIES.includes(t.frequency)) issues.push({ field: '/mandate/frequency', rule: 'frequency', detail: `unknown frequency ${t.frequency}` });
  if (t.category === 'loan-instalment' && t.frequency === 'as-presented') issues.push({ field: '/mandate/frequency', rule: 'loan-fixed-frequency', detail: 'a loan-instalment mandate needs a fixed frequency; "as and when presented" (ADHO) is not allowed' });
  if (t.validUntil !== undefined && t.validUntil <= t.validFrom) issues.push({ field: '/mandate/validUntil', rule: 'validity', detail: `the mandate ends (${t.validUntil}) on or before it starts (${t.validFrom})` });
  return issues;
}

/** NPCI issued the UMRN: the mandate is active. */
export function mandateRegistered(m: Mandate, umrn: string): Decided<Mandate> {
  if (m.status !== 'registering') return refuse('/status', 'mandate-state', `a ${m.status} mandate is not registered again`);
  if (!UMRN_PATTERN.test(umrn)) return refuse('/umrn', 'umrn-format', `${umrn} is not a UMRN (4 letters and 16 digits)`);
  return { ok: true, value: { ...m, status: 'active', umrn } };
}

/** The destination bank rejected the registration (APxx, §2.1). */
export function mandateRejected(m: Mandate, code: string, reason: string): Decided<Mandate> {
  if (m.status !== 'registering') return refuse('/status', 'mandate-state', `a ${m.status} mandate cannot be rejected`);
  return { ok: true, value: { ...m, status: 'rejected', statusReason: `${code}: ${reason}` } };
}

/** Amendment: a new maximum or end of validity on the same UMRN, only while active. */
export function amendMandate(m: Mandate, change: { readonly maxAmountMinor?: bigint; readonly validUntil?: string }): Decided<Mandate> {
  if (m.status !== 'active') return refuse('/status', 'mandate-state', `a ${m.status} mandate cannot be amended`);
  const next: Mandate = { ...m, ...(change.maxAmountMinor !== undefined ? { maxAmountMinor: change.maxAmountMinor } : {}), ...(change.validUntil !== undefined ? { validUntil: change.validUntil } : {}) };
  const issue = validateMandateTerms(next)[0];
  return issue ? { ok: false, issue } : { ok: true, value: next };
}

export interface CancelRequest {
  /** Who at the lender confirmed the cancellation (the sponsor bank needs the corporate's confirmation). */
  readonly confirmedBy: string;
  readonly loanLive: boolean;
  /** Another active authorisation for the loan, if any. */
  readonly alternativeAuthorisationId?: string;
  /** Set when the lender accepts collecting without a mandate. */
  readonly riskAccepted?: boolean;
}

/** Cancellation request (I14): irreversible once confirmed, so a live loan needs another mandate or an accepted risk. */
export function requestCancellation(m: Mandate, r: CancelRequest): Decided<Mandate> {
  if (m.status === 'cancelled' || m.status === 'cancel-requested') return refuse('/status', 'mandate-state', `the mandate is already ${m.status}`);
  if (m.status !== 'active') return refuse('/status', 'mandate-state', `a ${m.status} mandate is not cancelled`);
  if (!r.confirmedBy.trim()) return refuse('/confirmedBy', 'corporate-confirmation', 'the sponsor bank needs the lender\'s confirmation of a cancellation');
  if (r.loanLive && !r.alternativeAuthorisationId && !r.riskAccepted) return refuse('/alternativeAuthorisationId', 'live-loan-cancellation', 'the loan is live: name another mandate or record that the risk of collecting without one is accepted');
  return { ok: true, value: { ...m, status: 'cancel-requested' } };
}

export function cancellationConfirmed(m: Mandate): Decided<Mandate> {
  if (m.status !== 'cancel-requested' && m.status !== 'active') return refuse('/status', 'mandate-state', `a ${m.status} mandate cannot be cancelled`);
  return { ok: true, value: { ...m, status: 'cancelled' } };
}

/**
 * Whether a debit of `amountMinor` on `chargeDate` may be presented at `presentedAt` (the sponsor bank's cut-off
 * on the charge date given in IST minutes after midnight).
 */
export function checkNachPresentation(m: Mandate, amountMinor: bigint, chargeDate: string, presentedAt: Date, cutoffMinutesIst: number): Decided<true> {
  if (m.status !== 'active') return refuse('/account/authorisationId', 'mandate-not-active', `the mandate is ${m.status}${m.statusReason ? ` (${m.statusReason})` : ''}`);
  if (amountMinor > m.maxAmountMinor) return refuse('/amount', 'mandate-max-amount', `${amountMinor} paise is above the mandate's maximum of ${m.maxAmountMinor}`);
  if (chargeDate < m.validFrom) return refuse('/effectiveDate', 'mandate-validity', `${chargeDate} is before the mandate starts on ${m.validFrom}`);
  if (m.validUntil !== undefined && chargeDate > m.validUntil) return refuse('/effectiveDate', 'mandate-validity', `${chargeDate} is after the mandate ends on ${m.validUntil}`);
  const now = istParts(presentedAt);
  const lead = daysBetween(now.date, chargeDate);
  if (lead > MAX_PRESENTATION_LEAD_DAYS) return refuse('/effectiveDate', 'presentation-too-early', `the charge date ${chargeDate} is ${lead} days away; a NACH debit is presented at most ${MAX_PRESENTATION_LEAD_DAYS} days before`);
  if (lead < 0 || (lead === 0 && now.minutes >= cutoffMinutesIst)) return refuse('/effectiveDate', 'presentation-too-late', `the charge date ${chargeDate} has passed the sponsor bank's cut-off (${now.date} ${String(Math.floor(now.minutes / 60)).padStart(2, '0')}:${String(now.minutes % 60).padStart(2, '0')} IST)`);
  return { ok: true, value: true };
}
