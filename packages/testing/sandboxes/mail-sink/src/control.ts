/**
 * Start, stop and status of the mail sink process (lib/process-control.ts), for cli.ts and tests. Its health
 * is the HTTP API's (MAIL_SINK_PORT); the SMTP port is MAIL_SINK_SMTP_PORT in the environment given to it.
 */
import { fileURLToPath } from 'node:url';
import { createSandboxControl } from '../../lib/index.js';
import { MAIL_SINK_DEFAULTS } from './defaults.js';

export const mailSink = createSandboxControl({
  name: 'mail-sink',
  label: 'mail sink',
  mainFile: fileURLToPath(new URL('./main.ts', import.meta.url)),
  portVariable: 'MAIL_SINK_PORT',
  defaultPort: MAIL_SINK_DEFAULTS.port,
});
export { MAIL_SINK_DEFAULTS } from './defaults.js';
export type { StoredMail } from './server.js';
