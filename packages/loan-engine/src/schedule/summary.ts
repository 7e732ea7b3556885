import type { FeeTotals } from './fees.js';
import type { InstallmentMinor, LoanTerms, ScheduleMinor } from './types.js';

/**
 * Totals of a finished schedule. The principal column needs no summing: by construction it is
 * the amount amortised plus the down payment plus capitalised interest (the last installment
 * takes the residual); the property tests check that against an explicit sum.
 */
export function summarise(terms: LoanTerms, rows: InstallmentMinor[], fees: FeeTotals, level: bigint | undefined): ScheduleMinor {
  let interest = 0n;
  let capitalised = 0n;
  let feeRows = 0n;
  for (const r of rows) {
    interest += r.interest;
    if (r.capitalisedInterest !== 0n) capitalised += r.capitalisedInterest;
    if (r.fees !== 0n) feeRows += 1n;
  }
  const principal = terms.principalMinor + fees.financed + capitalised;
  const feeSum = fees.perInstallment * feeRows;
  const netDisbursed = terms.principalMinor - terms.downPaymentMinor - fees.upfront;
  return {
    currency: terms.currency,
    installments: rows,
    totals: {
      principal,
      interest,
      fees: feeSum,
      payable: principal + interest + feeSum,
      capitalisedInterest: capitalised,
      upfrontFees: fees.upfront,
    },
    netDisbursedMinor: netDisbursed,
    amountFinancedMinor: netDisbursed + fees.upfrontNotInApr + fees.financedNotInApr,
    installmentAmountMinor: level,
  };
}
