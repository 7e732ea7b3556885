import { randomUUID } from 'node:crypto';
import { accessOptionsOf, createKafka, surviveLostConnections, createLogger, createMetrics, createProducer, kafkaReachable, startOutboxRelay, type Logger, type OutboxRelay, type RunningConsumer } from '@lendstack/platform';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import type { LosConfig } from './config.js';
import { LOS_PARTNER_SCOPES } from './http/partner-scopes.js';
import { buildServer } from './http/server.js';
import { createHmacPiiVault } from './modules/applications/adapters/hmac-pii.vault.js';
import { startLoanLifecycleConsumer } from './modules/applications/adapters/loan-lifecycle.consumer.js';
import { createPgRepaymentProfileStore } from './modules/borrower-profile/index.js';
import { createPrismaProductCatalogue } from './modules/catalogue/adapters/prisma-product.catalogue.js';
import { startProductsConsumer } from './modules/catalogue/adapters/products.consumer.js';
import { createPrismaBookingFeedbackStore } from './modules/applications/adapters/prisma-booking-feedback.store.js';
import { createPgApplicationStore } from './modules/applications/adapters/pg-application.store.js';
import { createPrisma } from './platform/prisma.js';
import { createFsBlobStore, createPgDocumentStore, createTesseractOcrEngine } from './modules/documents/index.js';
import { createPgKycWebhookInbox } from './modules/kyc/index.js';
import { createPrismaChecksRepository } from './modules/checks/adapters/prisma-checks.repository.js';
import { startChecksRuntime, type ChecksRuntime } from './modules/checks/adapters/checks-runtime.js';
import { createCheckRunners, validateRunners } from './modules/checks/runners.js';
import { createEnvelopeCipher } from './modules/pii/envelope-cipher.js';
import { parseKeyring } from './modules/pii/keyring.js';
import { createPiiReader, createPiiSealer } from './modules/pii/pii-store.js';
import { createOriginationCompletion } from './modules/applications/use-cases/complete-origination.js';
import { createMandatePorts, createPgMandateStore, startMandatePoller } from './modules/mandates/index.js';
import { createPgOfferStore, DEFAULT_COOLING_OFF_DAYS, renderKfsPdf } from './modules/offers/index.js';
import { createPgTimelineReader } from './modules/audit/index.js';
import { createDocuSignESign, createEStamp, createPgAgreementStore, loadAgreementTemplate, renderAgreement } from './modules/agreements/index.js';
import { createApprovalGate, createDeclineNotices, createPgReviewStore, DEMO_APPROVAL_LIMITS, DEMO_CREDITOR, renderAdverseActionNotice } from './modules/review/index.js';
import { LOS_WEBHOOK_EVENT_TYPES, startLosWebhookDispatcher, startLosWebhookEnqueuer } from './modules/webhooks/webhooks.wiring.js';
import { createPgDecisionRepository, createPgPolicyRepository, createPolicyEngine, decideWhenChecksConclude, DEMO_PRODUCTS, defaultPolicy, loadScorecardModel } from './modules/underwriting/index.js';

/** Advisory lock id that elects one outbox relay per LOS database. */
const OUTBOX_LOCK_ID = 41_001;

