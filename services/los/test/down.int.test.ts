import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testPort } from '@lendstack/testing';

// Start and stop as infra/up.sh and infra/down.sh do them, on real processes. The LOS is started by up.sh's own
// start_service (infra/local/services.sh) against this run's cache dir and port: it returns through a pipe (no
// process left holding it), the pid file is the process listening on the port, a second start says "already
// running" and starts nothing, and a service whose port something else holds is reported failed, not started.
// Then down.sh --keep-infra (the shared Postgres, Kafka and Temporal stay up) stops it and says so, and reports
// the LMS as not running; afterwards neither the pid nor anything on the port is left.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const port = await testPort('LOS_DOWN_TEST_PORT');
const takenPort = await testPort('DOWN_TEST_TAKEN_PORT');
const cache = mkdtempSync(join(tmpdir(), 'lendstack-down-'));
const pidFile = join(cache, 'los.pid');

/** Pids listening on the port (ss prints `users:(("node",pid=123,fd=20))`). */
const listeners = (): number[] => {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
};
/** Running: a zombie has exited (it waits only for init to reap it), so it does not count. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * Runs start_service with stdout and stderr on pipes and resolves once both are closed (the 'close' event),
 * so a process left holding the pipe (what made `bash infra/up.sh | tee` hang) fails the test by name.
 */
async function startService(name: string, servicePort: number, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `set -euo pipefail; ROOT="$1"; cd "$ROOT"; source infra/local/services.sh; start_service ${name} ${servicePort}`, 'start', root], { env: { ...env, LOGS: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  // Listen for 'close' from the start: it follows 'exit' in the same tick when nothing else holds the pipes.
  const close = once(child, 'close').then(() => true);
  const [status] = (await once(child, 'exit')) as [number | null];
  const closed = await Promise.race([close, new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
  if (!closed) throw new Error(`start_service ${name} exited (${status}) but its output pipe is still held open by a process it left behind`);
  return { status, stdout, stderr };
}

afterAll(() => {
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) process.kill(-pid, 'SIGKILL');
  }
  rmSync(cache, { recursive: true, force: true });
});

describe('infra/down.sh', () => {
  it('starts once (a second start says already running; a taken port is a failure), then stops it by its pid file and leaves nothing on its port', async () => {
    const env = { ...process.env, LENDSTACK_CACHE: cache, LOS_PORT: String(port), LOS_HOST: '127.0.0.1', LOS_CONSUMER_GROUP: `los-down-${process.pid}`, LOS_CONSUMER_FROM_BEGINNING: 'false' };
    const first = await startService('los', port, env);
    expect(first.status, first.stderr).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(first.stdout).toMatch(new RegExp(`^los: started \\(pid ${pid}, ready after \\d+ s\\), log ${cache}/los\\.log$`, 'm'));
    expect(listeners()).toEqual([pid]);
    expect(await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status)).toBe(200);

    // Again: the same process, nothing new started.
    const second = await startService('los', port, env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe(`los: already running (pid ${pid})`);
    expect(listeners()).toEqual([pid]);

    // A port something else holds: failed, no pid file, nothing started.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(takenPort, '127.0.0.1', resolve));
    try {
      const taken = await startService('lms', takenPort, { ...env, LMS_PORT: String(takenPort) });
      expect(taken.status).toBe(1);
      expect(taken.stdout).toBe('');
      expect(taken.stderr).toMatch(new RegExp(`^lms: failed: port ${takenPort} is taken by another process .*nothing started`, 'm'));
      expect(existsSync(join(cache, 'lms.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }

    const down = spawnSync('bash', [join(root, 'infra/down.sh'), '--keep-infra'], { env, encoding: 'utf8' });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`^los: stopped \\(pid ${pid}, \\d+\\.\\d s after SIGTERM\\)$`, 'm'));
    expect(down.stdout).toMatch(/^lms: was not running \(no .*lms\.pid\)$/m);
    expect(down.stdout).toMatch(/^infrastructure: left running \(--keep-infra\)$/m);
    expect(alive(pid)).toBe(false);
    expect(listeners()).toEqual([]);
    expect(existsSync(pidFile)).toBe(false);
    expect(readFileSync(join(cache, 'los.log'), 'utf8')).toContain('shutting down: draining in-flight work');

    // A second run has nothing left to stop and says so.
    const again = spawnSync('bash', [join(root, 'infra/down.sh'), '--keep-infra'], { env, encoding: 'utf8' });
    expect(again.stdout).toMatch(/^los: was not running \(no .*los\.pid\)$/m);
    writeFileSync(pidFile, String(pid));
    const stale = spawnSync('bash', [join(root, 'infra/down.sh'), '--keep-infra'], { env, encoding: 'utf8' });
    expect(stale.stdout).toContain(`los: was not running (stale pid file ${pidFile}, pid ${pid})`);
  }, 240_000);

  // Not `infra.sh stop` itself: on a shared machine a failing run would stop everyone's Postgres. Its guard is
  // this count: pg_stop leaves the cluster running while it is above zero (unless INFRA_STOP_FORCE=true).
  it('counts the client connections that make infra.sh stop leave the machine-wide Postgres cluster running', async () => {
    const client = new pg.Client({ connectionString: process.env.LOS_DATABASE_URL });
    await client.connect();
    try {
      const count = spawnSync('bash', ['-c', 'source infra/local/lib.sh && source infra/local/postgres.sh && pg_other_clients'], { cwd: root, encoding: 'utf8' });
      expect(count.status, count.stderr).toBe(0);
      expect(Number(count.stdout.trim())).toBeGreaterThanOrEqual(1);
      const stopSource = readFileSync(join(root, 'infra/local/postgres.sh'), 'utf8').split('pg_stop() {')[1]!;
      expect(stopSource.indexOf('pg_other_clients')).toBeGreaterThan(-1);
      expect(stopSource.indexOf('pg_other_clients')).toBeLessThan(stopSource.indexOf('pg_ctlcluster'));
    } finally {
      await client.end();
    }
  });
});
