import { PERIODS_PER_YEAR, type ParsedScheduleRequest } from '@lendstack/loan-engine';

/**
 * Bounds on the work one quote may ask for. The engine accepts up to 1,200 installments; the LOS only
 * originates loans of at most 600 (the application schema's bound) and at most 50 years, so a quote
 * beyond either describes no loan we could offer and would only cost CPU and a large response.
 * Pure: no clock, no I/O.
 */
export const MAX_QUOTE_TERM_PERIODS = 600;
export const MAX_QUOTE_TERM_YEARS = 50;
/** Dates outside these years are typos, and past 9999 the engine's dates stop being ISO 8601. */
export const QUOTE_DATE_YEARS = { min: 1900, max: 2999 } as const;

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
  for (const field of ['disbursementDate', 'firstDueDate'] as const) {
    const year = Number(request[field]?.slice(0, 4));
    if (request[field] !== undefined && (year < QUOTE_DATE_YEARS.min || year > QUOTE_DATE_YEARS.max)) {
      violations.push({ path: [field], detail: `year must be from ${QUOTE_DATE_YEARS.min} to ${QUOTE_DATE_YEARS.max}` });
    }
  }
  return violations;
}
