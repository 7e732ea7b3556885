import { randomInt, randomUUID } from 'node:crypto';
import { applicationChecksCompletedV1Schema, applicationCheckExceptionV1Schema } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorResponseError, VendorUnavailableError, type CheckRunner } from '../src/modules/checks/check-runner.js';
import type { RegisteredRunner } from '../src/modules/checks/runners.js';
import { applicationBody, startLosTestServer, uniqueTenant, type LosTestServer } from './support/los-test-server.js';

// The checks workflow on the real Temporal, Postgres and the LOS's own-data runners (duplicate, velocity,
// device, sanctions against the shipped OFAC excerpt), plus vendors that exist only here: a bureau that is
// always down, and a document vendor whose answers this file controls. The vendor checks against their
// sandboxes (KYC, bureau, OCR, income) are in checks-vendors.int.test.ts.
let bureauCalls = 0;
const alwaysDown: CheckRunner = {
  kind: 'bureau',
  async run() {
    bureauCalls += 1;
    throw new VendorUnavailableError('test-bureau', '503 Service Unavailable');
  },
};
let ocrMode: 'down' | 'malformed' | 'up' = 'up';
const ocrKeys: string[] = [];
const controllable: CheckRunner = {
  kind: 'document-ocr',
  async run(_subject, ctx) {
    ocrKeys.push(ctx.idempotencyKey);
    if (ocrMode === 'down') throw new VendorUnavailableError('test-ocr', 'connect ECONNREFUSED');
    if (ocrMode === 'malformed') throw new VendorResponseError('test-ocr', 'body is not JSON: <html>');
    return { kind: 'document-ocr', result: 'pass', score: 0.99, reasons: [], vendorReference: `ocr-${ctx.idempotencyKey}`, evidence: { fields: 5 } };
  },
};

const OWN_DATA = ['duplicate', 'velocity', 'device', 'sanctions'];
const ownData = (defaults: RegisteredRunner[]) => defaults.filter((r) => OWN_DATA.includes(r.runner.kind));

let los: LosTestServer;
let outage: LosTestServer;
beforeAll(async () => {
  // Two servers with different runners on one database: each starts the checks of its own tenants only.
  los = await startLosTestServer('los-int-checks', { runners: (defaults) => [...ownData(defaults), { runner: controllable }] });
  outage = await startLosTestServer('los-int-outage', { runners: (defaults) => [...ownData(defaults), { runner: alwaysDown }] });
});
afterAll(async () => {
  await los?.close();
  await outage?.close();
});