export interface RunningLos {
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root: config → adapters → HTTP + outbox relay + consumers + the checks worker. Nothing else wires. */
export async function startLos(config: LosConfig, logger: Logger = createLogger({ service: 'lendstack-los', level: config.LOG_LEVEL })): Promise<RunningLos> {
  const pool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: config.LOS_DB_POOL_MAX });
  const relayPool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: 2 });
  // A connection dropped by the server (restart, failover, 57P01), idle or held, is not a reason to crash.
  const checksPool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: config.LOS_CHECKS_DB_POOL_MAX });
  for (const p of [pool, relayPool, checksPool]) surviveLostConnections(p, logger);
  const prisma = createPrisma(pool);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'lendstack-los', logger });
  const metrics = createMetrics('lendstack-los');
  // Events approved but not yet on Kafka: grows while Kafka is down, drains when it is back.
  metrics.gauge('lendstack_outbox_unsent', 'Outbox rows not yet published.', async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')).rows[0]!.n));

  const bookingFailed = metrics.counter('lendstack_applications_booking_failed_total', 'Approved applications the LMS refused to book (now booking-failed); infra/alerts/lendstack.rules.yml pages on any.');
  metrics.gauge('lendstack_applications_booking_failed', 'Applications in booking-failed: approved, refused by the LMS, waiting for a person.', async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM applications WHERE status = 'booking-failed'")).rows[0]!.n));

  // The relay and the lifecycle consumer connect in the background: the LOS approves loans while
  // Kafka is down, and the outbox keeps their events until the relay can publish them.
  let relay: OutboxRelay | undefined;
  let stopped = false;
  const relayReady = (async () => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        const producer = await createProducer(kafka);
        if (stopped) return void (await producer.disconnect());
        const started = startOutboxRelay({ pool: relayPool, producer, logger, lockId: OUTBOX_LOCK_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, metrics });
        relay = { ...started, stop: async () => { await started.stop(); await producer.disconnect(); } };
        return;
      } catch (error) {
        logger.warn({ err: error, attempt }, 'kafka not reachable yet; approvals wait in the outbox');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
      }
    }
  })();

  // Consumers start in the background, independent of the relay: approvals are published even while
  // a consumer cannot join. Each has a producer of its own for its dead letters.
  const consumers: RunningConsumer[] = [];
  const startConsumer = (what: string, start: (producer: Producer) => Promise<RunningConsumer>) => (async () => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        const producer = await createProducer(kafka);
        const consumer = await start(producer).catch(async (error: unknown) => {
          await producer.disconnect();
          throw error;
        });
        const running = { stop: async () => { await consumer.stop(); await producer.disconnect(); } };
        if (stopped) await running.stop();
        else consumers.push(running);
        return;
      } catch (error) {
        logger.warn({ err: error, attempt }, `${what} cannot start yet; waiting on Kafka`);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
      }
    }
  })();
  const catalogue = createPrismaProductCatalogue(prisma);
  const store = createPgApplicationStore(pool);
  const cipher = createEnvelopeCipher({ pool, keyring: parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK) });
  const notifyOutbox = () => relay?.wake();
  // Document bytes (uploads; read by the KYC and OCR checks) and the one OCR engine the checks share.
  const blobs = createFsBlobStore(config.LOS_BLOB_DIR);
  const documents = createPgDocumentStore(pool);
  const ocr = createTesseractOcrEngine();
  const checks = createPrismaChecksRepository({ prisma, now: () => new Date(), newId: randomUUID, notifyOutbox });
  // The checks' own connections (see LOS_CHECKS_DB_POOL_MAX): repository, store, PII and runners on them.
  const checksPrisma = createPrisma(checksPool);
  const checksDocuments = createPgDocumentStore(checksPool);
  const runners = createCheckRunners(config, { pool: checksPool, blobs, ocr, now: () => new Date() });
  // A registration error is a configuration error: the LOS refuses to start.
  validateRunners(runners);
  // Underwriting: the policy engine and scorecard model are loaded once; tenant demo gets a default policy per demo product.
  const policies = createPgPolicyRepository(pool);
  const policyEngine = createPolicyEngine();
  const scorecardModel = loadScorecardModel();
  // Borrower repayment profiles from the LMS's lifecycle events: the lifecycle consumer writes them, underwriting reads them.
  const profiles = createPgRepaymentProfileStore(pool);
  await policies.seed('demo', DEMO_PRODUCTS.map((p) => ({ productCode: p.code, document: defaultPolicy(p) })), new Date()).then(
    (seeded) => seeded.length > 0 && logger.info({ products: seeded }, 'seeded default underwriting policies for tenant demo'),
    (error: unknown) => logger.warn({ err: error }, 'default underwriting policies not seeded (database unavailable?); seeded at the next start'),
  );
  // Maker-checker review: tenant demo gets approval limits and a creditor profile (its notices' creditor) where it has none.
  const reviews = createPgReviewStore(pool);
  await reviews.seed('demo', { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR }).catch((error: unknown) => logger.warn({ err: error }, 'demo approval limits and creditor profile not seeded; seeded at the next start'));
  const checksReviews = createPgReviewStore(checksPool);
  const notices = (store: typeof reviews) => ({ creditor: (tenantId: string) => store.creditor(tenantId), render: renderAdverseActionNotice });

  // Temporal is joined in the background: while it is unreachable the LOS takes submissions (each records
  // the run its checks workflow needs), readiness says temporal is down, and the starter starts them once
  // it is back.
  let checksRuntime: ChecksRuntime | undefined;
  const checksReady = (async () => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        const runtime = await startChecksRuntime({
          temporalAddress: config.TEMPORAL_ADDRESS,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.LOS_TEMPORAL_TASK_QUEUE ?? `${config.KAFKA_TOPIC_PREFIX}lendstack-los-checks`,
          ...(config.LOS_CHECKS_TENANT_PREFIX ? { starterTenantPrefix: config.LOS_CHECKS_TENANT_PREFIX } : {}),
          policy: { startToCloseMs: config.LOS_CHECK_TIMEOUT_MS, initialIntervalMs: config.LOS_CHECK_RETRY_INITIAL_MS, maximumIntervalMs: config.LOS_CHECK_RETRY_MAX_MS, maximumAttempts: config.LOS_CHECK_MAX_ATTEMPTS },
          pool: checksPool, prisma: checksPrisma, logger,
          checks: createPrismaChecksRepository({ prisma: checksPrisma, now: () => new Date(), newId: randomUUID, notifyOutbox }),
          applications: createPgApplicationStore(checksPool),
          pii: createPiiReader({ pool: checksPool, cipher: createEnvelopeCipher({ pool: checksPool, keyring: parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK) }) }),
          runners,
          documentsOf: (tenantId, applicationId) => checksDocuments.list(tenantId, applicationId),
          // The automated decision, on the checks' own connections.
          onChecksConcluded: decideWhenChecksConclude({
            applications: createPgApplicationStore(checksPool), checks: createPrismaChecksRepository({ prisma: checksPrisma, now: () => new Date(), newId: randomUUID, notifyOutbox }),
            pii: createPiiReader({ pool: checksPool, cipher: createEnvelopeCipher({ pool: checksPool, keyring: parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK) }) }),
            policies: createPgPolicyRepository(checksPool), decisions: createPgDecisionRepository(checksPool), profiles: createPgRepaymentProfileStore(checksPool), engine: policyEngine, model: scorecardModel, now: () => new Date(), logger,
            notices: notices(checksReviews),
          }),
        });
        if (stopped) return void (await runtime.stop());
        checksRuntime = runtime;
        if (attempt > 1) logger.info({ attempt }, 'temporal reachable; application checks start');
        return;
      } catch (error) {
        logger.warn({ err: error, attempt }, 'temporal not reachable yet; submitted applications wait for their checks');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
      }
    }
  })();
  // Partner webhooks: the dispatcher delivers from the database; the LOS's own group on its applications topic enqueues.
  const webhookDispatcher = startLosWebhookDispatcher(pool, logger, config.LOS_WEBHOOKS_CONCURRENCY);
  const consumersReady = Promise.all([
    startConsumer('webhook enqueuer (partner webhooks)', (producer) => startLosWebhookEnqueuer({
      kafka, producer, pool, logger, metrics, groupId: `${config.LOS_CONSUMER_GROUP}.webhooks`, topicPrefix: config.KAFKA_TOPIC_PREFIX, dispatcher: webhookDispatcher,
    })),
    startConsumer('lifecycle consumer (booking feedback, repayment profiles)', (producer) => startLoanLifecycleConsumer({
      kafka, producer, logger, metrics,
      groupId: config.LOS_CONSUMER_GROUP,
      fromBeginning: config.LOS_CONSUMER_FROM_BEGINNING,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      feedback: createPrismaBookingFeedbackStore(prisma),
      profiles,
      onBookingFailed: (count) => bookingFailed.inc(count),
    })),
    startConsumer('products consumer (catalogue)', (producer) => startProductsConsumer({
      catalogue, kafka, producer, logger, metrics,
      groupId: `${config.LOS_CONSUMER_GROUP}.products`,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
    })),
  ]);

  // Loan agreements: generated from the template, stamped (INR), sent through DocuSign; Connect's signed
  // callback records the signature and completes the origination step in its transaction.
  // One completion step for both: the agreement signed or the mandate active, whichever comes last, approves.
  const completeOrigination = createOriginationCompletion({ newId: randomUUID });
  const agreements = createPgAgreementStore(pool, { stepDone: completeOrigination });
  const esign = createDocuSignESign({ baseUrl: config.DOCUSIGN_BASE_URL, accountId: config.DOCUSIGN_ACCOUNT_ID, accessToken: config.DOCUSIGN_ACCESS_TOKEN, timeoutMs: config.VENDOR_TIMEOUT_MS });
  const estamp = createEStamp({ baseUrl: config.ESTAMP_BASE_URL, apiKey: config.ESTAMP_API_KEY, timeoutMs: config.VENDOR_TIMEOUT_MS });

  // The Onfido webhooks the KYC check waits on are recorded by their route.
  const app = await buildServer({
    logger,
    metrics,
    access: accessOptionsOf(config, pool, LOS_PARTNER_SCOPES),
    documents: { store: documents, blobs, authSecret: config.AUTH_TOKEN_SECRET, maxBytes: config.LOS_DOCUMENT_MAX_BYTES, newId: randomUUID, now: () => new Date() },
    kycWebhooks: { inbox: createPgKycWebhookInbox(pool), webhookToken: config.ONFIDO_WEBHOOK_TOKEN, toleranceSeconds: config.ONFIDO_WEBHOOK_TOLERANCE_SECONDS, now: () => new Date() },
    applications: {
      store,
      vault: createHmacPiiVault(config.PII_TOKEN_SECRET),
      pii: createPiiSealer(cipher),
      newId: randomUUID,
      now: () => new Date(),
      notifyOutbox,
      onSubmitted: () => checksRuntime?.starter.kick(),
      approvalGate: createApprovalGate(policies, reviews),
      declineNotices: createDeclineNotices({ decisions: createPgDecisionRepository(pool), checks, ...notices(reviews) }),
      catalogue,
      authSecret: config.AUTH_TOKEN_SECRET,
    },
    checks: { prisma, checks, applications: store, newId: randomUUID, now: () => new Date(), notifyOutbox, onRequested: () => checksRuntime?.starter.kick(), authSecret: config.AUTH_TOKEN_SECRET },
    quotes: { authSecret: config.AUTH_TOKEN_SECRET },
    reconciliation: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    borrowerProfiles: { profiles, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET },
    underwriting: {
      applications: store, checks, pii: createPiiReader({ pool, cipher }), policies, decisions: createPgDecisionRepository(pool), profiles,
      engine: policyEngine, model: scorecardModel, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET, notices: notices(reviews),
    },
    review: {
      reviews, applications: store, decisions: createPgDecisionRepository(pool), checks, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET, ...notices(reviews),
    },
    offers: {
      offers: createPgOfferStore(pool), newId: randomUUID, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET,
      kfs: { creditor: (tenantId) => reviews.creditor(tenantId), product: (tenantId, code) => catalogue.find(tenantId, code), render: renderKfsPdf, coolingOffDays: DEFAULT_COOLING_OFF_DAYS },
    },
    // Repayment mandates; the one that becomes active completes origination in its transaction.
    mandates: {
      mandates: createPgMandateStore(pool, completeOrigination), ports: createMandatePorts(config),
      accountNumberOf: (tenantId, applicationId) => createPiiReader({ pool, cipher }).reveal(tenantId, applicationId, 'bank-account'), now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET,
    },
    agreements: {
      agreements, esign, estamp, render: renderAgreement, template: loadAgreementTemplate(), creditor: (tenantId) => reviews.creditor(tenantId),
      signingReturnUrl: config.ESIGN_SIGNING_RETURN_URL, newId: randomUUID, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET,
    },
    esignWebhooks: { agreements, esign, now: () => new Date(), connectHmacKey: config.DOCUSIGN_CONNECT_HMAC_KEY },
    timeline: { timeline: createPgTimelineReader(pool), authSecret: config.AUTH_TOKEN_SECRET },
    webhooks: { pool, authSecret: config.AUTH_TOKEN_SECRET, now: () => new Date(), eventTypes: LOS_WEBHOOK_EVENT_TYPES, allowLocalHttp: config.WEBHOOKS_ALLOW_LOCAL_HTTP, onDue: () => webhookDispatcher.wake() },
    readiness: {
      database: async () => (await pool.query('SELECT 1')).rowCount === 1,
      kafka: () => kafkaReachable(kafka),
      temporal: async () => (checksRuntime ? checksRuntime.healthy() : false),
    },
  });
  const url = await app.listen({ host: config.LOS_HOST, port: config.LOS_PORT });
  // Pending mandates whose processor's webhook never came are read back (the same transition as the webhook's).
  const mandatePoller = startMandatePoller({
    mandates: createPgMandateStore(pool, completeOrigination), ports: createMandatePorts(config), now: () => new Date(), logger,
    everyMs: config.MANDATE_POLL_EVERY_MS, quietMs: config.MANDATE_POLL_QUIET_MS, limit: config.MANDATE_POLL_BATCH,
  });

  return {
    url,
    async stop() {
      stopped = true;
      await app.close();
      await mandatePoller.stop();
      await checksReady;
      await checksRuntime?.stop();
      await ocr.close();
      policyEngine.dispose();
      await relayReady;
      await relay?.stop();
      await consumersReady;
      // At once: each waits for its fetch in flight, so one after another the waits would add up.
      await Promise.all(consumers.map((consumer) => consumer.stop().catch((error: unknown) => logger.warn({ err: error }, 'consumer stop failed'))));
      await webhookDispatcher.stop();
      await Promise.all([prisma.$disconnect(), checksPrisma.$disconnect()]);
      await Promise.all([pool.end(), relayPool.end(), checksPool.end()]);
    },
  };
}
