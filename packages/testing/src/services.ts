import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { eventually } from './wait.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  readonly url: string;
  readonly output: () => string;
  /** SIGKILL: a crash, nothing drained. */
  crash(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
}

/**
 * Runs a service as its own process, as in production (`tsx src/bin.ts` in services/<name>), and
 * waits until /health/ready answers 200. System tests talk to it over a real socket.
 */
/** `waitFor: 'live'` returns once the process answers at all (a test of a degraded start); default: ready. */
export async function startServiceProcess(name: 'los' | 'lms' | 'console', port: number, env: Record<string, string>, options: { keepOutputChars?: number; waitFor?: 'ready' | 'live' } = {}): Promise<ServiceProcess> {
  const child: ChildProcess = spawn('pnpm', ['exec', 'tsx', 'src/bin.ts'], {
    cwd: `${repoRoot}services/${name}`,
    env: { ...process.env, ...env, [`${name.toUpperCase()}_PORT`]: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keepChars = options.keepOutputChars ?? 20_000;
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-keepChars); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output.slice(-2_000)}`);
    const res = await fetch(`${url}/health/${options.waitFor ?? 'ready'}`).catch(() => undefined);
    return res?.ok ? true : undefined;
  }, { timeoutMs: 90_000, what: `${name} to become ${options.waitFor ?? 'ready'}` }).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output.slice(-3_000)}`);
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, sig);
    await exited;
  };
  return { url, output: () => output, crash: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
