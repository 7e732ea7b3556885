import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkKindSchema, checkSummarySchema, checksRunSchema } from './application-lifecycle.v1.js';

export const applicationCheckExceptionV1PayloadSchema = z
  .object({
    applicationId: z.uuid(),
    run: checksRunSchema,
    exceptions: z
      .array(z.object({ kind: checkKindSchema, status: z.enum(['failed', 'exception']), reason: z.string().min(1).max(1000) }).strict())
      .min(1)
      .max(50)
      .describe('The checks that could not conclude: a vendor that stayed down (exception) or answered unusably (failed)'),
    checks: z.array(checkSummarySchema).min(1).max(50),
  })
  .strict();
export type ApplicationCheckExceptionV1Payload = z.infer<typeof applicationCheckExceptionV1PayloadSchema>;

/** ApplicationCheckException v1: at least one check is parked for an operator; the application is checks-exception and cannot be approved. */
export const applicationCheckExceptionV1Schema = envelopeSchema('ApplicationCheckException', 1, applicationCheckExceptionV1PayloadSchema);
export type ApplicationCheckExceptionV1 = z.infer<typeof applicationCheckExceptionV1Schema>;
