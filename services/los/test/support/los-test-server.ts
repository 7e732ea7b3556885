import { randomInt, randomUUID } from 'node:crypto';
import { createLogger, createMetrics, signToken, type Logger, type Role } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { createPrismaProductCatalogue } from '../../src/modules/catalogue/adapters/prisma-product.catalogue.js';
import type { ProductCatalogue } from '../../src/modules/catalogue/ports.js';
import { createHmacPiiVault } from '../../src/modules/applications/adapters/hmac-pii.vault.js';
import { createPgRepaymentProfileStore } from '../../src/modules/borrower-profile/index.js';
import { createPgApplicationStore } from '../../src/modules/applications/adapters/pg-application.store.js';
import { createPrisma } from '../../src/platform/prisma.js';
import { startChecksRuntime, type ChecksRuntime } from '../../src/modules/checks/adapters/checks-runtime.js';
import { createPrismaChecksRepository } from '../../src/modules/checks/adapters/prisma-checks.repository.js';
import { createCheckRunners, type RegisteredRunner } from '../../src/modules/checks/runners.js';
import { createFsBlobStore, createPgDocumentStore, createTesseractOcrEngine } from '../../src/modules/documents/index.js';
import type { CheckRetryPolicy } from '../../src/modules/checks/workflows/application-checks.workflow.js';
import { createEnvelopeCipher } from '../../src/modules/pii/envelope-cipher.js';
import { parseKeyring } from '../../src/modules/pii/keyring.js';
import { createPiiReader, createPiiSealer } from '../../src/modules/pii/pii-store.js';
import { createOriginationCompletion } from '../../src/modules/applications/use-cases/complete-origination.js';
import { createMandatePorts, createPgMandateStore } from '../../src/modules/mandates/index.js';
import { createPgOfferStore, DEFAULT_COOLING_OFF_DAYS, renderKfsPdf } from '../../src/modules/offers/index.js';
import { createPgTimelineReader } from '../../src/modules/audit/index.js';
import { createDocuSignESign, createEStamp, createPgAgreementStore, loadAgreementTemplate, renderAgreement } from '../../src/modules/agreements/index.js';
import type { OriginationStepDone } from '../../src/modules/applications/use-cases/complete-origination.js';
import { createApprovalGate, createDeclineNotices, createPgReviewStore, renderAdverseActionNotice, type ReviewStore } from '../../src/modules/review/index.js';
import { createPgDecisionRepository, createPgPolicyRepository, createPolicyEngine, decideWhenChecksConclude, loadScorecardModel } from '../../src/modules/underwriting/index.js';

/**
 * The LOS HTTP API over the REAL Postgres-backed store (the test database infra/test.sh migrates),
 * driven with app.inject, with the checks workflow on the REAL Temporal: a worker in this process on a
 * task queue of its own (unless `worker: false`), running the LOS's registered check runners (or the
 * `runners` a test gives). The outbox relay is not started, so events leave their rows unsent.
 */
export interface LosTestServer {
  /** The catalogue the submission route checks; tests publish products into it directly. */
  readonly catalogue: ProductCatalogue;
  readonly app: FastifyInstance;
  readonly pool: pg.Pool;
  readonly secret: string;
  /** A bearer header for `roles` in `tenantId` (default: this file's tenant). */
  auth(roles: Role[], tenantId?: string): { authorization: string };
  readonly tenantId: string;
  readonly taskQueue: string;
  readonly checksRuntime: ChecksRuntime;
  /** Approval limits, creditor profiles, review queue (tests seed a tenant's limits through it). */
  readonly reviews: ReviewStore;
  /** Waits until the application's checks concluded; returns the application. */
  awaitChecks(id: string, expect?: 'checks-complete' | 'checks-exception'): Promise<{ id: string; status: string } & Record<string, any>>;
  close(): Promise<void>;
}

