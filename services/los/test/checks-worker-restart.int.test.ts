import { randomInt, randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@lendstack/testing';
import { createChecksWorker } from '../src/modules/checks/worker.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';

// The LOS's checks worker on the real Temporal: a worker that stops while the LOS is not stopping (a fatal
// worker error; here it is shut down from outside) is built and run again, readiness says "not healthy" until
// it runs, and an application submitted after the restart has its checks run by the new worker.
const OWN_DATA = ['duplicate', 'velocity', 'device', 'sanctions'];
const workers: Worker[] = [];
let los: LosTestServer;

beforeAll(async () => {
  los = await startLosTestServer('los-int-restart', {
    runners: (defaults) => defaults.filter((r) => OWN_DATA.includes(r.runner.kind)),
    createWorker: async (options) => {
      const worker = await createChecksWorker(options);
      workers.push(worker);
      return worker;
    },
  });
});
afterAll(async () => {
  await los?.close();
});

describe('the checks worker', () => {
  it('is built and run again when it stops on its own; readiness is down meanwhile; checks run on the new one', async () => {
    await eventually(async () => (workers[0]?.getState() === 'RUNNING' ? true : undefined), { what: 'the first worker to run' });
    expect(await los.checksRuntime.healthy()).toBe(true);

    workers[0]!.shutdown();
    await eventually(async () => ((await los.checksRuntime.healthy()) === false ? true : undefined), { intervalMs: 10, what: 'readiness to say the worker is down' });
    await eventually(async () => (workers.length === 2 && workers[1]!.getState() === 'RUNNING' ? true : undefined), { timeoutMs: 60_000, what: 'a second worker to run' });
    expect(workers[0]!.getState()).toBe('STOPPED');
    expect(await los.checksRuntime.healthy()).toBe(true);

    const res = await los.app.inject({
      method: 'POST', url: '/v1/applications', headers: los.auth(['partner']),
      payload: { ...applicationBody(), device: { fingerprint: `fp-${randomUUID()}`, ip: `49.36.${randomInt(0, 256)}.${randomInt(1, 255)}` } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const app = await los.awaitChecks(res.json().id);
    expect(['checks-complete', 'checks-exception', 'policy-approved', 'referred', 'declined']).toContain(app.status);
  });
});
