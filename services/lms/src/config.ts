import { accessEnv, DEV_AUTH_TOKEN_SECRET, externalIssuerComplete, parseEnv } from '@lendstack/platform';
import { isRoutingNumber } from '@lendstack/nacha';
import { z } from 'zod';

/** Everything the LMS reads from its environment, parsed once at boot. */
const envSchema = z.object({
  // Where partners and internal teams reach the API.
  LMS_HOST: z.string().default('127.0.0.1'),
  LMS_PORT: z.coerce.number().int().min(0).max(65_535).default(3002),
  // The LMS's own database; no other service reads it.
  LMS_DATABASE_URL: z.string().url().default('postgresql://lendstack:lendstack@127.0.0.1:5432/lendstack_lms'),
  // Bound on connections this instance holds.
  LMS_DB_POOL_MAX: z.coerce.number().int().min(2).max(100).default(10),
  // End of day: concurrent batch workers per run (each a loan-id range and one pooled connection; keep
  // below LMS_DB_POOL_MAX), and loans per batch transaction.
  LMS_EOD_WORKERS: z.coerce.number().int().min(1).max(32).default(4),
  // Which days end of day writes a portfolio snapshot of (modules/portfolio): every day, month ends only, or none.
  LMS_PORTFOLIO_SNAPSHOTS: z.enum(['daily', 'month-ends', 'off']).default('daily'),
  LMS_EOD_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((s) => s.split(',').map((b) => b.trim())),
  // Prefix of every topic name, so environments sharing one Kafka cluster never read each other's events.
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9.-]*$/).default(''),
  // Consumer group of the LoanApproved consumer; replicas share it and split the partitions.
  LMS_CONSUMER_GROUP: z.string().default('lendstack-lms'),
  // Consumer group of the collections signaller (lifecycle events → collections workflows); default
  // `<LMS_CONSUMER_GROUP>.collections`, so it keeps its own offsets on the lifecycle topic.
  LMS_COLLECTIONS_CONSUMER_GROUP: z.string().min(1).optional(),
  // A new consumer group starts at the topic's beginning (so nothing approved is ever skipped) unless
  // told to start at its end, as isolated test runs do.
  // How long an applied event id is remembered: longer than the topic's retention (30 days), so no
  // redelivery can outlive its inbox row.
  LMS_INBOX_RETENTION_DAYS: z.coerce.number().int().min(31).max(3_650).default(45),
  // Months of early-warning scores kept before the month of the earliest tenant business date (0: every month);
  // older months' partitions are dropped hourly (early-warning/adapters/pg-score-partitions.ts).
  LMS_EARLY_WARNING_RETENTION_MONTHS: z.coerce.number().int().min(0).max(1_200).default(13),
  LMS_CONSUMER_FROM_BEGINNING: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // Task queue of the collections worker; a deployment may isolate its own.
  TEMPORAL_TASK_QUEUE: z.string().default('lendstack-lms-collections'),
  // Collections only for loans of tenants whose id begins with this (unset: every tenant): their workflows
  // started, woken, signalled lifecycle events and sent the actions Temporal missed, their auto-debits presented;
  // a process serving some tenants, or a test's own LMS beside others on one database.
  LMS_COLLECTIONS_TENANT_PREFIX: z.string().min(1).optional(),
  // Whether this process is also the collector: the collections Temporal worker, the workflow starter and waker,
  // the lifecycle-signals consumer and the auto-debit runner. false: the API, booking and end of day only, while
  // processes with it true (same database, Kafka and Temporal) collect; README, "Running the collector apart".
  LMS_COLLECTIONS_WORKER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  // Bound on workflows the worker keeps in memory between their (weeks apart) timers.
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
  // Spans inside workflow code and trace context on to activities. Off by default: with the SDK's
  // workflow interceptors each started workflow kept ~350 KB that was never released (BENCHMARKS.md).
  // The trace reaches the workflow start either way (client interceptor, checked by the system test).
  /** The Temporal UI a loan's collections view links to (start-dev serves it beside the frontend). */
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** How often the waker looks for collections workflows whose business date has come (ms). */
  LMS_COLLECTIONS_WAKE_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
  /** How often the auto-debit rails are presented to and their results collected (ms). */
  /** Partner webhook deliveries in flight at once (the dispatcher's bound). */
  LMS_WEBHOOKS_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  /** Accept plain-http localhost webhook endpoints (development and tests only; https otherwise). */
  WEBHOOKS_ALLOW_LOCAL_HTTP: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LMS_AUTODEBIT_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(5_000),
  TEMPORAL_WORKFLOW_TRACING: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // Verifies bearer tokens (HS256); the same secret the LOS uses in one deployment.
  AUTH_TOKEN_SECRET: z.string().min(32).default(DEV_AUTH_TOKEN_SECRET),
  // Partner API keys, OAuth2 client-credentials tokens, staff tokens of an identity provider, rate limits.
  ...accessEnv('lms'),
  // Disbursement rail (RazorpayX Payouts protocol, modules/payouts). The defaults are the local sandbox's
  // (packages/testing/sandboxes/payout-sandbox, started by infra/up.sh); a deployment sets its own.
  PAYOUT_BASE_URL: z.string().url().default('http://127.0.0.1:3480'),
  PAYOUT_KEY_ID: z.string().min(1).default('rzp_test_lendstack_sandbox'),
  PAYOUT_KEY_SECRET: z.string().min(1).default('lendstack-sandbox-key-secret'),
  // Verifies X-Razorpay-Signature on payout webhooks.
  PAYOUT_WEBHOOK_SECRET: z.string().min(16).default('lendstack-sandbox-webhook-secret'),
  // The lender's own RazorpayX account that disbursements debit.
  PAYOUT_SOURCE_ACCOUNT_NUMBER: z.string().min(1).default('7878780080316316'),
  PAYOUT_MODE: z.enum(['IMPS', 'NEFT', 'RTGS']).default('NEFT'),
  // Per HTTP attempt; network errors, timeouts and 5xx are retried up to PAYOUT_MAX_ATTEMPTS with the same idempotency key.
  PAYOUT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  PAYOUT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // Oldest webhook accepted: RazorpayX retries a delivery for 24 h, so 25 h.
  PAYOUT_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(90_000),
  // USD disbursement rail: NACHA files of PPD credits to the lender's ODFI over its file API (modules/payouts,
  // AchPayoutAdapter). The defaults are the local sandbox's (packages/testing/sandboxes/ach-sandbox, started by
  // infra/up.sh); a deployment sets its own bank's.
  ACH_BASE_URL: z.string().url().default('http://127.0.0.1:3481'),
  ACH_API_KEY: z.string().min(1).default('lendstack-ach-sandbox-api-key'),
  // Verifies X-Ach-Signature on the ODFI's webhooks.
  ACH_WEBHOOK_SECRET: z.string().min(16).default('lendstack-ach-sandbox-webhook-secret'),
  ACH_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(90_000),
  // The ODFI's 9-digit routing number: immediate destination and origin of each file, prefix of each trace number.
  ACH_ODFI_ROUTING: z.string().regex(/^\d{9}$/).refine(isRoutingNumber, 'must carry a valid ABA check digit').default('231380104'),
  ACH_ODFI_NAME: z.string().min(1).max(23).default('SANDBOX ODFI'),
  // The lender as originator: company identification enrolled with the ODFI, and the name borrowers see.
  ACH_COMPANY_ID: z.string().regex(/^[A-Za-z0-9]{1,10}$/).default('1234567890'),
  ACH_COMPANY_NAME: z.string().min(1).max(16).default('LENDSTACK'),
  /** Company entry description of auto-debit batches (re-presentments say RETRY PYMT, as the Nacha rules require). */
  ACH_DEBIT_ENTRY_DESCRIPTION: z.string().min(1).max(10).default('LOAN PYMT'),
  ACH_ENTRY_DESCRIPTION: z.string().min(1).max(10).default('LOAN'),
  // One file per submission window: queued payouts wait at most this long before they are sent.
  ACH_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(1_000),
  ACH_MAX_ENTRIES_PER_FILE: z.coerce.number().int().min(1).max(9_999).default(1_000),
  // How often the LMS asks the ODFI about files whose webhooks may have been lost (quiet that long).
  ACH_RECONCILE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  ACH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  ACH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // How account tokens become account numbers: "derived" is the sandbox's (ach-account.resolver.ts); the LOS's vault replaces it.
  ACH_ACCOUNT_RESOLVER: z.enum(['derived']).default('derived'),
  // India auto-debit rails (modules/autodebit): NACH debits on e-mandates through a NACH processor's API
  // (LotusPay-shaped mandates and ach_debits) and UPI AutoPay through a PSP's API. The defaults are the local
  // sandbox's (packages/testing/sandboxes/nach-sandbox, started by infra/up.sh); a deployment sets its vendors'.
  NACH_BASE_URL: z.string().url().default('http://127.0.0.1:3487'),
  NACH_API_KEY: z.string().min(1).default('lendstack-nach-sandbox-api-key'),
  UPI_BASE_URL: z.string().url().default('http://127.0.0.1:3487'),
  UPI_API_KEY: z.string().min(1).default('lendstack-nach-sandbox-api-key'),
  NACH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  NACH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // The sponsor bank's cut-off on the charge date (IST minutes after midnight) and how many days ahead debits go.
  NACH_CUTOFF_MINUTES_IST: z.coerce.number().int().min(0).max(1_439).default(600),
  NACH_PRESENT_AHEAD_DAYS: z.coerce.number().int().min(0).max(7).default(2),
  /** The card processor (merchant-initiated payments on tokenised cards) the card-on-file rail collects through. */
  CARD_BASE_URL: z.string().url().default('http://127.0.0.1:3488'),
  CARD_API_KEY: z.string().min(1).default('lendstack-card-sandbox-api-key'),
  // Borrower notifications (modules/notifications). Email over SMTP: the defaults are the local mail sink's
  // (packages/testing/sandboxes/mail-sink, started by infra/up.sh); a deployment sets its relay's.
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(2525),
  // true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it.
  SMTP_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  NOTIFY_EMAIL_FROM: z.string().min(3).default('Lendstack <no-reply@lendstack.test>'),
  // The domain of each email's Message-ID (<attempt id@domain>).
  NOTIFY_MESSAGE_ID_DOMAIN: z.string().min(1).default('lendstack.test'),
  // Who messages are signed by, and the language used when the borrower has none recorded.
  NOTIFY_LENDER_NAME: z.string().min(1).max(60).default('Lendstack'),
  NOTIFY_DEFAULT_LANGUAGE: z.string().regex(/^[a-z]{2}$/).default('en'),
  // SMS and WhatsApp through Twilio's Messaging API; the defaults are the local messaging sandbox's
  // (packages/testing/sandboxes/messaging-sandbox); a deployment sets its own account.
  TWILIO_BASE_URL: z.string().url().default('http://127.0.0.1:3485'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/).default('AC0000000000000000000000000000a11d'),
  TWILIO_AUTH_TOKEN: z.string().min(16).default('lendstack-messaging-sandbox-auth-token'),
  TWILIO_SMS_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/).default('+15005550006'),
  TWILIO_WHATSAPP_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/).default('+14155238886'),
  // The public URL of POST /v1/notification-webhooks/twilio as Twilio calls it (its signature covers the URL).
  TWILIO_STATUS_CALLBACK_URL: z.string().url().default('http://127.0.0.1:3002/v1/notification-webhooks/twilio'),
  TWILIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Bound on the drain after SIGTERM/SIGINT (HTTP, consumers, worker, relay); past it the process exits 1.
  // Keep it below the orchestrator's kill timeout (deploy/k8s terminationGracePeriodSeconds).
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(600_000).default(25_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console']).default('none'),
}).refine(externalIssuerComplete, { message: 'set all of AUTH_ISSUER, AUTH_JWKS_URL and AUTH_AUDIENCE, or none', path: ['AUTH_ISSUER'] });

export type LmsConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LmsConfig {
  return parseEnv('LMS', envSchema, env);
}
