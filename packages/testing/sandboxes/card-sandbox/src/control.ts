/**
 * Start, stop and status of the card-on-file sandbox process for tests (through cli.ts); see
 * ../../lib/process-control.ts. CARD_SANDBOX_PORT is set from `port`; `env` reaches the sandbox.
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { CARD_SANDBOX_DEFAULTS } from './defaults.js';

export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';

export const cardSandbox = createSandboxControl({
  name: 'card-sandbox',
  label: 'card-on-file sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'CARD_SANDBOX_PORT',
  defaultPort: CARD_SANDBOX_DEFAULTS.port,
});
