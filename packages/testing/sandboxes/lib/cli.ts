/**
 * The body of a sandbox's `cli.ts start|stop|status` (infra/up.sh, infra/test.sh, infra/down.sh), on the shared
 * options (LENDSTACK_CACHE and the port variable from the environment). Prints one `<name>: …` line; exit code
 * 0, 1 on a failure (its message on stderr), 2 on a wrong command, and 3 from status when the sandbox is not
 * up, as infra.sh does.
 */
import type { SandboxControl } from './process-control.js';

export async function runSandboxCli(name: string, control: SandboxControl, command: string | undefined): Promise<void> {
  const options = control.sharedOptions();
  try {
    if (command === 'start') {
      const running = await control.start(options);
      console.log(`${name}: ${running.alreadyRunning ? 'already running' : 'started'} (pid ${running.pid}, ${running.url}), log ${options.logFile}`);
    } else if (command === 'stop') {
      console.log(`${name}: ${(await control.stop(options)) ? 'stopped' : 'not running'}`);
    } else if (command === 'status') {
      const status = await control.status(options);
      console.log(`${name}: ${status.up ? `up (pid ${status.pid}, ${status.url})` : 'down'}`);
      if (!status.up) process.exitCode = 3;
    } else {
      console.error('usage: cli.ts start|stop|status');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
