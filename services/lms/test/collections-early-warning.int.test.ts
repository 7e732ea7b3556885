/**
 * The NPA early warning flows to collections, on the REAL infrastructure: LoanEarlyWarningRaised on the real
 * (prefixed) lifecycle topic reaches the loan's collections workflow on the real Temporal server through the
 * lifecycle-signals consumer; the workflow's activities run over the real database and send the soft
 * pre-delinquency reminder through the real contact path (conduct rules, templates, SMTP to the mail sink), and
 * raise the npa-risk flag, published as CollectionsFlagRaised v2 through the outbox. Delivered twice (and once
 * more under another id), it is acted on once; malformed, it is dead-lettered with the reason. The collections
 * queue sorts and filters by the cases' early-warning probability, keyset-paged.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectionsFlagRaisedV2Schema, deadLetterHeaders, loanEarlyWarningRaisedV1Schema, sampleLoanApprovedV1, topics, type LoanApprovedV1 } from '@lendstack/contracts';
import { createKafka, createLogger, createMetrics, createProducer, type RunningConsumer } from '@lendstack/platform';
import { eventually, infrastructure, testPort } from '@lendstack/testing';
import { mailSink, type StoredMail } from '@lendstack/testing/mail-sink';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Consumer, Producer } from 'kafkajs';
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createCollectionActivities } from '../src/modules/collections/activities/collections.activities.js';
import { createCollectorActivities } from '../src/modules/collections/activities/collector.activities.js';
import { openCase, saveSchedule } from '../src/modules/collections/adapters/collector.repository.js';
import { startLifecycleSignalsConsumer } from '../src/modules/collections/adapters/lifecycle-signals.consumer.js';
import type { CollectionSchedule } from '../src/modules/collections/domain/collection-plan.js';
import { collectionsStateQuery, collectionsWorkflow } from '../src/modules/collections/workflows/collections.workflow.js';
import { caseProbabilities } from '../src/modules/early-warning/adapters/pg-early-warning.repository.js';
import { ensureScoreMonth } from '../src/modules/early-warning/adapters/pg-score-partitions.js';
import { sealed } from '../src/modules/lifecycle/domain/envelope.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { bookLoanAccount, collectionsWorkflowId } from '../src/modules/loans/domain/loan-account.js';
import { createNotificationActivities } from '../src/modules/notifications/activities/notification.activities.js';
import { savePreferences } from '../src/modules/notifications/adapters/pg-contacts.repository.js';
import { notificationDeps } from '../src/modules/notifications/adapters/notifications.wiring.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

const SINK_HTTP_PORT = await testPort();
const SINK_SMTP_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sinkFiles = { pidFile: join(cache, 'mail-sink-early-warning.pid'), logFile: join(cache, 'logs', 'mail-sink-early-warning.log') };
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const taskQueue = `ewcoll-${randomUUID().slice(0, 8)}`;
const silent = createLogger({ service: 'collections-early-warning-test', level: 'silent' });
/** Today (UTC): the business date, so the workflow's calendar clock marks nothing due during the test. */
const today = new Date().toISOString().slice(0, 10);

/** An email reminder five days ahead and follow-ups; no auto-debit (no rail in this test). */
const SCHEDULE: CollectionSchedule = {
  preDue: [{ offsetDays: -5, channel: 'email', templateKey: 'payment-reminder' }],
  autoDebit: false,
  followUps: [{ offsetDays: 1, channel: 'email', templateKey: 'payment-overdue' }],
  escalation: [{ minDpd: 30, queue: 'early', priority: 1 }],
};

