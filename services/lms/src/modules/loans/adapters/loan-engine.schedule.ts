import { checkBookable, type LoanApprovedV1 } from '@lendstack/contracts';
import type { ScheduleRows } from '../domain/loan-account.js';
import type { ScheduleCalculator } from '../ports.js';

/**
 * The schedule calculator backed by the shared loan calculation engine, through `checkBookable`: the
 * same mapping and bounds the LOS checks an application with at submission. Throws (the booking is
 * refused as unbookable, naming the term) when the engine cannot compute a schedule an account can hold.
 */
export const engineScheduleCalculator: ScheduleCalculator = (event: LoanApprovedV1): ScheduleRows => {
  const result = checkBookable(event.payload.loan);
  if (!result.ok) throw new Error(`${result.path.length > 0 ? `${result.path.join('.')}: ` : ''}${result.reason}`);
  return result.schedule;
};
