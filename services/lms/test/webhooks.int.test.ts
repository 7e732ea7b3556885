import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { topics } from '@lendstack/contracts';
import { createKafka, createLogger, createMetrics, createProducer, signToken, verifyWebhook, type RunningConsumer, type WebhookDispatcher } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { LMS_WEBHOOK_EVENT_TYPES, startLmsWebhookDispatcher, startLmsWebhookEnqueuer } from '../src/modules/webhooks/webhooks.wiring.js';

// Partner webhooks end to end in the LMS: subscribe over HTTP, a lifecycle event on the real Kafka topic is
// enqueued by the LMS's own consumer group and delivered signed to a receiver in this test, which verifies it
// with the verifier the README shows; the log shows the attempt; a replay sends it once more.
const secret = 'webhooks-test-secret-0123456789abcdef';
const logger = createLogger({ service: 'lms-webhooks-test', level: 'silent' });
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
let pool: pg.Pool;
let app: FastifyInstance;
let server: Server;
let producer: Producer;
let dispatcher: WebhookDispatcher;
let enqueuer: RunningConsumer;
let url = '';
let signingSecret = '';
const received: { headers: IncomingHttpHeaders; body: string; verified: boolean }[] = [];

beforeAll(async () => {
  const infra = await infrastructure();
  pool = new pg.Pool({ connectionString: infra.lmsDatabaseUrl, max: 6 });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      // The engine's own verifier (packages/testing/test/webhooks.int.test.ts checks it against the Standard Webhooks library).
      const verified = verifyWebhook(signingSecret, request.headers, body, Math.floor(Date.now() / 1000)).ok;
      received.push({ headers: request.headers, body, verified });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.WEBHOOK_RECEIVER_PORT ?? 0), '127.0.0.1', resolve));
  url = `http://localhost:${(server.address() as AddressInfo).port}/hooks`;
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'lms-webhooks-test', logger });
  producer = await createProducer(kafka);
  dispatcher = startLmsWebhookDispatcher(pool, logger, 4);
  enqueuer = await startLmsWebhookEnqueuer({ kafka, producer, pool, logger, metrics: createMetrics('lms-webhooks-test'), groupId: `lms-webhooks-test-${randomUUID()}`, topicPrefix: prefix, dispatcher });
  app = await buildServer({
    logger, metrics: createMetrics('lms-webhooks-test-http'), readiness: {},
    loans: { loans: undefined as never, authSecret: secret, servicing: undefined as never },
    products: { store: undefined as never, products: undefined as never, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    webhooks: { pool, authSecret: secret, now: () => new Date(), eventTypes: LMS_WEBHOOK_EVENT_TYPES, allowLocalHttp: true, onDue: () => dispatcher.wake() },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await enqueuer?.stop();
  await dispatcher?.stop();
  await producer?.disconnect();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await pool?.end();
});

const auth = (tenantId: string, roles: ('admin' | 'operator')[] = ['admin']) => ({ authorization: `Bearer ${signToken(secret, { subject: 'admin-user', tenantId, roles }, 600, Math.floor(Date.now() / 1000))}` });

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 150; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('LMS partner webhooks', () => {
  it('refuses plain http to a non-local host, an unknown event type, and a non-admin', async () => {
    const tenant = `wh-${randomUUID().slice(0, 8)}`;
    const bad = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: auth(tenant), payload: { url: 'http://partner.example/hooks', eventTypes: ['Nope'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/eventTypes/0', '/url']);
    // A url that is no URL at all is a 400 naming it, not a 500 (schemathesis found one).
    const notUrl = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: auth(tenant), payload: { url: 'X' } });
    expect(notUrl.statusCode).toBe(400);
    expect(notUrl.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/url');
    const operator = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: auth(tenant, ['operator']), payload: { url } });
    expect(operator.statusCode).toBe(403);
  });

  it('subscribes, delivers a lifecycle event from Kafka signed, logs it, replays it once per Idempotency-Key, rotates and disables', async () => {
    const tenant = `wh-${randomUUID().slice(0, 8)}`;
    const created = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: { ...auth(tenant), 'idempotency-key': 'subscribe-1' }, payload: { url, eventTypes: ['LoanDisbursed'], description: 'partner hooks' } });
    expect(created.statusCode, created.body).toBe(201);
    const subscription = created.json();
    expect(subscription.secret).toMatch(/^whsec_/);
    signingSecret = subscription.secret;
    const again = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: { ...auth(tenant), 'idempotency-key': 'subscribe-1' }, payload: { url, eventTypes: ['LoanDisbursed'], description: 'partner hooks' } });
    expect(again.json().id).toBe(subscription.id);
    const shown = await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: auth(tenant) });
    expect(shown.json().secret).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: auth('other-tenant') })).statusCode).toBe(404);

    const eventId = randomUUID();
    const ignoredId = randomUUID();
    const envelope = (id: string, type: string) => JSON.stringify({ id, type, version: 1, subject: 'loan-wh-1', tenantId: tenant, occurredAt: new Date().toISOString(), payload: { loanId: 'loan-wh-1' } });
    await producer.send({ topic: `${prefix}${topics.loanLifecycle.name}`, messages: [{ key: 'loan-wh-1', value: envelope(ignoredId, 'InstallmentDue') }, { key: 'loan-wh-1', value: envelope(eventId, 'LoanDisbursed') }] });
    const delivery = await until(async () => received.find((r) => r.headers['webhook-id'] === eventId), 'the signed delivery');
    expect(delivery.verified).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ id: eventId, type: 'LoanDisbursed', subject: 'loan-wh-1', data: { loanId: 'loan-wh-1' } });
    expect(received.some((r) => r.headers['webhook-id'] === ignoredId)).toBe(false);

    const log = await until(async () => {
      const page = (await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}/deliveries?limit=10`, headers: auth(tenant) })).json();
      return page.items[0]?.status === 'delivered' ? page : undefined;
    }, 'the delivery logged');
    expect(log.items).toHaveLength(1);
    expect(log.items[0].attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200 })]);
    const deliveryId = log.items[0].id as string;

    const replay = () => app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${deliveryId}/replay`, headers: { ...auth(tenant), 'idempotency-key': `replay-${deliveryId}` } });
    expect((await replay()).statusCode).toBe(202);
    await until(async () => (received.filter((r) => r.headers['webhook-id'] === eventId).length === 2 ? true : undefined), 'the replay');
    await until(async () => ((await pool.query("SELECT 1 FROM webhook_deliveries WHERE id = $1 AND status = 'delivered'", [deliveryId])).rowCount === 1 ? true : undefined), 'the replay recorded');
    expect((await replay()).statusCode).toBe(202);
    expect((await app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${deliveryId}/replay`, headers: auth(tenant) })).statusCode).toBe(400);

    const rotated = await app.inject({ method: 'POST', url: `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`, headers: { ...auth(tenant), 'idempotency-key': 'rotate-1' } });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).not.toBe(subscription.secret);
    const disabled = await app.inject({ method: 'POST', url: `/v1/webhook-subscriptions/${subscription.id}/disable`, headers: auth(tenant) });
    expect(disabled.json().disabledAt).not.toBeNull();
    const list = (await app.inject({ method: 'GET', url: '/v1/webhook-subscriptions', headers: auth(tenant) })).json();
    expect(list.items.map((s: { id: string }) => s.id)).toEqual([subscription.id]);
    expect((await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}/deliveries`, headers: auth(tenant) })).statusCode).toBe(200);
    expect(received.filter((r) => r.headers['webhook-id'] === eventId)).toHaveLength(2);
    expect(received.every((r) => r.verified)).toBe(true);

    // DELETE: the subscription, its log and replays of its deliveries leave the API; the rows stay.
    const deleted = await app.inject({ method: 'DELETE', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: auth(tenant) });
    expect(deleted.statusCode).toBe(204);
    for (const url of [`/v1/webhook-subscriptions/${subscription.id}`, `/v1/webhook-subscriptions/${subscription.id}/deliveries`]) {
      expect((await app.inject({ method: 'GET', url, headers: auth(tenant) })).statusCode).toBe(404);
    }
    expect((await app.inject({ method: 'DELETE', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: auth(tenant) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/v1/webhook-subscriptions/${subscription.id}/disable`, headers: auth(tenant) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${deliveryId}/replay`, headers: { ...auth(tenant), 'idempotency-key': `replay-deleted-${deliveryId}` } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/webhook-subscriptions', headers: auth(tenant) })).json().items).toEqual([]);
    expect((await pool.query('SELECT deleted_at IS NOT NULL AS deleted FROM webhook_subscriptions WHERE id = $1', [subscription.id])).rows).toEqual([{ deleted: true }]);
  });
});
