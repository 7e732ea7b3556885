/**
 * Start, stop and status of the e-sign and eStamp sandbox process (DocuSign eSignature REST v2.1 with Connect,
 * and an Indian e-stamp certificate API) for infra/up.sh, infra/test.sh, infra/down.sh (through cli.ts) and for
 * tests; see ../../lib/process-control.ts. ESIGN_SANDBOX_PORT is set from `port`; `env` reaches the sandbox
 * (Connect URL, auto-sign delay, credentials).
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { ESIGN_SANDBOX_DEFAULTS } from './defaults.js';

export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';
export { ESIGN_SANDBOX_DEFAULTS } from './defaults.js';

export const esignSandbox = createSandboxControl({
  name: 'esign-sandbox',
  label: 'e-sign and eStamp sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'ESIGN_SANDBOX_PORT',
  defaultPort: ESIGN_SANDBOX_DEFAULTS.port,
});
