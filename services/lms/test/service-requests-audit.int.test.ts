import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createMetrics } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { seedDemoProducts } from '../src/modules/products/use-cases/seed-demo-products.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

// Service requests and the LMS audit log over the real database: transitions enforced and audited, the
// chain verified by the CLI, and verify failing — naming the row — once a row is edited or deleted in SQL.
const cwd = join(dirname(fileURLToPath(import.meta.url)), '..');
let h: Harness;
let app: FastifyInstance;
beforeAll(async () => {
  h = await startHarness();
  const secret = loadConfig({ LMS_DATABASE_URL: 'postgresql://unused/unused' }).AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }), metrics: createMetrics('lendstack-lms-test'), readiness: {},
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret, servicing: createServicingReader(h.pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    serviceRequests: { pool: h.pool, authSecret: secret, now: () => new Date() },
    auditLog: { pool: h.pool, authSecret: secret },
    businessDate: { pool: h.pool, authSecret: secret, today: h.deps.today },
    collections: { pool: h.pool, temporal: () => undefined, newId: randomUUID, now: () => new Date(), authSecret: secret, temporalUiUrl: 'http://localhost:8233', namespace: 'default' },
  });
  await app.ready();
});
afterAll(async () => { await app?.close(); await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object, headers: Record<string, string> = {}, roles: Parameters<Harness['auth']>[0] = ['operator']) =>
  app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const verify = (tenant: string) => {
  const run = spawnSync('pnpm', ['exec', 'tsx', 'src/cli.ts', 'audit', 'verify', '--tenant', tenant], { cwd, env: process.env, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: run.stdout.trim(), err: run.stderr };
};
/** As a superuser would: the append-only trigger off for one statement, in one transaction. */
async function behindTheTrigger(sql: string, params: unknown[]): Promise<void> {
  const c = await h.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await c.query(sql, params);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

describe('service requests', () => {
  it('open → in-progress → resolved, every change in the history and the audit log; a disallowed move is 409 naming /to', async () => {
    const tenant = newTenant('sr');
    const loanId = await h.book(tenant);
    const srKey = randomUUID();
    const opened = await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'dispute', summary: 'EMI of March debited twice', note: 'customer called' }, { 'idempotency-key': srKey });
    expect(opened.statusCode).toBe(201);
    const sr = opened.json();
    expect(sr).toMatchObject({ loanId, type: 'dispute', status: 'open', createdBy: 'operator-user' });
    const replay = await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'dispute', summary: 'EMI of March debited twice', note: 'customer called' }, { 'idempotency-key': srKey });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(sr.id);
    expect((await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'other', summary: 'x' }, { 'idempotency-key': srKey })).statusCode).toBe(422);

    expect((await call('POST', `/v1/service-requests/${sr.id}/transitions`, tenant, { to: 'in-progress', note: 'checking the mandate' })).json().status).toBe('in-progress');
    const back = await call('POST', `/v1/service-requests/${sr.id}/transitions`, tenant, { to: 'open' });
    expect(back.statusCode).toBe(409);
    expect(back.json().errors).toEqual([{ pointer: '/to', detail: 'an in-progress request cannot become open (allowed: resolved, rejected)' }]);
    expect((await call('POST', `/v1/service-requests/${sr.id}/transitions`, tenant, { to: 'resolved', note: 'refunded' })).statusCode).toBe(200);
    expect((await call('POST', `/v1/service-requests/${sr.id}/transitions`, tenant, { to: 'rejected' })).statusCode).toBe(409);

    const full = (await call('GET', `/v1/service-requests/${sr.id}`, tenant)).json();
    expect(full.history.map((e: { from: string | null; to: string; note: string | null }) => [e.from, e.to, e.note])).toEqual([[null, 'open', 'customer called'], ['open', 'in-progress', 'checking the mandate'], ['in-progress', 'resolved', 'refunded']]);
    const audit = (await call('GET', `/v1/audit-log?subject=service-request/${sr.id}`, tenant, undefined, {}, ['admin'])).json();
    expect(audit.items.map((e: { action: string; before: unknown; after: { status: string } }) => [e.action, e.before, e.after.status])).toEqual([
      ['service-request.transitioned', { status: 'in-progress' }, 'resolved'], ['service-request.transitioned', { status: 'open' }, 'in-progress'], ['service-request.opened', null, 'open'],
    ]);
    expect(audit.items[0]).toMatchObject({ actor: 'operator-user', requestId: expect.any(String) });
    expect((await call('GET', '/v1/audit-log', tenant)).statusCode).toBe(403);
  });

  it('lists the tenant\'s requests by status and type with keyset pages, never another tenant\'s', async () => {
    const tenant = newTenant('sr');
    const loanId = await h.book(tenant);
    for (const type of ['address-change', 'statement-request', 'address-change', 'foreclosure-request']) {
      expect((await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type, summary: type })).statusCode).toBe(201);
    }
    const first = (await call('GET', '/v1/service-requests?type=address-change&status=open&limit=1', tenant)).json();
    expect(first.items).toHaveLength(1);
    const second = (await call('GET', `/v1/service-requests?type=address-change&status=open&limit=1&cursor=${first.nextCursor}`, tenant)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect((await call('GET', `/v1/loans/${loanId}/service-requests`, tenant)).json().items).toHaveLength(4);
    const other = newTenant('sr');
    expect((await call('GET', '/v1/service-requests', other)).json().items).toEqual([]);
    expect((await call('GET', `/v1/loans/${loanId}/service-requests`, other)).statusCode).toBe(404);
    expect((await call('POST', `/v1/loans/${loanId}/service-requests`, other, { type: 'other', summary: 'x' })).statusCode).toBe(404);
    expect((await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'complaint', summary: 'x' })).json().errors[0].pointer).toBe('/type');
  });
});

