/**
 * Local development values, shared by the sandbox and (as literal defaults in services/los/src/config.ts) the
 * LOS adapters, so `bash infra/up.sh` needs no configuration. None of them is a real credential; the UIDAI
 * signing key in ../keys is a self-signed test key made for this sandbox.
 */
import { readFileSync } from 'node:fs';
import { envInt } from '../../lib/index.js';

export const KYC_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3482,
  /** Onfido: `Authorization: Token token=<this>`. */
  onfidoApiToken: 'lendstack-sandbox-onfido-api-token',
  /** Onfido: the webhook's `token`, the HMAC-SHA256 key of X-SHA2-Signature. */
  onfidoWebhookToken: 'lendstack-sandbox-onfido-webhook-token',
  /** PAN verification (Sandbox.co.in shape): `x-api-key` and `authorization` headers. */
  panApiKey: 'key_test_lendstack_sandbox',
  panAccessToken: 'lendstack-sandbox-pan-access-token',
  /** From POST /v3.6/checks to the check being complete, in milliseconds. */
  checkDelayMs: 200,
  maxRecords: 10_000,
} as const;

export const UIDAI_SIGNING_KEY_PEM = readFileSync(new URL('../keys/uidai-sandbox-signing.key.pem', import.meta.url), 'utf8');
export const UIDAI_SIGNING_CERT_PEM = readFileSync(new URL('../keys/uidai-sandbox-signing.cert.pem', import.meta.url), 'utf8');

export interface KycSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly onfidoApiToken: string;
  readonly onfidoWebhookToken: string;
  readonly webhookUrl: string | undefined;
  readonly panApiKey: string;
  readonly panAccessToken: string;
  readonly checkDelayMs: number;
  readonly maxRecords: number;
  readonly webhookMaxAttempts: number;
}

/** The sandbox's environment; the credential names are the LOS's, so one environment configures both sides. */
export function kycSandboxEnv(env: NodeJS.ProcessEnv): KycSandboxEnv {
  return {
    host: env.KYC_SANDBOX_HOST || KYC_SANDBOX_DEFAULTS.host,
    port: envInt(env.KYC_SANDBOX_PORT, KYC_SANDBOX_DEFAULTS.port, 0, 65_535, 'KYC_SANDBOX_PORT'),
    onfidoApiToken: env.ONFIDO_API_TOKEN || KYC_SANDBOX_DEFAULTS.onfidoApiToken,
    onfidoWebhookToken: env.ONFIDO_WEBHOOK_TOKEN || KYC_SANDBOX_DEFAULTS.onfidoWebhookToken,
    webhookUrl: env.KYC_WEBHOOK_URL || undefined,
    panApiKey: env.PAN_API_KEY || KYC_SANDBOX_DEFAULTS.panApiKey,
    panAccessToken: env.PAN_ACCESS_TOKEN || KYC_SANDBOX_DEFAULTS.panAccessToken,
    checkDelayMs: envInt(env.KYC_SANDBOX_CHECK_DELAY_MS, KYC_SANDBOX_DEFAULTS.checkDelayMs, 0, 600_000, 'KYC_SANDBOX_CHECK_DELAY_MS'),
    maxRecords: envInt(env.KYC_SANDBOX_MAX_RECORDS, KYC_SANDBOX_DEFAULTS.maxRecords, 1, 1_000_000, 'KYC_SANDBOX_MAX_RECORDS'),
    webhookMaxAttempts: envInt(env.KYC_SANDBOX_WEBHOOK_MAX_ATTEMPTS, 8, 1, 50, 'KYC_SANDBOX_WEBHOOK_MAX_ATTEMPTS'),
  };
}
