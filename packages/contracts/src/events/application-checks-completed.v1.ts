import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkSummarySchema, checksRunSchema } from './application-lifecycle.v1.js';

export const applicationChecksCompletedV1PayloadSchema = z
  .object({
    applicationId: z.uuid(),
    run: checksRunSchema,
    checks: z.array(checkSummarySchema).min(1).max(50).describe("Every check of the application, each with its kind, result, score and reasons"),
  })
  .strict();
export type ApplicationChecksCompletedV1Payload = z.infer<typeof applicationChecksCompletedV1PayloadSchema>;

/** ApplicationChecksCompleted v1: every check completed (pass, refer or fail); the application is checks-complete. */
export const applicationChecksCompletedV1Schema = envelopeSchema('ApplicationChecksCompleted', 1, applicationChecksCompletedV1PayloadSchema);
export type ApplicationChecksCompletedV1 = z.infer<typeof applicationChecksCompletedV1Schema>;
