/** Start, stop and status of the bureau sandbox process (pid file, idempotent start). */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../kyc-sandbox/src/process-control.js';
import { BUREAU_SANDBOX_DEFAULTS } from './defaults.js';

export { BUREAU_SANDBOX_DEFAULTS } from './defaults.js';

export const bureauSandbox = createSandboxControl({
  name: 'bureau-sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'BUREAU_SANDBOX_PORT',
  defaultPort: BUREAU_SANDBOX_DEFAULTS.port,
});
