import { randomUUID } from 'node:crypto';
import { errorMediaTypes, signToken } from '@lendstack/platform';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';

// The OpenAPI documents each service serves, read from the service running as its own process: what
// they say about errors, and what the service answers where the shared HTTP layer decides.
//   OPENAPI_TEST_LOS_PORT / OPENAPI_TEST_LMS_PORT: ports of the two processes (default: free ones, testPort)
const ports = { los: await testPort('OPENAPI_TEST_LOS_PORT'), lms: await testPort('OPENAPI_TEST_LMS_PORT') };
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-openapi-documents-test-secret-0123';
const token = signToken(secret, { subject: 'reader@openapi', tenantId: 'openapi', roles: ['partner', 'operator', 'approver', 'admin'] }, 600, Math.floor(Date.now() / 1000));

type Doc = Parameters<typeof errorMediaTypes>[0] & { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
let infra: Infrastructure;
const services: Partial<Record<'los' | 'lms', ServiceProcess>> = {};
const docs: Partial<Record<'los' | 'lms', Doc>> = {};

beforeAll(async () => {
  infra = await infrastructure();
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '' };
  const [los, lms] = await Promise.all([
    startServiceProcess('los', ports.los, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CHECKS_TENANT_PREFIX: 'openapi' }, { waitFor: 'live' }),
    startServiceProcess('lms', ports.lms, {
      ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress,
      LMS_CONSUMER_GROUP: `lms-openapi-${runId}`, TEMPORAL_TASK_QUEUE: `collections-openapi-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: 'openapi',
    }, { waitFor: 'live' }),
  ]);
  services.los = los;
  services.lms = lms;
  for (const name of ['los', 'lms'] as const) docs[name] = await (await fetch(`${services[name]!.url}/openapi.json`)).json() as Doc;
}, 180_000);

afterAll(async () => {
  await Promise.all([services.los?.stop(), services.lms?.stop()]);
  await infra?.stop();
});

describe.each(['los', 'lms'] as const)('the %s OpenAPI document under an independent validator', (name) => {
  // @seriousme/openapi-schema-validator: the OpenAPI Initiative's published JSON Schema for 3.1 (with the
  // 2020-12 dialect for the schema objects), run by Ajv; every $ref must resolve inside the document.
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(docs[name]! as unknown as Record<string, unknown>);
    expect([validator.version, result.errors ?? []]).toEqual(['3.1', []]);
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
  });
});

const longIdPaths = { los: '/v1/applications/', lms: '/v1/loans/' } as const;

describe.each(['los', 'lms'] as const)('the %s OpenAPI document', (name) => {
  it('documents every error response as application/problem+json, and only that (OAuth 2.0 token errors: application/json)', () => {
    const errors = errorMediaTypes(docs[name]!);
    expect(errors.length).toBeGreaterThan(20);
    // The token endpoint's 400 is OAuth's own error or, from the shared layer (a body that is not JSON), a problem.
    const expected = (e: { operation: string; code: string }) => (e.operation !== 'POST /oauth/token' ? ['application/problem+json']
      : e.code === '400' ? ['application/json', 'application/problem+json'] : e.code === '401' ? ['application/json'] : ['application/problem+json']);
    expect(errors.filter((e) => JSON.stringify(e.mediaTypes) !== JSON.stringify(expected(e)))).toEqual([]);
    const token = docs[name]!.paths['/oauth/token']!.post as unknown as { responses: Record<string, { content: Record<string, { schema: { required: string[]; 'x-media-type'?: string } }> }> };
    expect([token.responses['400']!.content['application/json']!.schema.required, token.responses['401']!.content['application/json']!.schema['x-media-type']]).toEqual([['error', 'error_description'], undefined]);
  });

  it('documents 400, 401, 414 and 500 on every operation, and 413 and 415 on every one that reads a body', () => {
    const missing = Object.entries(docs[name]!.paths).flatMap(([path, operations]) => Object.entries(operations).flatMap(([method, operation]) => {
      const expected = ['400', '401', '414', '500', ...(method === 'get' ? [] : ['413', '415'])];
      return expected.filter((code) => !(code in operation.responses)).map((code) => `${method.toUpperCase()} ${path} ${code}`);
    }));
    expect(missing).toEqual([]);
  });

  it('answers a path id longer than its schema allows with a 400 naming it (not the router\'s 414)', async () => {
    const res = await fetch(`${services[name]!.url}${longIdPaths[name]}${'a'.repeat(300)}`, { headers: { authorization: `Bearer ${token}` } });
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/problem+json; charset=utf-8']);
    expect((await res.json() as { errors: unknown[] }).errors).toEqual([{ pointer: '/params/id', detail: expect.any(String) }]);
  });

  it('answers a request target past its bound with a 414 problem that does not repeat it', async () => {
    const res = await fetch(`${services[name]!.url}${longIdPaths[name]}${'b'.repeat(9000)}`, { headers: { authorization: `Bearer ${token}` } });
    expect([res.status, res.headers.get('content-type')]).toEqual([414, 'application/problem+json; charset=utf-8']);
    expect(await res.text()).not.toContain('bbbbbbbb');
  });
});

// One write route each service guards with an Idempotency-Key, and a body that passes nothing else first.
const keyedWrites = {
  los: { path: '/v1/applications', body: {} },
  lms: { path: '/v1/end-of-day-runs', body: { to: '2026-12-02' } },
} as const;

describe.each(['los', 'lms'] as const)('the %s service', (name) => {
  it('refuses an Idempotency-Key shorter than 8 characters naming the header (/header/idempotency-key)', async () => {
    const res = await fetch(`${services[name]!.url}${keyedWrites[name].path}`, {
      method: 'POST', body: JSON.stringify(keyedWrites[name].body),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'short' },
    });
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/problem+json; charset=utf-8']);
    expect((await res.json() as { errors: unknown[] }).errors).toEqual([{ pointer: '/header/idempotency-key', detail: expect.any(String) }]);
  });
});

type Schema = { pattern?: string; minLength?: number; enum?: string[]; properties?: Record<string, Schema> };
const bodySchema = (name: 'los' | 'lms', path: string) =>
  (docs[name]!.paths[path]!.post as unknown as { requestBody: { content: { 'application/json': { schema: Schema } } } }).requestBody.content['application/json'].schema;
const queryParam = (name: 'los' | 'lms', path: string, param: string) =>
  (docs[name]!.paths[path]!.get as unknown as { parameters: { name: string; schema: Schema }[] }).parameters.find((p) => p.name === param)!.schema;
const matches = (schema: Schema | undefined, value: string) => new RegExp(schema!.pattern!, 'u').test(value);

describe('constraints the services enforce are in their documents', () => {
  it('a principal or repayment of zero is outside the documented pattern, a positive one inside', () => {
    const quote = bodySchema('los', '/v1/quotes').properties!;
    const application = bodySchema('los', '/v1/applications').properties!.loan!.properties!.principal!.properties!.amount;
    const repayment = bodySchema('lms', '/v1/loans/{id}/repayments').properties!.amount!.properties!.amount;
    for (const [label, schema, zero, positive] of [['quote', quote.principal, '0.00', '1000.50'], ['application', application, '0', '100000'], ['repayment', repayment, '0', '2500']] as const) {
      expect([label, matches(schema, zero), matches(schema, '-5'), matches(schema, positive)]).toEqual([label, false, false, true]);
    }
    expect(quote.currency!.enum).toEqual(expect.arrayContaining(['INR', 'USD', 'JPY', 'KWD']));
    expect(quote.currency!.enum).not.toContain('XXX');
  });

  it('money documents the scale of each currency (JPY 0, INR 2, KWD 3), as the services require', () => {
    const repayment = bodySchema('lms', '/v1/loans/{id}/repayments').properties!.amount as Schema & { anyOf: { properties: { currency: { enum: string[] }; scale: { enum: number[] } } }[] };
    const scaleOf = (code: string) => repayment.anyOf.filter((b) => b.properties.currency.enum.includes(code)).flatMap((b) => b.properties.scale.enum);
    expect([scaleOf('JPY'), scaleOf('INR'), scaleOf('USD'), scaleOf('KWD')]).toEqual([[0], [2], [2], [3]]);
  });

  it('an empty cursor is below the documented minimum length', () => {
    expect(queryParam('lms', '/v1/loans', 'cursor').minLength).toBe(1);
    expect(queryParam('los', '/v1/applications', 'cursor').minLength).toBe(1);
  });

  it('and the services refuse exactly those values', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const terms = { principal: '0.00', currency: 'INR', annualRatePercent: '12', termPeriods: 12, frequency: 'monthly', method: 'equal-installment', interestCalculation: 'per-period', dayCount: 'actual/365', disbursementDate: '2026-01-01' };
    const zero = await fetch(`${services.los!.url}/v1/quotes`, { method: 'POST', headers, body: JSON.stringify(terms) });
    expect([zero.status, (await zero.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)]).toEqual([400, ['/principal']]);
    const xxx = await fetch(`${services.los!.url}/v1/quotes`, { method: 'POST', headers, body: JSON.stringify({ ...terms, principal: '100', currency: 'XXX' }) });
    expect([xxx.status, (await xxx.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)]).toEqual([400, ['/currency']]);
    const jpyCents = await fetch(`${services.lms!.url}/v1/loans/${randomUUID()}/repayments`, { method: 'POST', headers, body: JSON.stringify({ amount: { amount: '100', currency: 'JPY', scale: 2 }, valueDate: '2026-01-01', channel: 'upi', reference: 'r-1' }) });
    expect([jpyCents.status, (await jpyCents.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)]).toEqual([400, ['/amount/scale']]);
    const empty = await fetch(`${services.lms!.url}/v1/loans?cursor=`, { headers });
    expect([empty.status, (await empty.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)]).toEqual([400, ['/query/cursor']]);
  });
});
