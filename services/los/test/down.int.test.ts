import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `bash infra/down.sh` leaves no project process running, checked by pid and by port. The LOS is started
// the way infra/up.sh starts it (the same exec line, read from up.sh) against this run's own cache dir and
// port, so the pid file is checked to be the process listening on the port; then down.sh --keep-infra (the
// shared Postgres, Kafka and Temporal stay up) stops it and says so, and reports the LMS as not running.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const port = Number(process.env.LOS_DOWN_TEST_PORT ?? 3821);
const cache = mkdtempSync(join(tmpdir(), 'lendstack-down-'));
const pidFile = join(cache, 'los.pid');

/** Pids listening on the port (ss prints `users:(("node",pid=123,fd=20))`). */
const listeners = (): number[] => {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) process.kill(-pid, 'SIGKILL');
  }
  rmSync(cache, { recursive: true, force: true });
});

describe('infra/down.sh', () => {
  it('stops the service up.sh started, by its pid file, and leaves nothing on its port', async () => {
    const upSh = readFileSync(join(root, 'infra/up.sh'), 'utf8');
    const startLine = /\(cd "services\/\$name" && exec setsid nohup (.+) >>"\$LOGS\/\$name\.log" 2>&1 <\/dev\/null\) &/.exec(upSh);
    expect(startLine, 'infra/up.sh starts the services with setsid nohup').not.toBeNull();
    const command = startLine![1]!;
    const env = { ...process.env, LENDSTACK_CACHE: cache, LOS_PORT: String(port), LOS_HOST: '127.0.0.1', LOS_CONSUMER_GROUP: `los-down-${process.pid}`, LOS_CONSUMER_FROM_BEGINNING: 'false' };
    // As start_service does: a background subshell that execs into the service; $! goes to the pid file.
    execFileSync('bash', ['-c', `(cd "${root}services/los" && exec setsid nohup ${command} >>"${cache}/los.log" 2>&1 </dev/null) & echo $! >"${pidFile}"`], { env });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    let ready = false;
    for (let i = 0; i < 120 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ready, readFileSync(join(cache, 'los.log'), 'utf8').slice(-2_000)).toBe(true);
    expect(listeners()).toEqual([pid]);

    const down = spawnSync('bash', [join(root, 'infra/down.sh'), '--keep-infra'], { env, encoding: 'utf8' });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`^los: stopped \\(pid ${pid}, \\d+ s after SIGTERM\\)$`, 'm'));
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
});
