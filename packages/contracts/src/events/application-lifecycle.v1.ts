import { z } from 'zod';

/**
 * Shared parts of the application lifecycle events (ApplicationSubmitted, ApplicationChecksStarted,
 * ApplicationChecksCompleted, ApplicationCheckException). Keyed by application id on
 * lendstack.origination.applications, so one application's events stay in order. They never carry a
 * clear national id, date of birth or account number: checks describe what they found, not the data.
 */
export const checkKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a check kind: lowercase letters, digits and -').describe('kyc, document-ocr, bureau, income, duplicate, velocity, device, sanctions …');
export const checkResultSchema = z.enum(['pass', 'refer', 'fail']);
export const checkStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'exception']);

export const checkReasonSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/).describe('Stable and machine-readable: sanctions-match, seen-elsewhere, vendor-unavailable …'),
    detail: z.string().min(1).max(1000),
  })
  .strict();

/** One check as an event carries it: what it concluded, not the evidence (GET /v1/applications/{id}/checks has that). */
export const checkSummarySchema = z
  .object({
    kind: checkKindSchema,
    status: checkStatusSchema,
    result: checkResultSchema.optional().describe('Present once the check completed'),
    score: z.number().min(0).max(1).optional(),
    reasons: z.array(checkReasonSchema).max(50),
    vendorReference: z.string().min(1).max(200).optional(),
    attempts: z.number().int().min(0).max(1000),
  })
  .strict();
export type CheckSummaryV1 = z.infer<typeof checkSummarySchema>;

/** A run is one pass of the checks workflow: 1 at submission, +1 for each operator re-run. */
export const checksRunSchema = z.number().int().min(1).max(10_000);
