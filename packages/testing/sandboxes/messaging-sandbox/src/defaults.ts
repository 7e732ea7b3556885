/**
 * Local development values of the messaging sandbox (Twilio Programmable Messaging protocol), shared with the
 * LMS's defaults (services/lms/src/config.ts) so `bash infra/up.sh` needs no configuration. None is a real
 * credential; the account SID has Twilio's shape (AC + 32 hex).
 */
import { envInt } from '../../lib/index.js';

export const MESSAGING_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3485,
  accountSid: 'AC0000000000000000000000000000a11d',
  authToken: 'lendstack-messaging-sandbox-auth-token',
  /** Delay between the API's `queued` answer and the `sent` callback, and again before the final one. */
  stepDelayMs: 150,
  maxMessages: 10_000,
} as const;

export interface MessagingSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly accountSid: string;
  readonly authToken: string;
  readonly stepDelayMs: number;
  readonly maxMessages: number;
  readonly webhookMaxAttempts: number;
}

/** The credential names are the LMS's (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN), so one environment configures both sides. */
export function messagingSandboxEnv(env: NodeJS.ProcessEnv): MessagingSandboxEnv {
  return {
    host: env.MESSAGING_SANDBOX_HOST || MESSAGING_SANDBOX_DEFAULTS.host,
    port: envInt(env.MESSAGING_SANDBOX_PORT, MESSAGING_SANDBOX_DEFAULTS.port, 0, 65_535, 'MESSAGING_SANDBOX_PORT'),
    accountSid: env.TWILIO_ACCOUNT_SID || MESSAGING_SANDBOX_DEFAULTS.accountSid,
    authToken: env.TWILIO_AUTH_TOKEN || MESSAGING_SANDBOX_DEFAULTS.authToken,
    stepDelayMs: envInt(env.MESSAGING_SANDBOX_STEP_DELAY_MS, MESSAGING_SANDBOX_DEFAULTS.stepDelayMs, 0, 600_000, 'MESSAGING_SANDBOX_STEP_DELAY_MS'),
    maxMessages: envInt(env.MESSAGING_SANDBOX_MAX_MESSAGES, MESSAGING_SANDBOX_DEFAULTS.maxMessages, 1, 1_000_000, 'MESSAGING_SANDBOX_MAX_MESSAGES'),
    webhookMaxAttempts: envInt(env.MESSAGING_SANDBOX_WEBHOOK_MAX_ATTEMPTS, 8, 1, 50, 'MESSAGING_SANDBOX_WEBHOOK_MAX_ATTEMPTS'),
  };
}
