/**
 * Start, stop and status of a sandbox server as a detached process with a pid file, shared by the KYC and
 * bureau sandboxes (their cli.ts for infra/up.sh, infra/test.sh, infra/down.sh, and their tests). Start is
 * idempotent: a live, healthy sandbox behind the pid file is left alone. Every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface SandboxProcessOptions {
  readonly port: number;
  readonly pidFile: string;
  readonly logFile: string;
  /** Passed to the sandbox process; the port variable is set from `port`. */
  readonly env?: Record<string, string>;
  readonly startTimeoutMs?: number;
}

export interface RunningSandbox {
  readonly url: string;
  readonly pid: number;
  readonly alreadyRunning: boolean;
}

export interface SandboxControl {
  /** Where up.sh/test.sh/down.sh keep the shared sandbox: under $LENDSTACK_CACHE, on the port variable or the default. */
  sharedOptions(env?: NodeJS.ProcessEnv): SandboxProcessOptions;
  start(options: SandboxProcessOptions): Promise<RunningSandbox>;
  stop(options: Pick<SandboxProcessOptions, 'pidFile'>): Promise<boolean>;
  status(options: Pick<SandboxProcessOptions, 'pidFile' | 'port'>): Promise<{ up: boolean; pid?: number; url: string }>;
}

const readPid = (pidFile: string): number | undefined => {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

const alive = (pid: number | undefined): pid is number => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '(no log)');

async function waitHealthy(port: number, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(port)) return true;
    if (!alive(pid)) return false;
    await sleep(100);
  }
  return false;
}

export function createSandboxControl(spec: { name: string; mainFile: string; portVariable: string; defaultPort: number }): SandboxControl {
  const stop = async (options: Pick<SandboxProcessOptions, 'pidFile'>): Promise<boolean> => {
    const pid = readPid(options.pidFile);
    const wasRunning = alive(pid);
    if (wasRunning) {
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          try {
            process.kill(pid, sig);
          } catch {
            // already gone
          }
        }
      };
      signal('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (alive(pid) && Date.now() < deadline) await sleep(100);
      if (alive(pid)) signal('SIGKILL');
    }
    rmSync(options.pidFile, { force: true });
    return wasRunning;
  };

  return {
    sharedOptions(env = process.env) {
      const cache = env.LENDSTACK_CACHE || join(repoRoot, '.cache');
      const port = Number(env[spec.portVariable] || spec.defaultPort);
      return { port, pidFile: join(cache, `${spec.name}.pid`), logFile: join(cache, 'logs', `${spec.name}.log`) };
    },
    async start(options) {
      const url = `http://127.0.0.1:${options.port}`;
      const known = readPid(options.pidFile);
      if (alive(known)) {
        if (await waitHealthy(options.port, known, options.startTimeoutMs ?? 20_000)) return { url, pid: known, alreadyRunning: true };
        throw new Error(`${spec.name}: pid ${known} (${options.pidFile}) is running but ${url}/health does not answer; log ${options.logFile}:\n${tail(options.logFile)}`);
      }
      if (await healthy(options.port)) throw new Error(`${spec.name}: port ${options.port} is already served by a process this pid file (${options.pidFile}) does not know`);
      mkdirSync(dirname(options.pidFile), { recursive: true });
      mkdirSync(dirname(options.logFile), { recursive: true });
      const log = openSync(options.logFile, 'a');
      const tsxCli = createRequire(join(repoRoot, 'package.json')).resolve('tsx/cli');
      const child = spawn(process.execPath, [tsxCli, spec.mainFile], {
        cwd: repoRoot,
        env: { ...process.env, ...options.env, [spec.portVariable]: String(options.port) },
        stdio: ['ignore', log, log],
        detached: true,
      });
      closeSync(log);
      child.unref();
      if (child.pid === undefined) throw new Error(`${spec.name}: the process did not start`);
      writeFileSync(options.pidFile, `${child.pid}\n`);
      if (await waitHealthy(options.port, child.pid, options.startTimeoutMs ?? 20_000)) return { url, pid: child.pid, alreadyRunning: false };
      await stop(options);
      throw new Error(`${spec.name} did not become healthy on ${url}; log ${options.logFile}:\n${tail(options.logFile)}`);
    },
    stop,
    async status(options) {
      const pid = readPid(options.pidFile);
      const url = `http://127.0.0.1:${options.port}`;
      if (!alive(pid)) return { up: false, url };
      return { up: await healthy(options.port), pid, url };
    },
  };
}

/** `cli.ts start|stop|status` for a sandbox; status exits 3 when it is not up, as infra.sh does. */
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
