/** Start, stop and status of the messaging sandbox process (lib/process-control.ts), for cli.ts and tests. */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { MESSAGING_SANDBOX_DEFAULTS } from './defaults.js';

export const messagingSandbox = createSandboxControl({
  name: 'messaging-sandbox',
  label: 'messaging sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'MESSAGING_SANDBOX_PORT',
  defaultPort: MESSAGING_SANDBOX_DEFAULTS.port,
});
export { MESSAGING_SANDBOX_DEFAULTS } from './defaults.js';
export { twilioSignature } from './protocol.js';
