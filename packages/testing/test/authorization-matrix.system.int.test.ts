import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1, topics } from '@lendstack/contracts';
import { signToken, type Role } from '@lendstack/platform';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';

// The authorization matrix (OWASP API1 broken object level authorization, API5 broken function level
// authorization) over real LOS and LMS processes: every operation of each service's served OpenAPI
// document is called with no credential, broken ones, another tenant's staff token and API key, and a
// read-only key of the owner, with the path ids of the owner's real objects (an application in the LOS,
// a loan and a product in the LMS). Nothing of one tenant is reachable by another; nothing without a
// valid credential; no scope is exceeded; and no call answers 5xx.
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-authz-matrix-secret-0123456789abcdef';
const owner = `authz-a-${runId}`;
const stranger = `authz-b-${runId}`;
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const PORTS = { los: await testPort('AUTHZ_TEST_LOS_PORT'), lms: await testPort('AUTHZ_TEST_LMS_PORT') };
const ALL_ROLES: Role[] = ['partner', 'operator', 'approver', 'admin'];
const nowSeconds = () => Math.floor(Date.now() / 1000);
const staff = (tenantId: string, roles: Role[] = ALL_ROLES, ttl = 3_600) => signToken(secret, { subject: `staff@${tenantId}`, tenantId, roles }, ttl, nowSeconds());
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let infra: Infrastructure;
let los: ServiceProcess;
let lms: ServiceProcess;

interface Answer { status: number; text: string }
async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

interface Operation { method: string; path: string }
async function operations(base: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m.toUpperCase(), path })));
}

