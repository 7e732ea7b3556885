import type { DeadLettered, Logger } from '@lendstack/platform';
import type pg from 'pg';
import { asDuplicate, bookingRejectedFor, bookingRejectedTopic } from '../domain/booking-rejection.js';

/**
 * Turns each LoanApproved the LMS dead-letters into a LoanBookingRejected on its outbox, so the LOS
 * hears of it (the application moves to booking-failed). One statement for a chunk; a redelivered
 * message derives the same event id and inserts nothing. Throws when the database is unavailable,
 * which makes the consumer retry the chunk.
 */
export function createBookingRejectionNotifier(deps: { pool: pg.Pool; logger: Logger; now: () => Date; wakeOutbox: () => void }) {
  return async (messages: DeadLettered[]): Promise<void> => {
    const events = messages.map((m) => ({ message: m, event: bookingRejectedFor(m, deps.now()) }));
    for (const { message } of events.filter((e) => !e.event)) {
      deps.logger.warn({ topic: message.topic, partition: message.partition, offset: message.offset, reason: message.reason }, 'dead-lettered a message that names no tenant or loan: no one can be told');
    }
    const found = events.flatMap((e) => (e.event ? [e.event] : []));
    if (found.length === 0) return;
    // A refused event about a loan that IS booked (from an earlier event) must not fail its application.
    const booked = new Set((await deps.pool.query<{ id: string }>('SELECT id FROM loan_accounts WHERE id = ANY($1::text[])', [found.map((e) => e.subject)])).rows.map((r) => r.id));
    const rows = found.map((e) => (booked.has(e.subject) ? asDuplicate(e) : e));
    await deps.pool.query(
      `INSERT INTO outbox (id, topic, key, value)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])
       ON CONFLICT (id) DO NOTHING`,
      [rows.map((e) => e.id), rows.map(() => bookingRejectedTopic), rows.map((e) => e.subject), rows.map((e) => JSON.stringify(e))],
    );
    deps.wakeOutbox();
  };
}
