/**
 * Local development values of the India auto-debit sandbox (a NACH sponsor-bank/processor API and a UPI
 * AutoPay PSP API in one process), shared as literal defaults with the LMS's adapters so `bash infra/up.sh`
 * needs no configuration. None is a real credential.
 */
import { envInt } from '../../lib/index.js';

export const NACH_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3487,
  apiKey: 'lendstack-nach-sandbox-api-key',
  /** The sponsor bank's code that starts every UMRN this sandbox issues. */
  sponsorBankCode: 'SBOX',
  /** Delay between a debit's acceptance and the destination bank's response (compressed clearing time). */
  responseDelayMs: 300,
  /** Delay after a confirmation before a late return of an account that asks for one. */
  lateReturnDelayMs: 300,
  /** Delay between a UPI execution's planned time being reached and its outcome (compressed clearing time). */
  executeDelayMs: 300,
  maxItems: 10_000,
  /** The Stripe-style ACH authorisation API's secret key, and the signing secrets of both webhooks. */
  stripeApiKey: 'sk_test_lendstack_sandbox_stripe_key',
  stripeWebhookSecret: 'whsec_lendstack_sandbox_stripe',
  nachWebhookSecret: 'lendstack-nach-sandbox-webhook-secret',
} as const;

export interface NachSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  readonly responseDelayMs: number;
  readonly lateReturnDelayMs: number;
  readonly executeDelayMs: number;
  readonly maxItems: number;
  readonly stripeApiKey: string;
  /** Where e-mandate events (NACH_WEBHOOK_URL) and Stripe events (STRIPE_WEBHOOK_URL) go; unset = none. */
  readonly nachWebhookUrl: string | undefined;
  readonly nachWebhookSecret: string;
  readonly stripeWebhookUrl: string | undefined;
  readonly stripeWebhookSecret: string;
  readonly webhookMaxAttempts: number;
}

/** The credential names are the services' (NACH_API_KEY, STRIPE_API_KEY, …), so one environment configures both sides. */
export function nachSandboxEnv(env: NodeJS.ProcessEnv): NachSandboxEnv {
  return {
    host: env.NACH_SANDBOX_HOST || NACH_SANDBOX_DEFAULTS.host,
    port: envInt(env.NACH_SANDBOX_PORT, NACH_SANDBOX_DEFAULTS.port, 0, 65_535, 'NACH_SANDBOX_PORT'),
    apiKey: env.NACH_API_KEY || NACH_SANDBOX_DEFAULTS.apiKey,
    responseDelayMs: envInt(env.NACH_SANDBOX_RESPONSE_DELAY_MS, NACH_SANDBOX_DEFAULTS.responseDelayMs, 0, 600_000, 'NACH_SANDBOX_RESPONSE_DELAY_MS'),
    lateReturnDelayMs: envInt(env.NACH_SANDBOX_LATE_RETURN_DELAY_MS, NACH_SANDBOX_DEFAULTS.lateReturnDelayMs, 0, 600_000, 'NACH_SANDBOX_LATE_RETURN_DELAY_MS'),
    executeDelayMs: envInt(env.UPI_SANDBOX_EXECUTE_DELAY_MS, NACH_SANDBOX_DEFAULTS.executeDelayMs, 0, 600_000, 'UPI_SANDBOX_EXECUTE_DELAY_MS'),
    maxItems: envInt(env.NACH_SANDBOX_MAX_ITEMS, NACH_SANDBOX_DEFAULTS.maxItems, 1, 1_000_000, 'NACH_SANDBOX_MAX_ITEMS'),
    stripeApiKey: env.STRIPE_API_KEY || NACH_SANDBOX_DEFAULTS.stripeApiKey,
    nachWebhookUrl: env.NACH_WEBHOOK_URL || undefined,
    nachWebhookSecret: env.NACH_WEBHOOK_SECRET || NACH_SANDBOX_DEFAULTS.nachWebhookSecret,
    stripeWebhookUrl: env.STRIPE_WEBHOOK_URL || undefined,
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || NACH_SANDBOX_DEFAULTS.stripeWebhookSecret,
    webhookMaxAttempts: envInt(env.NACH_SANDBOX_WEBHOOK_MAX_ATTEMPTS, 8, 1, 50, 'NACH_SANDBOX_WEBHOOK_MAX_ATTEMPTS'),
  };
}
