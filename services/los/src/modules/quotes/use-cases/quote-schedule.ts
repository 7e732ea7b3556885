import { schedule, type ParsedScheduleRequest, type ScheduleResult } from '@lendstack/loan-engine';
import { quoteLimitViolations, type QuoteLimitViolation } from '../domain/quote-limits.js';

export type QuoteError = { readonly kind: 'too-large'; readonly violations: readonly QuoteLimitViolation[] };

export type QuoteResult = { readonly ok: true; readonly quote: ScheduleResult } | { readonly ok: false; readonly error: QuoteError };

/**
 * Prices a loan offer: the engine's repayment schedule, totals and APR for already-validated terms.
 * A pure computation: it writes nothing, so repeating it is harmless and needs no idempotency key.
 * Failures: too-large (beyond the quote limits). The engine's request schema refuses every input it
 * cannot schedule, so an exception from it here is a bug and surfaces as one (500).
 */
export function quoteSchedule(request: ParsedScheduleRequest): QuoteResult {
  const violations = quoteLimitViolations(request);
  if (violations.length > 0) return { ok: false, error: { kind: 'too-large', violations } };
  return { ok: true, quote: schedule(request) };
}
