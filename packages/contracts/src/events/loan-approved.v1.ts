import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { checkTermsRelations, loanDateSchema, loanTermsShape } from '../loan-terms.js';
import { positiveMoneySchema } from '../money.js';
import { contactSchema, personNameSchema, postalAddressSchema } from '../parties.js';

/** A national id never travels in clear: only its type, a masked form and an opaque vault token. */
const nationalIdSchema = z
  .object({
    type: z.string().min(1).max(32),
    masked: z.string().regex(/^[X*]+[A-Za-z0-9]{0,4}$/, 'national id must be masked (e.g. XXXXXX1234)'),
    token: z.string().min(8).max(128),
  })
  .strict();

/**
 * The repayment mandate registered at origination whose reference is `mandateReference`, with its terms as the
 * borrower authorised them, so the LMS debits it instead of registering another. `rail` is the LMS's
 * collection rail; `validUntil` absent means until cancelled. Without `mandateReference` it is ignored.
 */
const originationMandateSchema = z
  .object({
    rail: z.enum(['in-nach', 'upi-autopay', 'us-ach']),
    maxAmount: positiveMoneySchema,
    frequency: z.enum(['weekly', 'fortnightly', 'monthly', 'bi-monthly', 'quarterly', 'half-yearly', 'yearly', 'as-presented']),
    validFrom: loanDateSchema(),
    validUntil: loanDateSchema().optional(),
  })
  .strict();

const bankAccountSchema = z
  .object({
    holderName: z.string().min(1).max(140),
    accountNumberMasked: z.string().regex(/^[X*]+\d{0,4}$/, 'account number must be masked'),
    accountToken: z.string().min(8).max(128),
    bankCode: z.string().min(1).max(34),
    mandateReference: z.string().min(1).max(64).optional(),
    mandate: originationMandateSchema.optional(),
  })
  .strict();

const borrowerSchema = z
  .object({
    id: z.string().min(1).max(64),
    name: personNameSchema,
    contact: contactSchema,
    address: postalAddressSchema,
    nationalId: nationalIdSchema,
    bankAccount: bankAccountSchema,
  })
  .strict();

const loanSchema = z
  .object({
    id: z.string().min(1).max(64),
    tenantId: z.string().min(1).max(64),
    applicationId: z.string().min(1).max(64),
    ...loanTermsShape,
    disbursementAccount: bankAccountSchema,
    offerId: z.string().min(1).max(64),
    kfsReference: z.string().min(1).max(64),
    approvedAt: z.iso.datetime({ offset: true }),
    approvedBy: z.string().min(1).max(100),
    /**
     * A top-up: the id of the borrower's loan (same tenant, in the LMS) that this loan's disbursement pays off
     * in full first; the borrower receives the principal less that payoff. Absent for an ordinary loan.
     */
    topUpOfLoanId: z.string().min(1).max(64).optional(),
  })
  .strict()
  .superRefine(checkTermsRelations);

export const loanApprovedV1PayloadSchema = z.object({ borrower: borrowerSchema, loan: loanSchema }).strict();
export type LoanApprovedV1Payload = z.infer<typeof loanApprovedV1PayloadSchema>;

/** LoanApproved v1: the LOS approved an application; the LMS books the loan account from it. */
export const loanApprovedV1Schema = envelopeSchema('LoanApproved', 1, loanApprovedV1PayloadSchema);
export type LoanApprovedV1 = z.infer<typeof loanApprovedV1Schema>;
