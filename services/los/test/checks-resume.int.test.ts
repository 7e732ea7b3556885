import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eventually } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';

// Kills the checks worker (SIGKILL, its own process) while a slow vendor call is in flight, starts a new
// one, and shows the workflow resumes from Temporal's history: checks that completed before the kill are
// not run again, and the interrupted one is retried with the same idempotency key, so the vendor (which
// counts calls per key in a real table) performs one check, not two.
const losDir = fileURLToPath(new URL('..', import.meta.url));
const taskQueue = `los-checks-resume-${randomUUID()}`;
const workers: ChildProcess[] = [];
let los: LosTestServer;

async function startWorker(): Promise<ChildProcess> {
  const child = spawn('pnpm', ['exec', 'tsx', 'test/support/checks-worker.process.ts'], {
    cwd: losDir, env: { ...process.env, CHECKS_TASK_QUEUE: taskQueue }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  workers.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`worker exited: ${output}`);
    return output.includes('checks worker running') ? true : undefined;
  }, { timeoutMs: 90_000, what: 'the checks worker process' });
  return child;
}
const kill = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
};

beforeAll(async () => {
  los = await startLosTestServer('los-int-resume', { worker: false, taskQueue });
  await los.pool.query('CREATE TABLE IF NOT EXISTS test_vendor_calls (idempotency_key TEXT PRIMARY KEY, calls INTEGER NOT NULL, answer TEXT)');
}, 180_000);
afterAll(async () => {
  for (const child of workers) await kill(child).catch(() => undefined);
  await los?.close();
});

describe('a checks worker killed mid-run', () => {
  it('resumes on a new worker without calling any vendor twice for one check', { timeout: 180_000 }, async () => {
    const first = await startWorker();
    const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload: applicationBody() });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    const checks = async () => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/checks`, headers: los.auth(['partner']) })).json<{ items: any[] }>().items;

    // The fast checks are done and the slow vendor call is in flight: kill the worker now.
    await eventually(async () => {
      const items = await checks();
      const fastDone = items.filter((c) => c.kind !== 'bureau').every((c) => c.status === 'completed');
      return items.length === 8 && fastDone && items.find((c) => c.kind === 'bureau')?.status === 'running' ? true : undefined;
    }, { timeoutMs: 60_000, what: 'fast checks completed, bureau running' });
    await kill(first);

    await startWorker();
    await los.awaitChecks(id, 'checks-complete');
    const items = await checks();
    // No documents were uploaded: the document and income checks refer (a finding, not a hard stop).
    expect(items.map((c) => [c.kind, c.status, c.result])).toEqual(
      ['bureau', 'device', 'document-ocr', 'duplicate', 'income', 'kyc', 'sanctions', 'velocity'].map((kind) => [kind, 'completed', ['document-ocr', 'income'].includes(kind) ? 'refer' : 'pass']),
    );
    const bureau = items.find((c) => c.kind === 'bureau');
    expect(bureau.attempts).toBe(2);
    expect(bureau.evidence).toEqual({ replayedByVendor: true });

    const { rows } = await los.pool.query<{ idempotency_key: string; calls: number; answer: string | null }>(
      'SELECT idempotency_key, calls, answer FROM test_vendor_calls WHERE idempotency_key LIKE $1 ORDER BY idempotency_key', [`chk-${id}-%`]);
    expect(rows.map((r) => [r.idempotency_key, r.calls])).toEqual([
      [`chk-${id}-bureau-r1`, 2], // the attempt cut short, then its retry with the same key
      [`chk-${id}-device-r1`, 1],
      [`chk-${id}-document-ocr-r1`, 1],
      [`chk-${id}-duplicate-r1`, 1],
      [`chk-${id}-income-r1`, 1],
      [`chk-${id}-kyc-r1`, 1],
      [`chk-${id}-sanctions-r1`, 1],
      [`chk-${id}-velocity-r1`, 1],
    ]);
    // The vendor performed one check for the key: the retried call got the first call's report back.
    expect(bureau.vendorReference).toBe(rows[0]!.answer);
  });
});
