/**
 * Offers for an application that passed policy: the requested terms within the decision's limits (amount
 * and term capped at the score's limits) at the pricing band's rate, and, when the limits allow a longer
 * term than requested, the same amount over that term (a lower installment). Each is priced by the loan
 * engine through the contract's checkBookable (the schedule the LMS would book), so the installment, totals
 * and APR are the engine's. Fees are the application's, as checked against the product at submission.
 * Pure: ids and time come in as arguments.
 */
import { checkBookable, type Money } from '@lendstack/contracts';
import type { LoanTerms } from '../../applications/domain/application.js';

/** How long an offer stands (days); an expired offer cannot be accepted. */
export const OFFER_VALIDITY_DAYS = 7;
export const MAX_OFFERS = 2;

export interface PricingBand {
  readonly band: string;
  readonly annualRatePercent: string;
  readonly maxPrincipalMinor: number;
  readonly maxTermPeriods: number;
}

export interface OfferPricing {
  readonly apr: string | null;
  readonly installment: Money | null;
  readonly firstDueDate: string | null;
  readonly totals: { readonly principal: Money; readonly interest: Money; readonly fees: Money; readonly payable: Money };
  readonly amountFinanced: Money;
  readonly netDisbursed: Money;
}

export interface Offer {
  readonly id: string;
  readonly label: 'requested' | 'longer-term';
  readonly band: string;
  readonly terms: LoanTerms;
  readonly pricing: OfferPricing;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export type OfferError = { readonly kind: 'unpriceable'; readonly label: string; readonly reason: string };

/** A major-unit decimal from the engine ("1234.50") as money in minor units at `scale`. */
export function toMoney(decimal: string, currency: string, scale: number): Money {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = decimal.replace('-', '').split('.');
  const minor = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return { amount: `${negative && minor !== 0n ? '-' : ''}${minor}`, currency, scale } as Money;
}

export function makeOffers(request: LoanTerms, band: PricingBand, ids: () => string, now: Date): { ok: true; offers: Offer[] } | { ok: false; error: OfferError } {
  const requested = BigInt(request.principal.amount);
  const principal = requested > BigInt(band.maxPrincipalMinor) ? BigInt(band.maxPrincipalMinor) : requested;
  const term = Math.min(request.termPeriods, band.maxTermPeriods);
  const base: LoanTerms = { ...request, principal: { ...request.principal, amount: principal.toString() }, termPeriods: term, annualRatePercent: band.annualRatePercent };
  const candidates: { label: Offer['label']; terms: LoanTerms }[] = [{ label: 'requested', terms: base }];
  if (band.maxTermPeriods > term) candidates.push({ label: 'longer-term', terms: { ...base, termPeriods: band.maxTermPeriods } });
  const expiresAt = new Date(now.getTime() + OFFER_VALIDITY_DAYS * 86_400_000);
  const offers: Offer[] = [];
  for (const c of candidates.slice(0, MAX_OFFERS)) {
    const priced = checkBookable(c.terms);
    if (!priced.ok) return { ok: false, error: { kind: 'unpriceable', label: c.label, reason: priced.reason } };
    const s = priced.schedule;
    const { currency, scale } = c.terms.principal;
    const m = (v: string) => toMoney(v, currency, scale);
    offers.push({
      id: ids(), label: c.label, band: band.band, terms: c.terms, expiresAt, createdAt: now,
      pricing: {
        apr: s.apr, installment: s.installmentAmount === null ? null : m(s.installmentAmount), firstDueDate: s.installments[0]?.dueDate ?? null,
        totals: { principal: m(s.totals.principal), interest: m(s.totals.interest), fees: m(s.totals.fees), payable: m(s.totals.payable) },
        amountFinanced: m(s.amountFinanced), netDisbursed: m(s.netDisbursed),
      },
    });
  }
  return { ok: true, offers };
}
