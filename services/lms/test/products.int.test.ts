import { randomUUID } from 'node:crypto';
import { parseEvent, productPublishedV1Schema, topics } from '@lendstack/contracts';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { seedDemoProducts } from '../src/modules/products/use-cases/seed-demo-products.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

// The products API over the REAL LMS database (an isolated one, migrated), driven with app.inject.
let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let secret: string;
let published = 0;
const tenant = `prod-${randomUUID().slice(0, 8)}`;
const otherTenant = `prod-${randomUUID().slice(0, 8)}`;

const auth = (roles: Role[], tenantId = tenant) => ({
  authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 300, Math.floor(Date.now() / 1000))}`,
});
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const product = (code: string, change: Record<string, unknown> = {}) => ({
  code,
  name: 'Test personal loan',
  currency: 'INR',
  principal: { min: inr('1000000'), max: inr('50000000') },
  termPeriods: { min: 3, max: 36 },
  annualRatePercent: { min: '9', max: '18' },
  frequency: 'monthly',
  scheduleMethod: 'equal-installment',
  dayCount: '30/360',
  ...change,
});
const post = (body: unknown, headers: Record<string, string> = auth(['admin'])) => app.inject({ method: 'POST', url: '/v1/products', headers, payload: body as object });
const outboxRows = async (tenantId: string, code: string) =>
  (await pool.query<{ id: string; topic: string; key: string; value: unknown; sent_at: Date | null }>('SELECT id, topic, key, value, sent_at FROM outbox WHERE key = $1 ORDER BY seq', [`${tenantId}:${code}`])).rows;

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl });
  secret = config.AUTH_TOKEN_SECRET;
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 10 });
  prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => { published += 1; } },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await pool?.end();
});

describe('POST /v1/products', () => {
  it('creates version 1 (201) with every default filled, and its ProductPublished on the outbox', async () => {
    const before = published;
    const res = await post(product('PL-A'));
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/products/PL-A?version=1');
    const body = res.json();
    expect(body).toMatchObject({ code: 'PL-A', version: 1, createdBy: 'admin-user', lateFee: null, graceDays: 0, nonAccrualDpd: 90, chargeOffDpd: 120, bucketSet: 'us', allocationStrategy: 'penalties-fees-interest-principal' });
    expect(body.chartOfAccounts['loan-portfolio']).toEqual({ code: '1100', name: 'Loan portfolio (principal receivable)' });
    const rows = await outboxRows(tenant, 'PL-A');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ topic: topics.products.name, key: `${tenant}:PL-A`, sent_at: null });
    const parsed = parseEvent(JSON.stringify(rows[0]!.value));
    expect(parsed.ok).toBe(true);
    const event = productPublishedV1Schema.parse(rows[0]!.value);
    expect(event).toMatchObject({ id: rows[0]!.id, type: 'ProductPublished', subject: `${tenant}:PL-A`, tenantId: tenant, payload: { code: 'PL-A', version: 1, effectiveAt: body.effectiveAt } });
    expect(published).toBe(before + 1);
  });

  it('a changed definition is version 2; an identical one creates nothing and returns the latest (200)', async () => {
    expect((await post(product('PL-B'))).statusCode).toBe(201);
    const v2 = await post(product('PL-B', { graceDays: 5 }));
    expect(v2.statusCode).toBe(201);
    expect(v2.json()).toMatchObject({ version: 2, graceDays: 5 });
    const same = await post(product('PL-B', { graceDays: 5 }));
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 2 });
    expect((await outboxRows(tenant, 'PL-B')).map((r) => (r.value as { payload: { version: number } }).payload.version)).toEqual([1, 2]);
    const latest = await app.inject({ url: '/v1/products/PL-B', headers: auth(['partner']) });
    expect(latest.json()).toMatchObject({ version: 2, graceDays: 5 });
    const first = await app.inject({ url: '/v1/products/PL-B?version=1', headers: auth(['partner']) });
    expect(first.json()).toMatchObject({ version: 1, graceDays: 0 });
  });

  it('replays the first result for the same Idempotency-Key and body, and refuses another body with 422', async () => {
    const key = { ...auth(['admin']), 'idempotency-key': `key-${randomUUID()}` };
    const first = await post(product('PL-C'), key);
    expect(first.statusCode).toBe(201);
    await post(product('PL-C', { graceDays: 2 })); // a later version, without the key
    const replay = await post(product('PL-C'), key);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const reused = await post(product('PL-C', { graceDays: 7 }), key);
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(reused.json().errors).toEqual([{ pointer: '/header/idempotency-key', detail: 'already used with another body' }]);
    expect(await outboxRows(tenant, 'PL-C')).toHaveLength(2);
  });

  it('concurrent requests with one Idempotency-Key create one version', async () => {
    const key = { ...auth(['admin']), 'idempotency-key': `key-${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 5 }, () => post(product('PL-D'), key)));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.json().version))).toEqual(new Set([1]));
    expect(await outboxRows(tenant, 'PL-D')).toHaveLength(1);
  });

  it('concurrent different versions are numbered one at a time', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((graceDays) => post(product('PL-E', { graceDays }))));
    expect(results.map((r) => r.json().version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses a definition that breaks rules across its fields with 422 naming each field (a shape error is 400)', async () => {
    const res = await post(product('PL-F', { termPeriods: { min: 12, max: 6 }, lateFee: { kind: 'flat', amount: { amount: '500', currency: 'USD', scale: 2 } } }));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/lateFee/amount/currency', '/termPeriods/max']);
    expect((await post(product('PL-F', { termPeriods: { min: 0, max: 6 } }))).statusCode).toBe(400);
    expect(await outboxRows(tenant, 'PL-F')).toHaveLength(0);
  });

  it('refuses a change of currency with 409 naming /currency, and keeps nothing', async () => {
    const key = { ...auth(['admin']), 'idempotency-key': `key-${randomUUID()}` };
    expect((await post(product('PL-G'))).statusCode).toBe(201);
    const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });
    const res = await post(product('PL-G', { currency: 'USD', principal: { min: usd('1000'), max: usd('5000') } }), key);
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ pointer: '/currency', detail: 'must be INR, the currency of version 1' }]);
    // The key was not kept: used again with an acceptable body it just works.
    expect((await post(product('PL-G', { graceDays: 1 }), key)).statusCode).toBe(201);
  });

  it('needs a token (401) and the admin role (403): partner, operator and approver cannot write', async () => {
    expect((await post(product('PL-H'), {})).statusCode).toBe(401);
    for (const role of ['partner', 'operator', 'approver'] as const) {
      const res = await post(product('PL-H'), auth([role]));
      expect(res.statusCode).toBe(403);
      expect(res.json().type).toBe('https://lendstack.dev/problems/forbidden');
    }
    expect((await post(product('PL-H'), auth(['operator', 'admin']))).statusCode).toBe(201);
  });
});

