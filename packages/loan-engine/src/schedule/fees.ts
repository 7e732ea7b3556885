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

const NO_FEES: FeeTotals = {
  upfront: 0n,
  financed: 0n,
  perInstallment: 0n,
  upfrontNotInApr: 0n,
  financedNotInApr: 0n,
  perInstallmentNotInApr: 0n,
};

export function feeTotals(terms: LoanTerms): FeeTotals {
  if (terms.fees.length === 0) return NO_FEES;
  const t = { ...NO_FEES };
  for (const f of terms.fees) {
    if (f.timing === 'upfront') {
      t.upfront += f.amountMinor;
      if (!f.includeInApr) t.upfrontNotInApr += f.amountMinor;
    } else if (f.timing === 'financed') {
      t.financed += f.amountMinor;
      if (!f.includeInApr) t.financedNotInApr += f.amountMinor;
    } else {
      t.perInstallment += f.amountMinor;
      if (!f.includeInApr) t.perInstallmentNotInApr += f.amountMinor;
    }
  }
  return t;
}
