/**
 * Start, stop and status of the ACH sandbox as a detached process with a pid file, for infra/up.sh,
 * infra/test.sh, infra/down.sh (through cli.ts) and for tests. Start is idempotent: a live, healthy sandbox
 * behind the pid file is left alone. Every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACH_SANDBOX_DEFAULTS } from './defaults.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const mainFile = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface SandboxProcessOptions {
  readonly port: number;
  readonly pidFile: string;
  readonly logFile: string;
  /** Passed to the sandbox (ACH_WEBHOOK_URL, ACH_SANDBOX_SETTLE_DELAY_MS, credentials…); ACH_SANDBOX_PORT is set from `port`. */
  readonly env?: Record<string, string>;
  readonly startTimeoutMs?: number;
}

export interface RunningSandbox {
  readonly url: string;
  readonly pid: number;
  readonly alreadyRunning: boolean;
}

/** Where up.sh/test.sh/down.sh keep the shared sandbox: under $LENDSTACK_CACHE, port ACH_SANDBOX_PORT. */
export function sharedSandboxOptions(env: NodeJS.ProcessEnv = process.env): SandboxProcessOptions {
  const cache = env.LENDSTACK_CACHE || join(repoRoot, '.cache');
  const port = Number(env.ACH_SANDBOX_PORT || ACH_SANDBOX_DEFAULTS.port);
  return { port, pidFile: join(cache, 'ach-sandbox.pid'), logFile: join(cache, 'logs', 'ach-sandbox.log') };
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

export async function startAchSandbox(options: SandboxProcessOptions): Promise<RunningSandbox> {
  const url = `http://127.0.0.1:${options.port}`;
  const known = readPid(options.pidFile);
  if (alive(known)) {
    if (await waitHealthy(options.port, known, options.startTimeoutMs ?? 20_000)) return { url, pid: known, alreadyRunning: true };
    throw new Error(`ACH sandbox: pid ${known} (${options.pidFile}) is running but ${url}/health does not answer; log ${options.logFile}:\n${tail(options.logFile)}`);
  }
  if (await healthy(options.port)) throw new Error(`ACH sandbox: port ${options.port} is already served by a process this pid file (${options.pidFile}) does not know`);
  mkdirSync(dirname(options.pidFile), { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const tsxCli = createRequire(join(repoRoot, 'package.json')).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsxCli, mainFile], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, ACH_SANDBOX_PORT: String(options.port) },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('ACH sandbox: the process did not start');
  writeFileSync(options.pidFile, `${child.pid}\n`);
  if (await waitHealthy(options.port, child.pid, options.startTimeoutMs ?? 20_000)) return { url, pid: child.pid, alreadyRunning: false };
  await stopAchSandbox(options);
  throw new Error(`ACH sandbox did not become healthy on ${url}; log ${options.logFile}:\n${tail(options.logFile)}`);
}

async function waitHealthy(port: number, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(port)) return true;
    if (!alive(pid)) return false;
    await sleep(100);
  }
  return false;
}

/** SIGTERM to the sandbox's process group, SIGKILL after 5 s; removes the pid file. True if it was running. */
export async function stopAchSandbox(options: Pick<SandboxProcessOptions, 'pidFile'>): Promise<boolean> {
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
}

export async function achSandboxStatus(options: Pick<SandboxProcessOptions, 'pidFile' | 'port'>): Promise<{ up: boolean; pid?: number; url: string }> {
  const pid = readPid(options.pidFile);
  const url = `http://127.0.0.1:${options.port}`;
  if (!alive(pid)) return { up: false, url };
  return { up: await healthy(options.port), pid, url };
}
