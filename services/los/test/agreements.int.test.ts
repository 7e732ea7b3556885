/**
 * Loan agreements end to end over the REAL Postgres and a REAL esign-sandbox process (DocuSign eSignature v2.1
 * with Connect, and the eStamp certificate API) started by this file on a free port: an application goes
 * through its checks (REAL Temporal, credit profiles by family name) to policy-approved, its offers and Key Fact
 * Statement, and is accepted; then the agreement is generated, stamped, sent, and the sandbox plays the signer,
 * calling the LOS's webhook over a socket.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProductPublishedV1 } from '@lendstack/contracts';
import { eventually, freePort } from '@lendstack/testing';
import { esignSandbox } from '@lendstack/testing/esign-sandbox';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOriginationCompletion, type OriginationStep } from '../src/modules/applications/use-cases/complete-origination.js';
import { createPdfjsPdfReader } from '../src/modules/documents/index.js';
import { formatMoney } from '../src/modules/review/domain/adverse-action-notice.js';
import { DEMO_APPROVAL_LIMITS, DEMO_CREDITOR } from '../src/modules/review/index.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

const HMAC_KEY = 'lendstack-esign-sandbox-connect-hmac-key';
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));

let los: LosTestServer;
let sandboxUrl: string;
let sandboxFiles: { port: number; pidFile: string; logFile: string; env: Record<string, string> };
/** Every step the agreement completed, with the agreement status its transaction saw (it runs inside it). */
const steps: (OriginationStep & { seen: string | undefined })[] = [];
const completion = createOriginationCompletion({ newId: randomUUID });

beforeAll(async () => {
  const port = await freePort();
  sandboxUrl = `http://127.0.0.1:${port}`;
  los = await startLosTestServer('los-int-ag', {
    runners: controlledRunners,
    agreements: {
      sandboxUrl,
      // Records each call, then runs the LOS's own completion step in the same transaction.
      stepDone: async (c, step) => {
        const { rows } = await c.query<{ status: string }>('SELECT status FROM application_agreements WHERE application_id = $1 AND checks_run = $2', [step.applicationId, step.checksRun]);
        steps.push({ ...step, seen: rows[0]?.status });
        await completion(c, step);
      },
    },
  });
  const losUrl = await los.app.listen({ host: '127.0.0.1', port: 0 });
  sandboxFiles = {
    port, pidFile: join(cache, `esign-sandbox-${port}.pid`), logFile: join(cache, 'logs', `esign-sandbox-${port}.log`),
    env: { ESIGN_CONNECT_URL: `${losUrl}/v1/webhooks/esign/docusign`, ESIGN_SANDBOX_AUTO_SIGN_DELAY_MS: '0', LOG_LEVEL: 'warn' },
  };
  await esignSandbox.start(sandboxFiles);
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
  await los.reviews.seed(los.tenantId, { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR });
  // The product the Key Fact Statement reads its charges from (the LMS publishes it; the fixture is its contract example).
  const { version: _v, effectiveAt, ...definition } = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../packages/contracts/fixtures/product-published.v1/accept/personal-loan-inr-equal-installment.json', import.meta.url)), 'utf8')) as ProductPublishedV1).payload;
  await los.catalogue.upsert([{ tenantId: los.tenantId, code: 'PL-12M', version: 1, definition: { ...definition, code: 'PL-12M' }, effectiveAt: new Date(effectiveAt) }]);
}, 120_000);
afterAll(async () => {
  await esignSandbox.stop({ pidFile: sandboxFiles.pidFile });
  await los?.close();
});

