/**
 * Postgres ends the services' connections under them (a restart, a failover, an operator's
 * pg_terminate_backend: 57P01 admin_shutdown on each idle connection, the pool's idle ones and the ones a
 * service holds between queries, like the outbox relay's advisory-lock connection). The LOS and the LMS run
 * as their own processes; another session terminates every backend of their databases, three times over;
 * each service logs the lost connections, stays up, and its next requests work on fresh connections.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';

const PORTS = { los: await testPort('PG_TERMINATED_TEST_LOS_PORT'), lms: await testPort('PG_TERMINATED_TEST_LMS_PORT') };
const secret = 'lendstack-pg-terminated-secret-0123456789abcdef';
const tenantId = `pg-terminated-${randomUUID().slice(0, 8)}`;
const admin = () => `Bearer ${signToken(secret, { subject: 'admin-pg-terminated', tenantId, roles: ['admin'] }, 600, Math.floor(Date.now() / 1000))}`;

let infra: Infrastructure;
const services: Partial<Record<'los' | 'lms', ServiceProcess>> = {};
let killer: pg.Client;

beforeAll(async () => {
  infra = await infrastructure();
  const runId = randomUUID().slice(0, 8);
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), TEMPORAL_ADDRESS: infra.temporalAddress, LOG_LEVEL: 'warn' };
  const [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CONSUMER_GROUP: `los-pg-terminated-${runId}`, LOS_CONSUMER_FROM_BEGINNING: 'false', LOS_CHECKS_TENANT_PREFIX: tenantId }, { keepOutputChars: 4_000_000 }),
    startServiceProcess('lms', PORTS.lms, { ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, LMS_CONSUMER_GROUP: `lms-pg-terminated-${runId}`, LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `pg-terminated-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenantId }, { keepOutputChars: 4_000_000 }),
  ]);
  services.los = los;
  services.lms = lms;
  killer = new pg.Client({ connectionString: infra.losDatabaseUrl });
  await killer.connect();
}, 180_000);

afterAll(async () => {
  await killer?.end();
  await Promise.all(Object.values(services).map((s) => s.stop()));
});

/** Terminates every other backend connected to the database; answers how many it ended. */
async function terminateAll(databaseUrl: string): Promise<number> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const { rows } = await killer.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rows.filter((r) => r.ended).length;
}

const lostConnections = (service: ServiceProcess) => (service.output().match(/database connection lost/g) ?? []).length;

describe.each(['los', 'lms'] as const)('the %s when Postgres terminates its connections', (name) => {
  it('logs them, stays up, and its next requests work', { timeout: 120_000 }, async () => {
    const service = services[name]!;
    const databaseUrl = name === 'los' ? infra.losDatabaseUrl : infra.lmsDatabaseUrl;
    let logged = 0;
    for (let round = 1; round <= 3; round += 1) {
      const before = lostConnections(service);
      expect(await terminateAll(databaseUrl), `round ${round}: the ${name} has connections to end`).toBeGreaterThan(0);
      // The errors reach the process (logged) before it is asked anything — when the ended backends were its
      // idle or held ones; one ended mid-query fails that query instead (retried by its caller), unlogged.
      const seen = await eventually(async () => (lostConnections(service) > before ? true : undefined), { timeoutMs: 15_000 }).catch(() => false);
      if (seen) logged += 1;
      const ready = await eventually(async () => {
        const res = await fetch(`${service.url}/health/ready`);
        return res.status === 200 ? res : undefined;
      }, { timeoutMs: 60_000, what: `${name} ready again (round ${round})\n${service.output().slice(-2_000)}` });
      expect(ready.status).toBe(200);
      // A read on the database through the service's pool.
      const list = await fetch(`${service.url}/v1/webhook-subscriptions`, { headers: { authorization: admin() } });
      expect(list.status, await list.clone().text()).toBe(200);
      expect(await list.json()).toEqual({ items: [], nextCursor: null });
    }
    expect(await fetch(`${service.url}/health/live`).then((r) => r.status)).toBe(200);
    expect(logged, `${name} logged no lost connection in any round\n${service.output().slice(-2_000)}`).toBeGreaterThan(0);
  });
});
