/** The bureau sandbox as a process: lifecycle, reports by national id, Idempotency-Key, faults. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bureauSandbox, BUREAU_SANDBOX_DEFAULTS } from '../src/control.js';
import { testPort } from '../../../src/ports.js';

const PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `bureau-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `bureau-sandbox-${PORT}.log`) };
const url = `http://127.0.0.1:${PORT}`;
const pull = (nationalId: string, key: string, apiKey: string = BUREAU_SANDBOX_DEFAULTS.apiKey, country = 'IN') =>
  fetch(`${url}/v1/credit-reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': key },
    body: JSON.stringify({ consumer: { name: { given: 'Priya', family: 'Sharma' }, dateOfBirth: '1990-03-14', nationalId: { type: 'PAN', value: nationalId }, country }, purpose: 'new-credit-application' }),
  });

beforeAll(async () => {
  await bureauSandbox.stop(files);
  await bureauSandbox.start({ port: PORT, ...files, env: { LOG_LEVEL: 'warn' } });
});
afterAll(async () => {
  await bureauSandbox.stop(files);
});

describe('bureau sandbox', () => {
  it('starts idempotently', async () => {
    expect((await bureauSandbox.start({ port: PORT, ...files })).alreadyRunning).toBe(true);
  });

  it('returns a Metro 2 style report, the same one again for the same Idempotency-Key', async () => {
    const first = await pull('ABCPS1234K', 'bureau-test-key-1');
    expect(first.status).toBe(201);
    const report: any = await first.json();
    expect(report).toMatchObject({ currency: 'INR', scale: 2, score: { value: expect.any(Number) }, consumer: { nationalIdMasked: 'XXXXXX234K' } });
    expect(report.tradelines).toHaveLength(3);
    expect(JSON.stringify(report)).not.toContain('ABCPS1234K');
    const again = await pull('ABCPS1234K', 'bureau-test-key-1');
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).id).toBe(report.id);
    expect((await pull('ABCPS9001K', 'bureau-test-key-1')).status).toBe(422);
    expect(await (await fetch(`${url}/v1/credit-reports/${report.id}`, { headers: { 'x-api-key': BUREAU_SANDBOX_DEFAULTS.apiKey } })).json()).toEqual(report);
  });

  it('chooses scenarios and faults by the last four digits, and refuses bad keys', async () => {
    expect(await (await pull('ABCPS9001K', 'bureau-test-key-2')).json()).toMatchObject({ tradelines: [], score: { value: null } });
    expect(((await pull('123-45-9006', 'bureau-test-key-3', undefined, 'US').then((r) => r.json())) as any).currency).toBe('USD');
    expect((await pull('ABCPS9500K', 'bureau-test-key-4')).status).toBe(500);
    await expect((await pull('ABCPS9502K', 'bureau-test-key-5')).json()).rejects.toThrow();
    expect((await pull('ABCPS1234K', 'bureau-test-key-6', 'wrong-key')).status).toBe(401);
    expect((await pull('ABCPS1234K', 'short')).status).toBe(400);
  });
});
