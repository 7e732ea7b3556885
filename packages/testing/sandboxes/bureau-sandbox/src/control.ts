/** Start, stop and status of the bureau sandbox process (pid file, idempotent start); see ../../lib/process-control.ts. */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { BUREAU_SANDBOX_DEFAULTS } from './defaults.js';

export { BUREAU_SANDBOX_DEFAULTS } from './defaults.js';

export const bureauSandbox = createSandboxControl({
  name: 'bureau-sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'BUREAU_SANDBOX_PORT',
  defaultPort: BUREAU_SANDBOX_DEFAULTS.port,
});
