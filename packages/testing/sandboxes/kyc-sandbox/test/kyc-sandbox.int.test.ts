/** The KYC sandbox as a process: lifecycle, the Onfido v3.6 slice with signed webhooks, PAN verification and Aadhaar offline e-KYC. */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure, TextWriter, Uint8ArrayReader, ZipReader } from '@zip.js/zip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../src/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../lib/index.js';
import { kycSandbox } from '../src/control.js';
import { KYC_SANDBOX_DEFAULTS } from '../src/defaults.js';
import { testPort } from '../../../src/ports.js';

configure({ useWebWorkers: false });
const PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `kyc-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `kyc-sandbox-${PORT}.log`) };
const url = `http://127.0.0.1:${PORT}`;
const auth = { authorization: `Token token=${KYC_SANDBOX_DEFAULTS.onfidoApiToken}` };
const json = (response: Response): Promise<any> => response.json();
let receiver: WebhookReceiver;

const postJson = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const png = (bytes: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8, 7)]);
const upload = (applicantId: string, file: Buffer, name = 'id.png') => {
  const form = new FormData();
  form.set('applicant_id', applicantId);
  form.set('type', 'national_identity_card');
  form.set('file', new Blob([new Uint8Array(file)]), name);
  return fetch(`${url}/v3.6/documents`, { method: 'POST', headers: auth, body: form });
};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  await kycSandbox.stop(files);
  await kycSandbox.start({ port: PORT, ...files, env: { KYC_WEBHOOK_URL: receiver.url, KYC_SANDBOX_CHECK_DELAY_MS: '50', LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  await kycSandbox.stop(files);
  await receiver?.close();
});

describe('KYC sandbox process', () => {
  it('starts idempotently and reports status', async () => {
    expect((await kycSandbox.start({ port: PORT, ...files })).alreadyRunning).toBe(true);
    expect(await kycSandbox.status({ port: PORT, ...files })).toMatchObject({ up: true });
  });
});

describe('Onfido v3.6', () => {
  it('refuses a wrong token with the Onfido error shape', async () => {
    const res = await postJson('/v3.6/applicants', { first_name: 'A', last_name: 'B' }, { authorization: 'Token token=nope' });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: { type: 'authorization_error' } });
  });

  it('validates applicants as the spec does', async () => {
    const res = await postJson('/v3.6/applicants', { first_name: 'A<b>', dob: '14-03-1990' });
    expect(res.status).toBe(422);
    expect((await json(res)).error.fields).toMatchObject({ first_name: expect.any(Array), last_name: ["can't be blank"], dob: expect.any(Array) });
  });

  it('runs a check to consider for the surname Consider, with signed webhooks and reports', async () => {
    const applicant = await json(await postJson('/v3.6/applicants', { first_name: 'Priya', last_name: 'Consider', dob: '1990-03-14' }));
    expect((await upload(applicant.id, png(1_000))).status).toBe(422);
    expect((await upload(applicant.id, Buffer.alloc(4_000, 1), 'x.png')).status).toBe(422);
    const document = await upload(applicant.id, png(4_000));
    expect(document.status).toBe(201);
    const { id: documentId, file_type: fileType } = await json(document);
    expect(fileType).toBe('png');
    const created = await postJson('/v3.6/checks', { applicant_id: applicant.id, report_names: ['document', 'watchlist_standard'], document_ids: [documentId] });
    expect(created.status).toBe(201);
    const check = await json(created);
    expect(check).toMatchObject({ status: 'in_progress', result: null });
    const completed = await eventually(async () => receiver.received.find((r) => r.body.includes('check.completed') && r.body.includes(check.id)), { timeoutMs: 10_000 });
    expect(completed.headers['x-sha2-signature']).toBe(createHmac('sha256', KYC_SANDBOX_DEFAULTS.onfidoWebhookToken).update(completed.body).digest('hex'));
    expect(JSON.parse(completed.body)).toMatchObject({ payload: { resource_type: 'check', action: 'check.completed', object: { id: check.id, status: 'complete' } } });
    expect(await json(await fetch(`${url}/v3.6/checks/${check.id}`, { headers: auth }))).toMatchObject({ status: 'complete', result: 'consider' });
    const { reports } = await json(await fetch(`${url}/v3.6/reports?check_id=${check.id}`, { headers: auth }));
    expect(reports.map((r: any) => [r.name, r.result, r.sub_result])).toEqual([['document', 'consider', 'caution'], ['watchlist_standard', 'clear', null]]);
  });

  it('honours the documented sandbox field consider[] and answers faults chosen by surname', async () => {
    const applicant = await json(await postJson('/v3.6/applicants', { first_name: 'Ravi', last_name: 'Kumar' }));
    const check = await json(await postJson('/v3.6/checks', { applicant_id: applicant.id, report_names: ['watchlist_standard'], consider: ['watchlist_standard'] }));
    await eventually(async () => ((await json(await fetch(`${url}/v3.6/checks/${check.id}`, { headers: auth }))).result === 'consider' ? true : undefined), { timeoutMs: 5_000 });
    expect((await postJson('/v3.6/applicants', { first_name: 'A', last_name: 'Error' })).status).toBe(500);
    const malformed = await postJson('/v3.6/applicants', { first_name: 'A', last_name: 'Malformed' });
    expect(malformed.status).toBe(201);
    await expect(malformed.json()).rejects.toThrow();
    const hung = fetch(`${url}/v3.6/applicants`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ first_name: 'A', last_name: 'Timeout' }), signal: AbortSignal.timeout(500) });
    await expect(hung).rejects.toThrow(/timeout|aborted/i);
  });
});

