/**
 * POST /v1/webhooks/esign/docusign: DocuSign Connect's callback, authenticated by HMAC, not by a bearer token:
 * `X-DocuSign-Signature-1…N` over the RAW body under the Connect secret (docusign-connect.ts), checked in
 * constant time before anything in the body is believed. Unsigned or badly signed → 401. A repeated event
 * changes nothing and answers 200 (Connect redelivers until it gets a 2xx). A completion over a document
 * other than the one generated → 422, recorded as `signature-refused`.
 */
import { HttpProblem } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { VendorResponseError, VendorUnavailableError } from '../../checks/check-runner.js';
import { recordESignEvent, type ESignEventDeps } from '../use-cases/record-esign-event.js';
import { parseConnectEvent, verifyConnectSignature } from './docusign-connect.js';

export interface DocuSignWebhookRoutesDeps extends ESignEventDeps {
  /** The Connect configuration's HMAC secret. */
  readonly connectHmacKey: string;
}

/** A completed envelope's summary carries the signed PDF (base64); agreements are a few hundred KiB at most. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function docuSignWebhookRoutes(app: FastifyInstance, deps: DocuSignWebhookRoutesDeps): Promise<void> {
  // The signature is over the raw bytes, so this route keeps them (encapsulated: other routes still parse JSON).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

  app.post('/v1/webhooks/esign/docusign', {
    bodyLimit: MAX_BODY_BYTES,
    schema: {
      tags: ['agreements'], summary: 'DocuSign Connect receiver (envelope-completed, envelope-declined, envelope-voided, recipient-delivered)',
      description: 'Authenticated by `X-DocuSign-Signature-1` (base64 HMAC-SHA256 of the raw body under the Connect secret; `-2`… for further keys), not by a bearer token. A completed envelope is accepted only when its document’s SHA-256 is the generated agreement’s.',
      headers: { type: 'object', properties: { 'x-docusign-signature-1': { type: 'string' } } },
      response: { 200: { description: 'Recorded, or already recorded (a repeat changes nothing)' }, 401: { description: 'Missing or invalid signature' }, 404: { description: 'No agreement has this envelope' }, 409: { description: 'A completion for an agreement already declined or voided' }, 422: { description: 'Not a Connect event, or signed over a different document (refused)' }, 503: { description: 'The vendor’s audit trail cannot be read now; redeliver' } },
    },
  }, async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!request.headers['x-docusign-signature-1']) throw new HttpProblem(401, 'webhook-signature-missing', 'Webhook signature missing', 'X-DocuSign-Signature-1 is required.', { errors: [{ pointer: '/header/x-docusign-signature-1', detail: 'required' }] });
    if (!verifyConnectSignature(raw, request.headers, deps.connectHmacKey)) throw new HttpProblem(401, 'webhook-signature-invalid', 'Webhook signature invalid', 'No X-DocuSign-Signature-N header matches the body.', { errors: [{ pointer: '/header/x-docusign-signature-1', detail: 'does not match the body' }] });
    const parsed = parseConnectEvent(raw);
    if (!parsed.ok) throw new HttpProblem(422, 'webhook-not-understood', 'Not a DocuSign Connect event', `Expected {event, data: {envelopeId, envelopeSummary}}: ${parsed.detail}.`, { errors: [{ pointer: parsed.pointer, detail: parsed.detail }] });
    let result;
    try {
      result = await recordESignEvent(deps, parsed.event);
    } catch (error) {
      if (error instanceof VendorUnavailableError || error instanceof VendorResponseError) throw new HttpProblem(503, 'vendor-unavailable', 'Audit trail unavailable', `${error.message}; redeliver the event.`, { vendor: error.vendor });
      throw error;
    }
    if (!result.ok) {
      const e = result.error;
      if (e.kind === 'unknown-envelope') throw new HttpProblem(404, 'unknown-envelope', 'Unknown envelope', `No agreement was sent as envelope ${parsed.event.envelopeId}.`, { errors: [{ pointer: '/data/envelopeId', detail: 'no agreement has this envelope' }] });
      if (e.kind === 'hash-mismatch') {
        throw new HttpProblem(422, 'signature-refused', 'Signature refused: different document', `The signed document's SHA-256 (${e.signed ?? 'no document in the event'}) is not the generated agreement's (${e.expected}); the agreement stays unsigned.`,
          { expectedSha256: e.expected, signedSha256: e.signed, errors: [{ pointer: '/data/envelopeSummary/envelopeDocuments/0/PDFBytes', detail: 'not the document that was sent for signature' }] });
      }
      throw new HttpProblem(409, 'agreement-not-signable', 'Agreement not signable', `The agreement is ${e.status}; a completion is not recorded.`, { agreementStatus: e.status });
    }
    return reply.status(200).send({ received: true, changed: result.changed, status: result.status });
  });
}
