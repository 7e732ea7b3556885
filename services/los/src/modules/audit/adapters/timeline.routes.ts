import { authenticate, decodeCursor, HttpProblem, pageQuerySchema, parseOr400, schemaDoc, toPage } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { summarize } from '../domain/timeline.js';
import type { TimelineReader } from '../ports.js';

export interface TimelineRoutesDeps {
  readonly timeline: TimelineReader;
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const timelineQuery = pageQuerySchema.strict();
const STAFF = ['operator', 'approver', 'admin'] as const;

/** GET /v1/applications/{id}/timeline: the whole story of one application, oldest first. */
export async function timelineRoutes(app: FastifyInstance, deps: TimelineRoutesDeps): Promise<void> {
  app.get('/v1/applications/:id/timeline', {
    schema: {
      tags: ['audit'], summary: "An application's timeline, oldest first: submission, checks, decision, review, offers, consent, agreement, mandate, approval, events, booking",
      description: 'Each item: `at`, `kind`, `actor`, `summary` (plain words), `detail`, and `chain` (`seq`, `hash` of its link in the tenant’s hash-chained audit log; null for items that are not audit entries: the submission, checks, events, booking feedback). The automated decision carries its rule outcomes, limits, pricing band and scorecard. Checks show their latest run. Keyset pagination: pass `nextCursor` as `cursor`.',
      params: schemaDoc(idParams), querystring: schemaDoc(timelineQuery),
      response: { 200: { description: '`{ items, nextCursor }`' }, 403: { description: 'Not staff' }, 404: { description: 'No such application for this tenant' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...STAFF]);
    const { id } = parseOr400(idParams, request.params, 'params');
    const q = parseOr400(timelineQuery, request.query, 'query');
    const after = decodeCursor(q.cursor);
    if (!(await deps.timeline.exists(principal.tenantId, id))) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    const rows = await deps.timeline.items(principal.tenantId, id, { limit: q.limit + 1, ...(after ? { after: { at: after.createdAt, key: after.id } } : {}) });
    const page = toPage(rows, q.limit, (r) => ({ createdAt: r.at, id: r.key }));
    return {
      items: page.items.map((r) => ({ at: r.at.toISOString(), kind: r.kind, actor: r.actor, summary: summarize(r), detail: r.detail, chain: r.chain })),
      nextCursor: page.nextCursor,
    };
  });
}