const partner = () => ({ authorization: `Bearer ${signToken(los.secret, { subject: 'partner-app', tenantId: los.tenantId, roles: ['partner'] }, 300, Math.floor(Date.now() / 1000))}` });
const key = () => ({ 'idempotency-key': `ag-${randomUUID()}` });
const postAgreement = (id: string, idem = key()) => los.app.inject({ method: 'POST', url: `/v1/applications/${id}/agreement`, headers: { ...partner(), ...idem } });
const getAgreement = async (id: string) => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/agreement`, headers: partner() })).json<Record<string, any>>();
const sandbox = async (path: string, body: unknown = {}) => {
  const res = await fetch(`${sandboxUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json() as Promise<Record<string, any>>;
};
const sandboxState = async () => (await fetch(`${sandboxUrl}/sandbox/state`)).json() as Promise<{ envelopes: any[]; connect: { event: string; envelopeId: string; delivered: boolean; attempts: number; lastResult: string | null }[]; certificates: any[] }>;
const trail = async (id: string) => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/audit-trail`, headers: los.auth(['operator']) })).json<{ items: { action: string; actor: string; detail: any }[] }>().items;
/** Waits until the sandbox's Connect deliveries of `event` for the envelope have all finished (delivered or given up). */
const delivered = (envelopeId: string, event: string, count = 1) => eventually(async () => {
  const mine = (await sandboxState()).connect.filter((d) => d.envelopeId === envelopeId && d.event === event);
  return mine.length >= count && mine.every((d) => d.delivered || d.attempts >= 5) ? mine : undefined;
}, { timeoutMs: 30_000, intervalMs: 100, what: `${count} ${event} deliveries for ${envelopeId}` });

/** An application through its checks to policy-approved, its offers made, the requested one accepted with its KFS (unless `accept` is false). */
async function accepted(family: string, accept = true): Promise<string> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  await eventually(async () => ((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() })).json<{ status: string }>().status === 'policy-approved' ? true : undefined), { timeoutMs: 60_000, intervalMs: 100, what: `application ${id} policy-approved` });
  const offers = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers`, headers: { ...partner(), ...key() } });
  expect(offers.statusCode, offers.body).toBe(201);
  const offer = offers.json<{ items: { id: string; label: string }[] }>().items.find((o) => o.label === 'requested')!;
  if (!accept) return id;
  const kfs = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/kfs?offerId=${offer.id}`, headers: partner() })).json<{ reference: string; sha256: string }>();
  const consents = [{ name: 'kfs-acknowledged', version: 'kfs-ack-2026.12', granted: true }, { name: 'e-sign-consent', version: 'esign-2026.12', granted: true }];
  const acceptance = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers/${offer.id}/accept`, headers: { ...partner(), ...key() }, payload: { kfsReference: kfs.reference, kfsSha256: kfs.sha256, consents } });
  expect(acceptance.statusCode, acceptance.body).toBe(201);
  return id;
}

const connectBody = (envelopeId: string, event = 'envelope-completed', pdf?: Buffer) => JSON.stringify({
  event, apiVersion: 'v2.1', data: { accountId: 'x', envelopeId, envelopeSummary: { status: 'completed', envelopeDocuments: pdf ? [{ documentId: '1', name: 'agreement.pdf', PDFBytes: pdf.toString('base64') }] : [] } },
});
const hook = (body: string, signature = createHmac('sha256', HMAC_KEY).update(body).digest('base64')) =>
  los.app.inject({ method: 'POST', url: '/v1/webhooks/esign/docusign', headers: { 'content-type': 'application/json', 'x-docusign-signature-1': signature }, payload: body });