/** Routes that answer without our credentials: probes, documents, the token and key endpoints, and vendors' webhooks (signed by the vendor instead). */
const PUBLIC = [/^\/health\//, /^\/metrics$/, /^\/\.well-known\/jwks\.json$/, /^\/oauth\/token$/, /webhooks?(\/|$)/];
const isPublic = (op: Operation) => PUBLIC.some((p) => p.test(op.path));

const fill = (path: string, ids: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(ids[name] ?? randomUUID()));

/** An API key of `tenantId` with `scopes`, created by its admin. */
async function apiKey(base: string, tenantId: string, scopes: string[]): Promise<{ id: string; key: string }> {
  const res = await call(base, 'POST', '/v1/api-keys', bearer(staff(tenantId, ['admin'])), { name: `matrix ${scopes.join('+')}`, scopes, rateLimitPerMinute: 100_000 });
  expect(res.status, res.text).toBe(201);
  return JSON.parse(res.text);
}

/** Base64url of JSON. */
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Subject {
  readonly name: string;
  readonly base: () => string;
  readonly ids: () => Record<string, string>;
  /**
   * What of the owner's must never appear in an answer to another tenant: its tenant id and its
   * borrower's name (a problem may repeat the id the caller sent; that is the caller's, not a leak).
   */
  readonly secrets: () => string[];
}

function product() {
  const file = fileURLToPath(new URL('../../contracts/fixtures/product-published.v1/accept/personal-loan-inr-equal-installment.json', import.meta.url));
  const { version: _v, effectiveAt: _e, ...definition } = (JSON.parse(readFileSync(file, 'utf8')) as { payload: Record<string, unknown> }).payload;
  return definition;
}

let loanId: string;
let applicationId: string;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  infra = await infrastructure();
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix };
  [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CONSUMER_GROUP: `los-authz-${runId}`, LOS_CHECKS_TENANT_PREFIX: owner }),
    startServiceProcess('lms', PORTS.lms, {
      ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, LMS_CONSUMER_GROUP: `lms-authz-${runId}`,
      LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collections-authz-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: owner, LMS_AUTODEBIT_INTERVAL_MS: '86400000',
    }),
  ]);

  // The owner's LMS objects: a product (published to the LOS too) and a loan booked from a LoanApproved.
  const created = await call(lms.url, 'POST', '/v1/products', bearer(staff(owner, ['admin'])), product());
  expect(created.status, created.text).toBe(201);
  const kafka = new Kafka({ clientId: `authz-${runId}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const event = sampleLoanApprovedV1({ loanId: randomUUID(), tenantId: owner, loan: { productCode: 'PL-12', principal: { amount: '30000000', currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12 } });
  await producer.send({ topic: `${prefix}${topics.loanApproved.name}`, messages: [{ key: event.subject, value: JSON.stringify(event) }] });
  await producer.disconnect();
  loanId = event.subject;
  await eventually(async () => ((await call(lms.url, 'GET', `/v1/loans/${loanId}`, bearer(staff(owner)))).status === 200 ? true : undefined), { timeoutMs: 90_000, what: 'the owner’s loan booked' })
    .catch((error: Error) => { throw new Error(`${error.message}; the LMS printed:\n${lms.output().slice(-4_000)}`); });

  // The owner's LOS object: an application for that product, once the LOS has read the catalogue.
  const application = {
    applicant: {
      name: { given: 'Asha', family: 'Matrix' }, contact: { email: `asha.${runId}@example.in`, phone: `+9198${String(Date.now()).slice(-8)}` },
      address: { line1: '5 Residency Road', city: 'Bengaluru', region: 'KA', postalCode: '560025', country: 'IN' },
      dateOfBirth: '1990-05-17', nationalId: { type: 'PAN', value: `ABCP${'M'}${String(Date.now()).slice(-4)}Z` },
      bankAccount: { holderName: 'Asha Matrix', accountNumber: `5001${String(Date.now()).slice(-8)}`, bankCode: 'HDFC0000001' },
    },
    employment: { employerName: 'Infosys', monthlyNetIncome: { amount: '15000000', currency: 'INR', scale: 2 } },
    loan: {
      productCode: 'PL-12', principal: { amount: '30000000', currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: inDays(2), fees: [],
    },
  };
  applicationId = await eventually(async () => {
    const res = await call(los.url, 'POST', '/v1/applications', { ...bearer(staff(owner, ['partner'])), 'idempotency-key': `authz-${runId}-app` }, application);
    return res.status === 201 ? (JSON.parse(res.text) as { id: string }).id : undefined;
  }, { timeoutMs: 60_000, what: 'the owner’s application (after the catalogue reached the LOS)' });
}, 240_000);

afterAll(async () => {
  await Promise.all([los?.stop(), lms?.stop()]);
  await infra?.stop();
});

const subjects: Subject[] = [
  { name: 'LOS', base: () => los.url, ids: () => ({ id: applicationId }), secrets: () => [owner, 'Matrix'] },
  { name: 'LMS', base: () => lms.url, ids: () => ({ id: loanId, code: 'PL-12' }), secrets: () => [owner, 'Priya Sharma'] },
];

describe.each(subjects)('authorization matrix: $name', (subject) => {
  it('answers 401 on every non-public operation to no credential, a garbage one, an expired, an unsigned (alg none), a revoked key and another service’s token', async () => {
    const base = subject.base();
    const ops = (await operations(base)).filter((op) => !isPublic(op));
    expect(ops.length).toBeGreaterThan(15);
    const revoked = await apiKey(base, owner, ['read', 'submit', 'service']);
    expect((await call(base, 'DELETE', `/v1/api-keys/${revoked.id}`, bearer(staff(owner, ['admin'])))).status).toBe(200);
    // A valid client-credentials token of the OTHER service: right tenant, wrong issuer and audience.
    const otherBase = subject.name === 'LOS' ? lms.url : los.url;
    const otherKey = await apiKey(otherBase, owner, ['read', 'submit', 'service']);
    const tokenRes = await fetch(`${otherBase}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${otherKey.id}:${otherKey.key}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(tokenRes.status).toBe(200);
    const foreignToken = ((await tokenRes.json()) as { access_token: string }).access_token;
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'x', tenant: owner, roles: ALL_ROLES, exp: nowSeconds() + 600 })}.`;
    const variants: [string, Record<string, string>][] = [
      ['none', {}],
      ['garbage', bearer('not-a-token')],
      ['expired', bearer(staff(owner, ALL_ROLES, -10))],
      ['alg none', bearer(unsigned)],
      ['wrong signature', bearer(signToken('another-deployment-secret-0123456789abcdef', { subject: 'x', tenantId: owner, roles: ALL_ROLES }, 600, nowSeconds()))],
      ['revoked key', bearer(revoked.key)],
      ['revoked key header', { 'x-api-key': revoked.key }],
      ['other service token', bearer(foreignToken)],
    ];
    const wrong: string[] = [];
    for (const op of ops) {
      for (const [name, headers] of variants) {
        const res = await call(base, op.method, fill(op.path, subject.ids()), headers);
        if (res.status !== 401) wrong.push(`${op.method} ${op.path} [${name}] → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets only the listed public operations answer without a credential', async () => {
    const base = subject.base();
    const open: string[] = [];
    for (const op of (await operations(base)).filter(isPublic)) {
      const res = await call(base, op.method, fill(op.path, subject.ids()), {});
      if (res.status >= 500) open.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(open).toEqual([]);
  });

  it('never shows or changes an object of one tenant for another tenant’s staff token or API key', async () => {
    const base = subject.base();
    const ops = (await operations(base)).filter((op) => !isPublic(op) && op.path !== '/v1/api-keys');
    const strangerKey = await apiKey(base, stranger, ['read', 'submit', 'service']);
    const leaks: string[] = [];
    for (const op of ops) {
      for (const [name, headers] of [['staff', bearer(staff(stranger))], ['api key', bearer(strangerKey.key)]] as const) {
        const res = await call(base, op.method, fill(op.path, subject.ids()), { ...headers, 'idempotency-key': `authz-${randomUUID()}` }, op.method === 'GET' || op.method === 'DELETE' ? undefined : {});
        const touchesOwner = op.path.includes('{');
        if (res.status >= 500) leaks.push(`${op.method} ${op.path} [${name}] → ${res.status} ${res.text.slice(0, 160)}`);
        else if (touchesOwner && res.status < 300) leaks.push(`${op.method} ${op.path} [${name}] → ${res.status}: the owner's object answered another tenant`);
        for (const id of subject.secrets()) if (res.text.includes(id)) leaks.push(`${op.method} ${op.path} [${name}] → ${res.status} shows ${id}`);
      }
    }
    expect(leaks).toEqual([]);
    // The owner reaches the same objects, so the refusals above are about the tenant, not a wrong id.
    const own = subject.name === 'LOS' ? `/v1/applications/${applicationId}` : `/v1/loans/${loanId}`;
    expect((await call(base, 'GET', own, bearer(staff(owner)))).status).toBe(200);
    expect((await call(base, 'GET', own, bearer(staff(stranger)))).status).toBe(404);
  });

  it('keeps a read-only partner key of the owner to reading, and partner credentials off staff and admin operations', async () => {
    const base = subject.base();
    const ops = (await operations(base)).filter((op) => !isPublic(op));
    const reader = await apiKey(base, owner, ['read']);
    const writer = await apiKey(base, owner, ['read', 'submit', 'service']);
    const wrong: string[] = [];
    for (const op of ops) {
      const path = fill(op.path, subject.ids());
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
      const res = await call(base, op.method, path, { ...bearer(reader.key), 'idempotency-key': `authz-${randomUUID()}` }, body);
      const readsOnly = op.method === 'GET' || op.path === '/v1/quotes';
      if (res.status >= 500) wrong.push(`${op.method} ${op.path} [read key] → ${res.status}`);
      if (!readsOnly && res.status !== 403) wrong.push(`${op.method} ${op.path} [read key] → ${res.status}, not 403`);
      if (op.path.startsWith('/v1/api-keys')) {
        const asWriter = await call(base, op.method, path, { ...bearer(writer.key), 'idempotency-key': `authz-${randomUUID()}` }, body);
        if (asWriter.status !== 403) wrong.push(`${op.method} ${op.path} [partner key] → ${asWriter.status}: key admin is for tenant admins`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
