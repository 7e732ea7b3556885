/**
 * `tsx packages/testing/sandboxes/payout-sandbox/src/cli.ts start|stop|status`, used by infra/up.sh,
 * infra/test.sh and infra/down.sh. Reads LENDSTACK_CACHE, PAYOUT_SANDBOX_PORT and the sandbox's variables
 * (defaults.ts) from the environment. status exits 3 when the sandbox is not up, as infra.sh does.
 */
import { runSandboxCli } from '../../lib/index.js';
import { payoutSandbox } from './control.js';

await runSandboxCli('payout-sandbox', payoutSandbox, process.argv[2]);
