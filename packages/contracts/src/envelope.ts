import { z } from 'zod';

/** W3C trace context carried with every event so a consumer continues the producer's trace. */
export const traceContextSchema = z
  .object({
    traceparent: z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/),
    tracestate: z.string().max(512).optional(),
  })
  .strict();

/**
 * The envelope every Lendstack event travels in. `type` + `version` select the payload schema;
 * `subject` is the aggregate id (the loan id) and is also the Kafka message key, so one loan's
 * events stay ordered on one partition. `id` is unique per event and is the consumers' inbox key.
 */
export function envelopeSchema<T extends string, V extends number, P extends z.ZodType>(
  type: T,
  version: V,
  payload: P,
) {
  return z
    .object({
      id: z.uuid(),
      type: z.literal(type),
      version: z.literal(version),
      source: z.string().min(1).max(100),
      subject: z.string().min(1).max(100),
      occurredAt: z.iso.datetime({ offset: true }),
      tenantId: z.string().min(1).max(64),
      correlationId: z.string().min(1).max(100),
      causationId: z.string().min(1).max(100).optional(),
      traceContext: traceContextSchema.optional(),
      payload,
    })
    .strict();
}

/** The fields every envelope has, whatever its payload; used to route and dead-letter. */
export const envelopeHeaderSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  subject: z.string().min(1),
  tenantId: z.string().min(1),
});
export type EnvelopeHeader = z.infer<typeof envelopeHeaderSchema>;
