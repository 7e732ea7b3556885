/**
 * `tsx packages/testing/sandboxes/kyc-sandbox/src/cli.ts start|stop|status`, used by infra/up.sh,
 * infra/test.sh and infra/down.sh. Reads LENDSTACK_CACHE, KYC_SANDBOX_PORT and the sandbox's variables
 * (defaults.ts) from the environment.
 */
import { runSandboxCli } from '../../lib/index.js';
import { kycSandbox } from './control.js';

await runSandboxCli('kyc-sandbox', kycSandbox, process.argv[2]);