describe('GET /v1/products', () => {
  it('is tenant-scoped: another tenant sees none of these products, and can use the same codes', async () => {
    expect((await app.inject({ url: '/v1/products/PL-A', headers: auth(['admin'], otherTenant) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/products', headers: auth(['partner'], otherTenant) })).json()).toEqual({ items: [], nextCursor: null });
    const res = await post(product('PL-A', { graceDays: 9 }), auth(['admin'], otherTenant));
    expect(res.json()).toMatchObject({ version: 1, graceDays: 9 });
    expect((await app.inject({ url: '/v1/products/PL-A', headers: auth(['partner']) })).json()).toMatchObject({ version: 1, graceDays: 0 });
  });

  it('lists the latest version of each product, newest first, in keyset pages', async () => {
    const seen: { code: string; version: number }[] = [];
    let cursor: string | null = null;
    do {
      const res = await app.inject({ url: `/v1/products?limit=3${cursor ? `&cursor=${cursor}` : ''}`, headers: auth(['partner']) });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { code: string; version: number }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((p) => ({ code: p.code, version: p.version })));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((p) => p.code)).toEqual(['PL-H', 'PL-G', 'PL-E', 'PL-D', 'PL-C', 'PL-B', 'PL-A']);
    expect(seen.find((p) => p.code === 'PL-B')?.version).toBe(2);
    expect(seen.find((p) => p.code === 'PL-E')?.version).toBe(4);
  });

  it('404 for an unknown code or version; 400 naming a bad code, version or cursor', async () => {
    expect((await app.inject({ url: '/v1/products/NOPE', headers: auth(['partner']) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/products/PL-A?version=9', headers: auth(['partner']) })).statusCode).toBe(404);
    const badCode = await app.inject({ url: '/v1/products/pl-a', headers: auth(['partner']) });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().errors[0].pointer).toBe('/params/code');
    const badVersion = await app.inject({ url: '/v1/products/PL-A?version=0', headers: auth(['partner']) });
    expect(badVersion.json().errors[0].pointer).toBe('/query/version');
    expect((await app.inject({ url: '/v1/products?cursor=nope', headers: auth(['partner']) })).json().errors[0].pointer).toBe('/query/cursor');
    expect((await app.inject({ url: '/v1/products' })).statusCode).toBe(401);
  });

  it('is in the OpenAPI document with its roles', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/products', '/v1/products/{code}']));
    expect(doc.paths['/v1/products'].post.responses).toHaveProperty('403');
    expect(doc.paths['/v1/products'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('chartOfAccounts');
  });
});

describe('demo seed', () => {
  it('seeds four products through the use case, and a second run changes nothing', async () => {
    const seedTenant = `seed-${randomUUID().slice(0, 8)}`;
    const deps = { store: createPrismaProductRepository(prisma), now: () => new Date(), newId: randomUUID };
    const first = await seedDemoProducts(deps, seedTenant);
    expect(first).toEqual(['PL-12', 'BNPL-4', 'PAYDAY-30', 'SME-TL'].map((code) => ({ code, version: 1, created: true })));
    const second = await seedDemoProducts(deps, seedTenant);
    expect(second).toEqual(first.map((s) => ({ ...s, created: false })));
    const list = (await app.inject({ url: '/v1/products', headers: auth(['partner'], seedTenant) })).json() as { items: { code: string; version: number }[] };
    expect(list.items.map((p) => [p.code, p.version]).sort()).toEqual([['BNPL-4', 1], ['PAYDAY-30', 1], ['PL-12', 1], ['SME-TL', 1]]);
    const events = (await pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE key LIKE $1", [`${seedTenant}:%`])).rows[0]!.n;
    expect(Number(events)).toBe(4);
  });
});
