/**
 * Start, stop and status of a sandbox server as a detached process with a pid file and a log file, for its
 * cli.ts (infra/up.sh, infra/test.sh, infra/down.sh) and for tests. Start is idempotent: a live, healthy
 * sandbox behind the pid file is left alone. Readiness is `GET /health` answering 2xx on 127.0.0.1:<port>.
 * Every wait is bounded: start waits `startTimeoutMs` (20 s), stop sends SIGTERM to the process group and
 * SIGKILL after 5 s.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 100;
const HEALTH_TIMEOUT_MS = 1_000;
const LOG_TAIL_LINES = 20;

export interface SandboxSpec {
  /** File-system and CLI name: `<name>.pid`, `logs/<name>.log`, and the `<name>:` prefix of cli.ts output. */
  readonly name: string;
  /** How error messages name the sandbox; `name` when absent. */
  readonly label?: string;
  /** The sandbox's entry point, run with tsx from the repository root. */
  readonly mainFile: string;
  /** The variable that carries the port to the process (and picks the shared sandbox's port), e.g. KYC_SANDBOX_PORT. */
  readonly portVariable: string;
  readonly defaultPort: number;
}

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

export interface SandboxStatus {
  readonly up: boolean;
  readonly pid?: number;
  readonly url: string;
}

export interface SandboxControl {
  /** Where up.sh/test.sh/down.sh keep the shared sandbox: under $LENDSTACK_CACHE, on the port variable or the default. */
  sharedOptions(env?: NodeJS.ProcessEnv): SandboxProcessOptions;
  start(options: SandboxProcessOptions): Promise<RunningSandbox>;
  /** True if it was running; the pid file is gone afterwards either way. */
  stop(options: Pick<SandboxProcessOptions, 'pidFile'>): Promise<boolean>;
  status(options: Pick<SandboxProcessOptions, 'pidFile' | 'port'>): Promise<SandboxStatus>;
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
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-LOG_TAIL_LINES).join('\n') : '(no log)');

async function waitHealthy(port: number, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(port)) return true;
    if (!alive(pid)) return false;
    await sleep(POLL_INTERVAL_MS);
  }
  return false;
}

/** SIGTERM to the process group (the sandbox was started detached), falling back to the pid alone. */
const signalGroup = (pid: number, sig: NodeJS.Signals) => {
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

async function stopProcess(options: Pick<SandboxProcessOptions, 'pidFile'>): Promise<boolean> {
  const pid = readPid(options.pidFile);
  const wasRunning = alive(pid);
  if (wasRunning) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (alive(pid) && Date.now() < deadline) await sleep(POLL_INTERVAL_MS);
    if (alive(pid)) signalGroup(pid, 'SIGKILL');
  }
  rmSync(options.pidFile, { force: true });
  return wasRunning;
}

function spawnDetached(spec: SandboxSpec, options: SandboxProcessOptions, label: string): number {
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
  if (child.pid === undefined) throw new Error(`${label}: the process did not start`);
  writeFileSync(options.pidFile, `${child.pid}\n`);
  return child.pid;
}

export function createSandboxControl(spec: SandboxSpec): SandboxControl {
  const label = spec.label ?? spec.name;
  return {
    sharedOptions(env = process.env) {
      const cache = env.LENDSTACK_CACHE || join(repoRoot, '.cache');
      const port = Number(env[spec.portVariable] || spec.defaultPort);
      return { port, pidFile: join(cache, `${spec.name}.pid`), logFile: join(cache, 'logs', `${spec.name}.log`) };
    },
    async start(options) {
      const url = `http://127.0.0.1:${options.port}`;
      const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
      const known = readPid(options.pidFile);
      if (alive(known)) {
        if (await waitHealthy(options.port, known, timeoutMs)) return { url, pid: known, alreadyRunning: true };
        throw new Error(`${label}: pid ${known} (${options.pidFile}) is running but ${url}/health does not answer; log ${options.logFile}:\n${tail(options.logFile)}`);
      }
      if (await healthy(options.port)) throw new Error(`${label}: port ${options.port} is already served by a process this pid file (${options.pidFile}) does not know`);
      const pid = spawnDetached(spec, options, label);
      if (await waitHealthy(options.port, pid, timeoutMs)) return { url, pid, alreadyRunning: false };
      await stopProcess(options);
      throw new Error(`${label} did not become healthy on ${url}; log ${options.logFile}:\n${tail(options.logFile)}`);
    },
    stop: stopProcess,
    async status(options) {
      const pid = readPid(options.pidFile);
      const url = `http://127.0.0.1:${options.port}`;
      if (!alive(pid)) return { up: false, url };
      return { up: await healthy(options.port), pid, url };
    },
  };
}
