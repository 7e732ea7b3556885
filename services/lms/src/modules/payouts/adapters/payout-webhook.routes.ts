import { HttpProblem } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type { PayoutOutcome, PayoutWebhookHeaders, PayoutWebhookResult } from '../ports.js';

export interface PayoutWebhookRouteDeps {
  /** PayoutPort.verifyWebhook. */
  readonly verify: (rawBody: Buffer, headers: PayoutWebhookHeaders) => PayoutWebhookResult;
  /** Applies a verified outcome; must be idempotent (the provider delivers at least once). Throwing answers 500, so the provider retries. */
  readonly onOutcome: (outcome: PayoutOutcome) => Promise<void>;
  /** Default `/v1/payout-webhooks/razorpayx`. */
  readonly path?: string;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The provider's webhook: authenticated by its signature over the raw body, not by a bearer token. This
 * plugin's own JSON parser keeps the body as bytes (encapsulated: the rest of the API parses JSON as usual).
 * 200 for a settled or ignored event, 400/401 problem+json for a refused one, 500 if applying it failed.
 */
export async function payoutWebhookRoutes(app: FastifyInstance, deps: PayoutWebhookRouteDeps): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  app.post(deps.path ?? '/v1/payout-webhooks/razorpayx', {
    bodyLimit: MAX_BODY_BYTES,
    schema: {
      tags: ['payouts'],
      summary: 'Payout provider webhook (RazorpayX payout.* events)',
      description: 'Signed with `X-Razorpay-Signature` (hex HMAC-SHA256 of the raw body with the webhook secret). Duplicate deliveries are harmless.',
      response: {
        200: { description: 'Accepted (a payout settled) or ignored (an event that settles nothing)' },
        400: { description: 'Not a payout event, or outside the replay window' },
        401: { description: 'Missing or wrong signature' },
      },
    },
  }, async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = deps.verify(raw, request.headers);
    if ('error' in result) {
      const unauthenticated = result.error === 'missing-signature' || result.error === 'bad-signature';
      throw new HttpProblem(unauthenticated ? 401 : 400, `payout-webhook-${result.error}`, 'Payout webhook refused', result.detail);
    }
    if ('ignored' in result) return { status: 'ignored', event: result.ignored };
    await deps.onOutcome(result);
    return { status: 'accepted', payoutId: result.payoutId, outcome: result.status };
  });
}

/** Registers the webhook route on `app` (for buildServer). */
export function payoutWebhookRoute(app: FastifyInstance, deps: PayoutWebhookRouteDeps) {
  return app.register(payoutWebhookRoutes, deps);
}
