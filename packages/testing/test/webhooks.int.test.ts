import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCELLED_BY_DISABLE, MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, claimDeliveries, createLogger, createSubscription, disableSubscription, enqueueDeliveries, findDelivery, listDeliveries,
  nextAttempt, recordAttempt, replayDelivery, signWebhook, startWebhookDispatcher, verifyWebhook, type EnqueuedEvent, type WebhookDispatcher,
} from '@lendstack/platform';
import { eventually, infrastructure } from '../src/index.js';

// The shared webhook engine against the real LMS database (migrated) and a real HTTP receiver in this test.
// The receiver checks every signature with the Standard Webhooks reference library (not our verifier), and
// the retry schedule runs on a fake clock the dispatcher reads: no test sleeps through a backoff.

interface Received { readonly headers: IncomingHttpHeaders; readonly body: string; readonly verified: boolean }

const logger = createLogger({ service: 'webhooks-test', level: 'silent' });
let pool: pg.Pool;
let server: Server;
let url: string;
const received: Received[] = [];
/** What the receiver answers next: a status per request, popped; then `fallback`. */
const answers: number[] = [];
let fallback = 200;
let secret = '';
let clock = new Date();
const now = () => clock;

function libraryVerifies(body: string, headers: IncomingHttpHeaders): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const infra = await infrastructure();
  pool = new pg.Pool({ connectionString: infra.lmsDatabaseUrl, max: 6 });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      // The library checks the timestamp against the real clock; on the fake clock (retries hours later) the
      // same check is made with our verifier against the dispatcher's clock.
      const verified = libraryVerifies(body, request.headers) || verifyWebhook(secret, request.headers, body, Math.floor(clock.getTime() / 1000)).ok;
      received.push({ headers: request.headers, body, verified });
      response.statusCode = answers.shift() ?? fallback;
      response.end(response.statusCode === 200 ? 'ok' : 'receiver failing');
    });
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.WEBHOOK_RECEIVER_PORT ?? 0), '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await pool?.end();
});

async function subscribe(tenantId: string, eventTypes: string[] = []): Promise<string> {
  const created = await createSubscription(pool, { id: randomUUID(), tenantId, url, eventTypes, timeoutMs: 2_000, requestHash: 'h' }, now());
  if (!created.ok) throw new Error('not created');
  secret = created.secret;
  return created.subscription.id;
}

const event = (tenantId: string, subject: string, type = 'loan.disbursed'): EnqueuedEvent => {
  const id = randomUUID();
  return { id, type, subject, tenantId, body: JSON.stringify({ id, type, subject, tenantId, timestamp: new Date().toISOString(), data: {} }) };
};

const startDispatcher = (): WebhookDispatcher => startWebhookDispatcher({ pool, logger, concurrency: 4, pollMs: 50, now, random: () => 0.5 });

const statusOf = async (id: string) => (await pool.query<{ status: string; next_attempt_at: Date | null; attempts: number }>('SELECT status, next_attempt_at, attempts FROM webhook_deliveries WHERE event_id = $1', [id])).rows[0]!;

