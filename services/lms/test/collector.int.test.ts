/**
 * A loan's whole collection life, on the REAL infrastructure: the collections workflow on the Temporal server,
 * its activities over the REAL database, contacts through the REAL mail sink (SMTP) and messaging sandbox
 * (Twilio protocol), auto-debits as NACHA files to the REAL ACH sandbox ODFI. The collector's clock is the
 * tenant's business date, so twelve months pass in seconds: the test moves the business date by end of day to
 * each date the workflow asked to be woken on, lets the waker signal it, and runs the auto-debit collection day.
 *
 * The story (USD, 12 monthly instalments, the product's own contact schedule): instalment 1 reminded and
 * debited; instalment 2's debit returned R01 three times (original and two RETRY PYMT re-presentments), the
 * bounced-twice flag raised, a promise to pay recorded and broken (flagged; contacts resume), the loan escalated
 * to the early queue at 15 DPD, then cured by a card payment and a new account; instalments 3–12 debited;
 * the loan closes and the workflow ends. Every contact, presentment, posting and conduct block is asserted.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNachaFile } from '@lendstack/nacha';
import { sampleLoanApprovedV1, type LoanApprovedV1 } from '@lendstack/contracts';
import { createLogger, createMetrics } from '@lendstack/platform';
import { eventually, infrastructure, testPort } from '@lendstack/testing';
import { startAchSandbox, stopAchSandbox } from '@lendstack/testing/ach-sandbox';
import { mailSink } from '@lendstack/testing/mail-sink';
import { messagingSandbox } from '@lendstack/testing/messaging-sandbox';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createAutodebitActivities } from '../src/modules/autodebit/activities/autodebit.activities.js';
import { createAchCollectionRail } from '../src/modules/autodebit/adapters/ach-collection-rail.adapter.js';
import { enrolDebitAccount } from '../src/modules/autodebit/use-cases/schedule-debit.js';
import { createCollectionActivities } from '../src/modules/collections/activities/collections.activities.js';
import { createCollectorActivities } from '../src/modules/collections/activities/collector.activities.js';
import { startAutodebitRunner, type AutodebitRunner } from '../src/modules/collections/adapters/autodebit-runner.js';
import { startCollectionsWaker, type CollectionsWaker } from '../src/modules/collections/adapters/collections-waker.js';
import { saveSchedule } from '../src/modules/collections/adapters/collector.repository.js';
import type { CollectionSchedule } from '../src/modules/collections/domain/collection-plan.js';
import { resendPendingActions } from '../src/modules/collections/use-cases/collector-actions.js';
import { collectionsStateQuery, collectionsWorkflow } from '../src/modules/collections/workflows/collections.workflow.js';
import { ensureScoreMonth } from '../src/modules/early-warning/adapters/pg-score-partitions.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount, collectionsWorkflowId } from '../src/modules/loans/domain/loan-account.js';
import { createNotificationActivities } from '../src/modules/notifications/activities/notification.activities.js';
import { saveOptOut, savePreferences } from '../src/modules/notifications/adapters/pg-contacts.repository.js';
import { notificationDeps } from '../src/modules/notifications/adapters/notifications.wiring.js';
import { derivedAccountResolver } from '../src/modules/payouts/adapters/ach-account.resolver.js';
import { createAchBankClient } from '../src/modules/payouts/adapters/ach-bank.client.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createEodRun, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

const ACH_PORT = await testPort();
const MESSAGING_PORT = await testPort();
const SINK_HTTP_PORT = await testPort();
const SINK_SMTP_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const files = (name: string) => ({ pidFile: join(cache, `${name}-collector.pid`), logFile: join(cache, 'logs', `${name}-collector.log`) });
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const ORIGINATOR = { companyName: 'LENDSTACK', companyId: '1234567890', odfiRouting: '231380104', odfiName: 'LENDSTACK', destinationRouting: '231380104', destinationName: 'SANDBOX ODFI', entryDescription: 'LOAN PYMT' };
const silent = createLogger({ service: 'lendstack-lms-test', level: 'silent' });

/** The product's own schedule (data): T−5 email, T−1 WhatsApp; T+1 SMS, T+5 email; queues at 15 and 45 DPD. */
const SCHEDULE: CollectionSchedule = {
  preDue: [{ offsetDays: -5, channel: 'email', templateKey: 'payment-reminder' }, { offsetDays: -1, channel: 'whatsapp', templateKey: 'payment-reminder' }],
  autoDebit: true,
  followUps: [{ offsetDays: 1, channel: 'sms', templateKey: 'payment-overdue' }, { offsetDays: 5, channel: 'email', templateKey: 'payment-overdue' }],
  escalation: [{ minDpd: 15, queue: 'early', priority: 1 }, { minDpd: 45, queue: 'late', priority: 2 }],
};

