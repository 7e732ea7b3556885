/** `tsx packages/testing/sandboxes/mail-sink/src/cli.ts start|stop|status` (infra/up.sh, infra/test.sh, infra/down.sh; MAIL_SINK_PORT 3486 for HTTP, MAIL_SINK_SMTP_PORT 2525 for SMTP). */
import { runSandboxCli } from '../../lib/index.js';
import { mailSink } from './control.js';

await runSandboxCli('mail-sink', mailSink, process.argv[2]);
