import type { LoanTerms } from './types.js';

export interface FeeTotals {
  readonly upfront: bigint;
  readonly financed: bigint;
  readonly perInstallment: bigint;
  /** Upfront and financed fees that are NOT finance charges (they stay in the amount financed). */
  readonly upfrontNotInApr: bigint;
  readonly financedNotInApr: bigint;
  readonly perInstallmentNotInApr: bigint;
}

export function feeTotals(terms: LoanTerms): FeeTotals {
  const sum = (timing: string, aprOnly?: boolean): bigint =>
    terms.fees
      .filter((f) => f.timing === timing && (aprOnly === undefined || f.includeInApr !== aprOnly))
      .reduce((acc, f) => acc + f.amountMinor, 0n);
  return {
    upfront: sum('upfront'),
    financed: sum('financed'),
    perInstallment: sum('per-installment'),
    upfrontNotInApr: sum('upfront', true),
    financedNotInApr: sum('financed', true),
    perInstallmentNotInApr: sum('per-installment', true),
  };
}