/** An IANA zone where it is about 13:00 now, so the contact-hours rule allows this run's contacts whatever the hour. */
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
let waker: CollectionsWaker;
let autodebit: AutodebitRunner;
let notify: ReturnType<typeof notificationDeps>;
const uploaded: string[] = [];
const taskQueue = `collector-${randomUUID().slice(0, 8)}`;
let collectionDate = '2026-01-05';

beforeAll(async () => {
  h = await startHarness();
  const { temporalAddress, lmsDatabaseUrl } = await infrastructure();
  await Promise.all([stopAchSandbox(files('ach')), mailSink.stop(files('mail-sink')), messagingSandbox.stop(files('messaging'))]);
  await Promise.all([
    startAchSandbox({ port: ACH_PORT, ...files('ach'), env: { ACH_SANDBOX_SETTLE_DELAY_MS: '20', LOG_LEVEL: 'warn' } }),
    mailSink.start({ port: SINK_HTTP_PORT, ...files('mail-sink'), env: { MAIL_SINK_SMTP_PORT: String(SINK_SMTP_PORT) } }),
    messagingSandbox.start({ port: MESSAGING_PORT, ...files('messaging'), env: { MESSAGING_SANDBOX_STEP_DELAY_MS: '20' } }),
  ]);
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl, SMTP_PORT: String(SINK_SMTP_PORT), TWILIO_BASE_URL: `http://127.0.0.1:${MESSAGING_PORT}`, TWILIO_STATUS_CALLBACK_URL: 'http://127.0.0.1:9/unused', NOTIFY_LENDER_NAME: 'Demo Finance' });
  notify = notificationDeps(config, h.pool);
  const bank = createAchBankClient({ baseUrl: `http://127.0.0.1:${ACH_PORT}`, apiKey: 'lendstack-ach-sandbox-api-key', timeoutMs: 5_000, maxAttempts: 3, retryBaseDelayMs: 20 });
  const rail = createAchCollectionRail({ originator: ORIGINATOR, resolveAccount: derivedAccountResolver, bank: { ...bank, upload: async (text, key) => { uploaded.push(text); return bank.upload(text, key); } } });

  clientConnection = await Connection.connect({ address: temporalAddress });
  temporal = new Client({ connection: clientConnection });
  workerConnection = await NativeConnection.connect({ address: temporalAddress });
  worker = await Worker.create({
    connection: workerConnection, taskQueue, workflowsPath,
    activities: {
      ...createCollectionActivities({ prisma: h.prisma, now: () => new Date() }),
      ...createCollectorActivities({ pool: h.pool }),
      ...createNotificationActivities(notify),
      ...createAutodebitActivities({ servicing: h.deps, rail, newId: randomUUID, maxPerFile: 500 }),
    },
  });
  workerRun = worker.run();
  // For this test's tenants only (newTenant('collector')): not the other tests' wake-ups and actions on this database.
  waker = startCollectionsWaker({ pool: h.pool, temporal, logger: silent, idleMs: 3_600_000, tenantPrefix: 'collector-', resend: () => resendPendingActions({ pool: h.pool, temporal: () => temporal }, 200, 'collector-') });
  // The ODFI's files are stamped with the collection day's date: each simulated day has its own 36 file id modifiers.
  autodebit = startAutodebitRunner({ servicing: h.deps, rails: [rail], newId: randomUUID, maxPerFile: 500, logger: silent, intervalMs: 3_600_000, now: () => new Date(`${collectionDate}T15:00:00Z`) });

  const prisma = h.prisma;
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: silent, metrics: createMetrics('lendstack-lms-collector-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: config.AUTH_TOKEN_SECRET },
    products: { store: products, products, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    collections: { pool: h.pool, temporal: () => temporal, newId: randomUUID, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET },
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await autodebit?.stop();
  await waker?.stop();
  worker?.shutdown();
  await workerRun?.catch(() => undefined);
  await workerConnection?.close();
  await clientConnection?.close();
  await app?.close();
  notify?.close();
  await Promise.all([stopAchSandbox(files('ach')), mailSink.stop(files('mail-sink')), messagingSandbox.stop(files('messaging'))]);
  await h?.close();
});

