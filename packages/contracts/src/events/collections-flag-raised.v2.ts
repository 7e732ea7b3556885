import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { collectionsFlagSchema, type CollectionsFlagRaisedV1 } from './collections-flag-raised.v1.js';
import { earlyWarningFactorSchema } from './loan-early-warning-raised.v1.js';
import { dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

/** v1's patterns and `npa-risk`: the LMS's NPA early-warning model put the loan over its threshold. */
export const collectionsFlagV2Schema = z.enum([...collectionsFlagSchema.options, 'npa-risk']);

/**
 * As v1, and one more pattern: `npa-risk`, raised by the loan's collector when the LMS's NPA early-warning
 * model (LoanEarlyWarningRaised) put its probability of 90+ DPD within 90 days over the model's threshold,
 * once per warning (`eventKey` `flag:npa-risk:<business date of the warning>`). An `npa-risk` flag carries the
 * score it acts on: `probability`, `model` and `topFactors` (the other flags carry none). A new version because
 * a reader of v1 may switch over the flag exhaustively; a v1 event reads as v2 unchanged (upcastCollectionsFlagRaisedV1).
 */
export const collectionsFlagRaisedV2PayloadSchema = z
  .object({
    ...engineEventShape,
    flag: collectionsFlagV2Schema,
    dpd: dpdSchema,
    detail: z.string().min(1).max(300).describe('What was seen, in plain words (which presentments, which promise, which month ends, which score)'),
    probability: z.string().regex(/^[01]\.\d{4}$/, 'a decimal with 4 places').describe('npa-risk: P(90+ DPD within 90 days), four places').optional(),
    model: z.string().min(1).max(60).describe('npa-risk: the early-warning model name and version, e.g. npa-90d.v1').optional(),
    topFactors: z.array(earlyWarningFactorSchema).min(1).max(5).describe('npa-risk: the factors adding most to the score, largest first').optional(),
  })
  .strict();
export type CollectionsFlagRaisedV2Payload = z.infer<typeof collectionsFlagRaisedV2PayloadSchema>;

/** CollectionsFlagRaised v2. Key `flag:<flag>:<occurrence>`. */
export const collectionsFlagRaisedV2Schema = envelopeSchema('CollectionsFlagRaised', 2, collectionsFlagRaisedV2PayloadSchema);
export type CollectionsFlagRaisedV2 = z.infer<typeof collectionsFlagRaisedV2Schema>;

/** A v1 event read as v2: the same id and payload (every v1 payload is a v2 payload), version 2. */
export function upcastCollectionsFlagRaisedV1(event: CollectionsFlagRaisedV1): CollectionsFlagRaisedV2 {
  return { ...event, version: 2, payload: { ...event.payload } };
}
