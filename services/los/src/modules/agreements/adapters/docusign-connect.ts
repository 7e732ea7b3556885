/**
 * DocuSign Connect (webhook) messages in the JSON SIM event format, v2.1: `{event, data: {envelopeId,
 * envelopeSummary}}`, where a completed envelope's summary carries the signed documents as
 * `envelopeDocuments[].PDFBytes` (base64) when the Connect configuration includes documents. HMAC security:
 * `X-DocuSign-Signature-1` … `-N` are base64 HMAC-SHA256 digests of the raw body, one per active key; one match
 * suffices (developers.docusign.com/platform/webhooks/connect/validate).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** How many X-DocuSign-Signature-N headers are looked at (DocuSign sends one per active Connect key). */
export const MAX_SIGNATURE_HEADERS = 5;

export function verifyConnectSignature(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, key: string): boolean {
  const expected = createHmac('sha256', key).update(rawBody).digest();
  for (let n = 1; n <= MAX_SIGNATURE_HEADERS; n += 1) {
    const value = headers[`x-docusign-signature-${n}`];
    const given = Buffer.from((Array.isArray(value) ? value[0] : value) ?? '', 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

const connectSchema = z.object({
  event: z.string().min(1),
  data: z.object({
    envelopeId: z.string().min(1),
    envelopeSummary: z.object({
      status: z.string(),
      recipients: z.object({ signers: z.array(z.object({ name: z.string().optional(), email: z.string().optional(), declinedReason: z.string().optional() })).optional() }).optional(),
      envelopeDocuments: z.array(z.object({ documentId: z.string(), name: z.string().optional(), PDFBytes: z.string().optional() })).optional(),
    }).optional(),
  }),
});

/** What the LOS does with a Connect message: a completion (with the signed bytes' SHA-256), a decline, a void, or progress. */
export type ConnectEvent =
  | { readonly kind: 'completed'; readonly envelopeId: string; readonly signedSha256: string | null }
  | { readonly kind: 'declined'; readonly envelopeId: string; readonly reason: string }
  | { readonly kind: 'voided'; readonly envelopeId: string }
  | { readonly kind: 'progress'; readonly envelopeId: string; readonly event: string };

export function parseConnectEvent(raw: Buffer): { ok: true; event: ConnectEvent } | { ok: false; pointer: string; detail: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, pointer: '', detail: 'the body is not JSON' };
  }
  const parsed = connectSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, pointer: `/${issue.path.map(String).join('/')}`, detail: issue.message };
  }
  const { event, data } = parsed.data;
  const envelopeId = data.envelopeId;
  if (event === 'envelope-completed') {
    // Document "1" is the agreement (the adapter sends one document); no bytes → nothing to verify, refused.
    const doc = data.envelopeSummary?.envelopeDocuments?.find((d) => d.documentId === '1');
    const signedSha256 = doc?.PDFBytes ? createHash('sha256').update(Buffer.from(doc.PDFBytes, 'base64')).digest('hex') : null;
    return { ok: true, event: { kind: 'completed', envelopeId, signedSha256 } };
  }
  if (event === 'envelope-declined') return { ok: true, event: { kind: 'declined', envelopeId, reason: data.envelopeSummary?.recipients?.signers?.[0]?.declinedReason ?? 'No reason given' } };
  if (event === 'envelope-voided') return { ok: true, event: { kind: 'voided', envelopeId } };
  return { ok: true, event: { kind: 'progress', envelopeId, event } };
}
