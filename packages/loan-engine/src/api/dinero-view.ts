import type { Dinero } from 'dinero.js/bigint';
import { toDinero } from '../money/money.js';
import type { InstallmentMinor, ScheduleMinor } from '../schedule/types.js';

export interface DineroInstallment {
  readonly number: number;
  readonly dueDate: number;
  readonly principal: Dinero<bigint>;
  readonly interest: Dinero<bigint>;
  readonly fees: Dinero<bigint>;
  readonly total: Dinero<bigint>;
  readonly balanceAfter: Dinero<bigint>;
}

/** A minor-unit schedule's installments as dinero.js objects, for callers that keep money in dinero. */
export function installmentsAsDinero(schedule: ScheduleMinor): DineroInstallment[] {
  const d = (v: bigint): Dinero<bigint> => toDinero(v, schedule.currency);
  return schedule.installments.map((r: InstallmentMinor) => ({
    number: r.number,
    dueDate: r.dueDate,
    principal: d(r.principal),
    interest: d(r.interest),
    fees: d(r.fees),
    total: d(r.total),
    balanceAfter: d(r.balanceAfter),
  }));
}
