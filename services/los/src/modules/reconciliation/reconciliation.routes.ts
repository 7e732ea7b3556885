import { authenticate, parseOr400, reconciliationQuerySchema, schemaDoc, utcDay, type ReconciliationPage } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export interface ReconciliationRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

/**
 * The LOS side of approvals vs bookings: every application approved on a UTC day that names a loan
 * (approved, or booking-failed with the LMS's reason), in loan id order. `pnpm -s reconcile` compares
 * it with the LMS's side. Operators and admins.
 */
export async function reconciliationRoutes(app: FastifyInstance, deps: ReconciliationRoutesDeps): Promise<void> {
  app.get('/v1/reconciliation/loans', {
    schema: {
      tags: ['reconciliation'],
      summary: 'Loans approved on a day (the LOS side of approvals vs bookings)',
      description: 'Keyset paging: pass `next` as `after`. Compare with the LMS\'s GET /v1/reconciliation/loans, or run `pnpm -s reconcile --tenant T --date D`.',
      querystring: schemaDoc(reconciliationQuerySchema),
      response: { 200: { description: '`{ date, items: [{ loanId, applicationId, principal, status, reason? }], next }`' }, 400: { description: 'Invalid query (problem+json)' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is neither operator nor admin' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const query = parseOr400(reconciliationQuerySchema, request.query, 'query');
    const { from, to } = utcDay(query.date);
    const { rows } = await deps.pool.query<{ loan_id: string; id: string; status: string; principal: { amount: string; currency: string; scale: number }; reason: string | null }>(
      `SELECT loan_id::text, id::text, status, loan_request->'principal' AS principal, booking_failure->>'reason' AS reason
       FROM applications
       WHERE tenant_id = $1 AND loan_id IS NOT NULL AND decided_at >= $2 AND decided_at < $3 AND ($4::text IS NULL OR loan_id::text > $4)
       ORDER BY loan_id::text LIMIT $5`,
      [principal.tenantId, from, to, query.after ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const body: ReconciliationPage & { date: string } = {
      date: query.date,
      items: page.map((r) => ({ loanId: r.loan_id, applicationId: r.id, principal: r.principal, status: r.status, ...(r.reason ? { reason: r.reason } : {}) })),
      next: rows.length > query.limit ? page[page.length - 1]!.loan_id : null,
    };
    return body;
  });
}
