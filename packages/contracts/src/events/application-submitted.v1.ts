import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { positiveMoneySchema } from '../money.js';

export const applicationSubmittedV1PayloadSchema = z
  .object({
    applicationId: z.uuid(),
    applicantId: z.string().min(1).max(64),
    productCode: z.string().min(1).max(64),
    requestedPrincipal: positiveMoneySchema,
    submittedBy: z.string().min(1).max(200),
    submittedAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type ApplicationSubmittedV1Payload = z.infer<typeof applicationSubmittedV1PayloadSchema>;

/** ApplicationSubmitted v1: a partner submitted an application; its checks start next. */
export const applicationSubmittedV1Schema = envelopeSchema('ApplicationSubmitted', 1, applicationSubmittedV1PayloadSchema);
export type ApplicationSubmittedV1 = z.infer<typeof applicationSubmittedV1Schema>;
