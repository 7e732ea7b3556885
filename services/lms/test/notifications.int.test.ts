/**
 * Notifications over the REAL database and the REAL sandbox processes: the mail sink (SMTP and HTTP)
 * and the messaging sandbox (Twilio Messaging API) whose signed status callbacks reach the LMS routes over a
 * socket, each on a free port (testPort). Conduct limits are judged at explicit instants.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1, type LoanApprovedV1 } from '@lendstack/contracts';
import { createLogger, createMetrics, signToken } from '@lendstack/platform';
import { eventually, infrastructure, testPort } from '@lendstack/testing';
import { mailSink, type StoredMail } from '@lendstack/testing/mail-sink';
import { messagingSandbox } from '@lendstack/testing/messaging-sandbox';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import { notificationDeps } from '../src/modules/notifications/adapters/notifications.wiring.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { contactBorrower, type ContactDeps } from '../src/modules/notifications/use-cases/contact-borrower.js';
import { createNotificationActivities } from '../src/modules/notifications/activities/notification.activities.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

const MESSAGING_PORT = await testPort();
const SINK_HTTP_PORT = await testPort();
const SINK_SMTP_PORT = await testPort();
const LMS_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const files = (name: string) => ({ pidFile: join(cache, `${name}-int.pid`), logFile: join(cache, 'logs', `${name}-int.log`) });
const callbackUrl = `http://127.0.0.1:${LMS_PORT}/v1/notification-webhooks/twilio`;
const sinkUrl = `http://127.0.0.1:${SINK_HTTP_PORT}`;
const messagingUrl = `http://127.0.0.1:${MESSAGING_PORT}`;

let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let deps: ContactDeps & { close(): void };
let clock = new Date('2026-12-02T05:00:00Z');
const tenant = `notify-${randomUUID().slice(0, 8)}`;
let headers: Record<string, string>;

type Borrower = LoanApprovedV1['payload']['borrower'];
async function book(borrower: Partial<Borrower> = {}, currency = 'INR'): Promise<string> {
  const event = sampleLoanApprovedV1({
    tenantId: tenant,
    borrower,
    loan: {
      productCode: 'TEST-PL', principal: { amount: '10000000', currency, scale: 2 }, annualRatePercent: '12', termPeriods: 6, frequency: 'monthly', scheduleMethod: 'equal-installment',
      interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-11-01', firstDueDate: undefined, fees: [],
    } as Partial<LoanApprovedV1['payload']['loan']>,
  });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  return booked.account.id;
}

const usBorrower = (phone = '+12125550147'): Partial<Borrower> => ({
  name: { given: 'Dana', family: 'Miller' },
  contact: { email: 'dana.miller@example.com', phone },
  address: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' },
});
const contact = (loanId: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: `/v1/loans/${loanId}/contacts`, headers, payload: body });
const mailsTo = async (to: string) => ((await (await fetch(`${sinkUrl}/messages?to=${encodeURIComponent(to)}`)).json()) as { messages: StoredMail[] }).messages;
const smsTo = async (to: string) => ((await (await fetch(`${messagingUrl}/sandbox/messages?to=${encodeURIComponent(to)}`)).json()) as { messages: { sid: string; body: string; status: string; callbacks: { status: string; delivered: boolean }[] }[] }).messages;
const attempts = async (loanId: string) => (await app.inject({ method: 'GET', url: `/v1/loans/${loanId}/contacts?limit=100`, headers })).json().items as Record<string, any>[];
/** IST wall time on 2 Dec 2026 as an instant. */
const ist = (hh: number, mm = 0) => new Date(Date.UTC(2026, 11, 2, hh, mm) - 330 * 60_000);

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  await mailSink.start({ port: SINK_HTTP_PORT, ...files('mail-sink'), env: { MAIL_SINK_SMTP_PORT: String(SINK_SMTP_PORT) } });
  await messagingSandbox.start({ port: MESSAGING_PORT, ...files('messaging-sandbox'), env: { MESSAGING_SANDBOX_STEP_DELAY_MS: '50' } });
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl, SMTP_PORT: String(SINK_SMTP_PORT), TWILIO_BASE_URL: messagingUrl, TWILIO_STATUS_CALLBACK_URL: callbackUrl, NOTIFY_LENDER_NAME: 'Demo Finance' });
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 10 });
  prisma = createPrisma(pool);
  deps = notificationDeps(config, pool);
  const secret = config.AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-notify-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    contacts: { ...deps, authSecret: secret, now: () => clock },
    twilioStatus: { pool, authToken: config.TWILIO_AUTH_TOKEN, publicUrl: callbackUrl, now: () => new Date() },
  });
  await app.listen({ host: '127.0.0.1', port: LMS_PORT });
  headers = { authorization: `Bearer ${signToken(secret, { subject: 'operator-user', tenantId: tenant, roles: ['operator'] }, 600, Math.floor(Date.now() / 1000))}` };
  // The tenant's templates: a copy of the seeded defaults of tenant demo.
  await pool.query(`INSERT INTO notification_templates (tenant_id, template_key, channel, language, subject, body_text, body_html)
    SELECT $1, template_key, channel, language, subject, body_text, body_html FROM notification_templates WHERE tenant_id = 'demo'`, [tenant]);
}, 60_000);

