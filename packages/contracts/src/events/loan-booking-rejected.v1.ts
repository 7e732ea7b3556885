import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';

/**
 * Why the LMS refused to book a loan: `invalid-event` (the LoanApproved failed its contract),
 * `unbookable` (the engine cannot compute a schedule an account can hold, or a schedule invariant
 * failed), `duplicate-loan` (the loan id was already booked from another event).
 */
export const bookingRejectionCodeSchema = z.enum(['invalid-event', 'unbookable', 'duplicate-loan']);

export const loanBookingRejectedV1PayloadSchema = z
  .object({
    loanId: z.string().min(1).max(100),
    applicationId: z.string().min(1).max(64).optional().describe('From the refused event, when it could be read'),
    code: bookingRejectionCodeSchema,
    reason: z.string().min(1).max(2000),
    sourceEvent: z
      .object({
        id: z.uuid(),
        type: z.string().min(1).max(100),
        version: z.number().int().positive(),
        topic: z.string().min(1).max(249),
        partition: z.number().int().min(0),
        offset: z.string().regex(/^\d+$/),
      })
      .strict()
      .describe('The LoanApproved the LMS refused; it is on the dead-letter topic with the same reason'),
  })
  .strict();
export type LoanBookingRejectedV1Payload = z.infer<typeof loanBookingRejectedV1PayloadSchema>;

/** LoanBookingRejected v1: the LMS could not book an approved loan; the LOS marks the application booking-failed. */
export const loanBookingRejectedV1Schema = envelopeSchema('LoanBookingRejected', 1, loanBookingRejectedV1PayloadSchema);
export type LoanBookingRejectedV1 = z.infer<typeof loanBookingRejectedV1Schema>;
