import { registerReconciliationRoute } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export interface ReconciliationRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

/**
 * The LOS side of approvals vs bookings: every application approved on a UTC day that names a loan
 * (approved, or booking-failed with the LMS's reason), in loan id order.
 */
export async function reconciliationRoutes(app: FastifyInstance, deps: ReconciliationRoutesDeps): Promise<void> {
  registerReconciliationRoute(app, {
    authSecret: deps.authSecret,
    summary: 'Loans approved on a day (the LOS side of approvals vs bookings)',
    itemShape: '{ loanId, applicationId, principal, status, reason? }',
    async read(tenantId, q) {
      const { rows } = await deps.pool.query<{ loan_id: string; id: string; status: string; principal: { amount: string; currency: string; scale: number }; reason: string | null }>(
        `SELECT loan_id::text, id::text, status, loan_request->'principal' AS principal, booking_failure->>'reason' AS reason
         FROM applications
         WHERE tenant_id = $1 AND loan_id IS NOT NULL AND decided_at >= $2 AND decided_at < $3 AND ($4::text IS NULL OR loan_id::text > $4)
         ORDER BY loan_id::text LIMIT $5`,
        [tenantId, q.from, q.to, q.after, q.limit],
      );
      return rows.map((r) => ({ loanId: r.loan_id, applicationId: r.id, principal: r.principal, status: r.status, ...(r.reason ? { reason: r.reason } : {}) }));
    },
  });
}