/** An IANA zone where it is about 13:00 now, so the contact-hours rule allows the reminder whatever the hour. */
function zoneAtMidday(now = new Date()): string {
  const offset = ((13 - now.getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

let h: Harness;
let app: FastifyInstance;
let temporal: Client;
let clientConnection: Connection;
let workerConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let consumer: RunningConsumer;
let producer: Producer;
let dlqReader: Consumer;
let notify: ReturnType<typeof notificationDeps>;
const deadLetters: { id: string; reason: string }[] = [];

beforeAll(async () => {
  h = await startHarness();
  const infra = await infrastructure();
  await mailSink.stop(sinkFiles);
  await mailSink.start({ port: SINK_HTTP_PORT, ...sinkFiles, env: { MAIL_SINK_SMTP_PORT: String(SINK_SMTP_PORT) } });
  const config = loadConfig({ LMS_DATABASE_URL: infra.lmsDatabaseUrl, SMTP_PORT: String(SINK_SMTP_PORT), TWILIO_BASE_URL: 'http://127.0.0.1:9', TWILIO_STATUS_CALLBACK_URL: 'http://127.0.0.1:9/unused', NOTIFY_LENDER_NAME: 'Demo Finance' });
  notify = notificationDeps(config, h.pool);
  clientConnection = await Connection.connect({ address: infra.temporalAddress });
  temporal = new Client({ connection: clientConnection });
  workerConnection = await NativeConnection.connect({ address: infra.temporalAddress });
  worker = await Worker.create({
    connection: workerConnection, taskQueue, workflowsPath,
    activities: {
      ...createCollectionActivities({ prisma: h.prisma, now: () => new Date() }),
      ...createCollectorActivities({ pool: h.pool }),
      ...createNotificationActivities(notify),
    },
  });
  workerRun = worker.run();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `ewcoll-${randomUUID().slice(0, 8)}`, logger: silent });
  producer = await createProducer(kafka);
  consumer = await startLifecycleSignalsConsumer({ kafka, producer: await createProducer(kafka), logger: silent, groupId: `${taskQueue}.collections`, fromBeginning: false, topicPrefix: prefix, temporal, taskQueue });
  dlqReader = kafka.consumer({ groupId: `${taskQueue}.dlq` });
  await dlqReader.connect();
  await dlqReader.subscribe({ topic: `${prefix}${topics.lmsDeadLetter.name}`, fromBeginning: true });
  await dlqReader.run({
    eachMessage: async ({ message: m }) => {
      let id = '';
      try {
        id = String((JSON.parse(m.value?.toString() ?? '{}') as { id?: unknown }).id ?? '');
      } catch { /* not ours */ }
      deadLetters.push({ id, reason: String(m.headers?.[deadLetterHeaders.reason] ?? '') });
    },
  });
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger: silent, metrics: createMetrics('lendstack-lms-ewcoll-test'),
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: config.AUTH_TOKEN_SECRET },
    products: { store: products, products, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    collections: { pool: h.pool, temporal: () => temporal, newId: randomUUID, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET },
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await dlqReader?.disconnect();
  await consumer?.stop();
  await producer?.disconnect();
  worker?.shutdown();
  await workerRun?.catch(() => undefined);
  await workerConnection?.close();
  await clientConnection?.close();
  await app?.close();
  notify?.close();
  await mailSink.stop(sinkFiles);
  await h?.close();
});

type Row = Record<string, any>;
const q = async (sql: string, params: unknown[]) => (await h.pool.query(sql, params)).rows as Row[];
const get = (url: string, tenant: string) => app.inject({ method: 'GET', url, headers: h.auth(['operator'], tenant) });
const mailsTo = async (to: string) => ((await (await fetch(`http://127.0.0.1:${SINK_HTTP_PORT}/messages?to=${encodeURIComponent(to)}`)).json()) as { messages: StoredMail[] }).messages;
const publish = (loanId: string, ...values: object[]) =>
  producer.send({ topic: `${prefix}${topics.loanLifecycle.name}`, acks: -1, messages: values.map((v) => ({ key: loanId, value: JSON.stringify(v) })) });

async function bookLoan(tenant: string): Promise<{ loanId: string; email: string }> {
  const email = `sam.${randomUUID().slice(0, 8)}@example.com`;
  const event = sampleLoanApprovedV1({
    tenantId: tenant,
    borrower: { name: { given: 'Sam', family: 'Rivera' }, contact: { email, phone: '+12125550199' }, address: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' } },
    loan: {
      productCode: 'EW-PL', principal: { amount: '120000', currency: 'USD', scale: 2 }, annualRatePercent: '12', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: today, firstDueDate: undefined, fees: [],
    } as Partial<LoanApprovedV1['payload']['loan']>,
  });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(h.pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  return { loanId: booked.account.id, email };
}

const warningOf = (tenant: string, loanId: string, on: string) => sealed(loanEarlyWarningRaisedV1Schema, 'LoanEarlyWarningRaised',
  { tenantId: tenant, loanId, currency: 'USD', scale: 2, correlationId: randomUUID(), occurredAt: new Date().toISOString() }, `early-warning:${on}`, {
    loanId, eventKey: `early-warning:${on}`, businessDate: on, probability: '0.4120', threshold: '0.3000', model: 'npa-90d.v1', dpd: 0,
    topFactors: [{ feature: 'returned_debits_90d', value: 2, contribution: '1.2040' }, { feature: 'utilisation', value: 0.9, contribution: '0.3100' }],
  });

/** The activities the loan's workflow scheduled so far, by type (its history across runs is one run here). */
async function scheduledActivities(loanId: string): Promise<Record<string, number>> {
  const history = await temporal.workflow.getHandle(collectionsWorkflowId(loanId)).fetchHistory();
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** The workflow has no activity in flight and no workflow task pending (it is waiting). */
const quiet = (loanId: string) => eventually(async () => {
  const d = await temporal.workflow.getHandle(collectionsWorkflowId(loanId)).describe();
  return (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask ? true : undefined;
}, { what: 'the workflow at rest', timeoutMs: 60_000, intervalMs: 200 });

describe('an NPA early warning in collections', () => {
  let tenant: string;
  let loan: { loanId: string; email: string };

  it('reaches the loan\'s workflow, which sends one soft reminder and raises npa-risk once, published as CollectionsFlagRaised v2, under redelivery', { timeout: 400_000 }, async () => {
    tenant = newTenant('ewcoll');
    expect((await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date: today } })).statusCode).toBe(200);
    await h.pool.query(`INSERT INTO notification_templates (tenant_id, template_key, channel, language, subject, body_text, body_html)
      SELECT $1, template_key, channel, language, subject, body_text, body_html FROM notification_templates WHERE tenant_id = 'demo'`, [tenant]);
    await saveSchedule(h.pool, { tenantId: tenant, productCode: 'EW-PL', schedule: SCHEDULE, updatedBy: 'test' });
    loan = await bookLoan(tenant);
    await savePreferences(h.pool, { tenantId: tenant, loanId: loan.loanId, language: 'en', timeZone: zoneAtMidday() });

    // The loan's collector, as the starter starts it at booking (a minute per workflow task: this machine is shared
    // and slow; the first task loads the workflow bundle), has looked at the loan once: nothing to do yet.
    const handle = await temporal.workflow.start(collectionsWorkflow, { workflowId: collectionsWorkflowId(loan.loanId), taskQueue, args: [{ loanId: loan.loanId }], workflowTaskTimeout: '1 minute' });
    await eventually(async () => ((await handle.query(collectionsStateQuery)).collector.lastPass?.businessDate === today ? true : undefined), { what: 'the first pass', timeoutMs: 180_000, intervalMs: 500 });

    // The same envelope twice (Kafka redelivers): both reach the workflow as signals.
    const warning = warningOf(tenant, loan.loanId, today);
    await publish(loan.loanId, warning, warning);
    const flag = await eventually(async () => (await q(`SELECT flag, event_key, dpd, probability::text, model, top_factors, detail FROM collections_flags WHERE loan_id = $1`, [loan.loanId]))[0], { what: 'the npa-risk flag', timeoutMs: 180_000 });
    expect(flag).toMatchObject({ flag: 'npa-risk', event_key: `flag:npa-risk:${today}`, dpd: 0, probability: '0.4120', model: 'npa-90d.v1', top_factors: warning.payload.topFactors });
    expect(flag.detail).toBe(`NPA early warning of ${today}: P(90+ DPD within 90 days) 0.4120 at threshold 0.3000 (npa-90d.v1); a email reminder`);
    const contacts = await eventually(async () => {
      const rows = await q(`SELECT purpose, slot, channel, outcome, template_key FROM contact_attempts WHERE loan_id = $1`, [loan.loanId]);
      return rows.length > 0 && rows.every((r) => r.outcome !== 'sending') ? rows : undefined;
    }, { what: 'the reminder sent' });
    expect(contacts).toEqual([{ purpose: 'pre-delinquency-reminder', slot: `early-warning:${today}`, channel: 'email', outcome: 'sent', template_key: 'payment-reminder' }]);
    const mails = await eventually(async () => ((await mailsTo(loan.email)).length > 0 ? mailsTo(loan.email) : undefined), { what: 'the reminder in the mail sink' });
    expect(mails).toHaveLength(1);

    const outbox = await q(`SELECT value FROM outbox WHERE key = $1 AND value->>'type' = 'CollectionsFlagRaised'`, [loan.loanId]);
    expect(outbox).toHaveLength(1);
    const published = collectionsFlagRaisedV2Schema.parse(outbox[0]!.value);
    expect(published).toMatchObject({ version: 2, tenantId: tenant, subject: loan.loanId, payload: { flag: 'npa-risk', eventKey: `flag:npa-risk:${today}`, probability: '0.4120', model: 'npa-90d.v1', topFactors: warning.payload.topFactors } });

    // Again the same envelope, and the same warning re-emitted under another id: the id is applied (the workflow
    // counts it), and nothing is done again.
    await quiet(loan.loanId);
    const before = await temporal.workflow.getHandle<typeof collectionsWorkflow>(collectionsWorkflowId(loan.loanId)).query(collectionsStateQuery);
    await publish(loan.loanId, warning, { ...warning, id: randomUUID() });
    await eventually(async () => {
      const s = await temporal.workflow.getHandle<typeof collectionsWorkflow>(collectionsWorkflowId(loan.loanId)).query(collectionsStateQuery);
      return s.eventsApplied === before.eventsApplied + 1 ? s : undefined;
    }, { what: 'the re-emitted warning applied' });
    await quiet(loan.loanId);
    const state = await temporal.workflow.getHandle<typeof collectionsWorkflow>(collectionsWorkflowId(loan.loanId)).query(collectionsStateQuery);
    expect(state.collector.flags).toEqual([`flag:npa-risk:${today}`]);
    expect(state.collector.warnings).toEqual([]);
    expect(await scheduledActivities(loan.loanId)).toMatchObject({ contactBorrower: 1, raiseCollectionsFlag: 1 });
    expect(await q(`SELECT 1 FROM contact_attempts WHERE loan_id = $1`, [loan.loanId])).toHaveLength(1);
    expect(await q(`SELECT 1 FROM outbox WHERE key = $1 AND value->>'type' = 'CollectionsFlagRaised'`, [loan.loanId])).toHaveLength(1);
    expect(await mailsTo(loan.email)).toHaveLength(1);

    // The collector's view of the loan shows the flag with its score.
    const view = await get(`/v1/loans/${loan.loanId}/collections`, tenant);
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json().timeline).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'flag', flag: 'npa-risk', businessDate: today, probability: '0.4120', model: 'npa-90d.v1' }),
      expect.objectContaining({ kind: 'contact', purpose: 'pre-delinquency-reminder', outcome: 'sent' }),
    ]));
  });

  it('dead-letters a malformed LoanEarlyWarningRaised with the reason naming the field', { timeout: 60_000 }, async () => {
    const good = warningOf(tenant, loan.loanId, today);
    const bad = { ...good, id: randomUUID(), payload: { ...good.payload, probability: 0.412 } };
    await publish(loan.loanId, bad);
    const dead = await eventually(async () => deadLetters.find((d) => d.id === bad.id), { what: 'the dead letter' });
    expect(dead.reason).toMatch(/^invalid LoanEarlyWarningRaised\.v1: payload\.probability/);
  });

  it('sorts and filters the queue by the cases\' early-warning probability, keyset-paged, and shows the npa-risk flag', { timeout: 60_000 }, async () => {
    const other = await bookLoan(tenant);
    const unscored = await bookLoan(tenant);
    const model = 'npa-90d.v1';
    // A score of a chosen probability, stored as the re-score stores it (its case update is the product's).
    await ensureScoreMonth(h.pool, today);
    const scored = async (client: PoolClient, loanId: string, probability: number) => {
      await client.query(
        `INSERT INTO early_warning_scores (tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features, contributions)
         VALUES ($1, $2, $3::date, $4, $5::float8, 0, $5::float8 >= 0.3, 31, '{"dpd_now": 31}', '[]')`, [tenant, loanId, today, model, probability]);
      await caseProbabilities(client, tenant, today, [loanId]);
    };
    const client = await h.pool.connect();
    try {
      // Scored before its case opens (openCase takes the latest score), and scored after (the re-score updates the case).
      await scored(client, loan.loanId, 0.41204);
      for (const l of [loan, other, unscored]) await openCase(h.pool, { tenantId: tenant, loanId: l.loanId, queue: 'early', priority: 1, dpd: 31, on: today });
      await scored(client, other.loanId, 0.7);
    } finally {
      client.release();
    }
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/collections/queue?sort=early-warning&limit=1${cursor ? `&cursor=${cursor}` : ''}`, tenant);
      expect(res.statusCode, res.body).toBe(200);
      pages.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(pages.map((i) => [i.loanId, i.earlyWarning?.probability ?? null])).toEqual([[other.loanId, '0.7000'], [loan.loanId, '0.4120'], [unscored.loanId, null]]);
    expect(pages[1].npaRisk).toMatchObject({ businessDate: today, probability: '0.4120', model });
    expect(pages[0].npaRisk).toBeNull();

    const filtered = await get('/v1/collections/queue?sort=early-warning&minProbability=0.5', tenant);
    expect(filtered.json().items.map((i: any) => i.loanId)).toEqual([other.loanId]);
    expect((await get('/v1/collections/queue?minProbability=0.4', tenant)).json().items.map((i: any) => i.loanId).sort()).toEqual([loan.loanId, other.loanId].sort());
    const badMin = await get('/v1/collections/queue?minProbability=0.41234', tenant);
    expect(badMin.statusCode).toBe(400);
    expect(badMin.json().errors[0].pointer).toBe('/query/minProbability');
    // A cursor of one sort is refused under the other.
    const byPriority = await get('/v1/collections/queue?limit=1', tenant);
    const wrong = await get(`/v1/collections/queue?sort=early-warning&cursor=${byPriority.json().nextCursor}`, tenant);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].pointer).toBe('/query/cursor');
  });
});
