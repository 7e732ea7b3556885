/**
 * `tsx packages/testing/sandboxes/nach-sandbox/src/cli.ts start|stop|status`, used by infra/up.sh, infra/test.sh
 * and infra/down.sh. Reads LENDSTACK_CACHE, NACH_SANDBOX_PORT and the sandbox's variables (defaults.ts).
 */
import { runSandboxCli } from '../../lib/index.js';
import { nachSandbox } from './control.js';

await runSandboxCli('nach-sandbox', nachSandbox, process.argv[2]);
