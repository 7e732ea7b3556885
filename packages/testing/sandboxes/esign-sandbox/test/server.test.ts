import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../src/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../lib/index.js';
import { signConnectBody } from '../src/connect.js';
import { ESIGN_SANDBOX_DEFAULTS as D } from '../src/defaults.js';
import { buildESignSandbox } from '../src/server.js';

// The sandbox's two vendor protocols through app.inject; Connect deliveries caught by a local receiver.
let receiver: WebhookReceiver | undefined;
const received = (n: number) => eventually(async () => (receiver!.received.length >= n ? receiver!.received.slice(0, n) : undefined), { timeoutMs: 10_000, intervalMs: 20, what: `${n} Connect deliveries` });
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const auth = { authorization: `Bearer ${D.accessToken}` };
const base = `/restapi/v2.1/accounts/${D.accountId}`;
const pdf = Buffer.from('%PDF-1.3 the agreement');
const envelope = (transactionId: string) => ({
  emailSubject: 'Sign', status: 'sent', transactionId, documents: [{ documentId: '1', name: 'a.pdf', fileExtension: 'pdf', documentBase64: pdf.toString('base64') }],
  recipients: { signers: [{ recipientId: '1', name: 'Priya Sharma', email: 'p@example.in', clientUserId: 'brw_1' }] },
});

describe('esign-sandbox: DocuSign eSignature v2.1', () => {
  it('creates an envelope, finds it by transaction id, gives the signing URL and the audit events; the signer signs and Connect delivers the signed document, HMAC-signed', async () => {
    receiver = await startWebhookReceiver();
    const app = buildESignSandbox({ ...D, connectUrl: receiver.url, autoSignDelayMs: 0 });
    expect((await app.inject({ method: 'POST', url: `${base}/envelopes`, payload: envelope('t-1') })).statusCode).toBe(401);
    const created = await app.inject({ method: 'POST', url: `${base}/envelopes`, headers: auth, payload: envelope('t-1') });
    expect(created.statusCode).toBe(201);
    const { envelopeId } = created.json<{ envelopeId: string }>();
    const listed = await app.inject({ method: 'GET', url: `${base}/envelopes?transaction_ids=t-1,t-2`, headers: auth });
    expect(listed.json().envelopes.map((e: any) => [e.envelopeId, e.transactionId])).toEqual([[envelopeId, 't-1']]);
    const view = await app.inject({ method: 'POST', url: `${base}/envelopes/${envelopeId}/views/recipient`, headers: auth, payload: { returnUrl: 'https://x.example/done', userName: 'Priya Sharma', email: 'p@example.in', clientUserId: 'brw_1' } });
    expect(view.json().url).toContain(`/signing/${envelopeId}`);
    expect((await app.inject({ method: 'POST', url: `${base}/envelopes/${envelopeId}/views/recipient`, headers: auth, payload: { returnUrl: 'https://x.example/done', userName: 'Someone', email: 'p@example.in', clientUserId: 'brw_1' } })).json().errorCode).toBe('UNKNOWN_ENVELOPE_RECIPIENT');

    await app.inject({ method: 'POST', url: `/sandbox/envelopes/${envelopeId}/sign`, payload: { ip: '198.51.100.4' } });
    const events = (await app.inject({ method: 'GET', url: `${base}/envelopes/${envelopeId}/audit_events`, headers: auth })).json<{ auditEvents: { eventFields: { name: string; value: string }[] }[] }>().auditEvents;
    const field = (e: (typeof events)[number], name: string) => e.eventFields.find((f) => f.name === name)?.value;
    expect(events.map((e) => [field(e, 'Action'), field(e, 'ClientIPAddress'), field(e, 'EnvelopeStatus')])).toEqual([
      ['Registered', '10.0.0.1', 'sent'], ['Sent Invitations', '10.0.0.1', 'sent'], ['Viewed', '198.51.100.4', 'delivered'], ['Signed', '198.51.100.4', 'completed'],
    ]);
    const hooks = await received(2);
    expect(hooks.map((h) => JSON.parse(h.body).event)).toEqual(['recipient-delivered', 'envelope-completed']);
    const completed = hooks[1]!;
    expect(completed.headers['x-docusign-signature-1']).toBe(signConnectBody(completed.body, D.connectHmacKey));
    const doc = JSON.parse(completed.body).data.envelopeSummary.envelopeDocuments[0];
    expect(createHash('sha256').update(Buffer.from(doc.PDFBytes, 'base64')).digest('hex')).toBe(createHash('sha256').update(pdf).digest('hex'));
    await app.close();
  });

  it('a tampered completion carries other bytes than were sent', async () => {
    receiver = await startWebhookReceiver();
    const app = buildESignSandbox({ ...D, connectUrl: receiver.url, autoSignDelayMs: 0 });
    const { envelopeId } = (await app.inject({ method: 'POST', url: `${base}/envelopes`, headers: auth, payload: envelope('t-3') })).json<{ envelopeId: string }>();
    await app.inject({ method: 'POST', url: `/sandbox/envelopes/${envelopeId}/sign`, payload: { tamper: true } });
    const [, completed] = await received(2);
    const bytes = Buffer.from(JSON.parse(completed!.body).data.envelopeSummary.envelopeDocuments[0].PDFBytes, 'base64');
    expect(bytes.equals(pdf)).toBe(false);
    expect(bytes.subarray(0, pdf.length).equals(pdf)).toBe(true);
    await app.close();
  });
});

describe('esign-sandbox: eStamp certificates', () => {
  const body = { state: 'KA', article: 'Article 5(f)', description: 'Loan agreement', first_party: { name: 'Lender' }, second_party: { name: 'Borrower' }, consideration_amount: '50000000', duty_amount: '50000', duty_payer: 'second-party', reference: 'r-1' };
  const stamp = (app: ReturnType<typeof buildESignSandbox>, payload: unknown, key = 'r-1') => app.inject({ method: 'POST', url: '/estamp/v1/certificates', headers: { authorization: `Bearer ${D.estampApiKey}`, 'idempotency-key': key }, payload: payload as object });

  it('issues IN-<state><14 digits><letter> once per Idempotency-Key and refuses what a vendor would', async () => {
    const app = buildESignSandbox({ ...D, connectUrl: undefined, autoSignDelayMs: 0 });
    const first = await stamp(app, body);
    expect(first.statusCode).toBe(201);
    expect(first.json().certificate_number).toMatch(/^IN-KA\d{14}[A-Z]$/);
    expect((await stamp(app, body)).json().certificate_number).toBe(first.json().certificate_number);
    expect((await stamp(app, { ...body, duty_amount: '1' })).statusCode).toBe(409);
    expect((await stamp(app, { ...body, state: 'XX' }, 'r-2')).json()).toMatchObject({ status: 422, field: 'state' });
    expect((await stamp(app, { ...body, duty_amount: '5.00' }, 'r-3')).json()).toMatchObject({ status: 422, field: 'duty_amount' });
    expect((await stamp(app, { ...body, second_party: {} }, 'r-4')).json()).toMatchObject({ status: 422, field: 'second_party.name' });
    expect((await app.inject({ method: 'POST', url: '/estamp/v1/certificates', headers: { 'idempotency-key': 'r-5' }, payload: body })).statusCode).toBe(401);
    await app.close();
  });
});
