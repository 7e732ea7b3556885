import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { authenticate } from '../auth.js';
import { schemaDoc } from '../http-server.js';
import { idempotencyKeyHeaderDoc, idempotencyKeyOf } from '../idempotency.js';
import { decodeCursor, pageQuerySchema, toPage } from '../pagination.js';
import { HttpProblem, parseOr400 } from '../problem.js';
import { DELIVERY_STATUSES, listDeliveries, replayDelivery } from './delivery-log.js';
import { createSubscription, disableSubscription, findSubscription, listSubscriptions, rotateSecret } from './subscriptions.js';

export interface WebhookRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly now: () => Date;
  /** The event types this service sends (the subscription's filter is checked against them). */
  readonly eventTypes: readonly string[];
  /** Plain http is accepted for localhost endpoints only when true (development and tests). */
  readonly allowLocalHttp: boolean;
  /** Told after a replay made a delivery due (the dispatcher's wake). */
  readonly onDue?: () => void;
}

const idParams = z.object({ id: z.uuid() }).strict();
const deliveriesQuery = pageQuerySchema.extend({ status: z.enum(DELIVERY_STATUSES).optional() }).strict();
const problems = {
  400: { description: 'Invalid request (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'Not an admin' },
  404: { description: 'No such subscription or delivery for this tenant' },
  409: { description: 'The subscription is disabled, or the delivery is being sent now' },
  422: { description: 'Idempotency-Key reused with another body' },
};
const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const notFound = (what: string, id: string) => new HttpProblem(404, 'not-found', `${what} not found`, `No ${what.toLowerCase()} ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: `no such ${what.toLowerCase()}` }] });
const keyReused = () => new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used with another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'used with another request' }] });

/**
 * Partner webhook subscriptions and their delivery log, the same in both services (admin of the tenant).
 * Signatures follow Standard Webhooks (see signing.ts); the secret is shown on create and rotate only.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRoutesDeps): Promise<void> {
  const body = z.object({
    url: z.url().max(2_000).refine((u) => {
      // zod runs a refinement even when z.url() already failed: a string that is no URL is refused here, not thrown.
      if (!URL.canParse(u)) return false;
      const parsed = new URL(u);
      return parsed.protocol === 'https:' || (deps.allowLocalHttp && parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname));
    }, deps.allowLocalHttp ? 'https required (http only for localhost)' : 'https required'),
    eventTypes: z.array(z.enum(deps.eventTypes as [string, ...string[]])).max(50).default([]),
    description: z.string().max(500).optional(),
    timeoutMs: z.number().int().min(1_000).max(30_000).default(10_000),
  }).strict();
  const admin = (request: FastifyRequest) => authenticate(request, deps.authSecret, 'admin');

  app.post('/v1/webhook-subscriptions', {
    schema: { tags: ['webhooks'], summary: 'Subscribe an endpoint to events (admin)', description: 'Answers the `whsec_` signing secret once. Deliveries are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over `id.timestamp.body`); receivers refuse timestamps more than 5 minutes off. Empty `eventTypes`: every type. Honours `Idempotency-Key`.', headers: idempotencyKeyHeaderDoc(), body: schemaDoc(body), response: { 201: { description: 'The subscription and its `secret`' }, 400: problems[400], 401: problems[401], 403: problems[403], 422: problems[422] } },
  }, async (request, reply) => {
    const p = admin(request);
    const input = parseOr400(body, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const created = await createSubscription(deps.pool, { id: randomUUID(), tenantId: p.tenantId, url: input.url, description: input.description, eventTypes: input.eventTypes, timeoutMs: input.timeoutMs, idempotencyKey: key, requestHash: hashOf(input) }, deps.now());
    if (!created.ok) throw keyReused();
    return reply.code(201).send({ ...created.subscription, secret: created.secret });
  });

  app.get('/v1/webhook-subscriptions', {
    schema: { tags: ['webhooks'], summary: "The tenant's webhook subscriptions, newest first", description: 'Keyset pagination: pass `nextCursor` as `cursor`.', querystring: schemaDoc(pageQuerySchema.strict()), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401], 403: problems[403] } },
  }, async (request) => {
    const p = admin(request);
    const q = parseOr400(pageQuerySchema.strict(), request.query, 'query');
    return toPage(await listSubscriptions(deps.pool, p.tenantId, q.limit, decodeCursor(q.cursor)), q.limit, (s) => ({ createdAt: s.createdAt, id: s.id }));
  });

  app.get('/v1/webhook-subscriptions/:id', {
    schema: { tags: ['webhooks'], summary: 'A webhook subscription (no secret)', params: schemaDoc(idParams), response: { 200: { description: 'The subscription' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] } },
  }, async (request) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    return (await findSubscription(deps.pool, p.tenantId, id)) ?? Promise.reject(notFound('Subscription', id));
  });

  app.post('/v1/webhook-subscriptions/:id/disable', {
    schema: { tags: ['webhooks'], summary: 'Disable a subscription (its log stays readable; deliveries not yet sent are cancelled)', description: 'Final: there is no re-enable. Every delivery still pending or in flight becomes `cancelled` (`cancelledAt`, `cancelReason: subscription disabled` in the log) and is never sent; an attempt already in flight is still logged, and is `delivered` if the endpoint took it. A new subscription receives new events only. Idempotent: disabling again answers the same subscription.', params: schemaDoc(idParams), response: { 200: { description: 'The subscription, `disabledAt` set' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] } },
  }, async (request) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    return (await disableSubscription(deps.pool, p.tenantId, id, deps.now())) ?? Promise.reject(notFound('Subscription', id));
  });

  app.delete('/v1/webhook-subscriptions/:id', {
    schema: { tags: ['webhooks'], summary: 'Delete a subscription (it and its delivery log leave the API)', description: 'Cancels every delivery not yet sent (as disable does, `cancelReason: subscription deleted`); afterwards the subscription, its delivery log and replays of its deliveries answer 404, and it leaves the list. To stop deliveries and keep the log readable, disable it instead (`POST /v1/webhook-subscriptions/{id}/disable`). The rows are kept for audit.', params: schemaDoc(idParams), response: { 204: { description: 'Deleted' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] } },
  }, async (request, reply) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    if (!(await disableSubscription(deps.pool, p.tenantId, id, deps.now(), { delete: true }))) throw notFound('Subscription', id);
    return reply.code(204).send();
  });

  app.post('/v1/webhook-subscriptions/:id/rotate-secret', {
    schema: { tags: ['webhooks'], summary: 'Rotate the signing secret', description: 'Answers the new secret once; for 24 hours each delivery carries a signature by the old secret too. Honours `Idempotency-Key` (a retry answers the same new secret).', headers: idempotencyKeyHeaderDoc(), params: schemaDoc(idParams), response: { 200: { description: 'The subscription and its new `secret`' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] } },
  }, async (request) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    const rotated = await rotateSecret(deps.pool, p.tenantId, id, idempotencyKeyOf(request.headers), deps.now());
    if (!rotated.ok && rotated.error === 'not-found') throw notFound('Subscription', id);
    if (!rotated.ok) throw new HttpProblem(409, 'subscription-disabled', 'Subscription disabled', 'A disabled subscription has no secret to rotate.');
    return { ...rotated.subscription, secret: rotated.secret };
  });

  app.get('/v1/webhook-subscriptions/:id/deliveries', {
    schema: { tags: ['webhooks'], summary: "A subscription's delivery log, newest first", description: 'Each delivery with its status (pending, delivering, delivered, dead, cancelled), next attempt, and every attempt (status code, latency, error). Filter by `status`; keyset pagination (`nextCursor` → `cursor`).', params: schemaDoc(idParams), querystring: schemaDoc(deliveriesQuery), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] } },
  }, async (request) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    const q = parseOr400(deliveriesQuery, request.query, 'query');
    if (!(await findSubscription(deps.pool, p.tenantId, id))) throw notFound('Subscription', id);
    return toPage(await listDeliveries(deps.pool, p.tenantId, id, { limit: q.limit, after: decodeCursor(q.cursor), status: q.status }), q.limit, (d) => ({ createdAt: d.createdAt, id: d.id }));
  });

  app.post('/v1/webhook-deliveries/:id/replay', {
    schema: { tags: ['webhooks'], summary: 'Send a past delivery again (dead-lettered or any other)', description: 'Same `webhook-id` and body, a new round of the retry schedule. `Idempotency-Key` required: the same key answers the first replay again without sending twice.', headers: idempotencyKeyHeaderDoc({ required: true }), params: schemaDoc(idParams), response: { 202: { description: 'The delivery, pending again' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409], 422: problems[422] } },
  }, async (request, reply) => {
    const p = admin(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const replayed = await replayDelivery(deps.pool, p.tenantId, id, key, deps.now());
    if (!replayed.ok) {
      if (replayed.error === 'not-found') throw notFound('Delivery', id);
      if (replayed.error === 'idempotency-key-reused') throw keyReused();
      throw new HttpProblem(409, replayed.error, replayed.error === 'in-flight' ? 'Delivery in flight' : 'Subscription disabled', replayed.error === 'in-flight' ? 'The delivery is being sent now; replay it after this attempt.' : 'The delivery\'s subscription is disabled.');
    }
    if (!replayed.replayed) deps.onDue?.();
    return reply.code(202).send(replayed.delivery);
  });
}
