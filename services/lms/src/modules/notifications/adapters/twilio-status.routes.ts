import { HttpProblem } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { applyReceipt } from './pg-contacts.repository.js';
import { outcomeOfTwilioStatus, verifyTwilioSignature } from './twilio-messaging.client.js';

export interface TwilioStatusRouteDeps {
  readonly pool: pg.Pool;
  readonly authToken: string;
  /** The URL Twilio was given as StatusCallback: the signature covers it exactly. */
  readonly publicUrl: string;
  readonly now: () => Date;
}

const MAX_BODY_BYTES = 16 * 1024;

/**
 * Twilio's message status callbacks (delivery receipts): form-encoded, authenticated by X-Twilio-Signature
 * rather than a bearer token. A receipt moves its attempt forward only (sent → delivered | failed), so
 * duplicates and late arrivals change nothing. A receipt for a message id not recorded yet (it can race the
 * send's own answer) is 404, which the sender retries.
 */
export async function twilioStatusRoutes(app: FastifyInstance, deps: TwilioStatusRouteDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post('/v1/notification-webhooks/twilio', {
    bodyLimit: MAX_BODY_BYTES,
    schema: {
      tags: ['notifications'],
      summary: 'Messaging vendor status callback (Twilio message status)',
      description: 'Form fields MessageSid, MessageStatus (queued, sent, delivered, undelivered, failed, read), ErrorCode; signed with `X-Twilio-Signature` (base64 HMAC-SHA1 with the auth token of the callback URL and the sorted parameters).',
      response: { 200: { description: 'Applied or already known' }, 400: { description: 'Not a message status callback' }, 401: { description: 'Missing or wrong signature' }, 404: { description: 'No attempt has this message id (yet)' } },
    },
  }, async (request) => {
    const params = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, string>;
    const signature = request.headers['x-twilio-signature'];
    if (!verifyTwilioSignature(deps.authToken, deps.publicUrl, params, typeof signature === 'string' ? signature : undefined)) {
      throw new HttpProblem(401, 'notification-webhook-bad-signature', 'Status callback refused', 'X-Twilio-Signature is missing or does not match.');
    }
    const sid = params.MessageSid;
    const status = params.MessageStatus;
    if (!sid || !status) {
      throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'MessageSid and MessageStatus are required.', { errors: [{ pointer: sid ? '/MessageStatus' : '/MessageSid', detail: 'required' }] });
    }
    const attempt = await applyReceipt(deps.pool, { vendor: 'twilio', vendorMessageId: sid, vendorStatus: status, outcome: outcomeOfTwilioStatus(status), errorCode: params.ErrorCode ? `twilio-${params.ErrorCode}` : null, at: deps.now() });
    if (!attempt) throw new HttpProblem(404, 'not-found', 'Message not found', `No contact attempt has message ${sid}.`, { errors: [{ pointer: '/MessageSid', detail: 'unknown message id' }] });
    return { status: 'accepted', attemptId: attempt.id, outcome: attempt.outcome };
  });
}
