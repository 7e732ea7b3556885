import type { LoanApprovedV1 } from '@lendstack/contracts';
import { schedule } from '@lendstack/loan-engine';
import { minorToDecimal, type ScheduleRows } from '../domain/loan-account.js';
import type { ScheduleCalculator } from '../ports.js';

/** The schedule calculator backed by the shared loan calculation engine. */
export const engineScheduleCalculator: ScheduleCalculator = (event: LoanApprovedV1): ScheduleRows => {
  const { loan } = event.payload;
  const scale = loan.principal.scale;
  return schedule({
    principal: minorToDecimal(BigInt(loan.principal.amount), scale),
    currency: loan.principal.currency,
    annualRatePercent: loan.annualRatePercent,
    termPeriods: loan.termPeriods,
    frequency: loan.frequency,
    method: loan.scheduleMethod,
    interestCalculation: loan.interestCalculation,
    dayCount: loan.dayCount,
    disbursementDate: loan.expectedDisbursementDate,
    ...(loan.firstDueDate ? { firstDueDate: loan.firstDueDate } : {}),
    fees: loan.fees.map((fee) => ({ name: fee.name, amount: minorToDecimal(BigInt(fee.amount.amount), fee.amount.scale), timing: fee.timing })),
  });
};
