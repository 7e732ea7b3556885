import { fileURLToPath } from 'node:url';
import { accessEnv, DEV_AUTH_TOKEN_SECRET, externalIssuerComplete, parseEnv } from '@lendstack/platform';
import { z } from 'zod';
import { DEV_ONLY_ACTIVE_KEK, DEV_ONLY_PII_KEKS } from './modules/pii/keyring.js';
import { SANDBOX_UIDAI_CERTIFICATE_PEM } from './modules/kyc/adapters/sandbox-uidai-certificate.js';
import { CHECK_KINDS } from './modules/checks/check-runner.js';

/** Everything the LOS reads from its environment, parsed once at boot. */
const envSchema = z.object({
  // Where partners and operators reach the API.
  LOS_HOST: z.string().default('127.0.0.1'),
  LOS_PORT: z.coerce.number().int().min(1).max(65_535).default(3001),
  // The LOS's own database; no other service reads it.
  LOS_DATABASE_URL: z.string().url().default('postgresql://lendstack:lendstack@127.0.0.1:5432/lendstack_los'),
  // Bound on connections this instance holds, so replicas can share one Postgres.
  LOS_DB_POOL_MAX: z.coerce.number().int().min(2).max(100).default(10),
  // Connections of the checks (worker activities and starter), a pool of their own: a burst of checks waits
  // for these and never takes the API's connections (submissions failed with 500 under load otherwise).
  LOS_CHECKS_DB_POOL_MAX: z.coerce.number().int().min(2).max(100).default(5),
  // Brokers the outbox relay publishes LoanApproved to.
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((s) => s.split(',').map((b) => b.trim())),
  // Prefix of every topic name, so environments sharing one Kafka cluster never read each other's events.
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9.-]*$/).default(''),
  // Partner webhook deliveries in flight at once (the dispatcher's bound).
  LOS_WEBHOOKS_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  // Accept plain-http localhost webhook endpoints (development and tests only; https otherwise).
  WEBHOOKS_ALLOW_LOCAL_HTTP: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // The LOS's consumer group on the LMS's lifecycle topic (LoanBookingRejected); one per deployment.
  LOS_CONSUMER_GROUP: z.string().min(1).default('lendstack-los'),
  // Where a new consumer group starts: the topic's beginning (nothing missed) or its end.
  LOS_CONSUMER_FROM_BEGINNING: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  // Verifies partners' and operators' bearer tokens (HS256); one secret per deployment.
  AUTH_TOKEN_SECRET: z.string().min(32).default(DEV_AUTH_TOKEN_SECRET),
  // Partner API keys, OAuth2 client-credentials tokens, staff tokens of an identity provider, rate limits.
  ...accessEnv('los'),
  // Pepper for tokenising national ids and account numbers before they are stored or sent.
  PII_TOKEN_SECRET: z.string().min(32).default('lendstack-local-pii-tokenisation-secret-change-me'),
  // KYC, bureau and documents. The defaults are the local sandboxes (packages/testing/sandboxes) and their
  // development credentials, so `bash infra/up.sh` needs no configuration; none is a real credential.
  // Onfido API v3.6 (https://api.{eu,us,ca}.onfido.com/v3.6 in production) and its API token.
  ONFIDO_BASE_URL: z.string().url().default('http://127.0.0.1:3482/v3.6'),
  ONFIDO_API_TOKEN: z.string().min(8).default('lendstack-sandbox-onfido-api-token'),
  // The webhook's token: the HMAC-SHA256 key of X-SHA2-Signature on POST /v1/kyc-webhooks/onfido.
  ONFIDO_WEBHOOK_TOKEN: z.string().min(8).default('lendstack-sandbox-onfido-webhook-token'),
  // Webhook events whose object timestamp is older than this are refused as replays.
  ONFIDO_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  // While a check runs: GET /checks/{id} this often as a fallback to the webhook, and give up (retried) after the
  // max, which stays below LOS_CHECK_TIMEOUT_MS so the wait ends before the attempt's own timeout.
  ONFIDO_POLL_EVERY_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  ONFIDO_MAX_WAIT_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
  // PAN verification API (Sandbox.co.in shape: https://api.sandbox.co.in in production).
  PAN_BASE_URL: z.string().url().default('http://127.0.0.1:3482'),
  PAN_API_KEY: z.string().min(8).default('key_test_lendstack_sandbox'),
  PAN_ACCESS_TOKEN: z.string().min(8).default('lendstack-sandbox-pan-access-token'),
  // Where the Aadhaar offline e-KYC ZIP is fetched from, and the UIDAI certificate(s) (PEM, concatenated) its XML must verify against.
  UIDAI_OFFLINE_EKYC_URL: z.string().url().default('http://127.0.0.1:3482/uidai/offline-ekyc'),
  UIDAI_OFFLINE_EKYC_CERT_PEM: z.string().includes('BEGIN CERTIFICATE').default(SANDBOX_UIDAI_CERTIFICATE_PEM),
  // Credit bureau API and its key.
  BUREAU_BASE_URL: z.string().url().default('http://127.0.0.1:3484'),
  BUREAU_API_KEY: z.string().min(8).default('lendstack-sandbox-bureau-api-key'),
  // Repayment mandates (modules/mandates). NACH e-mandate processor (LotusPay-shaped; the nach-sandbox locally) and
  // the HMAC secret of its webhooks (X-Nach-Signature) on POST /v1/mandate-webhooks/nach-emandate. The key names
  // are the LMS's, so one environment configures both services.
  NACH_BASE_URL: z.string().url().default('http://127.0.0.1:3487'),
  NACH_API_KEY: z.string().min(8).default('lendstack-nach-sandbox-api-key'),
  NACH_WEBHOOK_SECRET: z.string().min(8).default('lendstack-nach-sandbox-webhook-secret'),
  // US ACH debit authorisations through Stripe (https://api.stripe.com in production; the nach-sandbox's /stripe
  // locally): secret key and the webhook endpoint's signing secret (Stripe-Signature) on /v1/mandate-webhooks/stripe.
  STRIPE_BASE_URL: z.string().url().default('http://127.0.0.1:3487/stripe'),
  STRIPE_API_KEY: z.string().min(8).default('sk_test_lendstack_sandbox_stripe_key'),
  STRIPE_WEBHOOK_SECRET: z.string().min(8).default('whsec_lendstack_sandbox_stripe'),
  // A mandate webhook signed further than this from now is refused (a captured delivery replayed later).
  MANDATE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  // Attempts of one mandate processor call (network errors, timeouts, 5xx; same Idempotency-Key), each bounded by VENDOR_TIMEOUT_MS.
  MANDATE_PROCESSOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // The fallback for a lost webhook: every MANDATE_POLL_EVERY_MS, up to MANDATE_POLL_BATCH pending mandates untouched for
  // MANDATE_POLL_QUIET_MS are read back from their processor.
  MANDATE_POLL_EVERY_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  MANDATE_POLL_QUIET_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  MANDATE_POLL_BATCH: z.coerce.number().int().min(1).max(1_000).default(50),
  // Loan agreements: e-signature through DocuSign eSignature REST v2.1 (https://demo.docusign.net/restapi or
  // https://{server}.docusign.net/restapi in production) and e-stamping; the defaults are the local esign-sandbox.
  DOCUSIGN_BASE_URL: z.string().url().default('http://127.0.0.1:3489/restapi'),
  DOCUSIGN_ACCOUNT_ID: z.string().min(1).default('7f3c9d2e-lendstack-sandbox-account'),
  // The OAuth access token (a deployment refreshes it by JWT grant and injects it).
  DOCUSIGN_ACCESS_TOKEN: z.string().min(8).default('lendstack-esign-sandbox-access-token'),
  // The Connect configuration's HMAC secret: verifies X-DocuSign-Signature-1 on POST /v1/webhooks/esign/docusign.
  DOCUSIGN_CONNECT_HMAC_KEY: z.string().min(16).default('lendstack-esign-sandbox-connect-hmac-key'),
  // Where the borrower lands after the embedded signing ceremony (the partner's app).
  ESIGN_SIGNING_RETURN_URL: z.string().url().default('http://127.0.0.1:3001/signing-complete'),
  // The e-stamp vendor's certificate API (SHCIL / state e-stamp style) and its key; INR agreements are stamped.
  ESTAMP_BASE_URL: z.string().url().default('http://127.0.0.1:3489/estamp/v1'),
  ESTAMP_API_KEY: z.string().min(8).default('lendstack-estamp-sandbox-api-key'),
  // Bound on one vendor HTTP call; past it the vendor counts as unavailable and the check is retried.
  VENDOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Where document bytes are kept (filesystem blob store), and the largest upload accepted.
  LOS_BLOB_DIR: z.string().min(1).default(fileURLToPath(new URL('../../../.cache/los/blobs', import.meta.url))),
  LOS_DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  // Temporal, where the LOS's own worker runs application checks.
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // Task queue of the LOS checks worker; default `<KAFKA_TOPIC_PREFIX>lendstack-los-checks`, so
  // environments sharing one Temporal never run each other's checks.
  LOS_TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  // Start checks only for tenants whose id begins with this (unset: every tenant); e.g. the checks benchmark's
  // baseline submits to a tenant outside the prefix, so the same process measures submission without checks.
  LOS_CHECKS_TENANT_PREFIX: z.string().min(1).optional(),
  // The checks every application gets (comma-separated kinds; default all). A lender that verifies income
  // elsewhere drops `income`; a kind another depends on cannot be dropped alone (income needs document-ocr).
  LOS_CHECK_KINDS: z.string().default(CHECK_KINDS.join(',')).transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean)).pipe(z.array(z.enum(CHECK_KINDS)).min(1)),
  // Each check attempt is bounded by this; a vendor slower than it counts as unavailable.
  LOS_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // Exponential backoff between attempts of a check whose vendor is unavailable (doubling from the first).
  LOS_CHECK_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  LOS_CHECK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  // After this many attempts the check is parked as `exception` for an operator.
  LOS_CHECK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  // Key-encryption keys for PII data keys (`id:base64-32-bytes`, comma-separated) and the one that wraps new
  // data keys. The default is a development key named as such; a deployment sets both from its secret store.
  LOS_PII_KEKS: z.string().min(1).default(DEV_ONLY_PII_KEKS),
  LOS_PII_ACTIVE_KEK: z.string().min(1).default(DEV_ONLY_ACTIVE_KEK),
  // HMAC key of the cross-tenant identity hashes (duplicate and velocity checks); one per deployment.
  LOS_IDENTITY_HASH_SECRET: z.string().min(32).default('dev-only-insecure-identity-hash-secret-change-me'),
  // Velocity limits: `device|ip:<windowSeconds>:<maxApplications>`, comma-separated, across all tenants.
  LOS_VELOCITY_RULES: z.string().default('device:3600:5,device:86400:20,ip:3600:20,ip:86400:100'),
  // A phone or email seen with more than this many other national ids is a duplicate-check finding.
  LOS_CONTACT_REUSE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(3),
  // A device fingerprint seen with more than this many other national ids is a device-check finding.
  LOS_DEVICE_IDENTITY_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(2),
  // Sanctions list directory in OFAC's CSV layout (sdn.csv, alt.csv, add.csv); the shipped excerpt by default.
  LOS_SANCTIONS_DATA_DIR: z.string().min(1).optional(),
  LOS_PEP_DATA_DIR: z.string().min(1).optional(),
  // Bound on the drain after SIGTERM/SIGINT (HTTP, consumers, worker, relay); past it the process exits 1.
  // Keep it below the orchestrator's kill timeout (deploy/k8s terminationGracePeriodSeconds).
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(600_000).default(25_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Where spans go: nowhere (ids still propagate) or stdout.
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console']).default('none'),
}).refine(externalIssuerComplete, { message: 'set all of AUTH_ISSUER, AUTH_JWKS_URL and AUTH_AUDIENCE, or none', path: ['AUTH_ISSUER'] });

export type LosConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LosConfig {
  return parseEnv('LOS', envSchema, env);
}
