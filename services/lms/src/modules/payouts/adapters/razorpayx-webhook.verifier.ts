import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PayoutWebhookHeaders, PayoutWebhookResult } from '../ports.js';

/**
 * RazorpayX payout webhooks (https://razorpay.com/docs/webhooks/payloads/x/): `X-Razorpay-Signature` is the hex
 * HMAC-SHA256 of the raw body keyed with the webhook secret (https://razorpay.com/docs/webhooks/validate-test/),
 * so the body is checked as received, before any parsing. The protocol signs no timestamp header; the signed
 * body's `created_at` is the event's creation time, and Razorpay retries a failed delivery for 24 hours after it
 * (https://razorpay.com/docs/webhooks/best-practices), so the replay window must be longer than that. Within the
 * window a replay is a duplicate delivery: the consumer dedupes on `eventId` (X-Razorpay-Event-Id).
 */
export interface RazorpayXWebhookVerifierOptions {
  readonly secret: string;
  /** Oldest event accepted, in seconds since its created_at; more than Razorpay's 24 h of retries. */
  readonly maxAgeSeconds: number;
  readonly now: () => Date;
}

/** Events that settle a payout, and the port's status for each (rejected = refused before any money moved). */
const FINAL_EVENTS = { 'payout.processed': 'processed', 'payout.failed': 'failed', 'payout.reversed': 'reversed', 'payout.rejected': 'failed' } as const;
const CLOCK_SKEW_SECONDS = 300;

const eventSchema = z.object({
  event: z.string().max(100),
  created_at: z.number().int().nonnegative(),
  payload: z.object({
    payout: z.object({
      entity: z.object({
        id: z.string().min(1).max(64),
        status: z.string().max(40),
        reference_id: z.string().max(64).nullish(),
        notes: z.union([z.record(z.string(), z.string()), z.array(z.unknown())]).nullish(),
        utr: z.string().max(64).nullish(),
        status_details: z.object({ reason: z.string().max(100).nullish(), description: z.string().max(500).nullish() }).nullish(),
      }),
    }),
  }),
});

const header = (headers: PayoutWebhookHeaders, name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

export function createRazorpayXWebhookVerifier(options: RazorpayXWebhookVerifierOptions): (rawBody: Buffer, headers: PayoutWebhookHeaders) => PayoutWebhookResult {
  const key = Buffer.from(options.secret, 'utf8');
  return (rawBody, headers) => {
    const signature = header(headers, 'x-razorpay-signature');
    if (!signature) return { error: 'missing-signature', detail: 'X-Razorpay-Signature is missing' };
    const expected = createHmac('sha256', key).update(rawBody).digest();
    // A non-hex or short header decodes to fewer bytes: refused by the length check, compared in constant time otherwise.
    const given = /^[0-9a-fA-F]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'bad-signature', detail: 'X-Razorpay-Signature does not match the body' };

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { error: 'malformed', detail: 'the body is not JSON' };
    }
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) return { error: 'malformed', detail: `not a payout event: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
    const event = parsed.data;

    const ageSeconds = options.now().getTime() / 1000 - event.created_at;
    if (ageSeconds > options.maxAgeSeconds || ageSeconds < -CLOCK_SKEW_SECONDS) return { error: 'stale', detail: `event created_at ${event.created_at} is outside the ${options.maxAgeSeconds} s window` };

    const status = FINAL_EVENTS[event.event as keyof typeof FINAL_EVENTS];
    if (!status) return { ignored: event.event };
    const payout = event.payload.payout.entity;
    const notes = Array.isArray(payout.notes) ? {} : (payout.notes ?? {});
    const payoutId = payout.reference_id || notes.payout_id;
    // A payout made outside the LMS (the provider's dashboard, another system) is none of ours.
    if (!payoutId) return { ignored: `${event.event} without a reference_id` };
    const reason = payout.status_details?.reason;
    return {
      eventId: header(headers, 'x-razorpay-event-id') || `${payout.id}:${event.event}`,
      payoutId,
      providerPayoutId: payout.id,
      status,
      ...(status !== 'processed' && reason ? { failureReason: reason.toUpperCase() } : {}),
      ...(status !== 'processed' && payout.status_details?.description ? { failureDetail: payout.status_details.description } : {}),
      ...(payout.utr ? { utr: payout.utr } : {}),
      at: new Date(event.created_at * 1000),
    };
  };
}
