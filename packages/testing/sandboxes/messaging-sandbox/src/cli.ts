/** `tsx packages/testing/sandboxes/messaging-sandbox/src/cli.ts start|stop|status` (infra/up.sh, infra/test.sh, infra/down.sh; MESSAGING_SANDBOX_PORT, default 3485). */
import { runSandboxCli } from '../../lib/index.js';
import { messagingSandbox } from './control.js';

await runSandboxCli('messaging-sandbox', messagingSandbox, process.argv[2]);
