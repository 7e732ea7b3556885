/**
 * `tsx packages/testing/sandboxes/card-sandbox/src/cli.ts start|stop|status`. Reads LENDSTACK_CACHE,
 * CARD_SANDBOX_PORT and the sandbox's variables (defaults.ts).
 */
import { runSandboxCli } from '../../lib/index.js';
import { cardSandbox } from './control.js';

await runSandboxCli('card-sandbox', cardSandbox, process.argv[2]);