const submit = async (server: LosTestServer, body: unknown, tenantId = server.tenantId) => {
  const res = await server.app.inject({ method: 'POST', url: '/v1/applications', headers: server.auth(['partner'], tenantId), payload: body as object });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
};
const checksOf = async (server: LosTestServer, id: string, tenantId = server.tenantId) => {
  const res = await server.app.inject({ method: 'GET', url: `/v1/applications/${id}/checks`, headers: server.auth(['partner'], tenantId) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ status: string; checksRun: number; items: any[] }>();
};
const byKind = (items: any[], kind: string) => items.find((c) => c.kind === kind);
const approve = (server: LosTestServer, id: string) => server.app.inject({ method: 'POST', url: `/v1/applications/${id}/approve`, headers: server.auth(['operator']), payload: {} });
const rerun = (server: LosTestServer, id: string, kind: string, headers: Record<string, string> = { ...server.auth(['operator']), 'idempotency-key': `rerun-${randomUUID()}` }) =>
  server.app.inject({ method: 'POST', url: `/v1/applications/${id}/checks/${kind}/reruns`, headers });
const events = async (server: LosTestServer, id: string) =>
  (await server.pool.query<{ value: any }>("SELECT value FROM outbox WHERE key = $1 AND topic LIKE '%applications' ORDER BY seq", [id])).rows.map((r) => r.value);

describe('a clean applicant', () => {
  it('passes every check, reaches checks-complete with each transition on the outbox, and can be approved', async () => {
    const id = await submit(los, { ...applicationBody(), device: { fingerprint: `fp-${randomUUID()}`, ip: `49.36.${randomInt(0, 256)}.${randomInt(1, 255)}` } });
    await los.awaitChecks(id, 'checks-complete');
    const checks = await checksOf(los, id);
    expect(checks).toMatchObject({ status: 'checks-complete', checksRun: 1 });
    expect(checks.items.map((c) => c.kind).sort()).toEqual(['device', 'document-ocr', 'duplicate', 'sanctions', 'velocity']);
    for (const c of checks.items) {
      expect(c, c.kind).toMatchObject({ run: 1, status: 'completed', result: 'pass', attempts: 1 });
      expect(Date.parse(c.completedAt)).toBeGreaterThanOrEqual(Date.parse(c.startedAt));
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
      expect(c.evidence).toBeTypeOf('object');
    }
    expect(byKind(checks.items, 'sanctions').evidence).toMatchObject({ match: null, listSize: expect.any(Number) });
    expect(byKind(checks.items, 'velocity').evidence.windows).toContainEqual(expect.objectContaining({ signal: 'device', count: 1 }));
    expect(byKind(checks.items, 'document-ocr').vendorReference).toBe(`ocr-chk-${id}-document-ocr-r1`);

    const lifecycle = await events(los, id);
    expect(lifecycle.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationChecksStarted', 'ApplicationChecksCompleted']);
    const completed = applicationChecksCompletedV1Schema.parse(lifecycle[2]);
    expect(completed.payload.checks.map((c) => [c.kind, c.status, c.result])).toContainEqual(['sanctions', 'completed', 'pass']);

    const approved = await approve(los, id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
  });
});

describe('sanctions', () => {
  it('an exact SDN name and date of birth fails with the matched entry as evidence; approval is refused naming it', async () => {
    const body = applicationBody();
    body.applicant.name = { given: 'Paulo', family: 'Elcoro Ayastuy' };
    (body.applicant as any).dateOfBirth = '1973-10-22';
    const id = await submit(los, body);
    await los.awaitChecks(id, 'checks-complete');
    const sanctions = byKind((await checksOf(los, id)).items, 'sanctions');
    expect(sanctions).toMatchObject({ status: 'completed', result: 'fail', reasons: [expect.objectContaining({ code: 'sanctions-match' })] });
    expect(sanctions.score).toBeGreaterThanOrEqual(0.97);
    expect(sanctions.evidence.match).toMatchObject({ uid: '7183', name: 'ELCORO AYASTUY, Paulo', dateOfBirth: 'agrees' });
    expect(JSON.stringify(sanctions.evidence)).not.toContain('1973-10-22');
    const refused = await approve(los, id);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: expect.stringContaining('checks-not-complete'), blockingChecks: [{ kind: 'sanctions', status: 'completed', result: 'fail' }] });
    expect(refused.json().detail).toContain('sanctions is completed with fail');
  });

  it('a close spelling of an SDN name is referred to an operator with the entry it resembles', async () => {
    const body = applicationBody();
    body.applicant.name = { given: 'Paolo', family: 'Elcoro Ayastui' };
    const id = await submit(los, body);
    await los.awaitChecks(id, 'checks-complete');
    const sanctions = byKind((await checksOf(los, id)).items, 'sanctions');
    expect(sanctions).toMatchObject({ result: 'refer', reasons: [expect.objectContaining({ code: 'sanctions-possible-match' })] });
    expect(sanctions.evidence.match).toMatchObject({ uid: '7183' });
    // A referral is a finding for a person, not a hard stop: the operator may approve.
    expect((await approve(los, id)).statusCode).toBe(200);
  });

  it('a politically exposed person is referred for enhanced due diligence with reason pep-match and the PEP entry', async () => {
    const body = applicationBody();
    body.applicant.name = { given: 'Ted', family: 'Cruz' };
    (body.applicant as any).dateOfBirth = '1970-12-22';
    const id = await submit(los, body);
    await los.awaitChecks(id, 'checks-complete');
    const sanctions = byKind((await checksOf(los, id)).items, 'sanctions');
    expect(sanctions).toMatchObject({ status: 'completed', result: 'refer', reasons: [expect.objectContaining({ code: 'pep-match' })] });
    expect(sanctions.evidence).toMatchObject({ match: null, pepSnapshotId: expect.stringMatching(/^pep:/), pepMatch: { list: 'pep', id: 'us-bioguide:C001098', role: 'US Senate (TX)', dateOfBirth: 'agrees' } });
    expect(JSON.stringify(sanctions.evidence)).not.toContain('1970-12-22');
  });
});

describe('duplicates across tenants', () => {
  it('a national id already used at another lender is `seen-elsewhere`, with a count and nothing of the other lender', async () => {
    const first = applicationBody();
    const otherTenant = uniqueTenant('los-int-checks-lender-b');
    const firstId = await submit(los, first, otherTenant);
    await los.awaitChecks(firstId);
    const second = applicationBody({ pan: first.applicant.nationalId.value });
    const id = await submit(los, second);
    await los.awaitChecks(id, 'checks-complete');
    const duplicate = byKind((await checksOf(los, id)).items, 'duplicate');
    expect(duplicate).toMatchObject({ result: 'refer', reasons: [{ code: 'seen-elsewhere', detail: 'national-id is on 1 application(s) with other lenders' }] });
    expect(duplicate.evidence['national-id']).toEqual({ otherApplicationsThisTenant: 0, applicationsElsewhere: 1 });
    const shown = JSON.stringify(await checksOf(los, id));
    expect(shown).not.toContain(otherTenant);
    expect(shown).not.toContain(firstId);
    // The first lender's own view did not change: it was first.
    expect(byKind((await checksOf(los, firstId, otherTenant)).items, 'duplicate').result).toBe('pass');
  });

  it('the same national id twice at one lender is a duplicate-application finding', async () => {
    const body = applicationBody();
    await los.awaitChecks(await submit(los, body));
    const id = await submit(los, applicationBody({ pan: body.applicant.nationalId.value }));
    await los.awaitChecks(id);
    expect(byKind((await checksOf(los, id)).items, 'duplicate').reasons).toContainEqual(expect.objectContaining({ code: 'duplicate-application' }));
  });
});

describe('velocity and device', () => {
  it('a device over its window limit is referred; an unroutable IP is a device finding', async () => {
    const fingerprint = `fp-burst-${randomUUID()}`;
    const ids: string[] = [];
    // Five first, checked; then the sixth (checks of concurrent applications see each other only once recorded).
    for (let i = 0; i < 5; i += 1) ids.push(await submit(los, { ...applicationBody(), device: { fingerprint, ip: '192.0.2.44' } }));
    for (const id of ids) await los.awaitChecks(id);
    ids.push(await submit(los, { ...applicationBody(), device: { fingerprint, ip: '192.0.2.44' } }));
    await los.awaitChecks(ids[5]!);
    const last = (await checksOf(los, ids[5]!)).items;
    expect(byKind(last, 'velocity')).toMatchObject({ result: 'refer', reasons: expect.arrayContaining([expect.objectContaining({ code: 'velocity-exceeded' })]) });
    const device = byKind(last, 'device');
    expect(device.reasons.map((r: any) => r.code)).toEqual(['device-shared', 'ip-unroutable']);
    expect(device.evidence).toMatchObject({ otherNationalIds: 5, ipUnroutable: true });
  });
});

describe('a vendor outage', () => {
  it('retries with backoff, then parks the check as exception: checks-exception, ApplicationCheckException, approval refused', async () => {
    const before = bureauCalls;
    const id = await submit(outage, applicationBody());
    await outage.awaitChecks(id, 'checks-exception');
    expect(bureauCalls - before).toBe(3);
    const checks = await checksOf(outage, id);
    expect(byKind(checks.items, 'bureau')).toMatchObject({ status: 'exception', result: null, attempts: 3, reasons: [{ code: 'vendor-unavailable', detail: expect.stringContaining('503 Service Unavailable') }] });
    for (const kind of ['duplicate', 'velocity', 'device', 'sanctions']) expect(byKind(checks.items, kind).status).toBe('completed');
    const lifecycle = await events(outage, id);
    expect(lifecycle.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationChecksStarted', 'ApplicationCheckException']);
    expect(applicationCheckExceptionV1Schema.parse(lifecycle[2]).payload.exceptions).toEqual([{ kind: 'bureau', status: 'exception', reason: expect.stringContaining('gave up after 3 attempts') }]);
    const refused = await approve(outage, id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ currentStatus: 'checks-exception', blockingChecks: [{ kind: 'bureau', status: 'exception', result: null }] });
    // Declining stays possible.
    const declined = await outage.app.inject({ method: 'POST', url: `/v1/applications/${id}/decline`, headers: outage.auth(['operator']), payload: { reason: 'bureau unavailable' } });
    expect(declined.statusCode).toBe(200);
  });
});

describe('re-running a check', () => {
  it('an unusable vendor answer is failed (not retried); an operator re-runs it with a new key and the application concludes again', async () => {
    ocrMode = 'malformed';
    const id = await submit(los, applicationBody());
    await los.awaitChecks(id, 'checks-exception');
    const failed = byKind((await checksOf(los, id)).items, 'document-ocr');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, reasons: [{ code: 'vendor-response-unusable', detail: expect.stringContaining('body is not JSON') }] });

    ocrMode = 'up';
    const key = `rerun-${randomUUID()}`;
    const headers = { ...los.auth(['operator']), 'idempotency-key': key };
    const accepted = await rerun(los, id, 'document-ocr', headers);
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(accepted.json()).toEqual({ applicationId: id, kind: 'document-ocr', run: 2, status: 'queued' });
    expect(accepted.headers.location).toBe(`/v1/applications/${id}/checks`);
    const replay = await rerun(los, id, 'document-ocr', headers);
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    await los.awaitChecks(id, 'checks-complete');
    const checks = await checksOf(los, id);
    expect(checks.checksRun).toBe(2);
    expect(byKind(checks.items, 'document-ocr')).toMatchObject({ run: 2, status: 'completed', result: 'pass', vendorReference: `ocr-chk-${id}-document-ocr-r2` });
    expect(byKind(checks.items, 'sanctions').run).toBe(1);
    expect(ocrKeys.filter((k) => k.startsWith(`chk-${id}-`))).toEqual([`chk-${id}-document-ocr-r1`, `chk-${id}-document-ocr-r2`]);
    expect((await events(los, id)).map((e) => e.type)).toEqual([
      'ApplicationSubmitted', 'ApplicationChecksStarted', 'ApplicationCheckException', 'ApplicationChecksStarted', 'ApplicationChecksCompleted',
    ]);
    expect((await approve(los, id)).statusCode).toBe(200);
  });

  it('refuses: a partner (403), a passed check (409), an unknown kind (400), no Idempotency-Key (400), another tenant (404)', async () => {
    const id = await submit(los, applicationBody());
    await los.awaitChecks(id, 'checks-complete');
    expect((await rerun(los, id, 'sanctions', { ...los.auth(['partner']), 'idempotency-key': `k-${randomUUID()}` })).statusCode).toBe(403);
    const passed = await rerun(los, id, 'sanctions');
    expect(passed.statusCode).toBe(409);
    expect(passed.json()).toMatchObject({ type: expect.stringContaining('check-not-rerunnable'), checkStatus: 'completed', checkResult: 'pass' });
    const unknown = await rerun(los, id, 'horoscope');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].pointer).toBe('/params/kind');
    const noKey = await rerun(los, id, 'sanctions', los.auth(['operator']));
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0].pointer).toBe('/header/idempotency-key');
    expect((await rerun(los, id, 'sanctions', { ...los.auth(['operator'], uniqueTenant('other')), 'idempotency-key': `k-${randomUUID()}` })).statusCode).toBe(404);
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/checks`, headers: los.auth(['partner'], uniqueTenant('other')) })).statusCode).toBe(404);
  });
});

describe('approval before checks conclude', () => {
  it('is refused with 409 naming the state; declining is allowed', async () => {
    ocrMode = 'down';
    const id = await submit(los, applicationBody());
    const refused = await approve(los, id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toContain('checks-not-complete');
    expect(['submitted', 'checks-running']).toContain(refused.json().currentStatus);
    const declined = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/decline`, headers: los.auth(['operator']), payload: { reason: 'withdrawn by applicant' } });
    expect(declined.statusCode).toBe(200);
    ocrMode = 'up';
    // The workflow finishes its run but leaves a declined application declined.
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: los.auth(['partner']) });
    expect(after.json().status).toBe('declined');
  });
});
