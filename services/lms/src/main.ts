import { accessOptionsOf, createKafka, surviveLostConnections, createMetrics, createProducer, kafkaReachable, startInboxRetention, startOutboxRelay, type Logger, type Telemetry } from '@lendstack/platform';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import type { LmsConfig } from './config.js';
import { LMS_PARTNER_SCOPES } from './http/partner-scopes.js';
import { buildServer } from './http/server.js';
import { createCollectionActivities } from './modules/collections/activities/collections.activities.js';
import { startCollectionsStarter } from './modules/collections/adapters/collections-starter.js';
import { startLifecycleSignalsConsumer } from './modules/collections/adapters/lifecycle-signals.consumer.js';
import { createCollectionsWorker } from './modules/collections/worker.js';
import { createCollectorActivities } from './modules/collections/activities/collector.activities.js';
import { startAutodebitRunner } from './modules/collections/adapters/autodebit-runner.js';
import { startCollectionsWaker } from './modules/collections/adapters/collections-waker.js';
import { resendPendingActions } from './modules/collections/use-cases/collector-actions.js';
import { createAutodebitActivities } from './modules/autodebit/activities/autodebit.activities.js';
import { createAchCollectionRail } from './modules/autodebit/adapters/ach-collection-rail.adapter.js';
import { createProcessorApiClient } from './modules/autodebit/adapters/processor-api.client.js';
import { mandateByUmrn } from './modules/autodebit/adapters/mandates.repository.js';
import { mandateRoutes } from './modules/autodebit/adapters/mandates.routes.js';
import { createNachCollectionRail } from './modules/autodebit/adapters/nach-collection-rail.adapter.js';
import { createUpiAutopayRail } from './modules/autodebit/adapters/upi-autopay-rail.adapter.js';
import { createCardOnFileRail } from './modules/autodebit/adapters/card-on-file-rail.adapter.js';
import { createNotificationActivities } from './modules/notifications/activities/notification.activities.js';
import { engineScheduleCalculator } from './modules/loans/adapters/loan-engine.schedule.js';
import { createBookingRejectionNotifier } from './modules/loans/adapters/booking-rejections.outbox.js';
import { startLoanApprovedConsumer } from './modules/loans/adapters/loan-approved.consumer.js';
import { createPrismaLoanRepository } from './modules/loans/adapters/prisma-loan.repository.js';
import { createPgLoanBookingStore } from './modules/loans/adapters/pg-loan-booking.store.js';
import { createPrismaProductRepository } from './modules/products/adapters/prisma-product.repository.js';
import { createPgLedgerQueries } from './modules/ledger/adapters/pg-ledger.queries.js';
import { createPgLedger } from './modules/ledger/adapters/pg-ledger.repository.js';
import { derivedAccountResolver } from './modules/payouts/adapters/ach-account.resolver.js';
import { createAchBankClient } from './modules/payouts/adapters/ach-bank.client.js';
import { createAchPayoutAdapter } from './modules/payouts/adapters/ach-payout.adapter.js';
import { startAchWindows } from './modules/payouts/adapters/ach-window.runner.js';
import { createCurrencyPayoutRouter } from './modules/payouts/adapters/currency-payout.router.js';
import { createRazorpayXPayoutClient, razorpayXOptions } from './modules/payouts/adapters/razorpayx-payout.client.js';
import { utcToday } from './modules/business-date/business-date.repository.js';
import { createServicingReader } from './modules/servicing/adapters/servicing.reader.js';
import { payoutOutcomeHandler } from './modules/servicing/use-cases/disbursements.js';
import { createEodRunner } from './modules/servicing/adapters/eod-runner.js';
import type { EodProgress as EodProgressRow } from './modules/servicing/use-cases/end-of-day.js';
import { loadEarlyWarningModel } from './modules/early-warning/adapters/model-file.js';
import { scoreAsDayCloses } from './modules/early-warning/use-cases/score-book.js';
import { startScoreRetention } from './modules/early-warning/adapters/pg-score-partitions.js';
import { snapshotsDay, writePortfolioSnapshot } from './modules/portfolio/adapters/pg-portfolio-snapshots.js';
import { createRepaymentFileRunner } from './modules/repayment-files/adapters/repayment-file-runner.js';
import { createImportRunner } from './modules/imports/adapters/import-runner.js';
import { notificationDeps } from './modules/notifications/adapters/notifications.wiring.js';
import { createPrisma } from './platform/prisma.js';
import { LMS_WEBHOOK_EVENT_TYPES, startLmsWebhookDispatcher, startLmsWebhookEnqueuer } from './modules/webhooks/webhooks.wiring.js';

