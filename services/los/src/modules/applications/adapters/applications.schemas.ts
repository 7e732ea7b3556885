import { checkTermsRelations, contactSchema, loanTermsShape, nonNegativeMoneySchema, personNameSchema, postalAddressSchema } from '@lendstack/contracts';
import { pageQuerySchema } from '@lendstack/platform';
import { z } from 'zod';
import { MAX_ADVERSE_ACTION_REASONS } from '../../underwriting/domain/decision.js';
import { APPLICATION_STATUSES } from '../domain/application.js';

/** A real calendar date, YYYY-MM-DD, between 1900-01-01 and today (UTC). */
const dateOfBirthSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date of birth must be YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '1900-01-01' && d.getTime() <= Date.now();
  }, 'date of birth must be a real date between 1900-01-01 and today')
  .describe('Sealed at rest (envelope encryption); responses and events show only `1990-XX-XX`.');

/** What a partner sends to apply for a loan. National id and account number arrive in clear and are tokenised. */
export const submitApplicationBodySchema = z
  .object({
    applicant: z
      .object({
        id: z.string().min(1).max(64).optional().describe("The partner's own borrower id; derived from the national id when absent."),
        name: personNameSchema,
        contact: contactSchema,
        address: postalAddressSchema,
        dateOfBirth: dateOfBirthSchema.optional(),
        nationalId: z.object({ type: z.string().min(1).max(32), value: z.string().min(4).max(64) }).strict(),
        bankAccount: z
          .object({
            holderName: z.string().min(1).max(140),
            accountNumber: z.string().regex(/^\d{6,34}$/, 'account number must be 6 to 34 digits'),
            bankCode: z.string().min(1).max(34),
            mandateReference: z.string().min(1).max(64).optional(),
          })
          .strict(),
      })
      .strict(),
    topUpOf: z
      .uuid('topUpOf must be a loan id (UUID)')
      .optional()
      .describe("A top-up: the id of the borrower's existing loan with us (an approved application's loanId) this application tops up. Underwriting reads the borrower's repayment profile at the LMS: a top-up is declined while the borrower is delinquent on a loan with us."),
    draft: z.boolean().optional().describe('true: record the application as a draft (upload its documents, then POST /v1/applications/{id}/submit); checks start at submission'),
    employment: z
      .object({ employerName: z.string().min(1).max(200), monthlyNetIncome: nonNegativeMoneySchema })
      .strict()
      .optional()
      .describe('Stated employment and monthly net income (checked against payslips and bureau data)'),
    device: z
      .object({
        fingerprint: z.string().min(8).max(256).regex(/^[\x21-\x7e]+$/, 'fingerprint: printable ASCII without spaces'),
        ip: z.union([z.ipv4(), z.ipv6()], { error: 'ip must be an IPv4 or IPv6 address' }),
      })
      .strict()
      .optional()
      .describe("The applicant's device as the partner's front end saw it: fingerprint and IP (velocity and device checks)"),
    // The contract's own loan terms (what LoanApproved carries and the LMS books), with defaults for
    // the fields a partner may leave out. Whether the engine can book the combination is checked by
    // checkBookable in the route.
    loan: z
      .object({
        ...loanTermsShape,
        scheduleMethod: loanTermsShape.scheduleMethod.default('equal-installment'),
        interestCalculation: loanTermsShape.interestCalculation.default('per-period'),
        dayCount: loanTermsShape.dayCount.default('30/360'),
        fees: loanTermsShape.fees.default([]),
      })
      .strict()
      .superRefine(checkTermsRelations),
  })
  .strict();
export type SubmitApplicationBody = z.infer<typeof submitApplicationBodySchema>;

export const declineBodySchema = z.object({
  reason: z.string().min(3).max(500).describe('The principal reason, in plain words: first on the adverse-action notice'),
  reasons: z.array(z.string().trim().min(3).max(200)).max(MAX_ADVERSE_ACTION_REASONS - 1).optional().describe(`Further principal reasons (Reg B: at most ${MAX_ADVERSE_ACTION_REASONS} in all), printed after \`reason\``),
}).strict();
export const approveBodySchema = z.object({
  note: z.string().max(500).optional(),
  overrideReason: z.string().min(10).max(1000).optional().describe('Required (admins only) to approve what policy did not pass: referred, declined by the automated decision, or awaiting its decision'),
}).strict().default({});
export const listApplicationsQuerySchema = pageQuerySchema.extend({ status: z.enum(APPLICATION_STATUSES).optional() }).strict();
export const applicationParamsSchema = z.object({ id: z.uuid('application id must be a UUID') });
