/**
 * The LMS as its own process, started while Kafka and Temporal are both unreachable: it serves its API
 * (live, not ready, naming what is down) instead of exiting, joins each once it is reachable, becomes
 * ready, and stops cleanly on SIGTERM. "Reachable" is a TCP proxy this test opens in front of the real
 * broker and server (Kafka's metadata then points the client at the broker itself).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { signToken } from '@lendstack/platform';
import { eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const LMS_PORT = await testPort('DEGRADED_TEST_LMS_PORT');
const KAFKA_PROXY_PORT = await testPort('DEGRADED_TEST_KAFKA_PROXY_PORT');
const TEMPORAL_PROXY_PORT = await testPort('DEGRADED_TEST_TEMPORAL_PROXY_PORT');
const config = loadConfig({});
const operator = `Bearer ${signToken(config.AUTH_TOKEN_SECRET, { subject: 'operator-degraded', tenantId: `lms-degraded-${randomUUID().slice(0, 8)}`, roles: ['operator'] }, 600, Math.floor(Date.now() / 1000))}`;

let lms: ServiceProcess | undefined;
const proxies: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterAll(async () => {
  await lms?.stop();
  for (const s of sockets) s.destroy();
  await Promise.all(proxies.map((p) => new Promise((r) => p.close(r))));
});

async function openProxy(port: number, target: string): Promise<void> {
  const [host, targetPort] = target.split(':') as [string, string];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  proxies.push(server);
}
const readiness = async () => {
  const res = await fetch(`${lms!.url}/health/ready`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
};

describe('an LMS started while Kafka and Temporal are down', () => {
  it('serves, says what is down, joins both once reachable, becomes ready and stops cleanly', { timeout: 240_000 }, async () => {
    const { lmsDatabaseUrl, kafkaBrokers, temporalAddress } = await infrastructure();
    lms = await startServiceProcess('lms', LMS_PORT, {
      LMS_DATABASE_URL: lmsDatabaseUrl,
      KAFKA_BROKERS: `127.0.0.1:${KAFKA_PROXY_PORT}`,
      TEMPORAL_ADDRESS: `127.0.0.1:${TEMPORAL_PROXY_PORT}`,
      TEMPORAL_TASK_QUEUE: `lms-degraded-${randomUUID()}`,
      LMS_CONSUMER_GROUP: `lms-degraded-${randomUUID()}`,
      // Collections for its own (unused) tenant only: not the other tests' wake-ups and debits on this database.
      LMS_COLLECTIONS_TENANT_PREFIX: 'lms-degraded-',
    }, { waitFor: 'live', keepOutputChars: 200_000 });

    expect(await readiness()).toEqual({ status: 503, checks: expect.objectContaining({ database: 'up', kafka: 'down', temporal: 'down', consumers: 'down' }) });
    // The API works meanwhile: the products of a tenant (none yet) are read from the LMS's own database.
    const products = await fetch(`${lms.url}/v1/products`, { headers: { authorization: operator } });
    expect(products.status).toBe(200);

    await openProxy(TEMPORAL_PROXY_PORT, temporalAddress);
    await eventually(async () => ((await readiness()).checks.temporal === 'up' ? true : undefined), { timeoutMs: 60_000, what: 'the LMS to join Temporal' });
    expect((await readiness()).status).toBe(503);

    await openProxy(KAFKA_PROXY_PORT, kafkaBrokers[0]!);
    await eventually(async () => ((await readiness()).status === 200 ? true : undefined), { timeoutMs: 90_000, what: 'the LMS to join Kafka and start its consumers' });

    await lms.stop();
    const output = lms.output();
    lms = undefined;
    expect(output).not.toContain('IllegalStateError');
  });
});
