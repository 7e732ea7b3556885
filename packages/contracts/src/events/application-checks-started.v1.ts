import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkKindSchema, checksRunSchema } from './application-lifecycle.v1.js';

export const applicationChecksStartedV1PayloadSchema = z
  .object({
    applicationId: z.uuid(),
    run: checksRunSchema,
    kinds: z.array(checkKindSchema).min(1).max(50).describe('The checks this run performs'),
  })
  .strict();
export type ApplicationChecksStartedV1Payload = z.infer<typeof applicationChecksStartedV1PayloadSchema>;

/** ApplicationChecksStarted v1: the application is checks-running (at submission, or an operator re-ran checks). */
export const applicationChecksStartedV1Schema = envelopeSchema('ApplicationChecksStarted', 1, applicationChecksStartedV1PayloadSchema);
export type ApplicationChecksStartedV1 = z.infer<typeof applicationChecksStartedV1Schema>;
