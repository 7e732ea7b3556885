/**
 * Start, stop and status of the payout sandbox process (pid file, idempotent start, bounded waits) for
 * infra/up.sh, infra/test.sh, infra/down.sh (through cli.ts) and for tests; see ../../lib/process-control.ts.
 * `env` of the start options reaches the sandbox (PAYOUT_WEBHOOK_URL, PAYOUT_SANDBOX_DELAY_MS, credentials…);
 * PAYOUT_SANDBOX_PORT is set from `port`.
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { SANDBOX_DEFAULTS } from './defaults.js';

export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';

export const payoutSandbox = createSandboxControl({
  name: 'payout-sandbox',
  label: 'payout sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'PAYOUT_SANDBOX_PORT',
  defaultPort: SANDBOX_DEFAULTS.port,
});

export const startPayoutSandbox = payoutSandbox.start;
/** SIGTERM to the sandbox's process group, SIGKILL after 5 s; removes the pid file. True if it was running. */
export const stopPayoutSandbox = payoutSandbox.stop;
export const payoutSandboxStatus = payoutSandbox.status;
