import { randomUUID } from 'node:crypto';
import { loanApprovedV1Schema } from '@lendstack/contracts';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationBody, isoDateFromToday, startLosTestServer, uniquePan, uniqueTenant, type LosTestServer } from './support/los-test-server.js';

let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-apps');
});
afterAll(async () => {
  await los?.close();
});

const partner = () => los.auth(['partner']);
const operator = () => los.auth(['operator']);
const submit = (body: unknown, headers: Record<string, string> = {}) =>
  los.app.inject({ method: 'POST', url: '/v1/applications', headers: { ...partner(), ...headers }, payload: body as object });
const decide = (id: string, kind: 'approve' | 'decline', body: unknown = {}, headers = operator()) =>
  los.app.inject({ method: 'POST', url: `/v1/applications/${id}/${kind}`, headers, payload: body as object });
async function submitted(body = applicationBody()): Promise<string> {
  const res = await submit(body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}
/** Submitted and through its checks (checks-complete), so it can be approved. */
async function checked(body = applicationBody()): Promise<string> {
  const id = await submitted(body);
  await los.awaitChecks(id, 'checks-complete');
  return id;
}
const pointers = (body: string) => (JSON.parse(body) as { errors: { pointer: string; detail: string }[] }).errors;
const outboxRows = async (loanId: string) =>
  (await los.pool.query<{ value: unknown; key: string; sent_at: Date | null }>('SELECT value, key, sent_at FROM outbox WHERE key = $1', [loanId])).rows;

describe('POST /v1/applications', () => {
  it('creates the application: 201, Location, tokenised PII', async () => {
    const pan = uniquePan();
    const res = await submit(applicationBody({ pan }));
    expect(res.statusCode).toBe(201);
    const app = res.json<{ id: string; status: string; tenantId: string; applicant: { nationalId: { masked: string } } }>();
    expect(res.headers.location).toBe(`/v1/applications/${app.id}`);
    expect(app).toMatchObject({ status: 'submitted', tenantId: los.tenantId });
    expect(app.applicant.nationalId.masked).toBe(`XXXXXX${pan.slice(-4)}`);
    expect(res.body).not.toContain(pan);
  });

  it.each([
    ['a missing given name', (b: any) => delete b.applicant.name.given, '/applicant/name/given'],
    ['a float money amount', (b: any) => (b.loan.principal.amount = 500000.5), '/loan/principal/amount'],
    ['a decimal string money amount', (b: any) => (b.loan.principal.amount = '500000.50'), '/loan/principal/amount'],
    ['a bad currency', (b: any) => (b.loan.principal.currency = 'rupees'), '/loan/principal/currency'],
    ['a date not in the documented form', (b: any) => (b.loan.expectedDisbursementDate = '2026-2-3'), '/loan/expectedDisbursementDate'],
    ['an impossible calendar date (the documented pattern has only real dates)', (b: any) => (b.loan.expectedDisbursementDate = '2026-02-30'), '/loan/expectedDisbursementDate'],
  ])('refuses %s with 400 problem+json naming the field', async (_name, mutate, pointer) => {
    const body = applicationBody();
    mutate(body);
    const res = await submit(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, type: expect.stringContaining('validation-error') });
    expect(pointers(res.body).map((e) => e.pointer)).toContain(pointer);
  });

  // 422: the body has the documented shape and breaks a rule no schema can state (the 400/422 rule).
  it.each([
    ['a first due date before the expected disbursement', (b: any) => (b.loan.firstDueDate = '2025-01-01'), '/loan/firstDueDate'],
    ['a date of birth in the future', (b: any) => (b.applicant.dateOfBirth = '2999-01-01'), '/applicant/dateOfBirth'],
  ])('refuses %s with 422 problem+json naming the field', async (_name, mutate, pointer) => {
    const body = applicationBody();
    mutate(body);
    const res = await submit(body);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 422, type: expect.stringContaining('validation-error') });
    expect(pointers(res.body).map((e) => e.pointer)).toContain(pointer);
  });

  it('refuses a zero-interest split at a non-zero rate, naming the rate', async () => {
    const body = { ...applicationBody(), loan: { ...applicationBody().loan, scheduleMethod: 'zero-interest-split', annualRatePercent: '12' } };
    const res = await submit(body);
    expect(res.statusCode).toBe(422);
    expect(pointers(res.body)).toEqual([{ pointer: '/loan/annualRatePercent', detail: 'must be 0 for scheduleMethod zero-interest-split' }]);
  });

  it('refuses an unknown property with 400 naming it', async () => {
    const body = { ...applicationBody(), loan: { ...applicationBody().loan, discountPercent: '5' } };
    const res = await submit(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const errors = pointers(res.body);
    expect(errors).toContainEqual({ pointer: '/loan/discountPercent', detail: 'unknown property discountPercent' });
  });

  it('replays the same Idempotency-Key and body: 200, same id, idempotent-replayed', async () => {
    const key = `idem-${randomUUID()}`;
    const body = applicationBody();
    const first = await submit(body, { 'idempotency-key': key });
    const second = await submit(body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
  });

  it('refuses the same Idempotency-Key with another body: 422', async () => {
    const key = `idem-${randomUUID()}`;
    expect((await submit(applicationBody(), { 'idempotency-key': key })).statusCode).toBe(201);
    const res = await submit(applicationBody(), { 'idempotency-key': key });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(pointers(res.body)[0]?.pointer).toBe('/header/idempotency-key');
  });

  it('creates exactly one application for 5 concurrent requests with one key', async () => {
    const key = `idem-${randomUUID()}`;
    const body = applicationBody();
    const responses = await Promise.all(Array.from({ length: 5 }, () => submit(body, { 'idempotency-key': key })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    // The borrower id derives from the national id's token, and the PAN is unique to this test.
    const borrowerId = responses[0]!.json().applicant.id;
    const { rows } = await los.pool.query("SELECT id FROM applications WHERE tenant_id = $1 AND applicant->>'id' = $2", [los.tenantId, borrowerId]);
    expect(rows.map((r) => r.id)).toEqual([responses[0]!.json().id]);
  });
});

describe('authentication and tenancy', () => {
  const expired = () => signToken(los.secret, { subject: 'p', tenantId: los.tenantId, roles: ['partner'] }, 60, Math.floor(Date.now() / 1000) - 3600);
  const forged = () => signToken('another-secret-that-is-at-least-32-characters', { subject: 'p', tenantId: los.tenantId, roles: ['partner'] }, 300, Math.floor(Date.now() / 1000));

  // Headers are built lazily: the table is read before beforeAll has started the server.
  it.each([
    ['no token', () => ({})],
    ['a malformed token', () => ({ authorization: 'Bearer not.a.token' })],
    ['a token signed with another secret', () => ({ authorization: `Bearer ${forged()}` })],
    ['an expired token', () => ({ authorization: `Bearer ${expired()}` })],
  ])('answers 401 to %s', async (_name, headers) => {
    const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: headers(), payload: applicationBody() });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 403 when a partner approves', async () => {
    const id = await submitted();
    const res = await decide(id, 'approve', {}, partner());
    expect(res.statusCode).toBe(403);
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() })).json().status).not.toBe('approved');
  });

  it("answers 404 to another tenant reading or approving this tenant's application", async () => {
    const id = await submitted();
    const other = uniqueTenant('los-int-other');
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: los.auth(['partner'], other) })).statusCode).toBe(404);
    expect((await decide(id, 'approve', {}, los.auth(['operator'], other))).statusCode).toBe(404);
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() })).statusCode).toBe(200);
  });
});

