import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerdict } from '../ports.js';

/**
 * Verifies a `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` signature header (Stripe's scheme,
 * docs.stripe.com/webhooks "verify manually", which the NACH processor's webhooks use too): any v1 may match, in
 * constant time, and a timestamp further than `toleranceSeconds` from now is refused, so a captured delivery
 * replayed later is not believed. Answers the parsed body or the refusal.
 */
export function verifySignedBody(raw: Buffer, header: string | string[] | undefined, opts: { secret: string; toleranceSeconds: number; now: Date; headerName: string }): { ok: true; body: unknown } | Extract<WebhookVerdict, { ok: false }> {
  const pointer = `/header/${opts.headerName}`;
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, status: 401, pointer, detail: `${opts.headerName} is required` };
  const parts = value.split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, status: 401, pointer, detail: 'expected t=<unix seconds>,v1=<hex HMAC-SHA256>' };
  const expected = createHmac('sha256', opts.secret).update(`${t}.`).update(raw).digest();
  if (!signatures.some((s) => timingSafeEqual(s, expected))) return { ok: false, status: 401, pointer, detail: 'does not match the body' };
  const ageSeconds = Math.abs(opts.now.getTime() / 1000 - t);
  if (ageSeconds > opts.toleranceSeconds) return { ok: false, status: 422, pointer, detail: `signed at ${t}, ${Math.round(ageSeconds)} s away from now; at most ${opts.toleranceSeconds} s either way is accepted` };
  try {
    return { ok: true, body: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, status: 422, pointer: '', detail: 'the body is not JSON' };
  }
}

/** The header a sender computes (the sandboxes and tests sign with it). */
export const signedWebhookHeader = (rawBody: string, secret: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')}`;
