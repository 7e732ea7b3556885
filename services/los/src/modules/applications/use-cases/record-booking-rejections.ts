import type { LoanBookingRejectedV1 } from '@lendstack/contracts';
import type { BookingFeedbackStore } from '../ports.js';

export interface RecordBookingRejectionsDeps {
  readonly feedback: BookingFeedbackStore;
  /** Told how many applications moved to booking-failed now (a metric; an alert watches it). */
  readonly onBookingFailed: (count: number) => void;
}

/**
 * Applies LoanBookingRejected events: each approved application whose loan the LMS refused moves to
 * `booking-failed` with the LMS's reason, exactly once per event id (inbox, same transaction). A
 * `duplicate-loan` rejection changes nothing: that loan id is booked (from an earlier event).
 * Throws when the database is unavailable (the consumer redelivers).
 */
export async function recordBookingRejections(deps: RecordBookingRejectionsDeps, events: readonly LoanBookingRejectedV1[]): Promise<void> {
  const failures = events.map((event) => ({
    eventId: event.id,
    tenantId: event.tenantId,
    loanId: event.payload.loanId,
    apply: event.payload.code !== 'duplicate-loan',
    failure: { code: event.payload.code, reason: event.payload.reason, at: event.occurredAt, eventId: event.id },
  }));
  const moved = await deps.feedback.recordBookingFailures(failures);
  if (moved > 0) deps.onBookingFailed(moved);
}
