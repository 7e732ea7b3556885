/** Start, stop and status of the KYC sandbox process (pid file, idempotent start); see ../../lib/process-control.ts. */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { KYC_SANDBOX_DEFAULTS } from './defaults.js';

export { KYC_SANDBOX_DEFAULTS, UIDAI_SIGNING_CERT_PEM } from './defaults.js';
export type { RunningSandbox, SandboxProcessOptions } from '../../lib/index.js';
export { signOnfidoWebhook } from './webhooks.js';

export const kycSandbox = createSandboxControl({
  name: 'kyc-sandbox',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'KYC_SANDBOX_PORT',
  defaultPort: KYC_SANDBOX_DEFAULTS.port,
});
