import type { LoanTerms } from './types.js';

/** Bounds that keep every loop finite and every schedule meaningful. */
export const MAX_TERM_PERIODS = 1200;

/**
 * Invariants of LoanTerms. The request schema enforces the same rules with field paths; this
 * guards direct callers of the minor-unit API. A violation is a caller bug, so it throws.
 */
function fail(field: string, message: string): never {
  throw new RangeError(`${field}: ${message}`);
}

export function assertValidTerms(t: LoanTerms): void {
  if (t.principalMinor <= 0n) fail('principal', 'must be positive');
  if (t.annualRate.n < 0n) fail('annualRatePercent', 'must not be negative');
  if (!Number.isInteger(t.termPeriods) || t.termPeriods < 1 || t.termPeriods > MAX_TERM_PERIODS) {
    fail('termPeriods', `must be an integer from 1 to ${MAX_TERM_PERIODS}`);
  }
  if (t.rounding.installmentMultipleMinor < 1n) fail('rounding.installmentMultipleOf', 'must be at least one minor unit');
  if (t.downPaymentMinor < 0n || t.downPaymentMinor >= t.principalMinor) {
    fail('downPayment', 'must be at least 0 and less than the principal');
  }
  const g = t.grace;
  if (g.moratoriumPeriods + Math.max(g.principalPeriods, g.interestPeriods) >= t.termPeriods) {
    fail('grace', 'moratorium plus grace must leave at least one installment');
  }
  if (t.method === 'flat' && g.moratoriumPeriods > 0) fail('grace.moratoriumPeriods', 'not supported for flat rate');
  if (t.method === 'zero-interest-split' && t.annualRate.n !== 0n) fail('annualRatePercent', 'must be 0 for zero-interest-split');
  if (t.firstDueDate !== undefined && (t.seriesStart ?? 0) === 0 && t.firstDueDate <= t.disbursementDate) {
    fail('firstDueDate', 'must be after the disbursement date');
  }
  for (const f of t.fees) if (f.amountMinor < 0n) fail('fees', 'amounts must not be negative');
}
