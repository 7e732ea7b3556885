import type { z } from 'zod';
import { loanApprovedV1Schema } from './events/loan-approved.v1.js';
import { loanBookingRejectedV1Schema } from './events/loan-booking-rejected.v1.js';
import { productPublishedV1Schema } from './events/product-published.v1.js';
import { envelopeHeaderSchema } from './envelope.js';

/** Every event type and version Lendstack publishes, with its schema. The source of the generated docs. */
export const eventSchemas = {
  'LoanApproved.v1': loanApprovedV1Schema,
  'LoanBookingRejected.v1': loanBookingRejectedV1Schema,
  'ProductPublished.v1': productPublishedV1Schema,
} as const satisfies Record<string, z.ZodType>;

export type EventKey = keyof typeof eventSchemas;

export type ParseResult<T> = { ok: true; event: T } | { ok: false; reason: string };

/** Reads a serialized message: JSON, then the envelope header, then the payload schema of its type/version. */
export function parseEvent(raw: string | Buffer | null): ParseResult<z.infer<(typeof eventSchemas)[EventKey]>> {
  if (raw === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
  const header = envelopeHeaderSchema.safeParse(json);
  if (!header.success) return { ok: false, reason: `invalid envelope: ${formatIssues(header.error)}` };
  const key = `${header.data.type}.v${header.data.version}`;
  const schema = (eventSchemas as Record<string, z.ZodType>)[key];
  if (!schema) return { ok: false, reason: `unknown event type/version ${key}` };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `invalid ${key}: ${formatIssues(parsed.error)}` };
  return { ok: true, event: parsed.data as z.infer<(typeof eventSchemas)[EventKey]> };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
