/**
 * The India auto-debit sandbox as its own process: `tsx sandboxes/nach-sandbox/src/main.ts`, configured by the
 * environment (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { NACH_SANDBOX_DEFAULTS, nachSandboxEnv } from './defaults.js';
import { buildNachSandbox } from './server.js';

const env = nachSandboxEnv(process.env);
const app = buildNachSandbox({
  apiKey: env.apiKey, sponsorBankCode: NACH_SANDBOX_DEFAULTS.sponsorBankCode, responseDelayMs: env.responseDelayMs, lateReturnDelayMs: env.lateReturnDelayMs, executeDelayMs: env.executeDelayMs, maxItems: env.maxItems,
  stripeApiKey: env.stripeApiKey,
  webhooks: { nachUrl: env.nachWebhookUrl, nachSecret: env.nachWebhookSecret, stripeUrl: env.stripeWebhookUrl, stripeSecret: env.stripeWebhookSecret, maxAttempts: env.webhookMaxAttempts },
  logger: { level: process.env.LOG_LEVEL || 'info' },
});

await serveUntilSignalled(app, env);
app.log.info({ responseDelayMs: env.responseDelayMs, executeDelayMs: env.executeDelayMs, nachWebhookUrl: env.nachWebhookUrl ?? null, stripeWebhookUrl: env.stripeWebhookUrl ?? null }, 'India auto-debit sandbox (NACH e-mandates and debits, UPI AutoPay) and Stripe-style ACH authorisations listening');
