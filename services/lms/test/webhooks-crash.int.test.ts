/**
 * Partner webhooks across a crash of the real LMS process. The LMS runs as its own process (as up.sh starts it)
 * and delivers a subscription's events to a receiver in this test, which verifies every signature and
 * deduplicates by `webhook-id` (what the README tells partners to do). After the first few deliveries the
 * receiver stops answering, so each loan's next delivery is in flight; the LMS is SIGKILLed then (nothing
 * drained, nothing recorded for those attempts). A new LMS process on the same database takes the killed
 * claims once their lease (endpoint timeout + 30 s) runs out and sends them again with the same webhook-id and
 * body. At the end every event is delivered (none lost), the only ids the receiver saw twice are the ones in
 * flight at the kill (at-least-once, never a new id), and after deduplication each loan's events arrived in order.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { enqueueDeliveries, signToken, verifyWebhook, type EnqueuedEvent } from '@lendstack/platform';
import { eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const LMS_PORT = await testPort('WEBHOOKS_CRASH_TEST_LMS_PORT');
const RECEIVER_PORT = await testPort('WEBHOOKS_CRASH_TEST_RECEIVER_PORT');
const secret = 'lendstack-webhooks-crash-secret-0123456789abcdef';
const tenantId = `webhooks-crash-${randomUUID().slice(0, 8)}`;
const admin = { authorization: `Bearer ${signToken(secret, { subject: 'admin-crash', tenantId, roles: ['admin'] }, 900, Math.floor(Date.now() / 1000))}`, 'content-type': 'application/json' };
const LOANS = ['loan-1', 'loan-2', 'loan-3', 'loan-4'];
const EVENTS_PER_LOAN = 4;
/** Requests answered 200 before the receiver starts holding them. */
const ANSWERED_BEFORE_HOLD = 6;

interface Arrival { readonly id: string; readonly subject: string; readonly body: string; readonly verified: boolean }
const arrivals: Arrival[] = [];
/** Ids answered 200 the first time (the partner's deduplicated stream), in order. */
const processed: Arrival[] = [];
const held: { id: string; response: ServerResponse }[] = [];
/** Answering, then holding every request (until the kill), then answering again for good. */
let mode: 'answer' | 'hold' | 'answer-all' = 'answer';
let signingSecret = '';
/** This run's path: a subscription an earlier run left behind on the same port is answered and ignored. */
const path = `/hooks/${randomUUID()}`;

const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    if (request.url !== path) return void response.end('ok');
    const body = Buffer.concat(chunks).toString();
    const headers: IncomingHttpHeaders = request.headers;
    const id = String(headers['webhook-id']);
    const arrival = { id, subject: (JSON.parse(body) as { subject: string }).subject, body, verified: verifyWebhook(signingSecret, headers, body, Math.floor(Date.now() / 1000)).ok };
    arrivals.push(arrival);
    if (mode === 'answer' && arrivals.length > ANSWERED_BEFORE_HOLD) mode = 'hold';
    if (mode === 'hold') {
      held.push({ id, response });
      return;
    }
    if (!processed.some((p) => p.id === id)) processed.push(arrival);
    response.end('ok');
  });
});

let lms: ServiceProcess | undefined;
let pool: pg.Pool | undefined;
afterAll(async () => {
  await lms?.stop();
  for (const h of held) h.response.destroy();
  await new Promise((resolve) => receiver.close(resolve));
  await pool?.end();
});

