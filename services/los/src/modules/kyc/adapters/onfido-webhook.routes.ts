/**
 * POST /v1/kyc-webhooks/onfido: Onfido's signed webhook (documentation.onfido.com/api/manual-webhook-
 * signature-verification): `X-SHA2-Signature` is the hex HMAC-SHA256 of the RAW body under the webhook's
 * token, compared in constant time, before anything in the body is believed. Unsigned or badly signed → 401;
 * the same event again (same bytes) → 409; an event whose object timestamp is older than the tolerance → 422
 * (a captured old delivery replayed later). Accepted events are recorded for the KYC runner that waits on them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpProblem } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { KycWebhookInbox } from '../ports.js';

export interface OnfidoWebhookRoutesDeps {
  readonly inbox: KycWebhookInbox;
  /** The webhook's `token` (from POST /webhooks), the HMAC key. */
  readonly webhookToken: string;
  /** Oldest object timestamp accepted, in seconds before now. */
  readonly toleranceSeconds: number;
  readonly now: () => Date;
}

const eventSchema = z.object({
  payload: z.object({
    resource_type: z.string().min(1),
    action: z.string().min(1),
    object: z.object({
      id: z.string().min(1),
      status: z.string().nullable().optional(),
      started_at_iso8601: z.string().nullable().optional(),
      completed_at_iso8601: z.string().nullable().optional(),
      href: z.string().optional(),
    }),
  }),
});

export function verifyOnfidoSignature(rawBody: Buffer, signatureHex: string | undefined, token: string): boolean {
  if (!signatureHex || !/^[0-9a-fA-F]{64}$/.test(signatureHex)) return false;
  const expected = createHmac('sha256', token).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'));
}

export async function onfidoWebhookRoutes(app: FastifyInstance, deps: OnfidoWebhookRoutesDeps): Promise<void> {
  // The signature is over the raw bytes, so this route keeps them (encapsulated: other routes still parse JSON).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post('/v1/kyc-webhooks/onfido', {
    schema: {
      tags: ['kyc'],
      summary: 'Onfido webhook receiver (check.completed, report.completed, …)',
      description: 'Authenticated by `X-SHA2-Signature` (hex HMAC-SHA256 of the raw body under the webhook token), not by a bearer token.',
      headers: { type: 'object', properties: { 'x-sha2-signature': { type: 'string' } } },
      response: { 200: { description: 'Recorded' }, 400: { description: 'Body not readable' }, 401: { description: 'Missing or invalid signature' }, 409: { description: 'This event was already received (replay)' }, 413: { description: 'Body larger than 64 KiB' }, 415: { description: 'Not application/json' }, 422: { description: 'Stale event or not an Onfido event' } },
    },
  }, async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers['x-sha2-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature) throw new HttpProblem(401, 'webhook-signature-missing', 'Webhook signature missing', 'X-SHA2-Signature is required.', { errors: [{ pointer: '/header/x-sha2-signature', detail: 'required' }] });
    if (!verifyOnfidoSignature(raw, signature, deps.webhookToken)) throw new HttpProblem(401, 'webhook-signature-invalid', 'Webhook signature invalid', 'X-SHA2-Signature does not match the body.', { errors: [{ pointer: '/header/x-sha2-signature', detail: 'does not match the body' }] });
    let parsed: z.infer<typeof eventSchema>;
    try {
      parsed = eventSchema.parse(JSON.parse(raw.toString('utf8')));
    } catch {
      throw new HttpProblem(422, 'webhook-not-understood', 'Not an Onfido webhook event', 'The body is not {"payload":{resource_type, action, object:{id}}}.', { errors: [{ pointer: '/payload', detail: 'expected resource_type, action and object.id' }] });
    }
    const { payload } = parsed;
    const stamp = payload.object.completed_at_iso8601 ?? payload.object.started_at_iso8601;
    const occurredAt = stamp ? new Date(stamp) : undefined;
    if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw new HttpProblem(422, 'webhook-stale', 'Webhook event has no timestamp', 'object.completed_at_iso8601 or started_at_iso8601 is required.', { errors: [{ pointer: '/payload/object/completed_at_iso8601', detail: 'required' }] });
    const ageSeconds = (deps.now().getTime() - occurredAt.getTime()) / 1000;
    if (ageSeconds > deps.toleranceSeconds) throw new HttpProblem(422, 'webhook-stale', 'Webhook event too old', `The event is ${Math.round(ageSeconds)} s old; at most ${deps.toleranceSeconds} s is accepted.`, { errors: [{ pointer: '/payload/object/completed_at_iso8601', detail: 'older than the tolerance' }] });
    const eventId = createHash('sha256').update(raw).digest('hex');
    const recorded = await deps.inbox.record({ eventId, vendor: 'onfido', resourceType: payload.resource_type, action: payload.action, objectId: payload.object.id, objectStatus: payload.object.status ?? null, occurredAt });
    if (recorded === 'replayed') throw new HttpProblem(409, 'webhook-replayed', 'Webhook already received', `Event ${eventId.slice(0, 16)}… was received before.`);
    return reply.status(200).send({ received: true });
  });
}