describe('retry schedule and signatures', () => {
  it('backs off exponentially with jitter for just under 24 hours, then dead-letters', () => {
    const total = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(24 * 3_600);
    expect(total).toBeGreaterThan(23 * 3_600);
    const at = new Date('2026-12-03T00:00:00Z');
    expect(nextAttempt(1, at, () => 0)).toMatchObject({ kind: 'retry', delayMs: 4_500 });
    expect(nextAttempt(1, at, () => 0.999_999)).toMatchObject({ kind: 'retry', delayMs: 5_500 });
    expect(nextAttempt(MAX_ATTEMPTS - 1, at, () => 0.5)).toMatchObject({ kind: 'retry', delayMs: 28_800_000 });
    expect(nextAttempt(MAX_ATTEMPTS, at)).toEqual({ kind: 'dead' });
  });

  it('signs as Standard Webhooks: the reference library verifies it, and refuses a changed body or an old timestamp', () => {
    const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"type":"loan.disbursed"}';
    const seconds = Math.floor(Date.now() / 1000);
    const headers = { ...signWebhook([key], 'msg_1', seconds, body) };
    expect(() => new Webhook(key).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(key).verify(`${body} `, headers)).toThrow();
    expect(verifyWebhook(key, headers, body, seconds + 300)).toEqual({ ok: true });
    expect(verifyWebhook(key, headers, body, seconds + 301)).toEqual({ ok: false, reason: 'timestamp-outside-window' });
    const old = { ...signWebhook([key], 'msg_1', seconds - 301, body) };
    expect(() => new Webhook(key).verify(body, old)).toThrow();
    // During a rotation both secrets sign; a receiver holding either one accepts.
    const other = 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY';
    const both = { ...signWebhook([other, key], 'msg_1', seconds, body) };
    expect(() => new Webhook(key).verify(body, both)).not.toThrow();
    expect(() => new Webhook(other).verify(body, both)).not.toThrow();
  });
});