describe('audit verify', () => {
  it('verifies an intact chain, then names the row an UPDATE changed and the seq a DELETE removed', async () => {
    const tenant = newTenant('audit');
    const loanId = await h.book(tenant);
    for (let i = 0; i < 3; i += 1) expect((await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'other', summary: `query ${i}` })).statusCode).toBe(201);
    const ok = verify(tenant);
    expect(ok.out).toMatch(/^ok: 3 entries, head [0-9a-f]{64}$/);
    expect(ok.status).toBe(0);
    // Edited: the second entry's after-image.
    const row2 = (await h.pool.query<{ id: string }>('SELECT id::text AS id FROM audit_log WHERE tenant_id = $1 AND seq = 2', [tenant])).rows[0]!;
    await behindTheTrigger(`UPDATE audit_log SET detail = jsonb_set(detail, '{after,summary}', '"nothing to see"') WHERE tenant_id = $1 AND seq = 2`, [tenant]);
    const edited = verify(tenant);
    expect(edited.status).toBe(1);
    expect(edited.out).toContain(`broken: seq 2: audit_log id ${row2.id} (service-request.opened by operator-user at`);
    expect(edited.out).toContain('the entry was changed after it was written (1 entries verified before it)');
    // Deleted (after restoring the edit would not matter: the chain stops at the first break, so delete seq 1).
    await behindTheTrigger('DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 1', [tenant]);
    const deleted = verify(tenant);
    expect(deleted.status).toBe(1);
    expect(deleted.out).toBe('broken: seq 1: seq 1 missing: 1 link(s) deleted before seq 2 (0 entries verified before it)');
  });

  it('catches the last row deleted (the head is past the chain), and refuses UPDATE and DELETE from a client', async () => {
    const tenant = newTenant('audit');
    const loanId = await h.book(tenant);
    for (let i = 0; i < 2; i += 1) await call('POST', `/v1/loans/${loanId}/service-requests`, tenant, { type: 'other', summary: `q${i}` });
    await expect(h.pool.query('DELETE FROM audit_log WHERE tenant_id = $1', [tenant])).rejects.toThrow(/append-only/);
    await expect(h.pool.query('UPDATE audit_log SET actor = $2 WHERE tenant_id = $1', [tenant, 'x'])).rejects.toThrow(/append-only/);
    await behindTheTrigger('DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 2', [tenant]);
    const run = verify(tenant);
    expect(run.status).toBe(1);
    expect(run.out).toBe('broken: seq 2: seq 2 missing: the chain ends at seq 1 but its head is at seq 2 (links deleted from the end) (1 entries verified before it)');
  });
});

describe('configuration changes in the audit log', () => {
  it('records a business-date change and a collection schedule change with before and after, and the chain verifies', async () => {
    const tenant = newTenant('audit');
    expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-05' }, {}, ['admin'])).statusCode).toBe(200);
    expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-07' }, {}, ['admin'])).statusCode).toBe(200);
    // A product row as the catalogue test seeds one (the schedule routes only check it exists).
    await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version, updated_at) VALUES ($1, 'TEST-PL', $2, 0, now())`, [tenant, randomUUID()]);
    const current = (await call('GET', '/v1/collections/schedules/TEST-PL', tenant)).json();
    expect(current.stored).toBe(false);
    const changed = { ...current.schedule, autoDebit: !current.schedule.autoDebit };
    const put = await call('PUT', '/v1/collections/schedules/TEST-PL', tenant, changed, {}, ['admin']);
    expect(put.statusCode).toBe(200);
    const log = (await call('GET', '/v1/audit-log', tenant, undefined, {}, ['admin'])).json();
    expect(log.items.map((e: { action: string; subject: string; before: unknown; after: unknown }) => [e.action, e.subject, e.before, e.after])).toEqual([
      ['collections-schedule.set', 'product/TEST-PL', null, changed],
      ['business-date.set', `business-date/${tenant}`, { date: '2026-01-05' }, { date: '2026-01-07' }],
      ['business-date.set', `business-date/${tenant}`, { date: '2026-01-01' }, { date: '2026-01-05' }],
    ]);
    expect(verify(tenant).out).toMatch(/^ok: 3 entries, head [0-9a-f]{64}$/);
  });
});

describe('product publication in the audit log', () => {
  it('records each new product version in the publishing transaction (Prisma), not a replay of the same definition', async () => {
    const tenant = newTenant('audit');
    const deps = { store: createPrismaProductRepository(h.prisma), now: () => new Date(), newId: randomUUID };
    const first = await seedDemoProducts(deps, tenant);
    await seedDemoProducts(deps, tenant);
    const log = (await call('GET', '/v1/audit-log?limit=100', tenant, undefined, {}, ['admin'])).json();
    expect(log.items.map((e: { action: string; subject: string; after: { version: number }; actor: string }) => [e.action, e.subject, e.after.version, e.actor]).sort())
      .toEqual(first.map((p) => ['product.published', `product/${p.code}`, p.version, 'seed']).sort());
    expect(verify(tenant).out).toMatch(new RegExp(`^ok: ${first.length} entries, head [0-9a-f]{64}$`));
  });
});