export interface LosTestServerOptions {
  /** Replace the registered runners (default: the LOS's own list, as main.ts builds it). */
  readonly runners?: (defaults: RegisteredRunner[]) => RegisteredRunner[];
  /** false: no worker in this process (a test runs one elsewhere). */
  readonly worker?: boolean;
  readonly taskQueue?: string;
  readonly policy?: Partial<CheckRetryPolicy>;
  readonly logger?: Logger;
  /**
   * Start checks only for tenants named from this server's prefix (default true): test files run in
   * parallel on one database, each server with its own runners, and must not run each other's checks.
   */
  readonly ownTenantsOnly?: boolean;
  /** Mandate processors' base URLs (default: the config's, the shared nach-sandbox) and the completion step (default: the LOS's own). */
  readonly mandates?: { readonly nachBaseUrl?: string; readonly stripeBaseUrl?: string; readonly stepDone?: Parameters<typeof createPgMandateStore>[1] };
  /** Loan agreements against an esign-sandbox the test started (its base URL), completing steps through `stepDone`. */
  readonly agreements?: { readonly sandboxUrl: string; readonly stepDone: OriginationStepDone };
  /** How the checks worker is built (default the LOS's own): a test wraps it to reach the workers it runs. */
  readonly createWorker?: Parameters<typeof startChecksRuntime>[0]['createWorker'];
}

/** The LOS's vendor base URLs, taken from the environment when the test command set them. */
const SANDBOX_URL_VARIABLES = ['ONFIDO_BASE_URL', 'PAN_BASE_URL', 'UIDAI_OFFLINE_EKYC_URL', 'BUREAU_BASE_URL', 'NACH_BASE_URL', 'STRIPE_BASE_URL', 'DOCUSIGN_BASE_URL', 'ESTAMP_BASE_URL'] as const;

/** Statuses in which an application's checks have concluded, the automated decision's included. */
const CONCLUDED = ['checks-complete', 'checks-exception', 'policy-approved', 'referred', 'declined'];

/** Fast retries, so a vendor outage reaches `exception` within seconds. */
export const TEST_CHECK_POLICY: CheckRetryPolicy = { startToCloseMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 400, maximumAttempts: 3 };

