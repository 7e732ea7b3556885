import type { PrismaClient } from '../../../platform/prisma.js';
import type { BookingFeedbackStore } from '../ports.js';

/**
 * One statement per table for a chunk of events. The status rule is the domain's `markBookingFailed`
 * (only an approved application moves), expressed in the WHERE clause so a chunk is one UPDATE.
 */
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

export function createPrismaBookingFeedbackStore(prisma: PrismaClient): BookingFeedbackStore {
  return {
    async recordBookingFailures(all) {
      const records = [...new Map(all.map((r) => [r.eventId, r])).values()];
      if (records.length === 0) return 0;
      return prisma.$transaction(async (tx) => {
        const fresh = await tx.$queryRawUnsafe<{ event_id: string }[]>(
          `INSERT INTO inbox (event_id, type, version)
           SELECT id, 'LoanBookingRejected', 1 FROM unnest($1::uuid[]) AS id
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          records.map((r) => r.eventId),
        );
        const freshIds = new Set(fresh.map((r) => r.event_id));
        // Loan ids the LOS issues are UUIDs; any other id names no application of ours.
        const apply = records.filter((r) => r.apply && freshIds.has(r.eventId) && UUID.test(r.loanId));
        if (apply.length === 0) return 0;
        return tx.$executeRawUnsafe(
          `UPDATE applications a
           SET status = 'booking-failed', booking_failure = f.failure, version = a.version + 1, updated_at = now()
           FROM unnest($1::text[], $2::uuid[], $3::jsonb[]) AS f(tenant_id, loan_id, failure)
           WHERE a.tenant_id = f.tenant_id AND a.loan_id = f.loan_id AND a.status = 'approved'`,
          apply.map((r) => r.tenantId), apply.map((r) => r.loanId), apply.map((r) => JSON.stringify(r.failure)),
        );
      }, { timeout: 30_000 });
    },
  };
}
