import type { DayNumber } from '../dates/local-date.js';
import type { InstallmentMinor, ScheduleMinor } from '../schedule/types.js';

/** Where a loan stands at a date, given how many installments the borrower has paid in full. */
export interface LoanPosition {
  /** Installments due on or before the date. */
  readonly dueRows: readonly InstallmentMinor[];
  /** Due but not paid (numbers after `installmentsPaid`, due on or before the date). */
  readonly overdueRows: readonly InstallmentMinor[];
  /** Principal not yet repaid: the balance after the last paid installment. */
  readonly principalOutstanding: bigint;
  /** Scheduled balance after the last installment due on or before the date. */
  readonly scheduledBalance: bigint;
  /** Start of the current accrual period (the last due installment's period end, or disbursement). */
  readonly accrualFrom: DayNumber;
}

export function positionAt(schedule: ScheduleMinor, disbursementDate: DayNumber, date: DayNumber, installmentsPaid: number): LoanPosition {
  const rows = schedule.installments.filter((r) => r.number > 0);
  const dueRows = rows.filter((r) => r.dueDate <= date);
  const lastDue = dueRows.at(-1);
  const paidRows = rows.slice(0, installmentsPaid);
  const opening = schedule.installments[0]?.number === 0 ? schedule.installments[0].balanceAfter : openingBalance(rows);
  return {
    dueRows,
    overdueRows: dueRows.filter((r) => r.number > (paidRows.at(-1)?.number ?? 0)),
    principalOutstanding: paidRows.at(-1)?.balanceAfter ?? opening,
    scheduledBalance: lastDue?.balanceAfter ?? opening,
    accrualFrom: lastDue?.periodEnd ?? disbursementDate,
  };
}

function openingBalance(rows: readonly InstallmentMinor[]): bigint {
  const first = rows[0];
  return first ? first.balanceAfter + first.principal - first.capitalisedInterest : 0n;
}
