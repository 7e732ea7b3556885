import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PayoutWebhookHeaders } from '../ports.js';

/**
 * The ODFI's webhooks (packages/testing/sandboxes/ach-sandbox/src/webhooks.ts): `X-Ach-Signature: t=<unix
 * seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under the webhook secret. The timestamp is signed, so an
 * event older than `maxAgeSeconds` (or from the future beyond a clock skew) is refused as stale; within the
 * window a replay is a duplicate delivery, which the adapter applies to the same effect.
 */
const eventSchema = z.discriminatedUnion('type', [
  z.object({ id: z.string().min(1).max(64), type: z.literal('file.settled'), createdAt: z.iso.datetime({ offset: true }), data: z.object({ fileId: z.string().min(1).max(64), settlementDate: z.iso.date(), traceNumbers: z.array(z.string().regex(/^\d{15}$/)).max(10_000) }) }),
  z.object({ id: z.string().min(1).max(64), type: z.literal('returns.available'), createdAt: z.iso.datetime({ offset: true }), data: z.object({ returnFileId: z.string().min(1).max(64), fileIds: z.array(z.string().max(64)).max(10_000) }) }),
]);
export type AchEvent = z.infer<typeof eventSchema>;

const CLOCK_SKEW_SECONDS = 300;

export function verifyAchWebhook(rawBody: Buffer, headers: PayoutWebhookHeaders, options: { secret: string; maxAgeSeconds: number; now: () => Date }):
  { readonly event: AchEvent } | { readonly error: 'missing-signature' | 'bad-signature' | 'stale' | 'malformed'; readonly detail: string } {
  const raw = headers['x-ach-signature'];
  const signature = Array.isArray(raw) ? raw[0] : raw;
  if (!signature) return { error: 'missing-signature', detail: 'X-Ach-Signature is missing' };
  const parts = Object.fromEntries(signature.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return { error: 'bad-signature', detail: 'X-Ach-Signature is not t=<seconds>,v1=<hex>' };
  const expected = createHmac('sha256', options.secret).update(`${t}.`).update(rawBody).digest();
  const given = Buffer.from(parts.v1!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'bad-signature', detail: 'X-Ach-Signature does not match the body' };
  const age = options.now().getTime() / 1000 - t;
  if (age > options.maxAgeSeconds || age < -CLOCK_SKEW_SECONDS) return { error: 'stale', detail: `signed at ${t}, outside the ${options.maxAgeSeconds} s window` };
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { error: 'malformed', detail: 'the body is not JSON' };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) return { error: 'malformed', detail: `not an ACH event: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim() };
  return { event: parsed.data };
}
