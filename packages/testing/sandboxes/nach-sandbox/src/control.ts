/**
 * Start, stop and status of the India auto-debit sandbox process (NACH and UPI AutoPay) for infra/up.sh,
 * infra/test.sh, infra/down.sh (through cli.ts) and for tests; see ../../lib/process-control.ts. NACH_SANDBOX_PORT
 * is set from `port`; `env` reaches the sandbox (delays, credentials).
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { NACH_SANDBOX_DEFAULTS } from './defaults.js';

export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';

export const nachSandbox = createSandboxControl({
  name: 'nach-sandbox',
  label: 'India auto-debit sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'NACH_SANDBOX_PORT',
  defaultPort: NACH_SANDBOX_DEFAULTS.port,
});
