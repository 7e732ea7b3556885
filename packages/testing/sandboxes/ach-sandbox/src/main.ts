/**
 * The ACH sandbox as its own process: `tsx sandboxes/ach-sandbox/src/main.ts`, configured by the environment
 * (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { ACH_SANDBOX_DEFAULTS, achSandboxEnv } from './defaults.js';
import { buildAchSandbox } from './server.js';

const env = achSandboxEnv(process.env);
const app = buildAchSandbox({
  apiKey: env.apiKey,
  odfiRouting: env.odfiRouting,
  odfiName: ACH_SANDBOX_DEFAULTS.odfiName,
  rdfiRouting: ACH_SANDBOX_DEFAULTS.rdfiRouting,
  companyIds: env.companyIds,
  settleDelayMs: env.settleDelayMs,
  lateReturnDelayMs: env.lateReturnDelayMs,
  maxEntryCents: env.maxEntryCents,
  maxFiles: env.maxFiles,
  logger: { level: process.env.LOG_LEVEL || 'info' },
  webhook: { url: env.webhookUrl, secret: env.webhookSecret, maxAttempts: env.webhookMaxAttempts, initialBackoffMs: 200, maxBackoffMs: 10_000, timeoutMs: 5_000, maxRemembered: 1_000 },
});

await serveUntilSignalled(app, env);
app.log.info({ webhookUrl: env.webhookUrl ?? null, settleDelayMs: env.settleDelayMs, odfi: env.odfiRouting }, 'ACH sandbox (ODFI file API) listening');
