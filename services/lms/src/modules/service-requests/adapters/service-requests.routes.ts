import { createHash, randomUUID } from 'node:crypto';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { SERVICE_REQUEST_STATUSES, SERVICE_REQUEST_TYPES, STAFF_REQUEST_TYPES } from '../domain/service-request.js';
import { openServiceRequest, pageServiceRequests, serviceRequestWithHistory, transitionServiceRequest, type Actor, type Outcome } from './pg-service-requests.repository.js';

export interface ServiceRequestRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly now: () => Date;
  readonly newId?: () => string;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const requestParams = z.object({ id: z.uuid() }).strict();
const openBody = z.object({ type: z.enum(STAFF_REQUEST_TYPES), summary: z.string().trim().min(1).max(500), note: z.string().max(2000).optional() }).strict();
const transitionBody = z.object({ to: z.enum(SERVICE_REQUEST_STATUSES), note: z.string().max(2000).optional() }).strict();
const cursor = z.string().regex(/^\d{1,19}$/, 'not a cursor from a previous page').optional();
const loanPage = z.object({ limit: z.coerce.number().int().min(1).max(100).default(25), cursor }).strict();
const listQuery = loanPage.extend({ status: z.enum(SERVICE_REQUEST_STATUSES).optional(), type: z.enum(SERVICE_REQUEST_TYPES).optional() }).strict();

const problems = {
  400: { description: 'Invalid request (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'The caller lacks the role' },
  404: { description: 'No such loan or service request for this tenant' },
  409: { description: 'The transition is not allowed from the current status' },
  422: { description: 'Idempotency-Key reused with another body' },
};
const hashOf = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/** Service requests (customer queries) per loan: open, list, transition (audited). Writes: operator. */
export async function serviceRequestRoutes(app: FastifyInstance, deps: ServiceRequestRoutesDeps): Promise<void> {
  const newId = deps.newId ?? randomUUID;
  const actor = (request: FastifyRequest, roles: Parameters<typeof authenticate>[2]): Actor => {
    const p = authenticate(request, deps.authSecret, roles);
    return { tenantId: p.tenantId, subject: p.subject, requestId: request.id, now: deps.now(), newId };
  };

  app.post('/v1/loans/:id/service-requests', {
    schema: { tags: ['service-requests'], summary: 'Open a service request on a loan (operator)', description: 'type: foreclosure-request, dispute, address-change, statement-request or other (payout-exception requests are opened by the LMS itself); starts open. Audited. Honours `Idempotency-Key`.', headers: idempotencyKeyHeaderDoc(), params: schemaDoc(loanParams), body: schemaDoc(openBody), response: { 201: { description: 'The request' }, ...problems } },
  }, async (request, reply) => {
    const a = actor(request, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(openBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    return send(reply, await openServiceRequest(deps.pool, a, { loanId: id, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: hashOf(['open', id, body]) }), 201);
  });

  app.get('/v1/loans/:id/service-requests', {
    schema: { tags: ['service-requests'], summary: "A loan's service requests, newest first", description: 'Keyset pagination: pass `nextCursor` as `cursor`.', params: schemaDoc(loanParams), querystring: schemaDoc(loanPage), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const p = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const { id } = parseOr400(loanParams, request.params, 'params');
    const q = parseOr400(loanPage, request.query, 'query');
    if ((await deps.pool.query('SELECT 1 FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [id, p.tenantId])).rowCount === 0) {
      throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });
    }
    return page(await pageServiceRequests(deps.pool, p.tenantId, { limit: q.limit, loanId: id, ...(q.cursor ? { beforeSeq: BigInt(q.cursor) } : {}) }), q.limit);
  });

  app.get('/v1/service-requests', {
    schema: { tags: ['service-requests'], summary: "The tenant's service requests, newest first", description: 'Filter by `status` and `type`; keyset pagination (`nextCursor` → `cursor`).', querystring: schemaDoc(listQuery), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401] } },
  }, async (request) => {
    const p = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const q = parseOr400(listQuery, request.query, 'query');
    return page(await pageServiceRequests(deps.pool, p.tenantId, { limit: q.limit, ...(q.cursor ? { beforeSeq: BigInt(q.cursor) } : {}), ...(q.status ? { status: q.status } : {}), ...(q.type ? { type: q.type } : {}) }), q.limit);
  });

  app.get('/v1/service-requests/:id', {
    schema: { tags: ['service-requests'], summary: 'A service request with its history', params: schemaDoc(requestParams), response: { 200: { description: 'The request and `history` (every status change, note, who and when)' }, 400: problems[400], 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const p = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const { id } = parseOr400(requestParams, request.params, 'params');
    const found = await serviceRequestWithHistory(deps.pool, p.tenantId, id);
    if (!found) throw new HttpProblem(404, 'not-found', 'Service request not found', `No service request ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such service request' }] });
    return found;
  });

  app.post('/v1/service-requests/:id/transitions', {
    schema: { tags: ['service-requests'], summary: 'Move a service request to another status (operator)', description: 'open → in-progress → resolved | rejected (open may go straight to resolved or rejected); anything else is 409. Audited with before and after. Honours `Idempotency-Key`.', headers: idempotencyKeyHeaderDoc(), params: schemaDoc(requestParams), body: schemaDoc(transitionBody), response: { 200: { description: 'The request after the change' }, ...problems } },
  }, async (request, reply) => {
    const a = actor(request, 'operator');
    const { id } = parseOr400(requestParams, request.params, 'params');
    const body = parseOr400(transitionBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    return send(reply, await transitionServiceRequest(deps.pool, a, { id, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: hashOf(['transition', id, body]) }), 200);
  });
}

function page<T extends { seq: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.seq : null };
}

function send<T>(reply: FastifyReply, out: Outcome<T>, status: number) {
  if (!out.ok) throw new HttpProblem(out.status, out.code, out.code === 'transition-not-allowed' ? 'Transition not allowed' : out.status === 404 ? 'Not found' : 'Idempotency-Key reused', out.detail, { errors: [{ pointer: out.pointer, detail: out.detail }] });
  if (out.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(status).send(out.value);
}
