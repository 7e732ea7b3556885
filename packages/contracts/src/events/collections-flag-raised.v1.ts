import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { dpdSchema, engineEventShape } from './loan-lifecycle.v1.js';

/** The early-warning patterns the collector raises (LMS modules/collections). */
export const collectionsFlagSchema = z.enum(['bounced-twice', 'promise-broken', 'dpd-rising']);

/**
 * The loan's collector saw a pattern that precedes default, as of the LMS business date: the last two
 * auto-debit presentments both came back unpaid (`bounced-twice`), a promise to pay passed its date with less
 * paid than promised (`promise-broken`), or DPD rose at two month ends in a row (`dpd-rising`). Raised once per
 * occurrence (`eventKey` names it, so a redelivery or a workflow retry is the same event). For risk, the LOS
 * (repeat and top-up applications) and collections staff; it moves no money.
 */
export const collectionsFlagRaisedV1PayloadSchema = z
  .object({
    ...engineEventShape,
    flag: collectionsFlagSchema,
    dpd: dpdSchema,
    detail: z.string().min(1).max(300).describe('What was seen, in plain words (which presentments, which promise, which month ends)'),
  })
  .strict();
export type CollectionsFlagRaisedV1Payload = z.infer<typeof collectionsFlagRaisedV1PayloadSchema>;

/** CollectionsFlagRaised v1. Key `flag:<flag>:<occurrence>`. */
export const collectionsFlagRaisedV1Schema = envelopeSchema('CollectionsFlagRaised', 1, collectionsFlagRaisedV1PayloadSchema);
export type CollectionsFlagRaisedV1 = z.infer<typeof collectionsFlagRaisedV1Schema>;
