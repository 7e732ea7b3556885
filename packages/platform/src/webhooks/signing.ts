import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures as the Standard Webhooks specification (standardwebhooks.com, v1) defines them, so a
 * partner can verify with any of its libraries: headers `webhook-id` (the event id, the same on every
 * retry and replay, so a receiver deduplicates by it), `webhook-timestamp` (Unix seconds of this attempt)
 * and `webhook-signature` (`v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`, keyed with the
 * base64-decoded part of the `whsec_…` secret). The specification puts the id into the signed content
 * beside the timestamp and body, so a signature cannot be moved to another message either.
 *
 * Replay window: a receiver refuses a timestamp more than REPLAY_TOLERANCE_SECONDS (5 minutes) from its
 * clock, either way. During a secret rotation each attempt carries two signatures (space-separated), the
 * new secret's first; a receiver accepts the message when any one matches.
 */
export const SECRET_PREFIX = 'whsec_';
export const REPLAY_TOLERANCE_SECONDS = 300;
export const SIGNATURE_VERSION = 'v1';

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** A new endpoint secret: 24 random bytes, base64 behind the `whsec_` prefix (as the specification serializes it). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

function signatureOf(secret: string, id: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
}

/** The three headers of one attempt; with more than one secret (a rotation), one signature per secret. */
export function signWebhook(secrets: readonly string[], id: string, timestampSeconds: number, body: string): SignedHeaders {
  if (secrets.length === 0) throw new Error('at least one secret signs a webhook');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => `${SIGNATURE_VERSION},${signatureOf(s, id, timestampSeconds, body)}`).join(' '),
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing-headers' | 'timestamp-outside-window' | 'no-matching-signature' };

/** What a receiver does (the README shows it): headers present, timestamp in the window, one signature matching. */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds: number, toleranceSeconds = REPLAY_TOLERANCE_SECONDS): VerifyResult {
  const one = (name: string) => (Array.isArray(headers[name]) ? headers[name][0] : headers[name]);
  const id = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing-headers' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'timestamp-outside-window' };
  const expected = Buffer.from(signatureOf(secret, id, Number(timestamp), body), 'base64');
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== SIGNATURE_VERSION || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'no-matching-signature' };
}