afterAll(async () => {
  await app?.close();
  deps?.close();
  await prisma?.$disconnect();
  await pool?.end();
  await messagingSandbox.stop(files('messaging-sandbox'));
  await mailSink.stop(files('mail-sink'));
});

describe('email over SMTP to the mail sink', () => {
  it('renders the template with exact money and escaped HTML, sends once per slot, and records the attempt', async () => {
    const email = `priya.${randomUUID().slice(0, 6)}@example.in`;
    const loanId = await book({ name: { given: 'Priya', family: 'Sharma & <Sons>' }, contact: { email, phone: '+919876543210' } });
    clock = ist(10);
    const first = await contact(loanId, { purpose: 'pre-due-reminder', channel: 'email', templateKey: 'payment-reminder', slot: '2026-12-01/T-3' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ outcome: 'sent', channel: 'email', rule: null, replayed: false });
    const again = await contact(loanId, { purpose: 'pre-due-reminder', channel: 'email', templateKey: 'payment-reminder', slot: '2026-12-01/T-3' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ attemptId: first.json().attemptId, replayed: true });
    const otherChannel = await contact(loanId, { purpose: 'pre-due-reminder', channel: 'sms', templateKey: 'payment-reminder', slot: '2026-12-01/T-3' });
    expect(otherChannel.statusCode).toBe(422);
    expect(otherChannel.json()).toMatchObject({ errors: [{ pointer: '/slot' }] });

    const mails = await eventually(async () => ((await mailsTo(email)).length ? mailsTo(email) : undefined), { what: 'the email in the sink' });
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    const installment = (await pool.query<{ total: string }>('SELECT total_minor::text AS total FROM installments WHERE loan_id = $1 ORDER BY number LIMIT 1', [loanId])).rows[0]!.total;
    const amount = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 2 }).format(`${installment.slice(0, -2)}.${installment.slice(-2)}` as unknown as number);
    expect(mail.subject).toContain(amount);
    expect(mail.messageId).toBe(`<${first.json().attemptId}@lendstack.test>`);
    expect(mail.from).toBe('"Lendstack" <no-reply@lendstack.test>');
    expect(mail.text).toContain('Dear Priya Sharma & <Sons>,');
    expect(mail.html).toContain('Dear Priya Sharma &amp; &lt;Sons&gt;,');
    expect(mail.html).not.toContain('<Sons>');
    const [row] = await attempts(loanId);
    expect(row).toMatchObject({ outcome: 'sent', vendor: 'smtp', language: 'en', regime: 'in-rbi', templateKey: 'payment-reminder', tries: 1 });
    expect(row!.recipient).toMatch(/^p\*\*\*@example\.in$/);
  });

  it('uses the borrower language (Hindi) when one is recorded', async () => {
    const email = `asha.${randomUUID().slice(0, 6)}@example.in`;
    const loanId = await book({ contact: { email, phone: '+919876543211' } });
    expect((await app.inject({ method: 'PUT', url: `/v1/loans/${loanId}/contact-preferences`, headers, payload: { language: 'hi' } })).statusCode).toBe(200);
    clock = ist(11);
    expect((await contact(loanId, { purpose: 'pre-due-reminder', channel: 'email', templateKey: 'payment-reminder', slot: 's1' })).json().outcome).toBe('sent');
    const [mail] = await eventually(async () => ((await mailsTo(email)).length ? mailsTo(email) : undefined));
    expect(mail!.subject).toMatch(/का भुगतान .* को देय है$/);
  });
});

