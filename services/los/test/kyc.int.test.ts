/**
 * The 'kyc' check against the real KYC sandbox process (Onfido v3.6, PAN verification, Aadhaar offline
 * e-KYC) and the real Postgres: the sandbox's signed webhooks reach the LOS webhook route over a socket, the
 * runner waits on what the route recorded. Outcomes are chosen by test data (surname, PAN digits).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpServer, createLogger, createMetrics } from '@lendstack/platform';
import { infrastructure, testPort } from '@lendstack/testing';
import { kycSandbox, KYC_SANDBOX_DEFAULTS } from '@lendstack/testing/kyc-sandbox';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorResponseError, VendorUnavailableError, type CheckRunner } from '../src/modules/checks/check-runner.js';
import { createFsBlobStore } from '../src/modules/documents/index.js';
import { createKycCheckRunner, createPgKycWebhookInbox, onfidoWebhookRoutes, SANDBOX_UIDAI_CERTIFICATE_PEM } from '../src/modules/kyc/index.js';
import { checkContext, documentRef, identityLines, makeSubject, renderDocument } from './support/vendor-checks.js';

const LOS_PORT = await testPort();
const SANDBOX_PORT = await testPort();
const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`;
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `kyc-sandbox-${SANDBOX_PORT}.pid`), logFile: join(cache, 'logs', `kyc-sandbox-${SANDBOX_PORT}.log`) };
const blobs = createFsBlobStore(mkdtempSync(join(tmpdir(), 'lendstack-kyc-blobs-')));
let pool: pg.Pool;
let los: FastifyInstance;

const runner = (onfido: Partial<{ timeoutMs: number; pollEveryMs: number; maxWaitMs: number }> = {}): CheckRunner => createKycCheckRunner({
  pool,
  blobs,
  onfido: { baseUrl: `${sandboxUrl}/v3.6`, apiToken: KYC_SANDBOX_DEFAULTS.onfidoApiToken, timeoutMs: 2_000, pollEveryMs: 10_000, maxWaitMs: 15_000, ...onfido },
  india: { panBaseUrl: sandboxUrl, panApiKey: KYC_SANDBOX_DEFAULTS.panApiKey, panAccessToken: KYC_SANDBOX_DEFAULTS.panAccessToken, offlineEkycUrl: `${sandboxUrl}/uidai/offline-ekyc`, uidaiCertificatesPem: [SANDBOX_UIDAI_CERTIFICATE_PEM], timeoutMs: 2_000 },
});
const global = (family: string, documents = [] as ReturnType<typeof documentRef>[]) =>
  makeSubject({ documents, applicant: { name: { given: 'Ada', family }, country: 'GB', nationalIdType: 'PASSPORT' } }, { nationalId: '925665416', dateOfBirth: '1988-07-09' });
async function identityDocument() {
  const bytes = renderDocument(identityLines({ name: 'ADA OKAFOR', pan: '925665416', dob: '09/07/1988' }));
  const key = `kyc-test/${randomUUID()}`;
  await blobs.put(key, bytes);
  return documentRef('identity', key, bytes);
}
const sandboxState = async () => (await (await fetch(`${sandboxUrl}/sandbox/state`)).json()) as any;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: (await infrastructure()).losDatabaseUrl, max: 5 });
  los = await createHttpServer({ logger: createLogger({ service: 'los-kyc-test', level: 'silent' }), metrics: createMetrics('los-kyc-test'), serviceName: 'los-kyc-test', title: 't', description: 't', version: '1' });
  await los.register(onfidoWebhookRoutes, { inbox: createPgKycWebhookInbox(pool), webhookToken: KYC_SANDBOX_DEFAULTS.onfidoWebhookToken, toleranceSeconds: 900, now: () => new Date() });
  await los.listen({ host: '127.0.0.1', port: LOS_PORT });
  await kycSandbox.stop(files);
  await kycSandbox.start({ port: SANDBOX_PORT, ...files, env: { KYC_WEBHOOK_URL: `http://127.0.0.1:${LOS_PORT}/v1/kyc-webhooks/onfido`, KYC_SANDBOX_CHECK_DELAY_MS: '100', LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  await kycSandbox.stop(files);
  await los?.close();
  await pool?.end();
});

describe('Onfido adapter', () => {
  it('passes a clean applicant: applicant, document upload, check, webhook, reports — with no clear PII in the outcome', async () => {
    const subject = global('Okafor', [await identityDocument()]);
    const outcome = await runner().run(subject, checkContext());
    expect(outcome).toMatchObject({ kind: 'kyc', result: 'pass', reasons: [], evidence: { vendor: 'onfido', completedBy: 'webhook', documentsUploaded: 1, checkResult: 'clear' } });
    expect((outcome.evidence.reports as any[]).map((r) => [r.name, r.result])).toEqual([['document', 'clear'], ['watchlist_standard', 'clear']]);
    expect(subject.revealed).toContain('national-id');
    expect(JSON.stringify(outcome)).not.toMatch(/925665416|1988-07-09/);
    const state = await sandboxState();
    const applicant = state.onfido.applicants.find((a: any) => a.id === outcome.evidence.applicantId);
    expect(applicant).toMatchObject({ first_name: 'Ada', last_name: 'Okafor', dob: '1988-07-09', id_numbers: [{ type: 'passport', value: '925665416' }], location: { country_of_residence: 'GBR' } });
  });

  it('refers a KYC consider (surname Consider) and fails a rejected document, each with its reason', async () => {
    const consider = await runner().run(global('Consider', [await identityDocument()]), checkContext());
    expect(consider).toMatchObject({ result: 'refer', reasons: [{ code: 'kyc-document-consider', detail: expect.stringContaining('sub_result caution') }] });
    const rejected = await runner().run(global('Rejected', [await identityDocument()]), checkContext());
    expect(rejected).toMatchObject({ result: 'fail', reasons: [{ code: 'kyc-document-consider', detail: expect.stringContaining('rejected') }] });
    const watchlist = await runner().run(global('Watchlist', [await identityDocument()]), checkContext());
    expect(watchlist.reasons.map((r) => r.code)).toEqual(['kyc-watchlist-consider']);
  });

  it('refers an applicant without an identity document (only the watchlist report runs)', async () => {
    const outcome = await runner().run(global('Okafor'), checkContext());
    expect(outcome).toMatchObject({ result: 'refer', reasons: [{ code: 'identity-document-missing' }], evidence: { documentsUploaded: 0 } });
    const consider = await runner().run(global('Consider'), checkContext());
    expect(consider.reasons.map((r) => r.code)).toEqual(['kyc-watchlist-consider', 'identity-document-missing']);
  });

  it('falls back to polling GET /checks/{id} when no webhook comes (surname Silent), bounded', async () => {
    const outcome = await runner({ pollEveryMs: 300 }).run(global('Silent', [await identityDocument()]), checkContext());
    expect(outcome).toMatchObject({ result: 'pass', evidence: { completedBy: 'poll' } });
  });

  it('continues a retried check with the same applicant and vendor check (idempotency key), not a second one', async () => {
    const ctx = checkContext();
    const family = `Retry${randomUUID().slice(0, 6).replace(/\d/g, 'x')}`;
    const subject = global(family, [await identityDocument()]);
    const first = await runner().run(subject, ctx);
    const second = await runner().run(subject, ctx);
    expect(second.vendorReference).toBe(first.vendorReference);
    const state = await sandboxState();
    expect(state.onfido.applicants.filter((a: any) => a.last_name === family)).toHaveLength(1);
    expect(state.onfido.checks.filter((c: any) => c.id === first.vendorReference)).toHaveLength(1);
  });

  it('raises VendorUnavailableError on 500 and timeouts, VendorResponseError on malformed JSON', async () => {
    await expect(runner().run(global('Error'), checkContext())).rejects.toBeInstanceOf(VendorUnavailableError);
    await expect(runner({ timeoutMs: 500 }).run(global('Timeout'), checkContext())).rejects.toThrow(/no answer within 500 ms/);
    await expect(runner().run(global('Malformed'), checkContext())).rejects.toBeInstanceOf(VendorResponseError);
  });
});

describe('Indian adapter', () => {
  const indian = (pan: string) => makeSubject({}, { nationalId: pan, dateOfBirth: '1990-03-14' });

  it('verifies a PAN: valid passes; invalid fails; a name mismatch refers', async () => {
    const clean = await runner().run(indian('ABCPS1234K'), checkContext());
    expect(clean).toMatchObject({ result: 'pass', evidence: { vendor: 'pan-verification', pan: 'XXXXXX234K', status: 'valid', nameMatch: true, dobMatch: true } });
    expect(JSON.stringify(clean)).not.toContain('ABCPS1234K');
    expect(await runner().run(indian('ABCPS9101K'), checkContext())).toMatchObject({ result: 'fail', reasons: [{ code: 'pan-invalid', detail: expect.stringContaining('Marked as Fake') }] });
    expect(await runner().run(indian('ABCPS9110K'), checkContext())).toMatchObject({ result: 'refer', reasons: [{ code: 'name-mismatch' }] });
    expect(await runner().run(indian('ABCPS9120K'), checkContext())).toMatchObject({ result: 'refer', reasons: [{ code: 'pan-aadhaar-not-linked' }] });
    expect(await runner().run(indian('12345'), checkContext())).toMatchObject({ result: 'fail', reasons: [{ code: 'pan-invalid-format' }] });
  });

  it('treats PAN vendor outages and malformed answers as the workflow expects', async () => {
    await expect(runner().run(indian('ABCPS9500K'), checkContext())).rejects.toBeInstanceOf(VendorUnavailableError);
    await expect(runner().run(indian('ABCPS9501K'), checkContext())).rejects.toBeInstanceOf(VendorUnavailableError);
    await expect(runner().run(indian('ABCPS9502K'), checkContext())).rejects.toBeInstanceOf(VendorResponseError);
  }, 20_000);

  const resident = async (aadhaar: string, body: Record<string, unknown>) => {
    const res = await fetch(`${sandboxUrl}/sandbox/uidai/residents/${aadhaar}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Priya Sharma', dob: '14-03-1990', mobile: '9800000002', email: 'priya.sharma@example.in', ...body }) });
    expect(res.status).toBe(204);
  };
  const aadhaarSubject = (aadhaar: string) => makeSubject({ applicant: { nationalIdType: 'AADHAAR' } }, { nationalId: aadhaar, dateOfBirth: '1990-03-14' });

  it('reads an Aadhaar offline e-KYC: share code, signature, hashes and name all check out', async () => {
    await resident('123412341234', {});
    const outcome = await runner().run(aadhaarSubject('123412341234'), checkContext());
    expect(outcome).toMatchObject({ result: 'pass', evidence: { vendor: 'uidai-offline-ekyc', aadhaar: 'XXXXXXXX1234', signature: 'valid', nameMatch: 'match', dobMatch: true, mobileMatch: true, emailMatch: true } });
    expect(outcome.vendorReference).toMatch(/^1234\d{17}$/);
  });

  it('fails an e-KYC whose XML was altered after signing, and refers another mobile or name', async () => {
    await resident('567856785678', { tamper: true });
    expect(await runner().run(aadhaarSubject('567856785678'), checkContext())).toMatchObject({ result: 'fail', reasons: [{ code: 'okyc-signature-invalid' }] });
    await resident('222233334447', { mobile: '9811111111', name: 'Rahul Verma' });
    const other = await runner().run(aadhaarSubject('222233334447'), checkContext());
    expect(other.result).toBe('refer');
    expect(other.reasons.map((r) => r.code).sort()).toEqual(['mobile-mismatch', 'name-mismatch']);
  });
});

describe('POST /v1/kyc-webhooks/onfido', () => {
  const token = KYC_SANDBOX_DEFAULTS.onfidoWebhookToken;
  const body = (completedAt = new Date().toISOString()) => JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed', object: { id: randomUUID(), status: 'complete', completed_at_iso8601: completedAt, href: '/v3.6/checks/x' } } });
  const send = (raw: string, signature?: string) => los.inject({ method: 'POST', url: '/v1/kyc-webhooks/onfido', headers: { 'content-type': 'application/json', ...(signature ? { 'x-sha2-signature': signature } : {}) }, payload: raw });
  const sign = (raw: string) => createHmac('sha256', token).update(raw).digest('hex');

  it('accepts a signed event once, refuses its replay', async () => {
    const raw = body();
    expect((await send(raw, sign(raw))).statusCode).toBe(200);
    const replay = await send(raw, sign(raw));
    expect(replay.statusCode).toBe(409);
    expect(replay.json()).toMatchObject({ type: expect.stringContaining('webhook-replayed') });
  });

  it('refuses unsigned and badly signed events with 401 problem+json, before reading the body', async () => {
    const raw = body();
    const unsigned = await send(raw);
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unsigned.json().errors[0].pointer).toBe('/header/x-sha2-signature');
    expect((await send(raw, sign(raw).replace(/^./, (c) => (c === 'a' ? 'b' : 'a')))).statusCode).toBe(401);
    expect((await send(`${raw} `, sign(raw))).statusCode).toBe(401);
    expect((await send('not json', sign('not json'))).statusCode).toBe(422);
  });

  it('refuses a correctly signed but stale event', async () => {
    const raw = body(new Date(Date.now() - 3_600_000).toISOString());
    const res = await send(raw, sign(raw));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: expect.stringContaining('webhook-stale') });
  });
});