describe('India', () => {
  const panHeaders = { 'x-api-key': KYC_SANDBOX_DEFAULTS.panApiKey, authorization: KYC_SANDBOX_DEFAULTS.panAccessToken };
  const verify = (pan: string, extra: Record<string, unknown> = {}) => postJson('/kyc/pan/verify', { '@entity': 'in.co.sandbox.kyc.pan_verification.request', pan, name_as_per_pan: 'Priya Sharma', date_of_birth: '14/03/1990', consent: 'Y', reason: 'Identity verification for a loan', ...extra }, panHeaders);

  it('verifies PANs with outcomes chosen by the last four digits', async () => {
    expect(await json(await verify('ABCPS1234K'))).toMatchObject({ code: 200, data: { status: 'valid', category: 'individual', name_as_per_pan_match: true, date_of_birth_match: true } });
    expect((await json(await verify('ABCPS9101K'))).data).toMatchObject({ status: 'invalid', remarks: 'Marked as Fake' });
    expect((await json(await verify('ABCPS9110K'))).data).toMatchObject({ status: 'valid', name_as_per_pan_match: false });
    expect(await json(await verify('ABC1234'))).toMatchObject({ code: 422, message: 'Invalid PAN Pattern' });
    expect(await json(await verify('ABCPS1234K', { consent: 'N' }))).toMatchObject({ code: 422, message: 'Consent Required' });
    expect((await verify('ABCPS9500K')).status).toBe(500);
    expect((await postJson('/kyc/pan/verify', {}, { 'x-api-key': 'wrong', authorization: 'x' })).status).toBe(401);
  });

  it('issues an Aadhaar offline e-KYC ZIP that only the share code opens, with signed XML and UIDAI hashes', async () => {
    const put = await fetch(`${url}/sandbox/uidai/residents/123412341234`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Priya Sharma', dob: '14-03-1990', mobile: '9800000002', email: 'priya@example.in' }) });
    expect(put.status).toBe(204);
    const res = await postJson('/uidai/offline-ekyc', { aadhaar_number: '123412341234', share_code: 'Ab12' }, {});
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = new Uint8Array(await res.arrayBuffer());
    const reader = new ZipReader(new Uint8ArrayReader(zip));
    const entry = (await reader.getEntries())[0] as any;
    await expect(entry.getData(new TextWriter(), { password: 'Zz99' })).rejects.toThrow();
    const xml = await entry.getData(new TextWriter(), { password: 'Ab12' });
    expect(xml).toMatch(/<OfflinePaperlessKyc referenceId="1234\d{17}">/);
    expect(xml).toContain('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">');
    expect(xml).toContain('dob="14-03-1990"');
    expect((await postJson('/uidai/offline-ekyc', { aadhaar_number: '999999999999', share_code: 'Ab12' }, {})).status).toBe(404);
  });
});
