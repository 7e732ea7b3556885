/**
 * The KYC sandbox as its own process: `tsx sandboxes/kyc-sandbox/src/main.ts`, configured by the environment
 * (defaults.ts). Started and stopped through control.ts (pid file, idempotent start); SIGTERM closes it.
 */
import { serveUntilSignalled } from '../../lib/index.js';
import { kycSandboxEnv, UIDAI_SIGNING_CERT_PEM, UIDAI_SIGNING_KEY_PEM } from './defaults.js';
import { buildKycSandbox } from './server.js';

const env = kycSandboxEnv(process.env);
const app = await buildKycSandbox({
  onfidoApiToken: env.onfidoApiToken,
  checkDelayMs: env.checkDelayMs,
  maxRecords: env.maxRecords,
  panApiKey: env.panApiKey,
  panAccessToken: env.panAccessToken,
  uidaiSigningKeyPem: UIDAI_SIGNING_KEY_PEM,
  uidaiSigningCertPem: UIDAI_SIGNING_CERT_PEM,
  logger: { level: process.env.LOG_LEVEL || 'info' },
  webhook: { url: env.webhookUrl, token: env.onfidoWebhookToken, maxAttempts: env.webhookMaxAttempts, initialBackoffMs: 200, maxBackoffMs: 10_000, timeoutMs: 5_000, maxRemembered: 1_000 },
});

await serveUntilSignalled(app, env);
app.log.info({ webhookUrl: env.webhookUrl ?? null, checkDelayMs: env.checkDelayMs }, 'KYC sandbox (Onfido v3.6, PAN verification, Aadhaar offline e-KYC) listening');
