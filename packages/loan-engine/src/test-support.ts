import type { ScheduleRequest } from './api/schedule-request.js';

/** A monthly, per-period, equal-installment USD request; override what a test cares about. */
export function request(overrides: Partial<ScheduleRequest> = {}): ScheduleRequest {
  return {
    principal: '10000',
    currency: 'USD',
    annualRatePercent: '8',
    termPeriods: 12,
    frequency: 'monthly',
    method: 'equal-installment',
    interestCalculation: 'per-period',
    dayCount: '30/360',
    disbursementDate: '2024-01-15',
    ...overrides,
  };
}
