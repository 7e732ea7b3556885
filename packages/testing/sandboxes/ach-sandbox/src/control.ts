/**
 * Start, stop and status of the ACH sandbox process (pid file, idempotent start, bounded waits) for
 * infra/up.sh, infra/test.sh, infra/down.sh (through cli.ts) and for tests; see ../../lib/process-control.ts.
 * `env` of the start options reaches the sandbox (ACH_WEBHOOK_URL, ACH_SANDBOX_SETTLE_DELAY_MS, credentials…);
 * ACH_SANDBOX_PORT is set from `port`.
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { ACH_SANDBOX_DEFAULTS } from './defaults.js';

export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';

export const achSandbox = createSandboxControl({
  name: 'ach-sandbox',
  label: 'ACH sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'ACH_SANDBOX_PORT',
  defaultPort: ACH_SANDBOX_DEFAULTS.port,
});

export const startAchSandbox = achSandbox.start;
/** SIGTERM to the sandbox's process group, SIGKILL after 5 s; removes the pid file. True if it was running. */
export const stopAchSandbox = achSandbox.stop;
export const achSandboxStatus = achSandbox.status;
