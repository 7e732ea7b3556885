/**
 * The payout sandbox as its own process: `tsx sandboxes/payout-sandbox/src/main.ts`, configured by the
 * environment (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { sandboxEnv } from './defaults.js';
import { buildPayoutSandbox } from './server.js';

const env = sandboxEnv(process.env);
const app = buildPayoutSandbox({
  keyId: env.keyId,
  keySecret: env.keySecret,
  accountNumber: env.accountNumber,
  settleDelayMs: env.settleDelayMs,
  maxPayouts: env.maxPayouts,
  logger: { level: process.env.LOG_LEVEL || 'info' },
  webhook: {
    url: env.webhookUrl,
    secret: env.webhookSecret,
    maxAttempts: env.webhookMaxAttempts,
    initialBackoffMs: 200,
    maxBackoffMs: 10_000,
    timeoutMs: 5_000,
    maxRemembered: 1_000,
  },
});

await serveUntilSignalled(app, env);
app.log.info({ webhookUrl: env.webhookUrl ?? null, settleDelayMs: env.settleDelayMs }, 'payout sandbox (RazorpayX protocol) listening');
