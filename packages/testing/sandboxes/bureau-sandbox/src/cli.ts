/** `tsx packages/testing/sandboxes/bureau-sandbox/src/cli.ts start|stop|status` for infra/up.sh, infra/test.sh and infra/down.sh (BUREAU_SANDBOX_PORT, default 3484). */
import { runSandboxCli } from '../../lib/index.js';
import { bureauSandbox } from './control.js';

await runSandboxCli('bureau-sandbox', bureauSandbox, process.argv[2]);
