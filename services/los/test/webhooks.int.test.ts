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
import { LOS_WEBHOOK_EVENT_TYPES, startLosWebhookDispatcher, startLosWebhookEnqueuer } from '../src/modules/webhooks/webhooks.wiring.js';

// Partner webhooks in the LOS: the same engine and routes as the LMS (services/lms/test/webhooks.int.test.ts
// covers the log, replay and rotation); here an application event on the real applications topic is enqueued
// by the LOS's own consumer group and delivered signed, in order per application, filtered by event type.
const secret = 'webhooks-test-secret-0123456789abcdef';
const logger = createLogger({ service: 'los-webhooks-test', level: 'silent' });
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
  pool = new pg.Pool({ connectionString: infra.losDatabaseUrl, max: 6 });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: request.headers, body, verified: verifyWebhook(signingSecret, request.headers, body, Math.floor(Date.now() / 1000)).ok });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.WEBHOOK_RECEIVER_PORT ?? 0), '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'los-webhooks-test', logger });
  producer = await createProducer(kafka);
  dispatcher = startLosWebhookDispatcher(pool, logger, 4);
  enqueuer = await startLosWebhookEnqueuer({ kafka, producer, pool, logger, metrics: createMetrics('los-webhooks-test'), groupId: `los-webhooks-test-${randomUUID()}`, topicPrefix: prefix, dispatcher });
  app = await buildServer({
    logger, metrics: createMetrics('los-webhooks-test-http'), readiness: {},
    applications: undefined as never, quotes: undefined as never, checks: undefined as never,
    webhooks: { pool, authSecret: secret, now: () => new Date(), eventTypes: LOS_WEBHOOK_EVENT_TYPES, allowLocalHttp: true, onDue: () => dispatcher.wake() },
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

describe('LOS partner webhooks', () => {
  it('delivers application events from the applications topic, signed and in order, only the subscribed types', async () => {
    const tenant = `wh-${randomUUID().slice(0, 8)}`;
    const auth = { authorization: `Bearer ${signToken(secret, { subject: 'admin-user', tenantId: tenant, roles: ['admin'] }, 600, Math.floor(Date.now() / 1000))}` };
    const created = await app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers: auth, payload: { url, eventTypes: ['ApplicationSubmitted', 'ApplicationChecksCompleted'] } });
    expect(created.statusCode, created.body).toBe(201);
    signingSecret = created.json().secret;
    const applicationId = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const envelope = (id: string, type: string) => ({ key: applicationId, value: JSON.stringify({ id, type, version: 1, subject: applicationId, tenantId: tenant, occurredAt: new Date().toISOString(), payload: { applicationId } }) });
    await producer.send({ topic: `${prefix}${topics.applications.name}`, messages: [envelope(ids[0]!, 'ApplicationSubmitted'), envelope(ids[1]!, 'ApplicationChecksStarted'), envelope(ids[2]!, 'ApplicationChecksCompleted')] });
    for (let i = 0; i < 150 && !received.some((r) => r.headers['webhook-id'] === ids[2]); i += 1) await new Promise((r) => setTimeout(r, 200));
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([ids[0], ids[2]]);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'ApplicationSubmitted', subject: applicationId });
  });
});