describe('SMS and WhatsApp through the messaging sandbox, with signed receipts', () => {
  it('an SMS is sent, then delivered by its receipt', async () => {
    const phone = `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const loanId = await book({ contact: { email: 'x@example.in', phone } });
    clock = ist(12);
    const sent = (await contact(loanId, { purpose: 'overdue-follow-up', channel: 'sms', templateKey: 'payment-overdue', slot: 'T+1' })).json();
    expect(sent).toMatchObject({ outcome: 'sent' });
    expect(sent.vendorMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const delivered = await eventually(async () => (await attempts(loanId)).find((a) => a.outcome === 'delivered'), { what: 'the delivered receipt' });
    expect(delivered).toMatchObject({ vendor: 'twilio', vendorStatus: 'delivered', errorCode: null });
    const [message] = await smsTo(phone);
    expect(message!.body).toContain('Demo Finance');
    expect(message!.callbacks.map((c) => c.status)).toEqual(['sent', 'delivered']);
    expect(message!.callbacks.every((c) => c.delivered)).toBe(true);
  });

  it('a WhatsApp message to an unreachable handset ends failed with the carrier error', async () => {
    const phone = `+91${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}2230003`;
    const loanId = await book({ contact: { email: 'x@example.in', phone } });
    clock = ist(13);
    expect((await contact(loanId, { purpose: 'overdue-follow-up', channel: 'whatsapp', templateKey: 'payment-overdue', slot: 'T+3' })).json().outcome).toBe('sent');
    const failed = await eventually(async () => (await attempts(loanId)).find((a) => a.outcome === 'failed'), { what: 'the undelivered receipt' });
    expect(failed).toMatchObject({ vendorStatus: 'undelivered', errorCode: 'twilio-30003', channel: 'whatsapp' });
    expect((await smsTo(`whatsapp:${phone}`))[0]!.body).toMatch(/^Hello Priya Sharma, your payment of ₹/);
  });

  it('a number the vendor refuses fails without a message id and is tried again under the same slot', async () => {
    const loanId = await book(usBorrower('+15005550001'), 'USD');
    clock = new Date('2026-12-02T15:00:00Z');
    const first = (await contact(loanId, { purpose: 'pre-due-reminder', channel: 'sms', templateKey: 'payment-reminder', slot: 'T-1' })).json();
    expect(first).toMatchObject({ outcome: 'failed', vendorMessageId: null });
    const second = await contact(loanId, { purpose: 'pre-due-reminder', channel: 'sms', templateKey: 'payment-reminder', slot: 'T-1' });
    expect(second.json()).toMatchObject({ attemptId: first.attemptId, outcome: 'failed' });
    const [row] = await attempts(loanId);
    expect(row).toMatchObject({ tries: 2, errorCode: 'twilio-21211' });
  });

  it('concurrent retries of one slot send one message', async () => {
    const phone = `+9197${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const loanId = await book({ contact: { email: 'x@example.in', phone } });
    const input = { tenantId: tenant, loanId, purpose: 'overdue-follow-up', channel: 'sms' as const, templateKey: 'payment-overdue', slot: 'T+7', now: ist(9).toISOString() };
    const results = await Promise.all(Array.from({ length: 6 }, () => contactBorrower(deps, input)));
    expect(new Set(results.map((r) => (r.ok ? r.value.attemptId : 'error'))).size).toBe(1);
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1);
    expect(await smsTo(phone)).toHaveLength(1);
  });

  it('an answer lost after the vendor took the message leaves the attempt sending, and a retry sends nothing more', async () => {
    const phone = `+9193${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const loanId = await book({ contact: { email: 'x@example.in', phone } });
    // The sandbox keeps the next message and answers 503 (the answer is lost).
    expect((await fetch(`${messagingUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ after: 1 }) })).ok).toBe(true);
    const input = { tenantId: tenant, loanId, purpose: 'overdue-follow-up', channel: 'sms' as const, templateKey: 'payment-overdue', slot: 'T+14', now: ist(10).toISOString() };
    const first = await contactBorrower(deps, input);
    expect(first).toMatchObject({ ok: true, value: { outcome: 'sending', vendorMessageId: null } });
    const retry = await contactBorrower(deps, input);
    expect(retry).toMatchObject({ ok: true, value: { outcome: 'sending', replayed: true } });
    expect(await smsTo(phone)).toHaveLength(1);
    const [row] = await attempts(loanId);
    expect(row).toMatchObject({ outcome: 'sending', errorCode: 'twilio-20500', tries: 1 });
  });

  it('as a Temporal activity: plain JSON in and out, and an unknown loan is a non-retryable failure', async () => {
    const activities = createNotificationActivities(deps);
    const loanId = await book({ contact: { email: `act.${randomUUID().slice(0, 6)}@example.in`, phone: '+919876500000' } });
    const result = await activities.contactBorrower({ tenantId: tenant, loanId, purpose: 'pre-due-reminder', channel: 'email', templateKey: 'payment-reminder', slot: 'act', now: ist(20).toISOString() });
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ...result });
    expect(result).toMatchObject({ outcome: 'blocked', rule: 'rbi-contact-hours', nextAllowedAt: '2026-12-03T02:30:00.000Z' });
    await expect(activities.contactBorrower({ tenantId: tenant, loanId: 'missing', purpose: 'p', channel: 'sms', templateKey: 'payment-overdue', slot: 'x', now: ist(10).toISOString() })).rejects.toMatchObject({ type: 'loan-not-found', nonRetryable: true });
  });

  it('refuses unsigned or wrongly signed receipts and answers 404 for an unknown message', async () => {
    const form = 'MessageSid=SM0123&MessageStatus=delivered';
    const post = (signature?: string) => app.inject({ method: 'POST', url: '/v1/notification-webhooks/twilio', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) }, payload: form });
    expect((await post()).statusCode).toBe(401);
    expect((await post('bm90IGEgc2lnbmF0dXJl')).statusCode).toBe(401);
    const { twilioSignature } = await import('@lendstack/testing/messaging-sandbox');
    const signed = await post(twilioSignature(loadConfig({}).TWILIO_AUTH_TOKEN, callbackUrl, { MessageSid: 'SM0123', MessageStatus: 'delivered' }));
    expect(signed.statusCode).toBe(404);
    expect(signed.headers['content-type']).toContain('application/problem+json');
  });
});