describe('partner webhooks when the LMS process is killed mid-delivery', () => {
  it('loses nothing and re-sends only what was in flight, with the same webhook-id, in order per loan', { timeout: 300_000 }, async () => {
    const infra = await infrastructure();
    pool = new pg.Pool({ connectionString: infra.lmsDatabaseUrl, max: 2 });
    await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, '127.0.0.1', resolve));
    const runId = randomUUID().slice(0, 8);
    const env = {
      AUTH_TOKEN_SECRET: secret, LMS_DATABASE_URL: infra.lmsDatabaseUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), TEMPORAL_ADDRESS: infra.temporalAddress,
      LMS_CONSUMER_GROUP: `lms-webhooks-crash-${runId}`, LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `webhooks-crash-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenantId,
      WEBHOOKS_ALLOW_LOCAL_HTTP: 'true', LMS_WEBHOOKS_CONCURRENCY: '8',
    };
    lms = await startServiceProcess('lms', LMS_PORT, env);
    const created = await fetch(`${lms.url}/v1/webhook-subscriptions`, { method: 'POST', headers: admin, body: JSON.stringify({ url: `http://127.0.0.1:${RECEIVER_PORT}${path}`, timeoutMs: 5_000 }) });
    expect(created.status, await created.clone().text()).toBe(201);
    const subscription = (await created.json()) as { id: string; secret: string };
    signingSecret = subscription.secret;

    // Each loan's events, one after another (the lifecycle consumer enqueues the same way, in topic order).
    const events: EnqueuedEvent[] = [];
    for (let n = 0; n < EVENTS_PER_LOAN; n += 1) {
      for (const loan of LOANS) {
        const id = randomUUID();
        events.push({ id, type: 'LoanDisbursed', subject: loan, tenantId, body: JSON.stringify({ id, type: 'LoanDisbursed', version: 1, subject: loan, tenantId, timestamp: new Date().toISOString(), data: { n } }) });
      }
    }
    expect(await enqueueDeliveries(pool, events, new Date())).toBe(events.length);

    // Every loan has a delivery in flight (held by the receiver): kill the process now.
    await eventually(async () => (new Set(held.map((h) => arrivals.find((a) => a.id === h.id)!.subject)).size === LOANS.length ? true : undefined), { timeoutMs: 60_000, what: `a held delivery for each loan (arrivals: ${arrivals.length})` });
    await lms.crash();
    lms = undefined;
    const inFlight = held.map((h) => h.id);
    expect(inFlight).toHaveLength(LOANS.length);
    for (const h of held.splice(0)) h.response.destroy();
    const statuses = async () => (await pool!.query<{ event_id: string; status: string }>('SELECT event_id, status FROM webhook_deliveries WHERE subscription_id = $1', [subscription.id])).rows;
    expect((await statuses()).filter((r) => r.status === 'delivering').map((r) => r.event_id).sort()).toEqual([...inFlight].sort());

    mode = 'answer-all';
    lms = await startServiceProcess('lms', LMS_PORT, env);
    await eventually(async () => ((await statuses()).every((r) => r.status === 'delivered') ? true : undefined), { timeoutMs: 120_000, intervalMs: 500, what: 'every delivery delivered by the restarted LMS' });

    expect(arrivals.every((a) => a.verified)).toBe(true);
    // None lost: every event was answered 200 once it arrived.
    expect(processed.map((p) => p.id).sort()).toEqual(events.map((e) => e.id).sort());
    // At least once, never a new id: the ids seen twice are exactly those in flight at the kill, the same bytes each time.
    const counts = new Map<string, number>();
    for (const a of arrivals) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1).map(([id]) => id).sort()).toEqual([...inFlight].sort());
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    for (const id of inFlight) expect(new Set(arrivals.filter((a) => a.id === id).map((a) => a.body)).size).toBe(1);
    // After deduplication, each loan's events in the order they happened.
    for (const loan of LOANS) expect(processed.filter((p) => p.subject === loan).map((p) => p.id)).toEqual(events.filter((e) => e.subject === loan).map((e) => e.id));

    // The delivery log of a re-sent one: one recorded attempt (the killed one left none), delivered.
    const log = await fetch(`${lms.url}/v1/webhook-subscriptions/${subscription.id}/deliveries?limit=100`, { headers: admin });
    const items = ((await log.json()) as { items: { eventId: string; status: string; attempts: number; attemptLog: { statusCode: number | null }[] }[] }).items;
    const resent = items.find((d) => d.eventId === inFlight[0])!;
    expect(resent).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(resent.attemptLog.map((a) => a.statusCode)).toEqual([200]);
  });
});
