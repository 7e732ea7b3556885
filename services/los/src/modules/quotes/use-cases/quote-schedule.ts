import { schedule, type ParsedScheduleRequest, type ScheduleResult } from '@lendstack/loan-engine';
import { quoteLimitViolations, type QuoteLimitViolation } from '../domain/quote-limits.js';

export type QuoteError =
  | { readonly kind: 'too-large'; readonly violations: readonly QuoteLimitViolation[] }
  | { readonly kind: 'unschedulable'; readonly detail: string };

export type QuoteResult = { readonly ok: true; readonly quote: ScheduleResult } | { readonly ok: false; readonly error: QuoteError };

/**
 * Prices a loan offer: the engine's repayment schedule, totals and APR for already-validated terms.
 * A pure computation: it writes nothing, so repeating it is harmless and needs no idempotency key.
 * Failures: too-large (beyond the quote limits), unschedulable (the engine cannot place the due
 * dates, e.g. a holiday calendar with no business day for a year).
 */
export function quoteSchedule(request: ParsedScheduleRequest): QuoteResult {
  const violations = quoteLimitViolations(request);
  if (violations.length > 0) return { ok: false, error: { kind: 'too-large', violations } };
  try {
    return { ok: true, quote: schedule(request) };
  } catch (error) {
    // The engine signals terms it cannot schedule with RangeError; anything else is a bug.
    if (error instanceof RangeError) return { ok: false, error: { kind: 'unschedulable', detail: error.message } };
    throw error;
  }
}
