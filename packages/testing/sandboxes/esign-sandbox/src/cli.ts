/**
 * `tsx packages/testing/sandboxes/esign-sandbox/src/cli.ts start|stop|status`, used by infra/up.sh, infra/test.sh
 * and infra/down.sh. Reads LENDSTACK_CACHE, ESIGN_SANDBOX_PORT and the sandbox's variables (defaults.ts).
 */
import { runSandboxCli } from '../../lib/index.js';
import { esignSandbox } from './control.js';

await runSandboxCli('esign-sandbox', esignSandbox, process.argv[2]);
