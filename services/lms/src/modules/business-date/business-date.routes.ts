import { randomUUID } from 'node:crypto';
import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { businessDateOf, setBusinessDate } from './business-date.repository.js';

export interface BusinessDateRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  /** The UTC date a tenant's business date starts at on its first use (the only wall-clock read). */
  readonly today: () => string;
}

const putSchema = z.object({ date: loanDateString }).strict();

/** GET (any caller of the tenant) and PUT (admin) /v1/business-date. */
export async function businessDateRoutes(app: FastifyInstance, deps: BusinessDateRoutesDeps): Promise<void> {
  app.get('/v1/business-date', {
    schema: {
      tags: ['business date'],
      summary: "Read the tenant's business date",
      description: 'A tenant that has none yet starts at the UTC date of its first use. Money events are dated up to it; end of day advances it.',
      response: { 200: { description: '`{ tenantId, date }`' }, 401: { description: 'Missing or invalid bearer token' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    return { tenantId: principal.tenantId, date: await businessDateOf(deps.pool, principal.tenantId, deps.today) };
  });

  app.put('/v1/business-date', {
    schema: {
      tags: ['business date'],
      summary: "Set the tenant's business date (admin)",
      description: 'Allowed only when nothing happened after the new date: no money event dated later, no loan state computed past it, no end-of-day run under way (else 409 naming `/date`).',
      body: schemaDoc(putSchema),
      response: { 200: { description: '`{ tenantId, date, previous }`' }, 400: { description: 'Invalid date' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Needs the admin role' }, 409: { description: 'Activity after the date' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const { date } = parseOr400(putSchema, request.body, 'body');
    const result = await setBusinessDate(deps.pool, principal.tenantId, date, deps.today, { actor: principal.subject, requestId: request.id, at: new Date(), id: randomUUID() });
    if (!result.ok) throw new HttpProblem(409, result.error, 'Business date cannot be set', result.detail, { errors: [{ pointer: '/date', detail: result.detail }] });
    return { tenantId: principal.tenantId, date: result.date, previous: result.previous };
  });
}