describe('webhook engine on the real database', () => {
  it('enqueues once per (subscription, event), delivers in order per loan, retries a 500 and records every attempt', async () => {
    clock = new Date();
    const tenant = `t-${randomUUID()}`;
    const subscriptionId = await subscribe(tenant);
    const loanA = [event(tenant, 'loan-a'), event(tenant, 'loan-a'), event(tenant, 'loan-a')];
    const loanB = [event(tenant, 'loan-b'), event(tenant, 'loan-b')];
    expect(await enqueueDeliveries(pool, [...loanA, ...loanB], now())).toBe(5);
    expect(await enqueueDeliveries(pool, [loanA[0]!, loanB[1]!], now())).toBe(0);
    received.length = 0;
    answers.push(500);
    const dispatcher = startDispatcher();
    try {
      // The first loan-a event fails once; loan-a's later events wait for it, loan-b goes on.
      await eventually(async () => ((await statusOf(loanA[0]!.id)).status === 'pending' && (await statusOf(loanB[1]!.id)).status === 'delivered') || undefined, { what: 'loan-b delivered, loan-a waiting' });
      expect((await statusOf(loanA[1]!.id)).status).toBe('pending');
      expect(received.filter((r) => r.headers['webhook-id'] === loanA[1]!.id)).toHaveLength(0);
      const retryAt = (await statusOf(loanA[0]!.id)).next_attempt_at!;
      expect(retryAt.getTime() - clock.getTime()).toBeGreaterThanOrEqual(4_500);
      clock = new Date(retryAt.getTime() + 1);
      dispatcher.wake();
      await eventually(async () => ((await statusOf(loanA[2]!.id)).status === 'delivered') || undefined, { what: 'loan-a delivered' });
    } finally {
      await dispatcher.stop();
    }
    expect(received.every((r) => r.verified)).toBe(true);
    const delivered = (ids: string[]) => received.filter((r) => ids.includes(String(r.headers['webhook-id'])) && r.body.length > 0).map((r) => String(r.headers['webhook-id']));
    const orderA = [...new Set(delivered(loanA.map((e) => e.id)))];
    expect(orderA).toEqual(loanA.map((e) => e.id));
    expect([...new Set(delivered(loanB.map((e) => e.id)))]).toEqual(loanB.map((e) => e.id));
    const log = await listDeliveries(pool, tenant, subscriptionId, { limit: 10 });
    const first = log.find((d) => d.eventId === loanA[0]!.id)!;
    expect(first.attemptLog.map((a) => a.statusCode)).toEqual([500, 200]);
    expect(log).toHaveLength(5);
  });

  it('dead-letters after the 24-hour schedule, lets the loan’s next event go, and replays once per Idempotency-Key', async () => {
    clock = new Date();
    const tenant = `t-${randomUUID()}`;
    await subscribe(tenant);
    const [failing, next] = [event(tenant, 'loan-c'), event(tenant, 'loan-c')];
    await enqueueDeliveries(pool, [failing!, next!], now());
    fallback = 500;
    received.length = 0;
    const started = clock.getTime();
    const dispatcher = startDispatcher();
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const row = await eventually(async () => {
          const s = await statusOf(failing!.id);
          return s.attempts === attempt && s.status !== 'delivering' ? s : undefined;
        }, { what: `attempt ${attempt} recorded` });
        if (attempt < MAX_ATTEMPTS) {
          expect(row.status).toBe('pending');
          expect(received.filter((r) => r.headers['webhook-id'] === next!.id)).toHaveLength(0);
          if (attempt === MAX_ATTEMPTS - 1) {
            // The last attempt fails too; whatever comes after it (the loan's next event) is answered 200.
            answers.push(500);
            fallback = 200;
          }
          clock = new Date(row.next_attempt_at!.getTime() + 1);
          dispatcher.wake();
        } else {
          expect(row.status).toBe('dead');
        }
      }
      expect(clock.getTime() - started).toBeLessThan(24 * 3_600_000);
      expect(clock.getTime() - started).toBeGreaterThan(20 * 3_600_000);
      // Dead-lettered: the loan's next event is no longer held back.
      await eventually(async () => ((await statusOf(next!.id)).status === 'delivered') || undefined, { what: 'next event delivered' });
      const dead = (await pool.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE event_id = $1', [failing!.id])).rows[0]!.id;
      const key = randomUUID();
      const replay = await replayDelivery(pool, tenant, dead, key, now());
      expect(replay).toMatchObject({ ok: true, replayed: false });
      dispatcher.wake();
      await eventually(async () => ((await statusOf(failing!.id)).status === 'delivered') || undefined, { what: 'replayed delivery' });
      expect(await replayDelivery(pool, tenant, dead, key, now())).toMatchObject({ ok: true, replayed: true });
      expect(await replayDelivery(pool, tenant, randomUUID(), key, now())).toEqual({ ok: false, error: 'idempotency-key-reused' });
      const view = (await findDelivery(pool, tenant, dead))!;
      expect(view.attempts).toBe(MAX_ATTEMPTS + 1);
      expect(view.attemptLog.at(-1)!.statusCode).toBe(200);
    } finally {
      fallback = 200;
      await dispatcher.stop();
    }
    const sends = received.filter((r) => r.headers['webhook-id'] === failing!.id);
    expect(sends).toHaveLength(MAX_ATTEMPTS + 1);
    expect(new Set(sends.map((r) => r.body)).size).toBe(1);
    expect(received.every((r) => r.verified)).toBe(true);
  });

  it('disabling a subscription cancels what it still had to send, says why in the log, still logs an attempt in flight, and enqueues nothing after', async () => {
    clock = new Date();
    const tenant = `t-${randomUUID()}`;
    const subscriptionId = await subscribe(tenant);
    const [takenOk, takenFailing, waiting] = [event(tenant, 'loan-f'), event(tenant, 'loan-g'), event(tenant, 'loan-f')];
    await enqueueDeliveries(pool, [takenOk!, takenFailing!, waiting!], now());
    // A dispatcher is sending the first event of each loan (loan-f's second waits behind its first).
    const claims = (await claimDeliveries(pool, 100, now())).filter((c) => c.eventId === takenOk!.id || c.eventId === takenFailing!.id);
    expect(claims).toHaveLength(2);
    expect((await statusOf(waiting!.id)).status).toBe('pending');

    const disabledAt = new Date(clock.getTime() + 1_000);
    expect((await disableSubscription(pool, tenant, subscriptionId, disabledAt))!.disabledAt).toEqual(disabledAt);
    for (const e of [takenOk!, takenFailing!, waiting!]) expect((await statusOf(e.id)).status).toBe('cancelled');
    // The attempts in flight finish after the disable: both are logged; the one the endpoint took is delivered,
    // the failed one stays cancelled (no retry scheduled, not dead-lettered).
    const claimOf = (id: string) => claims.find((c) => c.eventId === id)!;
    expect(await recordAttempt(pool, claimOf(takenOk!.id), { startedAt: now(), latencyMs: 3, statusCode: 200, result: { kind: 'delivered' } })).toBe(true);
    expect(await recordAttempt(pool, claimOf(takenFailing!.id), { startedAt: now(), latencyMs: 3, statusCode: 500, error: 'receiver failing', result: { kind: 'retry', at: new Date(clock.getTime() + 5_000) } })).toBe(true);
    // Disabling again changes nothing (the first disable's time stays).
    expect((await disableSubscription(pool, tenant, subscriptionId, new Date(clock.getTime() + 9_000)))!.disabledAt).toEqual(disabledAt);

    const log = await listDeliveries(pool, tenant, subscriptionId, { limit: 10 });
    const byEvent = (id: string) => log.find((d) => d.eventId === id)!;
    expect(byEvent(takenOk!.id)).toMatchObject({ status: 'delivered', attempts: 1, attemptLog: [expect.objectContaining({ statusCode: 200 })] });
    expect(byEvent(takenFailing!.id)).toMatchObject({ status: 'cancelled', cancelReason: CANCELLED_BY_DISABLE, cancelledAt: disabledAt, nextAttemptAt: null, deadAt: null, attempts: 1, attemptLog: [expect.objectContaining({ statusCode: 500 })] });
    expect(byEvent(waiting!.id)).toMatchObject({ status: 'cancelled', cancelReason: CANCELLED_BY_DISABLE, cancelledAt: disabledAt, attempts: 0, attemptLog: [] });
    expect((await listDeliveries(pool, tenant, subscriptionId, { limit: 10, status: 'cancelled' })).map((d) => d.eventId).sort()).toEqual([takenFailing!.id, waiting!.id].sort());

    // Nothing more: no new delivery for a later event, no claim of a cancelled one (hours later), no replay.
    expect(await enqueueDeliveries(pool, [event(tenant, 'loan-f')], now())).toBe(0);
    const later = await claimDeliveries(pool, 100, new Date(clock.getTime() + 48 * 3_600_000));
    expect(later.filter((c) => [takenOk!.id, takenFailing!.id, waiting!.id].includes(c.eventId))).toEqual([]);
    expect(await replayDelivery(pool, tenant, byEvent(waiting!.id).id, randomUUID(), now())).toEqual({ ok: false, error: 'subscription-disabled' });
    expect((await statusOf(waiting!.id)).status).toBe('cancelled');
  });

  it('survives a dispatcher killed mid-delivery: the lease runs out, the same webhook-id is sent again, the dead claim writes nothing', async () => {
    clock = new Date();
    const tenant = `t-${randomUUID()}`;
    await subscribe(tenant);
    const events = [event(tenant, 'loan-d'), event(tenant, 'loan-e')];
    await enqueueDeliveries(pool, events, now());
    // A dispatcher claims both and dies before recording anything.
    const claims = (await claimDeliveries(pool, 10, now())).filter((c) => events.some((e) => e.id === c.eventId));
    expect(claims).toHaveLength(2);
    received.length = 0;
    const dispatcher = startDispatcher();
    try {
      expect((await statusOf(events[0]!.id)).status).toBe('delivering');
      clock = new Date(clock.getTime() + 2_000 + 30_001);
      dispatcher.wake();
      await eventually(async () => ((await Promise.all(events.map((e) => statusOf(e.id)))).every((s) => s.status === 'delivered')) || undefined, { what: 'both delivered after restart' });
    } finally {
      await dispatcher.stop();
    }
    expect(await recordAttempt(pool, claims[0]!, { startedAt: now(), latencyMs: 1, statusCode: 200, result: { kind: 'delivered' } })).toBe(false);
    expect(received.map((r) => r.headers['webhook-id']).sort()).toEqual(events.map((e) => e.id).sort());
    expect(received.every((r) => r.verified)).toBe(true);
  });
});
