import { HttpProblem } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type { PayoutOutcome } from '../ports.js';
import type { AchPayoutAdapter } from './ach-payout.adapter.js';

export interface AchWebhookRouteDeps {
  /** AchPayoutAdapter.handleNotification. */
  readonly handle: AchPayoutAdapter['handleNotification'];
  /** Applies each outcome; idempotent (the same notification may come again). Throwing answers 500, so the ODFI redelivers. */
  readonly onOutcome: (outcome: PayoutOutcome) => Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * `POST /v1/payout-webhooks/ach`: the ODFI's notifications (a file settled; a returns file is ready), signed in
 * `X-Ach-Signature`, not bearer-authenticated. The body is kept as bytes for the signature (encapsulated parser).
 * 200 with the outcomes applied, 400/401 problem+json for a refused notification, 500 if applying failed.
 */
export async function achWebhookRoutes(app: FastifyInstance, deps: AchWebhookRouteDeps): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  app.post('/v1/payout-webhooks/ach', {
    bodyLimit: MAX_BODY_BYTES,
    schema: {
      tags: ['payouts'],
      summary: 'ACH ODFI webhook (file.settled, returns.available)',
      description: 'Signed with `X-Ach-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. A returns file is downloaded from the ODFI and read (R-codes fail or reverse payouts, C-codes are recorded). Duplicate deliveries are harmless.',
      response: {
        200: { description: 'Applied: the payouts it settled, failed or reversed' },
        400: { description: 'Not an ACH event, or outside the replay window' },
        401: { description: 'Missing or wrong signature' },
      },
    },
  }, async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await deps.handle(raw, request.headers);
    if ('error' in result) {
      const unauthenticated = result.error === 'missing-signature' || result.error === 'bad-signature';
      throw new HttpProblem(unauthenticated ? 401 : 400, `payout-webhook-${result.error}`, 'ACH webhook refused', result.detail);
    }
    for (const outcome of result.outcomes) await deps.onOutcome(outcome);
    return { status: 'accepted', event: result.event, payouts: result.outcomes.map((o) => ({ payoutId: o.payoutId, outcome: o.status, ...(o.failureReason ? { reason: o.failureReason } : {}) })) };
  });
}
