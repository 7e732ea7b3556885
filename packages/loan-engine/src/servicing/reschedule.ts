import type { Frequency } from '../dates/frequency.js';
import type { DayNumber } from '../dates/local-date.js';
import type { Rational } from '../math/rational.js';
import { buildSchedule } from '../schedule/engine.js';
import { dayCountContext } from '../schedule/periods.js';
import type { LoanTerms, ScheduleMinor } from '../schedule/types.js';
import { accruedInterest } from './accrual.js';
import { positionAt } from './loan-position.js';
import { err, ok, type Result, type ServicingError } from './result.js';

export interface RescheduleInput {
  readonly terms: LoanTerms;
  readonly installmentsPaid: number;
  /** Effective date: the new schedule starts here. */
  readonly date: DayNumber;
  readonly newAnnualRate?: Rational;
  readonly newTermPeriods?: number;
  readonly newFrequency?: Frequency;
  readonly newFirstDueDate?: DayNumber;
  /** Add overdue interest, fees and interest accrued to `date` to the new principal. */
  readonly capitaliseArrears: boolean;
}

export interface RescheduleResult {
  readonly newTerms: LoanTerms;
  readonly schedule: ScheduleMinor;
  /** Arrears added to principal (0 when not capitalised). */
  readonly capitalisedArrearsMinor: bigint;
  /** Arrears still payable outside the new schedule (0 when capitalised). */
  readonly arrearsDueMinor: bigint;
}

/**
 * Restructures a loan at `date`: the principal not yet repaid (plus arrears, when capitalised)
 * becomes a new loan on the new rate, tenure and frequency (each defaults to the old one; the
 * tenure to the installments not yet paid).
 */
export function reschedule(input: RescheduleInput): Result<RescheduleResult, ServicingError> {
  const { terms } = input;
  const current = buildSchedule(terms);
  const pos = positionAt(current, terms.disbursementDate, input.date, input.installmentsPaid);
  if (pos.principalOutstanding === 0n) return err('nothing-outstanding', 'installmentsPaid', 'the loan is already repaid');
  const accrued = accruedInterest({
    balanceMinor: pos.scheduledBalance,
    annualRate: terms.annualRate,
    dayCount: terms.dayCount,
    dayCountContext: dayCountContext(terms),
    from: pos.accrualFrom,
    to: input.date,
    mode: terms.rounding.mode,
  });
  const arrears = pos.overdueRows.reduce((a, r) => a + r.interest + r.fees, 0n) + accrued;
  const capitalised = input.capitaliseArrears ? arrears : 0n;
  const remaining = current.installments.filter((r) => r.number > input.installmentsPaid).length;
  const newTerms: LoanTerms = {
    ...terms,
    principalMinor: pos.principalOutstanding + capitalised,
    annualRate: input.newAnnualRate ?? terms.annualRate,
    termPeriods: input.newTermPeriods ?? Math.max(1, remaining),
    frequency: input.newFrequency ?? terms.frequency,
    disbursementDate: input.date,
    firstDueDate: input.newFirstDueDate,
    downPaymentMinor: 0n,
    fees: terms.fees.filter((f) => f.timing === 'per-installment'),
    grace: { principalPeriods: 0, interestPeriods: 0, moratoriumPeriods: 0 },
    seriesStart: 0,
    seriesAnchor: undefined,
    fixedInstallmentMinor: undefined,
    extraFirstInterestMinor: undefined,
  };
  return ok({ newTerms, schedule: buildSchedule(newTerms), capitalisedArrearsMinor: capitalised, arrearsDueMinor: arrears - capitalised });
}
