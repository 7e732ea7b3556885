/**
 * `tsx packages/testing/sandboxes/ach-sandbox/src/cli.ts start|stop|status`, used by infra/up.sh,
 * infra/test.sh and infra/down.sh. Reads LENDSTACK_CACHE, ACH_SANDBOX_PORT and the sandbox's variables
 * (defaults.ts) from the environment. status exits 3 when the sandbox is not up, as infra.sh does.
 */
import { achSandboxStatus, sharedSandboxOptions, startAchSandbox, stopAchSandbox } from './control.js';

const command = process.argv[2];
const options = sharedSandboxOptions();
try {
  if (command === 'start') {
    const running = await startAchSandbox(options);
    console.log(`ach-sandbox: ${running.alreadyRunning ? 'already running' : 'started'} (pid ${running.pid}, ${running.url}), log ${options.logFile}`);
  } else if (command === 'stop') {
    console.log(`ach-sandbox: ${(await stopAchSandbox(options)) ? 'stopped' : 'not running'}`);
  } else if (command === 'status') {
    const status = await achSandboxStatus(options);
    console.log(`ach-sandbox: ${status.up ? `up (pid ${status.pid}, ${status.url})` : 'down'}`);
    if (!status.up) process.exitCode = 3;
  } else {
    console.error('usage: cli.ts start|stop|status');
    process.exitCode = 2;
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