type Row = Record<string, any>;
const q = async (sql: string, params: unknown[]) => (await h.pool.query(sql, params)).rows as Row[];
const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object, headers: Record<string, string> = {}) =>
  (method === 'GET' || url.startsWith('/v1/collections') || url.includes('/collections/') ? app : h.app).inject({ method, url, headers: { ...h.auth(['admin', 'operator'], tenant), ...headers }, ...(payload ? { payload } : {}) });

async function bookUsLoan(tenant: string): Promise<string> {
  const borrower: Partial<LoanApprovedV1['payload']['borrower']> = {
    name: { given: 'Jordan', family: 'Lee' },
    contact: { email: `jordan.${randomUUID().slice(0, 6)}@example.com`, phone: `+1212555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}` },
    address: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' },
  };
  const event = sampleLoanApprovedV1({
    tenantId: tenant, borrower,
    loan: {
      productCode: 'TEST-PL', principal: { amount: '120000', currency: 'USD', scale: 2 }, annualRatePercent: '12', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: [],
    } as Partial<LoanApprovedV1['payload']['loan']>,
  });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(h.pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  return booked.account.id;
}

const enrol = (tenant: string, loanId: string, lastFour: string) => enrolDebitAccount(h, {
  tenantId: tenant, loanId, rail: 'us-ach',
  account: { accountToken: `tok_${randomUUID().replace(/-/g, '')}`, bankCode: '021000021', accountType: 'checking', holderName: 'Jordan Lee', accountNumberMasked: `XXXXXX${lastFour}`, authorisationId: `auth-${lastFour}-${loanId.slice(0, 8)}`, achSecCode: 'WEB' },
});

const businessDate = async (tenant: string) => (await q(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM business_dates WHERE tenant_id = $1`, [tenant]))[0]!.d as string;
const wakeOn = async (loanId: string) => (await q(`SELECT to_char(wake_on, 'YYYY-MM-DD') AS d FROM collections_wakeups WHERE loan_id = $1`, [loanId]))[0]?.d as string | undefined;
const handleOf = (loanId: string) => temporal.workflow.getHandle<typeof collectionsWorkflow>(collectionsWorkflowId(loanId));
async function running(loanId: string): Promise<boolean> {
  try {
    return (await handleOf(loanId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** The workflow has looked at the loan on `date` (its last pass is of that business date), or it has ended. */
const passedOn = (loanId: string, date: string) => eventually(async () => {
  if (!(await running(loanId))) return true;
  const state = await handleOf(loanId).query(collectionsStateQuery);
  return state.collector.lastPass !== null && state.collector.lastPass.businessDate >= date ? true : undefined;
}, { what: `the collector's pass on ${date}`, timeoutMs: 90_000 });

/** End of day up to `date`, then the waker and the collection day, as the LMS does them. */
async function advanceTo(tenant: string, loanId: string, date: string): Promise<void> {
  const created = await createEodRun(h.deps, { tenantId: tenant, to: date, actor: 'test', requestHash: `to-${date}` });
  if (created.ok) expect((await runEndOfDay(h.deps, created.run.id)).status).toBe('completed');
  expect(await businessDate(tenant)).toBe(date);
  collectionDate = date;
  // Results first (a settlement due by today posts), then the collector looks, then today's debits go out.
  await collectionDay(loanId);
  await waker.drain();
  await passedOn(loanId, date);
  await collectionDay(loanId);
}

/** Presents what is due and applies what the ODFI answers until none of this loan's debits is still out. */
const collectionDay = (loanId: string) => eventually(async () => {
  await autodebit.runOnce();
  const out = await q(`SELECT count(*)::int AS n FROM autodebit_presentments WHERE loan_id = $1 AND status IN ('batched', 'presented')`, [loanId]);
  return out[0]!.n === 0 ? true : undefined;
}, { what: 'the debits answered', timeoutMs: 20_000, intervalMs: 100 });

describe('the collections workflow collects a 12-month loan on the real rails', () => {
  it('reminds, debits, re-presents R01 returns, flags, honours and breaks a promise, escalates, cures and closes', async () => {
    const tenant = newTenant('collector');
    expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-05' })).statusCode).toBe(200);
    // Another lender's books are two years ahead: the rails' rounds must still date this tenant's debits and
    // returns by its own business date.
    expect((await call('PUT', '/v1/business-date', newTenant('ahead'), { date: '2028-01-31' })).statusCode).toBe(200);
    await h.pool.query(`INSERT INTO notification_templates (tenant_id, template_key, channel, language, subject, body_text, body_html)
      SELECT $1, template_key, channel, language, subject, body_text, body_html FROM notification_templates WHERE tenant_id = 'demo'`, [tenant]);
    await saveSchedule(h.pool, { tenantId: tenant, productCode: 'TEST-PL', schedule: SCHEDULE, updatedBy: 'test' });
    const loanId = await bookUsLoan(tenant);
    const disbursed = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: { amount: '120000', currency: 'USD', scale: 2 }, valueDate: '2026-01-05' });
    expect(disbursed.statusCode, disbursed.body).toBe(202);
    await enrol(tenant, loanId, '4321');
    await savePreferences(h.pool, { tenantId: tenant, loanId, language: 'en', timeZone: zoneAtMidday() });
    // The borrower asked for no WhatsApp: every WhatsApp step is blocked by the conduct policy, and recorded so.
    await saveOptOut(h.pool, { tenantId: tenant, loanId, channel: 'whatsapp', reason: 'asked by phone', recordedBy: 'test', at: new Date() });
    const dues = (await q(`SELECT number, to_char(due_date, 'YYYY-MM-DD') AS due FROM installments WHERE loan_id = $1 ORDER BY number`, [loanId])).map((r) => r.due as string);
    expect(dues).toHaveLength(12);

    await temporal.workflow.start(collectionsWorkflow, { workflowId: collectionsWorkflowId(loanId), taskQueue, args: [{ loanId }] });
    await passedOn(loanId, '2026-01-05');
    // Instalment 1 is due 5 Feb: the first thing to do is its T−5 reminder.
    expect(await wakeOn(loanId)).toBe('2026-01-31');

    let promiseMade = false;
    let payBy: string | undefined;
    let cured = false;
    let sawQueue = false;
    for (let step = 0; step < 120 && (await running(loanId)); step += 1) {
      const next = await wakeOn(loanId);
      if (!next) break;
      if (next >= dues[1]! && !promiseMade && !cured) await enrolIfNeeded(tenant, loanId, '0001');
      await advanceTo(tenant, loanId, next);
      const flags = await q(`SELECT flag FROM collections_flags WHERE loan_id = $1`, [loanId]);
      if (!promiseMade && flags.some((f) => f.flag === 'bounced-twice')) {
        promiseMade = true;
        const today = await businessDate(tenant);
        const due = await q(`SELECT state->'balances'->>'totalDueNow' AS d FROM loan_servicing WHERE loan_id = $1`, [loanId]);
        const promise = await call('POST', `/v1/loans/${loanId}/collections/actions`, tenant, { kind: 'promise-to-pay', payBy: addDays(today, 3), amount: { amount: due[0]!.d, currency: 'USD', scale: 2 } }, { 'idempotency-key': `promise-${loanId}` });
        expect(promise.statusCode, promise.body).toBe(201);
        expect(promise.json()).toMatchObject({ kind: 'promise-to-pay', signalled: true, status: null });
        // The same key again answers the same action; another body under it is refused.
        const again = await call('POST', `/v1/loans/${loanId}/collections/actions`, tenant, { kind: 'promise-to-pay', payBy: addDays(today, 3), amount: { amount: due[0]!.d, currency: 'USD', scale: 2 } }, { 'idempotency-key': `promise-${loanId}` });
        expect(again.statusCode).toBe(200);
        expect(again.json().id).toBe(promise.json().id);
        const reused = await call('POST', `/v1/loans/${loanId}/collections/actions`, tenant, { kind: 'call-outcome', outcome: 'no-answer' }, { 'idempotency-key': `promise-${loanId}` });
        expect(reused.statusCode).toBe(422);
        expect(reused.json().errors[0].pointer).toBe('/header/idempotency-key');
        // The workflow applies the promise and plans again: it wants to look the day after the pay-by date.
        payBy = addDays(today, 3);
        const actionId = promise.json().id as string;
        await eventually(async () => {
          const { collector } = await handleOf(loanId).query(collectionsStateQuery);
          return collector.promise?.actionId === actionId && collector.lastPass?.nextPlanDate && collector.lastPass.nextPlanDate <= addDays(payBy!, 1) ? true : undefined;
        }, { what: 'the promise applied and planned', timeoutMs: 30_000 });
      }
      // The loan's NPA early-warning score as end of day stores it (this test's days run without the re-score step).
      const scoredOn = await businessDate(tenant);
      await ensureScoreMonth(h.pool, scoredOn);
      await q(`INSERT INTO early_warning_scores (tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features, contributions)
               VALUES ($1, $2, $3::date, 'npa-90d.v1', 0.4213, -0.3172, true, 15, '{}', '{}') ON CONFLICT DO NOTHING`, [tenant, loanId, scoredOn]);
      const queue = await call('GET', '/v1/collections/queue?queue=early', tenant);
      const inQueue = (queue.json().items as Row[]).find((i) => i.loanId === loanId);
      if (inQueue) expect(inQueue.earlyWarning).toEqual({ probability: '0.4213', flagged: true, asOf: scoredOn, model: 'npa-90d.v1' });
      const broken = (await q(`SELECT 1 FROM collections_flags WHERE loan_id = $1 AND flag = 'promise-broken'`, [loanId])).length > 0;
      // The borrower pays only once the promise has broken, so the card payment cannot keep it.
      if (inQueue && broken && !cured) {
        sawQueue = true;
        expect(inQueue).toMatchObject({ queue: 'early', priority: 1, openPromise: null });
        expect(inQueue.dpdAtEscalation).toBeGreaterThanOrEqual(15);
        // The borrower pays the arrears by card and gives a funded account for the rest.
        const due = await q(`SELECT state->'balances'->>'totalDueNow' AS d FROM loan_servicing WHERE loan_id = $1`, [loanId]);
        const paid = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, { amount: { amount: due[0]!.d, currency: 'USD', scale: 2 }, valueDate: await businessDate(tenant), channel: 'card', reference: `card-${loanId.slice(5, 13)}` }, { 'idempotency-key': `cure-${loanId}` });
        expect(paid.statusCode, paid.body).toBe(201);
        await enrol(tenant, loanId, '6789');
        const visit = await call('POST', `/v1/loans/${loanId}/collections/actions`, tenant, { kind: 'call-outcome', outcome: 'spoke-with-borrower', notes: 'paid by card; new account' }, { 'idempotency-key': `call-${loanId}` });
        expect(visit.statusCode).toBe(201);
        cured = true;
        await waker.drain();
      }
    }
    expect(promiseMade && sawQueue && cured).toBe(true);
    await eventually(async () => ((await running(loanId)) ? undefined : true), { what: 'the workflow to end', timeoutMs: 30_000 });
    expect((await handleOf(loanId).describe()).status.name).toBe('COMPLETED');
    // Workflow code is deterministic: every run of this history (continue-as-new made several) replays against it.
    const runs = temporal.workflow.list({ query: `WorkflowId = '${collectionsWorkflowId(loanId)}'` }).intoHistories();
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'collector' }, runs)) {
      expect(result.error, `run ${result.workflowId}`).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBeGreaterThan(1);
    // RECORD_COLLECTIONS_HISTORY=<dir> keeps each run's history (the replay test's fixtures are recorded so).
    if (process.env.RECORD_COLLECTIONS_HISTORY) {
      let n = 0;
      for await (const run of temporal.workflow.list({ query: `WorkflowId = '${collectionsWorkflowId(loanId)}'` }).intoHistories()) {
        await writeFile(join(process.env.RECORD_COLLECTIONS_HISTORY, `collector-run-${(n += 1)}.json`), historyToJSON(run.history as Parameters<typeof historyToJSON>[0]));
      }
    }

    // The loan is closed with every instalment paid, and the books balance.
    const servicing = await q(`SELECT status, state->'balances'->>'principalOutstanding' AS p FROM loan_servicing WHERE loan_id = $1`, [loanId]);
    expect(servicing[0]).toMatchObject({ status: 'closed', p: '0' });
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);

    // Presentments: 1 settled; instalment 2 returned R01 three times (original + two re-presentments); 3–12 settled.
    const presentments = await q(`SELECT installment_number AS n, attempt, status, return_code AS code FROM autodebit_presentments WHERE loan_id = $1 ORDER BY installment_number, attempt`, [loanId]);
    expect(presentments.filter((p) => p.n === 2)).toEqual([
      { n: 2, attempt: 1, status: 'returned', code: 'R01' }, { n: 2, attempt: 2, status: 'returned', code: 'R01' }, { n: 2, attempt: 3, status: 'returned', code: 'R01' },
    ]);
    const settled = presentments.filter((p) => p.status === 'settled');
    expect(settled.map((p) => p.n)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Each settled debit posted exactly one repayment, keyed on its presentment.
    const posted = await q(`SELECT idempotency_key FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment' AND idempotency_key LIKE 'autodebit:%'`, [loanId]);
    expect(posted).toHaveLength(11);
    expect(new Set(posted.map((p) => p.idempotency_key)).size).toBe(11);
    // The re-presentments travelled in RETRY PYMT batches, the originals under the company's description.
    const entries = uploaded.flatMap((text) => {
      const parsed = parseNachaFile(text);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
      const id = loanId.replace(/-/g, '').slice(0, 15).toUpperCase();
      return parsed.file.batches.flatMap((b) => b.entries.filter((e) => e.individualId === id).map(() => b.entryDescription));
    });
    expect(entries.filter((d) => d === 'RETRY PYMT')).toHaveLength(2);
    expect(entries.filter((d) => d === 'LOAN PYMT')).toHaveLength(12);

    // Contacts: one attempt per slot; WhatsApp always blocked by the opt-out; reminders before each due date.
    const contacts = await q(`SELECT slot, channel, outcome, rule, purpose FROM contact_attempts WHERE loan_id = $1 ORDER BY attempted_at`, [loanId]);
    expect(new Set(contacts.map((c) => `${c.purpose}/${c.slot}`)).size).toBe(contacts.length);
    for (const c of contacts.filter((x) => x.channel === 'whatsapp')) expect(c).toMatchObject({ outcome: 'blocked', rule: 'opt-out' });
    for (const c of contacts.filter((x) => x.channel !== 'whatsapp')) expect(['sent', 'delivered']).toContain(c.outcome);
    const reminders = contacts.filter((c) => c.slot.endsWith(':-5:email')).map((c) => Number(c.slot.split(':')[1]));
    expect(reminders).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Follow-ups only for the missed instalment (T+1 SMS; T+5 email after the promise broke).
    const followUps = contacts.filter((c) => c.purpose === 'overdue-follow-up').map((c) => c.slot);
    expect(followUps).toEqual(['contact:2:1:sms', 'contact:2:5:email']);

    // Flags: two bounces in a row and the broken promise, each once (and published through the outbox).
    const flags = await q(`SELECT flag, to_char(business_date, 'YYYY-MM-DD') AS on FROM collections_flags WHERE loan_id = $1 ORDER BY raised_at`, [loanId]);
    expect(flags.map((f) => f.flag)).toEqual(['bounced-twice', 'promise-broken']);
    // The broken promise is seen on the first business day after its pay-by date.
    expect(flags[1]!.on).toBe(addDays(payBy!, 1));
    const outbox = await q(`SELECT value->'payload'->>'flag' AS flag FROM outbox WHERE key = $1 AND value->>'type' = 'CollectionsFlagRaised'`, [loanId]);
    expect(outbox.map((o) => o.flag).sort()).toEqual(['bounced-twice', 'promise-broken']);
    const promise = await q(`SELECT status FROM collections_actions WHERE loan_id = $1 AND kind = 'promise-to-pay'`, [loanId]);
    expect(promise).toEqual([{ status: 'broken' }]);
    // The queue case closed once the loan was current again.
    const kase = await q(`SELECT queue, status, close_reason FROM collections_cases WHERE loan_id = $1`, [loanId]);
    expect(kase).toEqual([{ queue: 'early', status: 'closed', close_reason: expect.stringMatching(/^(cured|closed)$/) }]);

    // The loan's collection timeline shows all of it; an action on the closed loan is refused with its reason.
    const view = (await call('GET', `/v1/loans/${loanId}/collections`, tenant)).json();
    expect(view.timeline.filter((e: Row) => e.kind === 'presentment')).toHaveLength(14);
    expect(view.timeline.filter((e: Row) => e.kind === 'flag')).toHaveLength(2);
    if (process.env.RECORD_COLLECTIONS_HISTORY) await writeFile(join(process.env.RECORD_COLLECTIONS_HISTORY, 'collections-view.json'), JSON.stringify(view, null, 2));
    const closed = await call('POST', `/v1/loans/${loanId}/collections/actions`, tenant, { kind: 'call-outcome', outcome: 'no-answer' }, { 'idempotency-key': `late-${loanId}` });
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ type: expect.stringContaining('loan-not-in-collection'), errors: [{ pointer: '/params/id' }] });
  }, 300_000);
});

let enrolledBad = false;
async function enrolIfNeeded(tenant: string, loanId: string, lastFour: string): Promise<void> {
  if (enrolledBad) return;
  enrolledBad = true;
  await enrol(tenant, loanId, lastFour);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
