import { dayCountSchema, frequencySchema, sampleLoanApprovedV1, scheduleMethodSchema } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { bookLoanAccount } from '../domain/loan-account.js';
import { engineScheduleCalculator } from './loan-engine.schedule.js';

// The contract and the engine each list frequencies, methods and day counts. Every combination a
// LoanApproved v1 may carry must be one the LMS can book; a drift would dead-letter approved loans.
describe('every LoanApproved v1 the contract allows can be scheduled and booked', () => {
  const combos = frequencySchema.options.flatMap((frequency) =>
    scheduleMethodSchema.options.flatMap((scheduleMethod) => dayCountSchema.options.map((dayCount) => ({ frequency, scheduleMethod, dayCount }))),
  );

  it.each(combos)('$frequency / $scheduleMethod / $dayCount', ({ frequency, scheduleMethod, dayCount }) => {
    const rate = scheduleMethod === 'zero-interest-split' ? '0' : '14.5';
    for (const interestCalculation of ['per-period', 'daily'] as const) {
      const event = sampleLoanApprovedV1({ loan: { frequency, scheduleMethod, dayCount, interestCalculation, annualRatePercent: rate, termPeriods: 6, fees: [] } });
      const booked = bookLoanAccount(event, engineScheduleCalculator(event));
      expect(booked.ok, booked.ok ? '' : booked.reason).toBe(true);
    }
  });
});
