import { PERIODS_PER_YEAR, type ParsedScheduleRequest } from '@lendstack/loan-engine';

/**
 * Bounds on the work one quote may ask for. The engine accepts up to 1,200 installments; the LOS only
 * originates loans of at most 600 (the application schema's bound) and at most 50 years, so a quote
 * beyond either describes no loan we could offer and would only cost CPU and a large response.
 * Dates and calendars are the engine's schema's to bound (1900-2999, a business day every year).
 * Pure: no clock, no I/O.
 */
export const MAX_QUOTE_TERM_PERIODS = 600;
export const MAX_QUOTE_TERM_YEARS = 50;

export interface QuoteLimitViolation {
  readonly path: readonly string[];
  readonly detail: string;
}

export function quoteLimitViolations(request: ParsedScheduleRequest): QuoteLimitViolation[] {
  const violations: QuoteLimitViolation[] = [];
  if (request.termPeriods > MAX_QUOTE_TERM_PERIODS) {
    violations.push({ path: ['termPeriods'], detail: `must be at most ${MAX_QUOTE_TERM_PERIODS} for a quote` });
  }
  const years = request.termPeriods / PERIODS_PER_YEAR[request.frequency];
  if (years > MAX_QUOTE_TERM_YEARS) {
    violations.push({ path: ['termPeriods'], detail: `${request.termPeriods} ${request.frequency} installments span more than ${MAX_QUOTE_TERM_YEARS} years` });
  }
  return violations;
}
