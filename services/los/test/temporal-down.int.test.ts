/**
 * The LOS as its own process, started while Temporal is unreachable: it serves (live, not ready: temporal
 * down), takes submissions, and once Temporal is reachable it joins by itself and the waiting applications'
 * checks run. Temporal is "reachable" through a TCP proxy this test opens in front of the real server.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { signToken } from '@lendstack/platform';
import { awaitChecksOverHttp, eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { applicationBody } from './support/los-test-server.js';

const LOS_PORT = await testPort('TEMPORAL_DOWN_TEST_LOS_PORT');
const PROXY_PORT = await testPort('TEMPORAL_DOWN_TEST_PROXY_PORT');
const config = loadConfig({});
const tenantId = `los-int-tdown-${randomUUID().slice(0, 8)}`;
const token = (roles: ('partner' | 'operator')[]) => `Bearer ${signToken(config.AUTH_TOKEN_SECRET, { subject: `${roles[0]}-tdown`, tenantId, roles }, 600, Math.floor(Date.now() / 1000))}`;

let los: ServiceProcess | undefined;
let proxy: net.Server | undefined;
const sockets = new Set<net.Socket>();
afterAll(async () => {
  await los?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
});

/** Forwards every connection on PROXY_PORT to Temporal (gRPC over plain TCP). */
async function openProxy(target: string): Promise<net.Server> {
  const [host, port] = target.split(':') as [string, string];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(PROXY_PORT, '127.0.0.1', resolve));
  return server;
}

describe('an LOS started while Temporal is down', () => {
  it('takes submissions, reports temporal down, and runs their checks once Temporal is back', { timeout: 180_000 }, async () => {
    const { losDatabaseUrl, temporalAddress } = await infrastructure();
    los = await startServiceProcess('los', LOS_PORT, {
      LOS_DATABASE_URL: losDatabaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${PROXY_PORT}`,
      LOS_TEMPORAL_TASK_QUEUE: `los-tdown-${randomUUID()}`,
      // Only this test's tenant, and only the checks on our own data: this is about Temporal, not vendors.
      LOS_CHECKS_TENANT_PREFIX: tenantId,
      LOS_CHECK_KINDS: 'duplicate,velocity,device,sanctions',
      LOS_CONSUMER_GROUP: `los-tdown-${randomUUID()}`,
    }, { waitFor: 'live' });

    const ready = await fetch(`${los.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({ database: 'up', temporal: 'down' });

    const submitted = await fetch(`${los.url}/v1/applications`, { method: 'POST', headers: { authorization: token(['partner']), 'content-type': 'application/json' }, body: JSON.stringify(applicationBody()) });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };
    await new Promise((r) => setTimeout(r, 1_000));
    const waiting = (await (await fetch(`${los.url}/v1/applications/${id}`, { headers: { authorization: token(['partner']) } })).json()) as { status: string };
    expect(waiting.status).toBe('submitted');

    proxy = await openProxy(temporalAddress);
    await eventually(async () => ((await fetch(`${los!.url}/health/ready`)).ok ? true : undefined), { timeoutMs: 60_000, what: 'the LOS to reach Temporal' });
    const concluded = await awaitChecksOverHttp<{ status: string }>(los.url, token(['operator']), id, { expect: 'checks-complete', timeoutMs: 60_000 });
    expect(concluded.status).toBe('checks-complete');
  });
});
