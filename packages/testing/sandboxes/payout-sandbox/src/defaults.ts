/**
 * Local development values, shared by the sandbox and (as literal defaults in services/lms/src/config.ts) the
 * LMS adapter, so `bash infra/up.sh` needs no configuration. None of them is a real credential.
 */
import { envInt } from '../../lib/index.js';

export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3480,
  keyId: 'rzp_test_lendstack_sandbox',
  keySecret: 'lendstack-sandbox-key-secret',
  webhookSecret: 'lendstack-sandbox-webhook-secret',
  /** Razorpay's documented example business account number. */
  accountNumber: '7878780080316316',
  settleDelayMs: 300,
  maxPayouts: 10_000,
} as const;

export interface SandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly keyId: string;
  readonly keySecret: string;
  readonly webhookSecret: string;
  readonly webhookUrl: string | undefined;
  readonly accountNumber: string;
  readonly settleDelayMs: number;
  readonly maxPayouts: number;
  readonly webhookMaxAttempts: number;
}

/** The sandbox's environment; the credential names are the LMS's, so one environment configures both sides. */
export function sandboxEnv(env: NodeJS.ProcessEnv): SandboxEnv {
  return {
    host: env.PAYOUT_SANDBOX_HOST || SANDBOX_DEFAULTS.host,
    port: envInt(env.PAYOUT_SANDBOX_PORT, SANDBOX_DEFAULTS.port, 0, 65_535, 'PAYOUT_SANDBOX_PORT'),
    keyId: env.PAYOUT_KEY_ID || SANDBOX_DEFAULTS.keyId,
    keySecret: env.PAYOUT_KEY_SECRET || SANDBOX_DEFAULTS.keySecret,
    webhookSecret: env.PAYOUT_WEBHOOK_SECRET || SANDBOX_DEFAULTS.webhookSecret,
    webhookUrl: env.PAYOUT_WEBHOOK_URL || undefined,
    accountNumber: env.PAYOUT_SOURCE_ACCOUNT_NUMBER || SANDBOX_DEFAULTS.accountNumber,
    settleDelayMs: envInt(env.PAYOUT_SANDBOX_DELAY_MS, SANDBOX_DEFAULTS.settleDelayMs, 0, 600_000, 'PAYOUT_SANDBOX_DELAY_MS'),
    maxPayouts: envInt(env.PAYOUT_SANDBOX_MAX_PAYOUTS, SANDBOX_DEFAULTS.maxPayouts, 1, 1_000_000, 'PAYOUT_SANDBOX_MAX_PAYOUTS'),
    webhookMaxAttempts: envInt(env.PAYOUT_SANDBOX_WEBHOOK_MAX_ATTEMPTS, 8, 1, 50, 'PAYOUT_SANDBOX_WEBHOOK_MAX_ATTEMPTS'),
  };
}
