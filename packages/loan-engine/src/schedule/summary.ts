import type { FeeTotals } from './fees.js';
import type { InstallmentMinor, LoanTerms, ScheduleMinor } from './types.js';

export function summarise(terms: LoanTerms, rows: InstallmentMinor[], fees: FeeTotals, level: bigint | undefined): ScheduleMinor {
  let principal = 0n;
  let interest = 0n;
  let feeSum = 0n;
  let capitalised = 0n;
  for (const r of rows) {
    principal += r.principal;
    interest += r.interest;
    feeSum += r.fees;
    capitalised += r.capitalisedInterest;
  }
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
