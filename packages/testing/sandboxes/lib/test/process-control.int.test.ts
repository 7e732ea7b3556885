/** createSandboxControl over a real child process: idempotent start, a foreign process on the port, a process that dies, stop and status. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/ports.js';
import { createSandboxControl } from '../process-control.js';

const control = createSandboxControl({
  name: 'fixture-sandbox',
  label: 'fixture sandbox',
  mainFile: fileURLToPath(new URL('./fixtures/health-server.ts', import.meta.url)),
  portVariable: 'LIB_FIXTURE_PORT',
  defaultPort: 1,
});

let dir: string;
let port: number;
const files = (name: string) => ({ pidFile: join(dir, `${name}.pid`), logFile: join(dir, 'logs', `${name}.log`) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-lib-'));
  port = await freePort();
});

afterAll(async () => {
  await control.stop(files('a'));
  await control.stop(files('b'));
  rmSync(dir, { recursive: true, force: true });
});

describe('sandbox process control', () => {
  it('shared options: $LENDSTACK_CACHE/<name>.pid and logs/<name>.log, port from the port variable or the default', () => {
    expect(control.sharedOptions({ LENDSTACK_CACHE: '/c', LIB_FIXTURE_PORT: '4001' })).toEqual({ port: 4001, pidFile: '/c/fixture-sandbox.pid', logFile: '/c/logs/fixture-sandbox.log' });
    expect(control.sharedOptions({ LENDSTACK_CACHE: '/c' }).port).toBe(1);
  });

  it('starts a detached process with the port in its environment, writes the pid file, and a second start leaves it alone', async () => {
    const first = await control.start({ port, ...files('a') });
    expect(first).toEqual({ url: `http://127.0.0.1:${port}`, pid: expect.any(Number), alreadyRunning: false });
    expect(readFileSync(files('a').pidFile, 'utf8')).toBe(`${first.pid}\n`);
    expect(await control.start({ port, ...files('a') })).toEqual({ ...first, alreadyRunning: true });
    expect(await control.status({ port, ...files('a') })).toEqual({ up: true, pid: first.pid, url: first.url });
  });

  it('refuses a port served by a process its pid file does not know', async () => {
    await expect(control.start({ port, ...files('b') })).rejects.toThrow(`fixture sandbox: port ${port} is already served by a process this pid file (${files('b').pidFile}) does not know`);
    expect(existsSync(files('b').pidFile)).toBe(false);
  });

  it('stop ends the process group and removes the pid file; a second stop says it was not running', async () => {
    const { pid } = await control.status({ port, ...files('a') });
    expect(await control.stop(files('a'))).toBe(true);
    expect(existsSync(files('a').pidFile)).toBe(false);
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(await control.status({ port, ...files('a') })).toEqual({ up: false, url: `http://127.0.0.1:${port}` });
    expect(await control.stop(files('a'))).toBe(false);
  });

  it('a process that exits before it is healthy fails the start with the tail of its log, and leaves no pid file', async () => {
    await expect(control.start({ port, ...files('b'), env: { LIB_FIXTURE_FAIL: '1' }, startTimeoutMs: 10_000 }))
      .rejects.toThrow(/^fixture sandbox did not become healthy on http:\/\/127\.0\.0\.1:\d+; log .*b\.log:\n[\s\S]*refusing to start/);
    expect(existsSync(files('b').pidFile)).toBe(false);
  });
});
