/**
 * Local development values, shared by the ACH sandbox and (as literal defaults in services/lms/src/config.ts)
 * the LMS's ACH adapter, so `bash infra/up.sh` needs no configuration. None of them is a real credential.
 */
import { envInt } from '../../lib/index.js';

export const ACH_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3481,
  apiKey: 'lendstack-ach-sandbox-api-key',
  webhookSecret: 'lendstack-ach-sandbox-webhook-secret',
  /** The ODFI this sandbox plays: a routing number with a valid check digit (231380104). */
  odfiRouting: '231380104',
  odfiName: 'SANDBOX ODFI',
  /** The returning bank's routing in return files (the RDFI side of the sandbox). */
  rdfiRouting: '021000021',
  /** Company identifications the ODFI has enrolled to originate (comma-separated in ACH_SANDBOX_COMPANY_IDS). */
  companyIds: ['1234567890'],
  settleDelayMs: 300,
  lateReturnDelayMs: 300,
  /** The originator's exposure limit per entry, in cents. */
  maxEntryCents: 10_000_000,
  maxFiles: 1_000,
} as const;

export interface AchSandboxEnv {
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly webhookUrl: string | undefined;
  readonly odfiRouting: string;
  readonly companyIds: readonly string[];
  readonly settleDelayMs: number;
  readonly lateReturnDelayMs: number;
  readonly maxEntryCents: number;
  readonly maxFiles: number;
  readonly webhookMaxAttempts: number;
}

/** The sandbox's environment; the credential names are the LMS's, so one environment configures both sides. */
export function achSandboxEnv(env: NodeJS.ProcessEnv): AchSandboxEnv {
  return {
    host: env.ACH_SANDBOX_HOST || ACH_SANDBOX_DEFAULTS.host,
    port: envInt(env.ACH_SANDBOX_PORT, ACH_SANDBOX_DEFAULTS.port, 0, 65_535, 'ACH_SANDBOX_PORT'),
    apiKey: env.ACH_API_KEY || ACH_SANDBOX_DEFAULTS.apiKey,
    webhookSecret: env.ACH_WEBHOOK_SECRET || ACH_SANDBOX_DEFAULTS.webhookSecret,
    webhookUrl: env.ACH_WEBHOOK_URL || undefined,
    odfiRouting: env.ACH_ODFI_ROUTING || ACH_SANDBOX_DEFAULTS.odfiRouting,
    companyIds: (env.ACH_SANDBOX_COMPANY_IDS || ACH_SANDBOX_DEFAULTS.companyIds.join(',')).split(',').map((s) => s.trim()).filter(Boolean),
    settleDelayMs: envInt(env.ACH_SANDBOX_SETTLE_DELAY_MS, ACH_SANDBOX_DEFAULTS.settleDelayMs, 0, 600_000, 'ACH_SANDBOX_SETTLE_DELAY_MS'),
    lateReturnDelayMs: envInt(env.ACH_SANDBOX_LATE_RETURN_DELAY_MS, ACH_SANDBOX_DEFAULTS.lateReturnDelayMs, 0, 600_000, 'ACH_SANDBOX_LATE_RETURN_DELAY_MS'),
    maxEntryCents: envInt(env.ACH_SANDBOX_MAX_ENTRY_CENTS, ACH_SANDBOX_DEFAULTS.maxEntryCents, 1, Number.MAX_SAFE_INTEGER, 'ACH_SANDBOX_MAX_ENTRY_CENTS'),
    maxFiles: envInt(env.ACH_SANDBOX_MAX_FILES, ACH_SANDBOX_DEFAULTS.maxFiles, 1, 100_000, 'ACH_SANDBOX_MAX_FILES'),
    webhookMaxAttempts: envInt(env.ACH_SANDBOX_WEBHOOK_MAX_ATTEMPTS, 8, 1, 50, 'ACH_SANDBOX_WEBHOOK_MAX_ATTEMPTS'),
  };
}