describe('loan agreements', () => {
  let ids: { happy: string; tampered: string; declined: string; outage: string; notAccepted: string };
  beforeAll(async () => {
    const [happy, tampered, declined, outage, notAccepted] = await Promise.all([true, true, true, true, false].map((accept) => accepted('Sharma', accept)));
    ids = { happy: happy!, tampered: tampered!, declined: declined!, outage: outage!, notAccepted: notAccepted! };
  }, 180_000);

  it('generates the agreement from the template with the accepted offer, stamps it, sends it; the signed callback signs it once and completes the step', async () => {
    const id = ids.happy;
    const k = key();
    const res = await postAgreement(id, k);
    expect(res.statusCode, res.body).toBe(201);
    const sent = res.json<Record<string, any>>();
    expect(sent).toMatchObject({ applicationId: id, status: 'sent', templateVersion: 'loan-agreement-2026.12', documentSha256: expect.stringMatching(/^[0-9a-f]{64}$/), envelopeId: expect.any(String), signingUrl: expect.stringContaining(`/signing/${sent.envelopeId}`) });
    expect(sent.stamp).toMatchObject({ required: true, state: 'KA', certificateNumber: expect.stringMatching(/^IN-KA\d{14}[A-Z]$/), duty: { amount: '50000', currency: 'INR', scale: 2 } });

    // The same request again, and a new one: the same agreement, not a second envelope or stamp.
    expect((await postAgreement(id, k)).headers['idempotent-replayed']).toBe('true');
    const again = await postAgreement(id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ agreementId: sent.agreementId, envelopeId: sent.envelopeId });
    const state = await sandboxState();
    expect(state.envelopes.filter((e) => e.transactionId === sent.agreementId)).toHaveLength(1);
    expect(state.certificates.filter((c) => c.certificate_number === sent.stamp.certificateNumber)).toHaveLength(1);
    expect(state.envelopes.find((e) => e.envelopeId === sent.envelopeId).documents[0].sha256).toBe(sent.documentSha256);

    // The PDF is a real document: its text says who, how much, at what rate and APR, and when.
    const pdf = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/agreement?format=pdf`, headers: partner() });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['x-content-sha256']).toBe(sent.documentSha256);
    const read = await createPdfjsPdfReader({ maxPages: 5 }).read(pdf.rawPayload);
    if (!read.ok || read.via !== 'text-layer') throw new Error(`agreement PDF not readable: ${JSON.stringify(read)}`);
    const offer = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/offers`, headers: partner() })).json<{ items: any[] }>().items.find((o) => o.label === 'requested');
    // pdfkit wraps lines at a hyphen; PDF.js gives the break as a space.
    const text = read.text.replace(/\s+/g, ' ').replace(/- /g, '-');
    expect(text).toContain('Loan Agreement');
    expect(text).toContain(`Agreement ${sent.agreementId}`);
    expect(text).toContain(`Lender: ${DEMO_CREDITOR.legalName}`);
    expect(text).toContain('Borrower: Priya Sharma');
    // The processing fee is financed: the balance repaid is the principal plus it, and the schedule's principal column sums to it.
    expect(text).toContain('Principal: INR 500,000.00; balance repaid over the term, financed fees included: INR 510,000.00');
    expect(text).toContain(`Annual interest rate: ${offer.annualRatePercent} %`);
    expect(text).toContain(`all fees included: ${offer.apr} %`);
    expect(text).toContain(`12 monthly instalments of ${formatMoney(offer.installment)}`);
    expect(text).toContain(`the first due on ${offer.firstDueDate}`);
    expect(text).toContain(`e-stamp certificate ${sent.stamp.certificateNumber}`);
    const acceptance = (await los.pool.query<{ kfs_reference: string; kfs_sha256: string }>('SELECT kfs_reference, kfs_sha256 FROM offer_acceptances WHERE application_id = $1', [id])).rows[0]!;
    expect(text).toContain(`Key Fact Statement ${acceptance.kfs_reference} (version rbi-kfs-2024.04, SHA-256 ${acceptance.kfs_sha256})`);
    expect(text).toMatch(new RegExp(`Repayment schedule No\\. Due date Principal Interest Fees Instalment Balance after 1 ${offer.firstDueDate} `));
    expect(text).toMatch(/ 12 \d{4}-\d{2}-\d{2} [^]*INR 0\.00/);

    // The repayment mandate is already active (as the mandates module records an activation), so the signature is the last step.
    await los.pool.query(
      `INSERT INTO application_mandates (id, tenant_id, application_id, checks_run, rail, status, mandate_reference, max_amount_minor, currency, scale, frequency, valid_from, valid_until, vendor, vendor_mandate_id, consent, requested_by, created_at, updated_at, activated_at)
       VALUES ($1, $2, $3, 1, 'nach', 'active', 'SBOX0000000000AGR001', 6986300, 'INR', 2, 'monthly', CURRENT_DATE, CURRENT_DATE + 800, 'nach-emandate', $4, '{}', 'partner-app', now(), now(), now())`,
      [randomUUID(), los.tenantId, id, `MD-${id.slice(0, 8)}`]);
    // The signer views and signs in the sandbox; Connect calls the LOS, which accepts the signature over the same bytes.
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/view`, { ip: '203.0.113.55' });
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/sign`, { ip: '203.0.113.55' });
    const [completion] = await delivered(sent.envelopeId, 'envelope-completed');
    expect(completion!.lastResult).toBe('200');
    const signed = await getAgreement(id);
    expect(signed).toMatchObject({ status: 'signed', signedDocumentSha256: sent.documentSha256, signedAt: expect.any(String) });
    expect(signed.auditTrail.map((e: any) => [e.action, e.ip])).toEqual([['Registered', '10.0.0.1'], ['Sent Invitations', '10.0.0.1'], ['Viewed', '203.0.113.55'], ['Signed', '203.0.113.55']]);
    expect(steps.filter((s) => s.applicationId === id)).toEqual([{ tenantId: los.tenantId, applicationId: id, checksRun: 1, actor: 'esign:docusign', at: new Date(signed.signedAt), seen: 'signed' }]);
    // The completion step ran in the signature's transaction: approved, LoanApproved in the outbox with the offer, KFS and mandate.
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() })).json().status).toBe('approved');
    const events = (await los.pool.query<{ value: any }>("SELECT o.value FROM outbox o JOIN applications a ON a.loan_id::text = o.key WHERE a.id = $1 AND o.value->>'type' = 'LoanApproved'", [id])).rows;
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]!.value)).toContain('SBOX0000000000AGR001');
    expect(events[0]!.value.payload.loan).toMatchObject({ offerId: offer.id, kfsReference: acceptance.kfs_reference });

    // Signing twice (the vendor reports completion again) and the same event replayed: 200, nothing changes.
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/sign`, { ip: '203.0.113.55' });
    await sandbox('/sandbox/connect/redeliver', { envelopeId: sent.envelopeId });
    const completions = await delivered(sent.envelopeId, 'envelope-completed', 3);
    expect(completions.map((d) => d.lastResult)).toEqual(['200', '200', '200']);
    expect(steps.filter((s) => s.applicationId === id)).toHaveLength(1);
    const actions = (await trail(id)).map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('agreement-'))).toEqual(['agreement-generated', 'agreement-sent', 'agreement-signed']);
    const entry = (await trail(id)).find((e) => e.action === 'agreement-signed')!;
    expect(entry).toMatchObject({ actor: 'esign:docusign', detail: { documentSha256: sent.documentSha256, signedDocumentSha256: sent.documentSha256 } });
    expect(entry.detail.events.map((e: any) => e.action)).toEqual(['Registered', 'Sent Invitations', 'Viewed', 'Signed']);
  }, 120_000);

  it('refuses a webhook without a valid HMAC (401) and ignores nothing else: an unknown envelope is 404, a body that is not Connect 422', async () => {
    const body = connectBody(randomUUID());
    const bad = await hook(body, createHmac('sha256', 'another-key').update(body).digest('base64'));
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ type: expect.stringMatching(/webhook-signature-invalid$/), errors: [{ pointer: '/header/x-docusign-signature-1' }] });
    const unsigned = await los.app.inject({ method: 'POST', url: '/v1/webhooks/esign/docusign', headers: { 'content-type': 'application/json' }, payload: body });
    expect(unsigned.statusCode).toBe(401);
    // A signature over other bytes (the body altered in transit) is as bad as none.
    expect((await hook(body.replace('completed', 'declined'), createHmac('sha256', HMAC_KEY).update(body).digest('base64'))).statusCode).toBe(401);
    expect((await hook(body)).statusCode).toBe(404);
    const notConnect = await hook(JSON.stringify({ hello: 'world' }));
    expect(notConnect.statusCode).toBe(422);
    expect(notConnect.json().errors[0].pointer).toBe('/event');
  });

  it('refuses a signature over a different document: 422 to the webhook, signature-refused in the audit (once), the agreement stays sent; voided later', async () => {
    const id = ids.tampered;
    // Two requests at once: one envelope; the other answers the same agreement, or 409 while the first is sending it.
    const both = await Promise.all([postAgreement(id), postAgreement(id)]);
    expect(both.map((r) => r.statusCode).sort(), both.map((r) => r.body).join('\n')).toEqual(expect.arrayContaining([201]));
    for (const r of both) expect([200, 201, 409]).toContain(r.statusCode);
    const sent = (await postAgreement(id)).json<Record<string, any>>();
    expect(sent.status).toBe('sent');
    expect((await sandboxState()).envelopes.filter((e) => e.transactionId === sent.agreementId).map((e) => e.envelopeId)).toEqual([sent.envelopeId]);
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/sign`, { tamper: true });
    const [completion] = await delivered(sent.envelopeId, 'envelope-completed');
    expect(completion!.lastResult).toBe('422');
    const after = await getAgreement(id);
    expect(after).toMatchObject({ status: 'sent', signedDocumentSha256: null, signedAt: null });
    // Connect redelivered the refused event until it gave up (5 attempts): one audit entry.
    expect(completion!.attempts).toBe(5);
    const refused = (await trail(id)).filter((e) => e.action === 'signature-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.detail).toMatchObject({ reason: 'hash-mismatch', documentSha256: sent.documentSha256, signedDocumentSha256: expect.not.stringMatching(sent.documentSha256) });
    expect(steps.filter((s) => s.applicationId === id)).toEqual([]);
    // The same refusal straight from the route: problem+json naming the document.
    const state = await sandboxState();
    expect(state.envelopes.find((e) => e.envelopeId === sent.envelopeId).documents[0].sha256).not.toBe(sent.documentSha256);
    const direct = await hook(connectBody(sent.envelopeId, 'envelope-completed', Buffer.from('%PDF-1.3 not the agreement')));
    expect(direct.statusCode).toBe(422);
    expect(direct.headers['content-type']).toContain('application/problem+json');
    expect(direct.json()).toMatchObject({ type: expect.stringMatching(/signature-refused$/), expectedSha256: sent.documentSha256, errors: [{ pointer: '/data/envelopeSummary/envelopeDocuments/0/PDFBytes' }] });
    expect((await trail(id)).filter((e) => e.action === 'signature-refused')).toHaveLength(2);

    // The sender voids the envelope: recorded once, the agreement is not sent again.
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/void`, { reason: 'Document disputed' });
    await delivered(sent.envelopeId, 'envelope-voided');
    expect(await getAgreement(id)).toMatchObject({ status: 'voided' });
    expect((await trail(id)).filter((e) => e.action === 'agreement-voided')).toHaveLength(1);
    expect((await postAgreement(id)).json()).toMatchObject({ status: 409, agreementStatus: 'voided' });
  }, 60_000);

  it('records a declined envelope once; a later completion is not signable (409) and the POST does not resend it', async () => {
    const id = ids.declined;
    const sent = (await postAgreement(id)).json<Record<string, any>>();
    await sandbox(`/sandbox/envelopes/${sent.envelopeId}/decline`, { reason: 'The rate is not what I was told', ip: '203.0.113.77' });
    await delivered(sent.envelopeId, 'envelope-declined');
    await sandbox('/sandbox/connect/redeliver', { envelopeId: sent.envelopeId });
    const declines = await delivered(sent.envelopeId, 'envelope-declined', 2);
    expect(declines.map((d) => d.lastResult)).toEqual(['200', '200']);
    const after = await getAgreement(id);
    expect(after).toMatchObject({ status: 'declined', declinedReason: 'The rate is not what I was told' });
    expect(after.auditTrail.at(-1)).toMatchObject({ action: 'Declined', ip: '203.0.113.77' });
    expect((await trail(id)).filter((e) => e.action === 'agreement-declined')).toHaveLength(1);
    const pdf = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/agreement?format=pdf`, headers: partner() })).rawPayload;
    const late = await hook(connectBody(sent.envelopeId, 'envelope-completed', pdf));
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ type: expect.stringMatching(/agreement-not-signable$/), agreementStatus: 'declined' });
    const again = await postAgreement(id);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: expect.stringMatching(/agreement-closed$/), agreementStatus: 'declined' });
    expect(steps.filter((s) => s.applicationId === id)).toEqual([]);
  }, 60_000);

  it('a POST while the vendors are down is 503 with nothing written; one whose envelope answer was lost leaves a generated agreement the retry sends once', async () => {
    const id = ids.outage;
    await esignSandbox.stop({ pidFile: sandboxFiles.pidFile });
    const k = key();
    const down = await postAgreement(id, k);
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toContain('application/problem+json');
    expect(down.json()).toMatchObject({ type: expect.stringMatching(/vendor-unavailable$/), vendor: 'estamp' });
    expect((await los.pool.query('SELECT 1 FROM application_agreements WHERE application_id = $1', [id])).rowCount).toBe(0);
    await esignSandbox.start(sandboxFiles);

    // The envelope is created but its answer lost (the sandbox fails after acting): 503, the agreement stays generated.
    await sandbox('/sandbox/faults', { after: 1 });
    const lost = await postAgreement(id, k);
    expect(lost.statusCode, lost.body).toBe(503);
    expect(lost.json()).toMatchObject({ vendor: 'docusign' });
    const { rows } = await los.pool.query<{ id: string; status: string; envelope_id: string | null }>('SELECT id, status, envelope_id FROM application_agreements WHERE application_id = $1', [id]);
    expect(rows).toEqual([{ id: expect.any(String), status: 'generated', envelope_id: null }]);
    expect((await sandboxState()).envelopes.filter((e) => e.transactionId === rows[0]!.id)).toHaveLength(1);

    // The retry (same key) finds the envelope by its transaction id: sent, one envelope, one stamp.
    const retried = await postAgreement(id, k);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({ agreementId: rows[0]!.id, status: 'sent' });
    const state = await sandboxState();
    expect(state.envelopes.filter((e) => e.transactionId === rows[0]!.id).map((e) => e.envelopeId)).toEqual([retried.json().envelopeId]);
    expect(state.certificates.filter((c) => c.reference === `agr-${id}-1`)).toHaveLength(1);
    expect((await trail(id)).map((e) => e.action).filter((a) => a.startsWith('agreement-'))).toEqual(['agreement-generated', 'agreement-sent']);
  }, 60_000);

  it('refuses an application without an accepted offer (409), an unknown one (404) and a POST without Idempotency-Key (400)', async () => {
    expect((await postAgreement(randomUUID())).statusCode).toBe(404);
    expect((await los.app.inject({ method: 'POST', url: `/v1/applications/${ids.happy}/agreement`, headers: partner() })).statusCode).toBe(400);
    const notAccepted = await postAgreement(ids.notAccepted);
    expect(notAccepted.statusCode).toBe(409);
    expect(notAccepted.json()).toMatchObject({ type: expect.stringMatching(/offer-not-accepted$/), currentStatus: 'policy-approved' });
    expect((await los.pool.query('SELECT 1 FROM application_agreements WHERE application_id = $1', [ids.notAccepted])).rowCount).toBe(0);
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${randomUUID()}/agreement`, headers: partner() })).statusCode).toBe(404);
  });
});