describe('conduct limits', () => {
  it('RBI: after 19:00 IST a contact is blocked and recorded with the rule and the next allowed instant', async () => {
    const phone = `+9196${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const loanId = await book({ contact: { email: 'x@example.in', phone } });
    clock = ist(19, 30);
    const blocked = (await contact(loanId, { purpose: 'overdue-follow-up', channel: 'sms', templateKey: 'payment-overdue', slot: 'late' })).json();
    expect(blocked).toMatchObject({ outcome: 'blocked', rule: 'rbi-contact-hours', nextAllowedAt: '2026-12-03T02:30:00.000Z' });
    expect(await smsTo(phone)).toHaveLength(0);
  });

  it('RBI: the fourth contact of a local day is blocked by the daily cap', async () => {
    const loanId = await book({ contact: { email: `cap.${randomUUID().slice(0, 6)}@example.in`, phone: `+9195${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` } });
    const outcomes = [];
    for (const [i, channel] of (['email', 'sms', 'whatsapp', 'email'] as const).entries()) {
      clock = ist(9 + i);
      outcomes.push((await contact(loanId, { purpose: 'overdue-follow-up', channel, templateKey: 'payment-overdue', slot: `cap-${i}` })).json());
    }
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'sent', 'sent', 'blocked']);
    expect(outcomes[3]).toMatchObject({ rule: 'rbi-daily-contact-cap', nextAllowedAt: '2026-12-03T02:30:00.000Z' });
  });

  it('an opt-out blocks its channel (idempotently recorded) and withdrawing it allows the channel again', async () => {
    const loanId = await book({ contact: { email: 'x@example.in', phone: `+9194${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` } });
    const optOut = () => app.inject({ method: 'POST', url: `/v1/loans/${loanId}/opt-outs`, headers, payload: { channel: 'sms', reason: 'asked by phone' } });
    expect((await optOut()).statusCode).toBe(201);
    expect((await optOut()).statusCode).toBe(200);
    clock = ist(10);
    expect((await contact(loanId, { purpose: 'p', channel: 'sms', templateKey: 'payment-overdue', slot: 'a' })).json()).toMatchObject({ outcome: 'blocked', rule: 'opt-out', nextAllowedAt: null });
    expect((await app.inject({ method: 'DELETE', url: `/v1/loans/${loanId}/opt-outs/sms`, headers })).statusCode).toBe(204);
    expect((await contact(loanId, { purpose: 'p', channel: 'sms', templateKey: 'payment-overdue', slot: 'b' })).json().outcome).toBe('sent');
    const bad = await app.inject({ method: 'POST', url: `/v1/loans/${loanId}/opt-outs`, headers, payload: { channel: 'pigeon' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/channel');
  });

  it('Regulation F: the 8th call in 7 days is refused (409), and none follows a conversation within 7 days', async () => {
    const loanId = await book(usBorrower(), 'USD');
    const call = (key: string) => app.inject({ method: 'POST', url: `/v1/loans/${loanId}/calls`, headers: { ...headers, 'idempotency-key': key } });
    // Mon 2 Mar 2026 .. Sat 7 Mar, 10:00 New York (15:00Z): 7 calls, two on the first day.
    const days = ['2026-03-02T15:00:00Z', '2026-03-02T18:00:00Z', '2026-03-03T15:00:00Z', '2026-03-04T15:00:00Z', '2026-03-05T15:00:00Z', '2026-03-06T15:00:00Z', '2026-03-07T15:00:00Z'];
    for (const [i, at] of days.entries()) {
      clock = new Date(at);
      expect((await call(`call-key-${i}`)).statusCode).toBe(201);
    }
    expect((await call('call-key-0')).statusCode).toBe(200); // a replay, not a new call
    clock = new Date('2026-03-08T14:00:00Z'); // Sun 10:00 EDT (DST began at 02:00)
    const eighth = await call('call-key-7');
    expect(eighth.statusCode).toBe(409);
    expect(eighth.json()).toMatchObject({ rule: 'reg-f-call-frequency', nextAllowedAt: '2026-03-09T12:00:00.000Z' });
    clock = new Date('2026-03-09T13:00:00Z');
    const ninth = await call('call-key-8');
    expect(ninth.statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: `/v1/loans/${loanId}/calls/${ninth.json().attemptId}/conversation`, headers })).statusCode).toBe(204);
    clock = new Date('2026-03-15T22:00:00Z'); // Sun 18:00, day 7 after the conversation
    expect((await call('call-key-9')).json()).toMatchObject({ rule: 'reg-f-conversation-quiet-period', nextAllowedAt: '2026-03-16T12:00:00.000Z' });
    clock = new Date('2026-03-16T01:30:00Z'); // 21:30 on the 15th: outside the hours too
    expect((await call('call-key-10')).json()).toMatchObject({ rule: 'reg-f-contact-hours', nextAllowedAt: '2026-03-16T12:00:00.000Z' });
    const list = await attempts(loanId);
    expect(list.filter((a) => a.outcome === 'blocked').map((a) => a.rule)).toEqual(['reg-f-contact-hours', 'reg-f-conversation-quiet-period', 'reg-f-call-frequency']);
    // Keyset paging walks the same list.
    const page1 = (await app.inject({ method: 'GET', url: `/v1/loans/${loanId}/contacts?limit=4`, headers })).json();
    const page2 = (await app.inject({ method: 'GET', url: `/v1/loans/${loanId}/contacts?limit=100&cursor=${page1.nextCursor}`, headers })).json();
    expect([...page1.items, ...page2.items].map((a: { id: string }) => a.id)).toEqual(list.map((a) => a.id));
    expect((await app.inject({ method: 'GET', url: `/v1/loans/${loanId}/contacts?cursor=nonsense`, headers })).json().errors[0].pointer).toBe('/query/cursor');
  });

  it('the OpenAPI document lists the contact routes and the webhook', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/v1/loans/{id}/contacts', '/v1/loans/{id}/calls', '/v1/loans/{id}/calls/{attemptId}/conversation', '/v1/loans/{id}/opt-outs', '/v1/loans/{id}/opt-outs/{channel}', '/v1/loans/{id}/contact-preferences', '/v1/notification-webhooks/twilio']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths['/v1/loans/{id}/calls'].post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '404', '409']));
  });

  it('an unknown loan is 404 problem+json', async () => {
    const response = await contact('no-such-loan', { purpose: 'p', channel: 'sms', templateKey: 'payment-overdue', slot: 'a' });
    expect(response.statusCode).toBe(404);
    expect(response.json().errors[0].pointer).toBe('/params/id');
  });
});
