import { registerReconciliationRoute } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export interface ReconciliationRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

/** The LMS side of approvals vs bookings: every loan booked from an approval of a UTC day, in loan id order. */
export async function reconciliationRoutes(app: FastifyInstance, deps: ReconciliationRoutesDeps): Promise<void> {
  registerReconciliationRoute(app, {
    authSecret: deps.authSecret,
    summary: 'Loans booked that were approved on a day (the LMS side of approvals vs bookings)',
    itemShape: '{ loanId, applicationId, principal }',
    async read(tenantId, q) {
      const { rows } = await deps.pool.query<{ id: string; application_id: string; principal_minor: string; currency: string; scale: number }>(
        `SELECT id, application_id, principal_minor::text, currency, scale
         FROM loan_accounts
         WHERE tenant_id = $1 AND approved_at >= $2 AND approved_at < $3 AND ($4::text IS NULL OR id > $4)
         ORDER BY id LIMIT $5`,
        [tenantId, q.from, q.to, q.after, q.limit],
      );
      return rows.map((r) => ({ loanId: r.id, applicationId: r.application_id, principal: { amount: r.principal_minor, currency: r.currency, scale: r.scale } }));
    },
  });
}