/** A tenant id no other test file uses, so each file sees only its own data. */
export function uniqueTenant(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function startLosTestServer(tenantPrefix: string, options: LosTestServerOptions = {}): Promise<LosTestServer> {
  const { losDatabaseUrl, temporalAddress } = await infrastructure();
  // The test command's sandboxes (infra/test.sh exports where it started them): a second test run on other
  // ports must not call the first run's. Nothing else comes from the environment: the rest is the LOS defaults.
  const sandboxUrls = Object.fromEntries(SANDBOX_URL_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const config = loadConfig({ ...sandboxUrls, LOS_DATABASE_URL: losDatabaseUrl });
  const pool = new pg.Pool({ connectionString: losDatabaseUrl, max: 10 });
  const prisma = createPrisma(pool);
  const catalogue = createPrismaProductCatalogue(prisma);
  const logger = options.logger ?? createLogger({ service: 'lendstack-los-test', level: (process.env.LOS_TEST_LOG_LEVEL ?? 'silent') as 'silent' });
  const store = createPgApplicationStore(pool);
  const cipher = createEnvelopeCipher({ pool, keyring: parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK) });
  const checks = createPrismaChecksRepository({ prisma, now: () => new Date(), newId: randomUUID, notifyOutbox: () => undefined });
  const blobs = createFsBlobStore(config.LOS_BLOB_DIR);
  const documents = createPgDocumentStore(pool);
  const ocr = createTesseractOcrEngine();
  const defaults = createCheckRunners(config, { pool, blobs, ocr, now: () => new Date() });
  const taskQueue = options.taskQueue ?? `los-checks-test-${randomUUID()}`;
  const policyEngine = createPolicyEngine();
  const reviews = createPgReviewStore(pool);
  const notices = { creditor: (tenantId: string) => reviews.creditor(tenantId), render: renderAdverseActionNotice };
  const underwriting = {
    applications: store, checks, pii: createPiiReader({ pool, cipher }), policies: createPgPolicyRepository(pool), decisions: createPgDecisionRepository(pool),
    profiles: createPgRepaymentProfileStore(pool), engine: policyEngine, model: loadScorecardModel(), now: () => new Date(), notices,
  };
  const checksRuntime = await startChecksRuntime({
    temporalAddress, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue, policy: { ...TEST_CHECK_POLICY, ...options.policy },
    pool, prisma, checks, applications: store, pii: createPiiReader({ pool, cipher }), logger,
    runners: options.runners ? options.runners(defaults) : defaults, worker: options.worker ?? true, starterPollMs: 500,
    documentsOf: (tenant, applicationId) => documents.list(tenant, applicationId),
    onChecksConcluded: decideWhenChecksConclude({ ...underwriting, logger }),
    ...(options.ownTenantsOnly ?? true ? { starterTenantPrefix: `${tenantPrefix}-` } : {}),
    ...(options.createWorker ? { createWorker: options.createWorker } : {}),
  });
  const app = await buildServer({
    metrics: createMetrics('lendstack-los-test'),
    logger,
    documents: { store: documents, blobs, authSecret: config.AUTH_TOKEN_SECRET, maxBytes: config.LOS_DOCUMENT_MAX_BYTES, newId: randomUUID, now: () => new Date() },
    applications: {
      store,
      vault: createHmacPiiVault(config.PII_TOKEN_SECRET),
      pii: createPiiSealer(cipher),
      newId: randomUUID,
      now: () => new Date(),
      notifyOutbox: () => undefined,
      onSubmitted: () => checksRuntime.starter.kick(),
      approvalGate: createApprovalGate(underwriting.policies, reviews),
      declineNotices: createDeclineNotices({ decisions: underwriting.decisions, checks, ...notices }),
      catalogue,
      authSecret: config.AUTH_TOKEN_SECRET,
    },
    checks: { prisma, checks, applications: store, newId: randomUUID, now: () => new Date(), notifyOutbox: () => undefined, onRequested: () => checksRuntime.starter.kick(), authSecret: config.AUTH_TOKEN_SECRET },
    quotes: { authSecret: config.AUTH_TOKEN_SECRET },
    reconciliation: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    borrowerProfiles: { profiles: underwriting.profiles, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET },
    underwriting: { ...underwriting, authSecret: config.AUTH_TOKEN_SECRET },
    review: { reviews, applications: store, decisions: underwriting.decisions, checks, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET, ...notices },
    offers: {
      offers: createPgOfferStore(pool), newId: randomUUID, now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET,
      kfs: { creditor: (tenantId) => reviews.creditor(tenantId), product: (tenantId, code) => catalogue.find(tenantId, code), render: renderKfsPdf, coolingOffDays: DEFAULT_COOLING_OFF_DAYS },
    },
    mandates: {
      mandates: createPgMandateStore(pool, options.mandates?.stepDone ?? createOriginationCompletion({ newId: randomUUID })),
      ports: createMandatePorts({ ...config, NACH_BASE_URL: options.mandates?.nachBaseUrl ?? config.NACH_BASE_URL, STRIPE_BASE_URL: options.mandates?.stripeBaseUrl ?? config.STRIPE_BASE_URL }),
      accountNumberOf: (tenant, applicationId) => createPiiReader({ pool, cipher }).reveal(tenant, applicationId, 'bank-account'), now: () => new Date(), authSecret: config.AUTH_TOKEN_SECRET,
    },
    ...(options.agreements ? agreementDeps(options.agreements, config, pool, reviews) : {}),
    timeline: { timeline: createPgTimelineReader(pool), authSecret: config.AUTH_TOKEN_SECRET },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  await app.ready();
  const tenantId = uniqueTenant(tenantPrefix);
  let subject = 0;
  const auth = (roles: Role[], tenant = tenantId) => {
    subject += 1;
    const token = signToken(config.AUTH_TOKEN_SECRET, { subject: `${roles[0]}-${subject}`, tenantId: tenant, roles }, 300, Math.floor(Date.now() / 1000));
    return { authorization: `Bearer ${token}` };
  };
  return {
    app,
    pool,
    catalogue,
    secret: config.AUTH_TOKEN_SECRET,
    tenantId,
    taskQueue,
    checksRuntime,
    reviews,
    auth,
    async awaitChecks(id, expect) {
      const { rows } = await pool.query<{ tenant_id: string }>('SELECT tenant_id FROM applications WHERE id = $1', [id]);
      const headers = auth(['operator'], rows[0]?.tenant_id ?? tenantId);
      const get = (url: string) => app.inject({ method: 'GET', url, headers });
      // The automated decision may move a checks-complete application on at once (policy-approved, referred,
      // declined): for a tenant with a policy, those statuses say its checks completed too.
      const concluded = await eventually(async () => {
        const body = (await get(`/v1/applications/${id}`)).json<{ id: string; status: string }>();
        return CONCLUDED.includes(body.status) ? body : undefined;
      }, { timeoutMs: 60_000, intervalMs: 100, what: `checks of application ${id} to conclude` });
      const as = concluded.status === 'checks-exception' ? 'checks-exception' : 'checks-complete';
      if (expect && as !== expect) throw new Error(`application ${id} is ${concluded.status}, expected ${expect}: ${(await get(`/v1/applications/${id}/checks`)).body}`);
      return concluded;
    },
    async close() {
      await app.close();
      await checksRuntime.stop();
      await ocr.close();
      policyEngine.dispose();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** The agreement routes and the DocuSign webhook, against the sandbox at `sandboxUrl` with the default sandbox credentials. */
function agreementDeps(o: NonNullable<LosTestServerOptions['agreements']>, config: ReturnType<typeof loadConfig>, pool: pg.Pool, reviews: ReviewStore) {
  const agreements = createPgAgreementStore(pool, { stepDone: o.stepDone });
  const esign = createDocuSignESign({ baseUrl: `${o.sandboxUrl}/restapi`, accountId: config.DOCUSIGN_ACCOUNT_ID, accessToken: config.DOCUSIGN_ACCESS_TOKEN, timeoutMs: 5_000 });
  const now = () => new Date();
  return {
    agreements: {
      agreements, esign, estamp: createEStamp({ baseUrl: `${o.sandboxUrl}/estamp/v1`, apiKey: config.ESTAMP_API_KEY, timeoutMs: 5_000 }), render: renderAgreement, template: loadAgreementTemplate(),
      creditor: (tenantId: string) => reviews.creditor(tenantId), signingReturnUrl: config.ESIGN_SIGNING_RETURN_URL, newId: randomUUID, now, authSecret: config.AUTH_TOKEN_SECRET,
    },
    esignWebhooks: { agreements, esign, now, connectHmacKey: config.DOCUSIGN_CONNECT_HMAC_KEY },
  };
}

/** A date `days` from today (UTC), YYYY-MM-DD. */
export function isoDateFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A PAN-shaped national id unique to one test, so its absence from the database can be asserted. */
export function uniquePan(): string {
  const letters = () => String.fromCharCode(65 + randomInt(26));
  return `${letters()}${letters()}${letters()}P${letters()}${String(randomInt(9_000)).padStart(4, '0')}${letters()}`;
}

/** A complete application body; override any part per test. */
export function applicationBody(options: { pan?: string; accountNumber?: string; disbursementDate?: string } = {}) {
  return {
    applicant: {
      name: { given: 'Priya', family: 'Sharma' },
      // Unique per body: contacts are compared across every application (duplicate check).
      contact: { email: `priya.sharma.${randomUUID().slice(0, 8)}@example.in`, phone: `+9198${randomInt(10_000_000, 99_999_999)}` },
      dateOfBirth: '1990-04-15',
      address: { line1: '14 MG Road', city: 'Bengaluru', region: 'KA', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', value: options.pan ?? uniquePan() },
      bankAccount: { holderName: 'Priya Sharma', accountNumber: options.accountNumber ?? `50100${randomInt(10_000_000, 99_999_999)}`, bankCode: 'HDFC0001234' },
    },
    loan: {
      productCode: 'PL-12M',
      principal: { amount: '50000000', currency: 'INR', scale: 2 },
      annualRatePercent: '14.5',
      termPeriods: 12,
      frequency: 'monthly',
      expectedDisbursementDate: options.disbursementDate ?? isoDateFromToday(7),
      fees: [{ code: 'PROC', name: 'Processing fee', amount: { amount: '1000000', currency: 'INR', scale: 2 }, timing: 'financed' }],
    },
  };
}
