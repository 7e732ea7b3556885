/** Local development values shared by the sandbox and (as literal defaults in services/los/src/config.ts) the LOS adapter. Not a real credential. */
import { envInt } from '../../lib/index.js';

export const BUREAU_SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 3484,
  apiKey: 'lendstack-sandbox-bureau-api-key',
  maxReports: 10_000,
} as const;

export function bureauSandboxEnv(env: NodeJS.ProcessEnv) {
  return {
    host: env.BUREAU_SANDBOX_HOST || BUREAU_SANDBOX_DEFAULTS.host,
    port: envInt(env.BUREAU_SANDBOX_PORT, BUREAU_SANDBOX_DEFAULTS.port, 0, 65_535, 'BUREAU_SANDBOX_PORT'),
    apiKey: env.BUREAU_API_KEY || BUREAU_SANDBOX_DEFAULTS.apiKey,
    maxReports: envInt(env.BUREAU_SANDBOX_MAX_REPORTS, BUREAU_SANDBOX_DEFAULTS.maxReports, 1, 1_000_000, 'BUREAU_SANDBOX_MAX_REPORTS'),
  };
}
