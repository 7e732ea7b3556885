import { authenticate, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { pageAuditLog } from './pg-audit-log.js';

export interface AuditLogRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().regex(/^\d{1,19}$/, 'not a cursor from a previous page').optional(),
  subject: z.string().min(1).max(200).optional(),
}).strict();

/** GET /v1/audit-log: the tenant's hash-chained audit log, newest first (admin). */
export async function auditLogRoutes(app: FastifyInstance, deps: AuditLogRoutesDeps): Promise<void> {
  app.get('/v1/audit-log', {
    schema: {
      tags: ['audit'], summary: "The tenant's audit log, newest first (admin)",
      description: 'Servicing actions and configuration changes: who, what, before/after, when, request id, and the entry\'s chain hash. Keyset pagination: pass `nextCursor` as `cursor`; `subject` filters to one `<kind>/<id>`. `pnpm -s lms audit verify --tenant T` recomputes the chain.',
      querystring: schemaDoc(pageQuery),
      response: { 200: { description: '`{ items, nextCursor }`' }, 400: { description: 'Invalid query (problem+json naming the field)' }, 401: { description: 'Missing or invalid credential' }, 403: { description: 'Not an admin' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const query = parseOr400(pageQuery, request.query, 'query');
    const rows = await pageAuditLog(deps.pool, principal.tenantId, { limit: query.limit, ...(query.cursor ? { beforeSeq: BigInt(query.cursor) } : {}), ...(query.subject ? { subject: query.subject } : {}) });
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items.at(-1)!.seq : null };
  });
}