/** Advisory lock id that elects one outbox relay per LMS database. */
const OUTBOX_LOCK_ID = 42_001;

export interface RunningLms {
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root: config → adapters → HTTP + Kafka consumer + Temporal worker. Nothing else wires. */
export async function startLms(config: LmsConfig, logger: Logger, telemetry: Pick<Telemetry, 'spanProcessor'>): Promise<RunningLms> {
  const pool = new pg.Pool({ connectionString: config.LMS_DATABASE_URL, max: config.LMS_DB_POOL_MAX });
  const relayPool = new pg.Pool({ connectionString: config.LMS_DATABASE_URL, max: 2 });
  // A connection dropped by the server (restart, failover, 57P01), idle or held, is not a reason to crash.
  for (const p of [pool, relayPool]) surviveLostConnections(p, logger);
  const prisma = createPrisma(pool);
  const loans = createPrismaLoanRepository(prisma);
  const products = createPrismaProductRepository(prisma);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'lendstack-lms', logger });
  const metrics = createMetrics('lendstack-lms');
  metrics.gauge('lendstack_outbox_unsent', 'Outbox rows not yet published.', async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')).rows[0]!.n));
  // Loans booked whose collections workflow is not started yet: grows while Temporal is unavailable.
  metrics.gauge('lendstack_collections_pending_start', 'Booked loans whose collections workflow is not started yet.', async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM loan_accounts WHERE collections_started_at IS NULL')).rows[0]!.n));

  // Kafka and Temporal are joined in the background, each retried with backoff: the LMS serves its API
  // (servicing writes to its outbox, which waits for Kafka) while either is down, and readiness names what
  // is not joined yet, so an orchestrator waits instead of restart-looping it.
  let stopped = false;
  const wakers = new Set<() => void>();
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); wakers.delete(done); resolve(); };
    const timer = setTimeout(done, ms);
    wakers.add(done);
  });
  const joined = async <T>(what: string, join: () => Promise<T>): Promise<T | undefined> => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        const parts = await join();
        if (attempt > 1) logger.info({ attempt }, `${what} joined`);
        return parts;
      } catch (error) {
        logger.warn({ err: error, attempt }, `${what} not reachable yet; retrying`);
        await pause(Math.min(10_000, 500 * attempt));
      }
    }
    return undefined;
  };

  let kafkaParts: { producer: Awaited<ReturnType<typeof createProducer>>; relay: ReturnType<typeof startOutboxRelay>; consumer: Awaited<ReturnType<typeof startLoanApprovedConsumer>> } | undefined;
  const wakeOutbox = () => kafkaParts?.relay.wake();
  const razorpayX = createRazorpayXPayoutClient(razorpayXOptions(config, () => new Date()));
  const ach = createAchPayoutAdapter({
    pool,
    bank: createAchBankClient({ baseUrl: config.ACH_BASE_URL, apiKey: config.ACH_API_KEY, timeoutMs: config.ACH_TIMEOUT_MS, maxAttempts: config.ACH_MAX_ATTEMPTS }),
    resolveAccount: derivedAccountResolver,
    odfi: { routing: config.ACH_ODFI_ROUTING, name: config.ACH_ODFI_NAME },
    company: { id: config.ACH_COMPANY_ID, name: config.ACH_COMPANY_NAME, entryDescription: config.ACH_ENTRY_DESCRIPTION },
    maxEntriesPerFile: config.ACH_MAX_ENTRIES_PER_FILE,
    webhookSecret: config.ACH_WEBHOOK_SECRET,
    webhookMaxAgeSeconds: config.ACH_WEBHOOK_MAX_AGE_SECONDS,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    logger,
  });
  // Disbursements go out on the rail of their currency: INR through RazorpayX, USD over ACH.
  const payouts = createCurrencyPayoutRouter({ INR: razorpayX, USD: ach }, { defaultCurrency: 'INR', providerPrefixes: { USD: 'ach_' } });
  // The money path: business dates from business_dates only (utcToday starts a tenant on first use).
  // The tenants this process collects for (LMS_COLLECTIONS_TENANT_PREFIX): starter, waker, resend, signals and auto-debits alike.
  const collectionsTenants: { tenantPrefix?: string } = config.LMS_COLLECTIONS_TENANT_PREFIX ? { tenantPrefix: config.LMS_COLLECTIONS_TENANT_PREFIX } : {};
  const servicing = { pool, ledger: createPgLedger(), payouts, now: () => new Date(), today: utcToday, newId: () => crypto.randomUUID(), onOutbox: wakeOutbox };
  // End of day re-scores the NPA early warning of each day it closes (modules/early-warning).
  const earlyWarningModel = loadEarlyWarningModel();
  // Its batches spread over LMS_EOD_WORKERS loan-id ranges; loans moved to the day by path, and progress, as metrics.
  const eodLoans = metrics.counter('lendstack_eod_loans_advanced_total', 'Loans moved to a business day by end of day (quiet: set-based accrual; engine: advanceAccount).', ['path']);
  const eodRuns = (async () => (await pool.query<{ p: EodProgressRow }>(`SELECT progress AS p FROM eod_runs WHERE status IN ('queued', 'running')`)).rows.map((r) => r.p));
  metrics.gauge('lendstack_eod_loans_done', 'Loans done of the day the active end-of-day runs are on.', async () => (await eodRuns()).reduce((s, p) => s + (p.loans_done ?? 0), 0));
  metrics.gauge('lendstack_eod_loans_total', 'Active loans of the tenants whose end-of-day run is active.', async () => (await eodRuns()).reduce((s, p) => s + (p.loans_total ?? 0), 0));
  metrics.gauge('lendstack_eod_loans_per_second', 'Loans per second of the active end-of-day runs since they (re)started.', async () => (await eodRuns()).reduce((s, p) => s + (p.rate ?? 0), 0));
  metrics.gauge('lendstack_eod_eta_seconds', 'Seconds until the last active end-of-day run should complete, at its rate.', async () => Math.max(0, ...(await eodRuns()).map((p) => (p.eta ? (Date.parse(p.eta) - Date.now()) / 1000 : 0))));
  const eodRunner = createEodRunner({
    ...servicing, logger, workers: config.LMS_EOD_WORKERS, batchSize: config.LMS_EOD_BATCH_SIZE,
    onBatch: (_tenantId, counts) => { eodLoans.inc({ path: 'quiet' }, counts.quiet); eodLoans.inc({ path: 'engine' }, counts.engine); },
    // Each batch's loans re-scored in its transaction; then the day's portfolio snapshot, which the dashboard's routes
    // read (modules/portfolio; LMS_PORTFOLIO_SNAPSHOTS says which days).
    closeLoans: scoreAsDayCloses({ ...servicing, model: earlyWarningModel }),
    afterDay: async (tenantId, day) => {
      if (snapshotsDay(config.LMS_PORTFOLIO_SNAPSHOTS, day)) await writePortfolioSnapshot(pool, tenantId, day);
    },
  });
  const repaymentFileRunner = createRepaymentFileRunner({ ...servicing, logger });
  const importRunner = createImportRunner({ ...servicing, logger });
  // Borrower messages within the conduct limits (email over SMTP, SMS and WhatsApp over Twilio's API).
  const notifications = notificationDeps(config, pool);
  // Auto-debit collection rails: USD instalments as NACHA debit files to the same ODFI the payouts use.
  const achCollections = createAchCollectionRail({
    originator: {
      companyName: config.ACH_COMPANY_NAME, companyId: config.ACH_COMPANY_ID, odfiRouting: config.ACH_ODFI_ROUTING, odfiName: config.ACH_COMPANY_NAME,
      destinationRouting: config.ACH_ODFI_ROUTING, destinationName: config.ACH_ODFI_NAME, entryDescription: config.ACH_DEBIT_ENTRY_DESCRIPTION,
    },
    bank: createAchBankClient({ baseUrl: config.ACH_BASE_URL, apiKey: config.ACH_API_KEY, timeoutMs: config.ACH_TIMEOUT_MS, maxAttempts: config.ACH_MAX_ATTEMPTS }),
    resolveAccount: derivedAccountResolver,
  });
  // INR instalments: NACH debits on the loan's e-mandate, or UPI AutoPay executions after a pre-debit notification.
  const nachCollections = createNachCollectionRail({
    client: createProcessorApiClient({ name: 'NACH processor', baseUrl: config.NACH_BASE_URL, apiKey: config.NACH_API_KEY, timeoutMs: config.NACH_TIMEOUT_MS, maxAttempts: config.NACH_MAX_ATTEMPTS }),
    mandateOf: (umrn) => mandateByUmrn(pool, 'in-nach', umrn), cutoffMinutesIst: config.NACH_CUTOFF_MINUTES_IST, presentAheadDays: config.NACH_PRESENT_AHEAD_DAYS,
  });
  const upiCollections = createUpiAutopayRail({
    client: createProcessorApiClient({ name: 'UPI PSP', baseUrl: config.UPI_BASE_URL, apiKey: config.UPI_API_KEY, timeoutMs: config.NACH_TIMEOUT_MS, maxAttempts: config.NACH_MAX_ATTEMPTS }),
    mandateOf: (umn) => mandateByUmrn(pool, 'upi-autopay', umn),
  });
  // Instalments charged to the borrower's tokenised card (merchant-initiated payments).
  const cardCollections = createCardOnFileRail({
    client: createProcessorApiClient({ name: 'card processor', baseUrl: config.CARD_BASE_URL, apiKey: config.CARD_API_KEY, timeoutMs: config.NACH_TIMEOUT_MS, maxAttempts: config.NACH_MAX_ATTEMPTS }),
  });
  const collectorActivities = {
    ...createCollectionActivities({ prisma, now: () => new Date() }),
    ...createCollectorActivities({ pool, onOutbox: wakeOutbox }),
    ...createNotificationActivities(notifications),
    ...createAutodebitActivities({ servicing, rail: achCollections, moreRails: [nachCollections, upiCollections, cardCollections], newId: () => crypto.randomUUID(), maxPerFile: config.ACH_MAX_ENTRIES_PER_FILE }),
  };

  // The collector's parts (worker, starter, waker) only where LMS_COLLECTIONS_WORKER is on; the client always (the
  // collector's routes signal workflows).
  type Collector = { workerConnection: NativeConnection; worker: Awaited<ReturnType<typeof createCollectionsWorker>>; workerRun: Promise<void>; starter: ReturnType<typeof startCollectionsStarter>; waker: ReturnType<typeof startCollectionsWaker> };
  let temporalParts: { clientConnection: Connection; temporal: Client; collector: Collector | undefined } | undefined;
  const temporalReady = joined('temporal', async () => {
    const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    let workerConnection: NativeConnection | undefined;
    try {
      const temporal = new Client({
        connection: clientConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        // Carries the active trace into each workflow it starts.
        interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
      });
      if (!config.LMS_COLLECTIONS_WORKER) {
        temporalParts = { clientConnection, temporal, collector: undefined };
        return temporalParts;
      }
      workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      const worker = await createCollectionsWorker({
        connection: workerConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        activities: collectorActivities,
        spanProcessor: telemetry.spanProcessor,
        maxCachedWorkflows: config.TEMPORAL_MAX_CACHED_WORKFLOWS,
        workflowTracing: config.TEMPORAL_WORKFLOW_TRACING,
      });
      const workerRun = worker.run();
      workerRun.catch((error: unknown) => logger.error({ err: error }, 'collections worker stopped'));
      const starter = startCollectionsStarter({ pool, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, logger, metrics, ...collectionsTenants });
      // The collectors' clock: workflows whose business date has come are woken; actions Temporal missed are resent (both for the starter's tenants only).
      const waker = startCollectionsWaker({
        pool, temporal, logger, idleMs: config.LMS_COLLECTIONS_WAKE_MS, ...collectionsTenants,
        resend: () => resendPendingActions({ pool, temporal: () => temporal }, 200, collectionsTenants.tenantPrefix ?? null),
      });
      temporalParts = { clientConnection, temporal, collector: { workerConnection, worker, workerRun, starter, waker } };
      return temporalParts;
    } catch (error) {
      await workerConnection?.close().catch(() => undefined);
      await clientConnection.close().catch(() => undefined);
      throw error;
    }
  });

  const inboxRetention = startInboxRetention({ pool, logger, retainMs: config.LMS_INBOX_RETENTION_DAYS * 86_400_000 });
  const scoreRetention = startScoreRetention({ pool, logger, keepMonths: config.LMS_EARLY_WARNING_RETENTION_MONTHS });
  const kafkaReady = joined('kafka', async () => {
    const producer = await createProducer(kafka);
    try {
      const relay = startOutboxRelay({ pool: relayPool, producer, logger, lockId: OUTBOX_LOCK_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, metrics });
      try {
        const consumer = await startLoanApprovedConsumer({
          kafka,
          producer,
          logger,
          groupId: config.LMS_CONSUMER_GROUP,
          fromBeginning: config.LMS_CONSUMER_FROM_BEGINNING,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          metrics,
          store: createPgLoanBookingStore(pool),
          calculateSchedule: engineScheduleCalculator,
          onBooked: () => temporalParts?.collector?.starter.wake(),
          onDeadLetter: createBookingRejectionNotifier({ pool, logger, now: () => new Date(), wakeOutbox }),
        });
        kafkaParts = { producer, relay, consumer };
        return kafkaParts;
      } catch (error) {
        await relay.stop().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  });
  // Partner webhooks: the LMS's own consumer group on its lifecycle topic enqueues; the dispatcher delivers.
  const webhookDispatcher = startLmsWebhookDispatcher(pool, logger, config.LMS_WEBHOOKS_CONCURRENCY);
  let webhookEnqueuer: Awaited<ReturnType<typeof startLmsWebhookEnqueuer>> | undefined;
  const webhooksReady = (async () => {
    const k = await kafkaReady;
    if (!k) return;
    webhookEnqueuer = await joined('webhook enqueuer', () => startLmsWebhookEnqueuer({
      kafka, producer: k.producer, pool, logger, metrics, groupId: `${config.LMS_CONSUMER_GROUP}.webhooks`, topicPrefix: config.KAFKA_TOPIC_PREFIX, dispatcher: webhookDispatcher,
    }));
  })();
  // The LMS's own lifecycle events, as signals to each loan's collections workflow: needs both.
  let collectionsSignals: Awaited<ReturnType<typeof startLifecycleSignalsConsumer>> | undefined;
  const signalsReady = (async () => {
    const [t, k] = await Promise.all([temporalReady, kafkaReady]);
    if (!t || !k || !config.LMS_COLLECTIONS_WORKER) return;
    collectionsSignals = await joined('lifecycle signals consumer', () => startLifecycleSignalsConsumer({
      kafka,
      producer: k.producer,
      logger,
      metrics,
      groupId: config.LMS_COLLECTIONS_CONSUMER_GROUP ?? `${config.LMS_CONSUMER_GROUP}.collections`,
      fromBeginning: config.LMS_CONSUMER_FROM_BEGINNING,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      temporal: t.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      ...collectionsTenants,
    }));
  })();

  const app = await buildServer({
    logger,
    metrics,
    access: accessOptionsOf(config, pool, LMS_PARTNER_SCOPES),
    loans: { loans, authSecret: config.AUTH_TOKEN_SECRET, servicing: createServicingReader(pool) },
    endOfDay: { ...servicing, runner: eodRunner, authSecret: config.AUTH_TOKEN_SECRET },
    businessDate: { pool, authSecret: config.AUTH_TOKEN_SECRET, today: utcToday },
    portfolio: { pool, authSecret: config.AUTH_TOKEN_SECRET, today: utcToday },
    earlyWarning: { pool, authSecret: config.AUTH_TOKEN_SECRET, today: utcToday, model: earlyWarningModel },
    servicing: { ...servicing, authSecret: config.AUTH_TOKEN_SECRET },
    repaymentFiles: { ...servicing, authSecret: config.AUTH_TOKEN_SECRET, runner: repaymentFileRunner },
    imports: { pool, newId: () => crypto.randomUUID(), now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET, runner: importRunner },
    payoutWebhook: { verify: (raw, headers) => razorpayX.verifyWebhook(raw, headers), onOutcome: payoutOutcomeHandler(servicing, logger) },
    achWebhook: { handle: (raw, headers) => ach.handleNotification(raw, headers), onOutcome: payoutOutcomeHandler(servicing, logger) },
    products: { store: products, products, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date(), newId: () => crypto.randomUUID(), onPublished: wakeOutbox },
    reconciliation: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    reports: { pool, authSecret: config.AUTH_TOKEN_SECRET, today: utcToday },
    ledger: { queries: createPgLedgerQueries(pool), authSecret: config.AUTH_TOKEN_SECRET },
    statements: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    serviceRequests: { pool, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date() },
    auditLog: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    webhooks: { pool, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date(), eventTypes: LMS_WEBHOOK_EVENT_TYPES, allowLocalHttp: config.WEBHOOKS_ALLOW_LOCAL_HTTP, onDue: () => webhookDispatcher.wake() },
    contacts: { ...notifications, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date() },
    collections: { pool, temporal: () => temporalParts?.temporal, newId: () => crypto.randomUUID(), now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET, temporalUiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
    twilioStatus: { pool, authToken: config.TWILIO_AUTH_TOKEN, publicUrl: config.TWILIO_STATUS_CALLBACK_URL, now: () => new Date() },
    readiness: {
      database: async () => (await pool.query('SELECT 1')).rowCount === 1,
      kafka: async () => kafkaParts !== undefined && (await kafkaReachable(kafka)),
      temporal: async () => {
        if (!temporalParts) return false;
        await temporalParts.clientConnection.healthService.check({});
        return true;
      },
      // Ready only once the consumers have joined: a group that starts at the topic's end must not miss
      // what is published after the LMS says it is ready.
      consumers: async () => kafkaParts !== undefined && (collectionsSignals !== undefined || !config.LMS_COLLECTIONS_WORKER),
    },
  });
  // A loan's NACH and UPI AutoPay mandates (POST /v1/loans/{id}/mandates…), registered at the same rails' processors.
  await app.register(mandateRoutes, { pool, mandatePorts: { 'in-nach': nachCollections, 'upi-autopay': upiCollections }, newId: () => crypto.randomUUID(), authSecret: config.AUTH_TOKEN_SECRET });
  const url = await app.listen({ host: config.LMS_HOST, port: config.LMS_PORT });
  // ACH submission windows: queued USD payouts go to the ODFI in one file per window.
  const achWindows = startAchWindows(ach, { windowMs: config.ACH_WINDOW_MS, reconcileEveryMs: config.ACH_RECONCILE_MS, onOutcome: payoutOutcomeHandler(servicing, logger), logger });
  // The auto-debit collection day: present what is due, apply what the rails answer.
  const autodebit = !config.LMS_COLLECTIONS_WORKER ? undefined : startAutodebitRunner({ servicing, rails: [achCollections, nachCollections, upiCollections, cardCollections], newId: () => crypto.randomUUID(), maxPerFile: config.ACH_MAX_ENTRIES_PER_FILE, logger, intervalMs: config.LMS_AUTODEBIT_INTERVAL_MS, now: () => new Date(), ...collectionsTenants });
  // A run this process (or a killed one) left unfinished continues: per (loan, day) idempotent.
  void eodRunner.resumePending().catch((error: unknown) => logger.error({ err: error }, 'could not resume end-of-day runs'));
  // A file whose processing was cut short continues: each row's repayment key is derived from (file, row).
  void repaymentFileRunner.resumePending().catch((error: unknown) => logger.error({ err: error }, 'could not resume repayment files'));
  // An import cut short continues from its pending records (each batch committed whole, with its records' outcomes).
  void importRunner.resumePending().catch((error: unknown) => logger.error({ err: error }, 'could not resume loan imports'));

  return {
    url,
    async stop() {
      await app.close();
      await achWindows.stop();
      await autodebit?.stop();
      await eodRunner.stop();
      await repaymentFileRunner.stop();
      await importRunner.stop();
      notifications.close();
      inboxRetention.stop();
      scoreRetention.stop();
      stopped = true;
      for (const wake of wakers) wake();
      await Promise.all([temporalReady, kafkaReady, signalsReady, webhooksReady]);
      // The consumers at once: each waits for its fetch in flight, so one after another the waits would add up.
      await Promise.all([kafkaParts?.consumer.stop(), webhookEnqueuer?.stop(), collectionsSignals?.stop()]);
      await webhookDispatcher.stop();
      const collector = temporalParts?.collector;
      await collector?.starter.stop();
      await collector?.waker.stop();
      await kafkaParts?.relay.stop();
      // Temporal's runtime may have begun the worker's shutdown on the same signal: shut it down once.
      if (collector && collector.worker.getState() === 'RUNNING') collector.worker.shutdown();
      await collector?.workerRun.catch(() => undefined);
      await kafkaParts?.producer.disconnect();
      await temporalParts?.clientConnection.close();
      await collector?.workerConnection.close();
      await prisma.$disconnect();
      await Promise.all([pool.end(), relayPool.end()]);
    },
  };
}
