import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkProductRelations, productShape } from '../product.js';

/**
 * The product as the LMS published it: the full definition, its version (1, 2, … per tenant and code)
 * and when that version took effect. A loan keeps the version it was booked with.
 */
export const productPublishedV1PayloadSchema = z
  .object({
    ...productShape,
    version: z.number().int().min(1),
    effectiveAt: z.iso.datetime({ offset: true }),
  })
  .strict()
  .superRefine(checkProductRelations);
export type ProductPublishedV1Payload = z.infer<typeof productPublishedV1PayloadSchema>;

/**
 * ProductPublished v1: a new version of a product. The envelope subject and the Kafka key are
 * `<tenant>:<code>`, so the compacted topic keeps the latest version of every product.
 */
export const productPublishedV1Schema = envelopeSchema('ProductPublished', 1, productPublishedV1PayloadSchema);
export type ProductPublishedV1 = z.infer<typeof productPublishedV1Schema>;
