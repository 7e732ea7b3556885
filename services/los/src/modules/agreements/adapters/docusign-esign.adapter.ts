/**
 * ESignPort over the DocuSign eSignature REST API v2.1 (developers.docusign.com/docs/esign-rest-api), with an
 * OAuth access token as `Authorization: Bearer` (a deployment obtains it by JWT grant; the sandbox takes a
 * fixed one). Sending is three calls, each safe to repeat:
 * 1. `GET /v2.1/accounts/{accountId}/envelopes?transaction_ids={id}`: an envelope this agreement already created
 *    (a create whose answer was lost) is reused, not sent twice (DocuSign keeps transaction ids for 7 days);
 * 2. otherwise `POST /v2.1/accounts/{accountId}/envelopes` with the PDF as `documentBase64`, one signer with a
 *    `clientUserId` (embedded signing), `status: "sent"` and the `transactionId`;
 * 3. `POST …/envelopes/{envelopeId}/views/recipient` for the signer's signing URL.
 * `GET …/envelopes/{envelopeId}/audit_events` reads the envelope's audit trail (eventFields by name).
 * Failures follow callVendor: unreachable, timeout, 5xx → VendorUnavailableError; 4xx → VendorResponseError.
 */
import { z } from 'zod';
import { callVendor, vendorJson, vendorParse } from '../../kyc/adapters/vendor-http.js';
import type { ESignAuditEvent, ESignPort } from '../ports.js';

export interface DocuSignOptions {
  /** The REST base, e.g. https://demo.docusign.net/restapi (the sandbox: http://127.0.0.1:3489/restapi). */
  readonly baseUrl: string;
  readonly accountId: string;
  readonly accessToken: string;
  readonly timeoutMs: number;
}

const VENDOR = 'docusign';
const created = z.object({ envelopeId: z.string().min(1), status: z.string() });
const listed = z.object({ envelopes: z.array(z.object({ envelopeId: z.string().min(1), status: z.string(), transactionId: z.string().optional() })).optional() });
const view = z.object({ url: z.string().url() });
const audit = z.object({ auditEvents: z.array(z.object({ eventFields: z.array(z.object({ name: z.string(), value: z.string().nullable().optional() })) })).optional() });

export function createDocuSignESign(options: DocuSignOptions): ESignPort {
  const account = `${options.baseUrl.replace(/\/$/, '')}/v2.1/accounts/${encodeURIComponent(options.accountId)}`;
  const headers = { authorization: `Bearer ${options.accessToken}`, accept: 'application/json', 'content-type': 'application/json' };
  const call = async <T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> => {
    const answer = await callVendor({ vendor: VENDOR, url: `${account}${path}`, method, headers, timeoutMs: options.timeoutMs, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return vendorParse(VENDOR, `${method} ${path}`, schema, vendorJson(VENDOR, answer, `${method} ${path}`));
  };
  return {
    vendor: VENDOR,
    async send(request) {
      const existing = (await call('GET', `/envelopes?transaction_ids=${encodeURIComponent(request.transactionId)}`, listed)).envelopes?.find((e) => e.transactionId === request.transactionId);
      const envelopeId = existing?.envelopeId ?? (await call('POST', '/envelopes', created, {
        emailSubject: request.subject,
        status: 'sent',
        transactionId: request.transactionId,
        documents: [{ documentId: '1', name: request.document.name, fileExtension: 'pdf', documentBase64: request.document.pdf.toString('base64') }],
        recipients: { signers: [{ recipientId: '1', routingOrder: '1', name: request.signer.name, email: request.signer.email, clientUserId: request.signer.clientUserId }] },
      })).envelopeId;
      const { url } = await call('POST', `/envelopes/${encodeURIComponent(envelopeId)}/views/recipient`, view, {
        returnUrl: request.returnUrl, authenticationMethod: 'none', userName: request.signer.name, email: request.signer.email, clientUserId: request.signer.clientUserId,
      });
      return { envelopeId, signingUrl: url };
    },
    async auditEvents(envelopeId) {
      const { auditEvents = [] } = await call('GET', `/envelopes/${encodeURIComponent(envelopeId)}/audit_events`, audit);
      return auditEvents.map(({ eventFields }): ESignAuditEvent => {
        const f = (name: string) => eventFields.find((e) => e.name === name)?.value ?? '';
        return { at: f('logTime'), action: f('Action'), user: f('UserName'), message: f('Message'), envelopeStatus: f('EnvelopeStatus'), ip: f('ClientIPAddress') || null, source: f('Source') };
      });
    },
  };
}
