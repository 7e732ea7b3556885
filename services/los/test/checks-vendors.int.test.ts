/**
 * Every registered check, as main.ts registers them, on the real Temporal and Postgres with the KYC and
 * bureau sandbox processes (started by infra/test.sh) and the real OCR engine: a partner creates a draft,
 * uploads an identity document and a payslip generated here, submits it, and the checks conclude over
 * those documents. Outcomes are chosen by test data (PAN digits pick the sandboxes' answers).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationBody, startLosTestServer, uniquePan, type LosTestServer } from './support/los-test-server.js';
import { identityLines, multipartBody, payslipLines, renderDocument } from './support/vendor-checks.js';

let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-vendors', { policy: { startToCloseMs: 30_000 } });
});
afterAll(async () => {
  await los?.close();
});

/** A draft whose applicant is Priya Sharma, born 14 March 1990, stating INR 85,000.00 a month from Acme. */
async function draft(pan: string): Promise<string> {
  const body = { ...applicationBody({ pan }), draft: true, device: { fingerprint: `fp-${randomUUID()}`, ip: '49.36.128.10' }, employment: { employerName: 'Acme Technologies Pvt Ltd', monthlyNetIncome: { amount: '8500000', currency: 'INR', scale: 2 } } };
  body.applicant.dateOfBirth = '1990-03-14';
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().status).toBe('draft');
  return res.json().id;
}
async function upload(id: string, kind: 'identity' | 'payslip', lines: string[]) {
  const { payload, contentType } = await multipartBody({ kind, file: { bytes: renderDocument(lines), name: `${kind}.png`, type: 'image/png' } });
  const res = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/documents`, headers: { ...los.auth(['partner']), 'content-type': contentType, 'idempotency-key': `doc-${randomUUID()}` }, payload });
  expect(res.statusCode, res.body).toBe(201);
}
const submitDraft = (id: string) => los.app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: los.auth(['partner']) });
async function checked(pan: string, documents: { payslipNetPay?: string } = {}, expectStatus: 'checks-complete' | 'checks-exception' = 'checks-complete') {
  const id = await draft(pan);
  await upload(id, 'identity', identityLines({ pan, dob: '14/03/1990' }));
  await upload(id, 'payslip', payslipLines(documents.payslipNetPay ? { netPay: documents.payslipNetPay } : {}));
  const submitted = await submitDraft(id);
  expect(submitted.statusCode, submitted.body).toBe(200);
  await los.awaitChecks(id, expectStatus);
  const res = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/checks`, headers: los.auth(['operator']) });
  const items = res.json().items as any[];
  return { id, items, of: (kind: string) => items.find((c) => c.kind === kind) };
}
const approve = (id: string) => los.app.inject({ method: 'POST', url: `/v1/applications/${id}/approve`, headers: los.auth(['operator']), payload: {} });

describe('a draft', () => {
  it('runs no check until it is submitted; submitting twice is harmless; approval names the draft', async () => {
    const id = await draft(uniquePan());
    await new Promise((r) => setTimeout(r, 1_500));
    const checks = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/checks`, headers: los.auth(['operator']) });
    expect(checks.json()).toMatchObject({ status: 'draft', items: [] });
    const refused = await approve(id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('it is a draft');
    const outbox = await los.pool.query("SELECT count(*)::int AS n FROM outbox WHERE key = $1", [id]);
    expect(outbox.rows[0].n).toBe(0);
    expect((await submitDraft(id)).json().status).toBe('submitted');
    const again = await submitDraft(id);
    expect(again.statusCode).toBe(200);
    expect(['submitted', 'checks-running', 'checks-complete']).toContain(again.json().status);
    await los.awaitChecks(id);
    const events = await los.pool.query<{ type: string }>("SELECT value->>'type' AS type FROM outbox WHERE key = $1 ORDER BY seq", [id]);
    expect(events.rows.filter((e) => e.type === 'ApplicationSubmitted')).toHaveLength(1);
  });

  it('is refused to an operator (403) and to another tenant (404)', async () => {
    const id = await draft(uniquePan());
    expect((await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: los.auth(['operator']) })).statusCode).toBe(403);
    expect((await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/submit`, headers: los.auth(['partner'], `los-int-vendors-other-${randomUUID().slice(0, 8)}`) })).statusCode).toBe(404);
  });
});

describe('a clean applicant with documents', () => {
  it('passes all eight checks with their evidence and can be approved', async () => {
    const pan = uniquePan();
    const { id, items, of } = await checked(pan);
    expect(items.map((c) => c.kind).sort()).toEqual(['bureau', 'device', 'document-ocr', 'duplicate', 'income', 'kyc', 'sanctions', 'velocity']);
    for (const c of items) expect({ kind: c.kind, status: c.status, result: c.result, reasons: c.reasons }).toEqual({ kind: c.kind, status: 'completed', result: 'pass', reasons: [] });
    expect(of('document-ocr').evidence.documents).toHaveLength(2);
    expect(of('income').evidence).toMatchObject({ used: 'stated', payslipNetPay: { amount: '8500000', currency: 'INR', scale: 2 } });
    expect(of('kyc').vendorReference).toEqual(expect.any(String));
    expect(of('bureau').vendorReference).toEqual(expect.any(String));
    // Evidence is masked: the clear PAN and date of birth appear nowhere.
    expect(JSON.stringify(items)).not.toContain(pan);
    expect(JSON.stringify(items)).not.toContain('1990-03-14');
    const approved = await approve(id);
    expect(approved.statusCode, approved.body).toBe(200);
  });
});

describe('findings', () => {
  it('a forged payslip whose net pay disagrees with stated income is referred by OCR and income, with the lower figure used', async () => {
    const { of } = await checked(uniquePan(), { payslipNetPay: '42,000.00' });
    expect(of('document-ocr')).toMatchObject({ result: 'refer', reasons: [expect.objectContaining({ code: 'net-pay-disagrees' })] });
    expect(of('income')).toMatchObject({ result: 'refer', reasons: [expect.objectContaining({ code: 'net-pay-disagrees' })] });
    expect(of('income').evidence).toMatchObject({ used: 'payslip', usedMonthlyIncome: { amount: '4200000', currency: 'INR', scale: 2 } });
  });

  it('a PAN whose name does not match the Income Tax record is a KYC finding (not a pass)', async () => {
    const pan = uniquePan().replace(/\d{4}(?=[A-Z]$)/, '9110');
    const { of } = await checked(pan);
    expect(of('kyc').status).toBe('completed');
    expect(of('kyc').result).not.toBe('pass');
    expect(of('kyc').reasons.length).toBeGreaterThan(0);
  });

  it('a bureau thin file is referred with its derived features as evidence', async () => {
    const pan = uniquePan().replace(/\d{4}(?=[A-Z]$)/, '9001');
    const { of } = await checked(pan);
    expect(of('bureau')).toMatchObject({ status: 'completed', result: 'refer' });
    expect(JSON.stringify(of('bureau').evidence)).toContain('thin');
  });
});

describe('a vendor outage', () => {
  it('a bureau answering 500 is retried, then parked as exception with its reason; approval is refused', async () => {
    const pan = uniquePan().replace(/\d{4}(?=[A-Z]$)/, '9500');
    const { id, of } = await checked(pan, {}, 'checks-exception');
    expect(of('bureau')).toMatchObject({ status: 'exception', result: null, reasons: [expect.objectContaining({ code: 'vendor-unavailable' })] });
    expect(of('bureau').attempts).toBeGreaterThan(1);
    expect(of('sanctions').status).toBe('completed');
    expect((await approve(id)).statusCode).toBe(409);
  });
});