describe('GET /v1/applications/:id', () => {
  it('returns the application', async () => {
    const id = await submitted();
    const res = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'submitted', loanId: null, decision: null });
  });

  it('answers 400 naming /params/id for a non-UUID and 404 for an unknown id', async () => {
    const bad = await los.app.inject({ method: 'GET', url: '/v1/applications/nope', headers: partner() });
    expect(bad.statusCode).toBe(400);
    expect(pointers(bad.body)[0]?.pointer).toBe('/params/id');
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${randomUUID()}`, headers: partner() })).statusCode).toBe(404);
  });
});

describe('decisions', () => {
  it('approves: status approved, a loan id, exactly one outbox row with a valid, masked LoanApproved', async () => {
    const pan = uniquePan();
    const accountNumber = `9${Date.now()}`;
    const id = await checked(applicationBody({ pan, accountNumber }));
    const res = await decide(id, 'approve', { note: 'meets policy' });
    expect(res.statusCode, res.body).toBe(200);
    const app = res.json<{ status: string; loanId: string }>();
    expect(app.status).toBe('approved');
    expect(app.loanId).toMatch(/^[0-9a-f-]{36}$/);

    const rows = await outboxRows(app.loanId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sent_at).toBeNull();
    const event = loanApprovedV1Schema.parse(rows[0]!.value);
    expect(event).toMatchObject({ type: 'LoanApproved', version: 1, tenantId: los.tenantId, subject: app.loanId, correlationId: id });
    expect(event.payload.loan).toMatchObject({ id: app.loanId, applicationId: id });
    expect(event.payload.borrower.nationalId.masked).toBe(`XXXXXX${pan.slice(-4)}`);

    for (const [table, column] of [['outbox', 'value'], ['applications', 'applicant'], ['idempotency_records', 'response_body']] as const) {
      const { rows: leaks } = await los.pool.query(`SELECT 1 FROM ${table} WHERE ${column}::text LIKE $1 OR ${column}::text LIKE $2`, [`%${pan}%`, `%${accountNumber}%`]);
      expect(leaks, `clear PII in ${table}`).toHaveLength(0);
    }
    const { rows: raw } = await los.pool.query('SELECT a::text AS row FROM applications a WHERE id = $1', [id]);
    expect(raw[0].row).not.toContain(pan);
  });

  it('approving twice returns the same loan id and leaves one outbox row', async () => {
    const id = await checked();
    const first = await decide(id, 'approve');
    const second = await decide(id, 'approve');
    expect(second.statusCode).toBe(200);
    expect(second.json().loanId).toBe(first.json().loanId);
    expect(await outboxRows(first.json().loanId)).toHaveLength(1);
  });

  it('approves more applications at once than the pool has connections (no connection waits inside a transaction for another)', async () => {
    // The test server's pool has 10 connections; 16 approvals at once each hold one while deciding.
    const ids = await Promise.all(Array.from({ length: 16 }, () => checked()));
    const results = await Promise.all(ids.map((id) => decide(id, 'approve')));
    expect(results.map((r) => r.statusCode)).toEqual(ids.map(() => 200));
    expect(new Set(results.map((r) => r.json().loanId)).size).toBe(16);
  }, 60_000);

  it('concurrent approvals produce one loan and one outbox row', async () => {
    const id = await checked();
    const results = await Promise.all(Array.from({ length: 4 }, () => decide(id, 'approve')));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const loanIds = new Set(results.map((r) => r.json().loanId));
    expect(loanIds.size).toBe(1);
    expect(await outboxRows([...loanIds][0])).toHaveLength(1);
  });

  it('declining after approval answers 409 and changes nothing', async () => {
    const id = await checked();
    const approved = await decide(id, 'approve');
    const res = await decide(id, 'decline', { reason: 'second thoughts' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ currentStatus: 'approved' });
    const after = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() });
    expect(after.json()).toMatchObject({ status: 'approved', loanId: approved.json().loanId });
  });

  it('declines with a reason and emits nothing; a decline without a reason is 400 naming /reason', async () => {
    // Declining needs no checks: it is allowed while they run.
    const id = await submitted();
    const missing = await decide(id, 'decline', {});
    expect(missing.statusCode).toBe(400);
    expect(pointers(missing.body).map((e) => e.pointer)).toContain('/reason');
    const res = await decide(id, 'decline', { reason: 'income below policy' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'declined', loanId: null, decision: { reason: 'income below policy' } });
    const { rows } = await los.pool.query("SELECT 1 FROM outbox WHERE value #>> '{correlationId}' = $1 AND value #>> '{type}' = 'LoanApproved'", [id]);
    expect(rows).toHaveLength(0);
  });

  it('refuses to approve a disbursement date already past: 422 invalid-terms, no outbox row', async () => {
    const id = await checked(applicationBody({ disbursementDate: isoDateFromToday(-3) }));
    const res = await decide(id, 'approve');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: expect.stringContaining('invalid-terms') });
    const { rows } = await los.pool.query("SELECT 1 FROM outbox WHERE value #>> '{correlationId}' = $1 AND value #>> '{type}' = 'LoanApproved'", [id]);
    expect(rows).toHaveLength(0);
  });
});

describe('service endpoints', () => {
  it('serves an OpenAPI 3.1.0 document listing the paths', async () => {
    const res = await los.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/applications', '/v1/applications/{id}', '/v1/applications/{id}/approve', '/v1/applications/{id}/decline', '/v1/quotes',
    ]));
  });

  it('answers /health/live and /health/ready', async () => {
    expect((await los.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await los.app.inject({ method: 'GET', url: '/health/ready' })).json()).toMatchObject({ status: 'ready', checks: { database: 'up' } });
  });

  it('serves Prometheus metrics, counting requests by route template and status', async () => {
    await los.app.inject({ method: 'GET', url: `/v1/applications/${randomUUID()}`, headers: partner() });
    const res = await los.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/v1\/applications\/:id"[^}]*status="404"[^}]*\} [1-9]/);
    expect(res.body).toContain('process_cpu_seconds_total');
  });
});

describe('GET /v1/applications', () => {
  it('lists only the caller tenant’s applications, newest first, a page at a time without gaps or repeats', async () => {
    const tenant = uniqueTenant('los-list');
    const headers = los.auth(['partner'], tenant);
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers, payload: applicationBody() });
      created.push(res.json<{ id: string }>().id);
    }
    const seen: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/applications?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await los.app.inject({ method: 'GET', url, headers })).json<{ items: { id: string; tenantId: string; createdAt: string }[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((a) => a.tenantId === tenant)).toBe(true);
      seen.push(...page.items.map((a) => a.id));
      times.push(...page.items.map((a) => a.createdAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(created.length);
    expect(new Set(seen)).toEqual(new Set(created));
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by status and refuses a bad limit or a forged cursor naming the field', async () => {
    const headers = los.auth(['partner'], uniqueTenant('los-list'));
    await los.app.inject({ method: 'POST', url: '/v1/applications', headers, payload: applicationBody() });
    const approved = await los.app.inject({ method: 'GET', url: '/v1/applications?status=approved', headers });
    expect(approved.json<{ items: unknown[] }>().items).toEqual([]);
    const badLimit = await los.app.inject({ method: 'GET', url: '/v1/applications?limit=1000', headers });
    expect(badLimit.statusCode).toBe(400);
    expect(pointers(badLimit.body).map((e) => e.pointer)).toEqual(['/query/limit']);
    const forged = await los.app.inject({ method: 'GET', url: '/v1/applications?cursor=not-a-cursor', headers });
    expect(forged.statusCode).toBe(422); // well-formed (any non-empty string, as documented) but not issued
    expect(pointers(forged.body).map((e) => e.pointer)).toEqual(['/query/cursor']);
  });
});
