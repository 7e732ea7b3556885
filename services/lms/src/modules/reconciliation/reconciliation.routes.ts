import { authenticate, parseOr400, reconciliationQuerySchema, schemaDoc, utcDay, type ReconciliationPage } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export interface ReconciliationRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

/**
 * The LMS side of approvals vs bookings: every loan booked from a LoanApproved approved on a UTC day,
 * in loan id order. `pnpm -s reconcile` compares it with the LOS's side. Operators and admins.
 */
export async function reconciliationRoutes(app: FastifyInstance, deps: ReconciliationRoutesDeps): Promise<void> {
  app.get('/v1/reconciliation/loans', {
    schema: {
      tags: ['reconciliation'],
      summary: 'Loans booked that were approved on a day (the LMS side of approvals vs bookings)',
      description: 'Keyset paging: pass `next` as `after`. Compare with the LOS\'s GET /v1/reconciliation/loans, or run `pnpm -s reconcile --tenant T --date D`.',
      querystring: schemaDoc(reconciliationQuerySchema),
      response: { 200: { description: '`{ date, items: [{ loanId, applicationId, principal }], next }`' }, 400: { description: 'Invalid query (problem+json)' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is neither operator nor admin' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const query = parseOr400(reconciliationQuerySchema, request.query, 'query');
    const { from, to } = utcDay(query.date);
    const { rows } = await deps.pool.query<{ id: string; application_id: string; principal_minor: string; currency: string; scale: number }>(
      `SELECT id, application_id, principal_minor::text, currency, scale
       FROM loan_accounts
       WHERE tenant_id = $1 AND approved_at >= $2 AND approved_at < $3 AND ($4::text IS NULL OR id > $4)
       ORDER BY id LIMIT $5`,
      [principal.tenantId, from, to, query.after ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const body: ReconciliationPage & { date: string } = {
      date: query.date,
      items: page.map((r) => ({ loanId: r.id, applicationId: r.application_id, principal: { amount: r.principal_minor, currency: r.currency, scale: r.scale } })),
      next: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
    return body;
  });
}
