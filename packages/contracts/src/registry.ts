import type { z } from 'zod';
import { loanApprovedV1Schema } from './events/loan-approved.v1.js';
import { loanBookingRejectedV1Schema } from './events/loan-booking-rejected.v1.js';
import { productPublishedV1Schema } from './events/product-published.v1.js';
import { loanDisbursedV1Schema } from './events/loan-disbursed.v1.js';
import { repaymentReceivedV1Schema } from './events/repayment-received.v1.js';
import { transactionReversedV1Schema } from './events/transaction-reversed.v1.js';
import { repaymentReallocatedV1Schema } from './events/repayment-reallocated.v1.js';
import { installmentDueV1Schema } from './events/installment-due.v1.js';
import { installmentOverdueV1Schema } from './events/installment-overdue.v1.js';
import { installmentPaidV1Schema } from './events/installment-paid.v1.js';
import { delinquencyChangedV1Schema } from './events/delinquency-changed.v1.js';
import { accrualStatusChangedV1Schema } from './events/accrual-status-changed.v1.js';
import { loanChargedOffV1Schema } from './events/loan-charged-off.v1.js';
import { loanClosedV1Schema } from './events/loan-closed.v1.js';
import { loanReopenedV1Schema } from './events/loan-reopened.v1.js';
import { prepaymentAppliedV1Schema } from './events/prepayment-applied.v1.js';
import { loanRestructuredV1Schema } from './events/loan-restructured.v1.js';
import { collectionsFlagRaisedV1Schema } from './events/collections-flag-raised.v1.js';
import { collectionsFlagRaisedV2Schema } from './events/collections-flag-raised.v2.js';
import { loanEarlyWarningRaisedV1Schema } from './events/loan-early-warning-raised.v1.js';
import { applicationSubmittedV1Schema } from './events/application-submitted.v1.js';
import { applicationChecksStartedV1Schema } from './events/application-checks-started.v1.js';
import { applicationChecksCompletedV1Schema } from './events/application-checks-completed.v1.js';
import { applicationCheckExceptionV1Schema } from './events/application-check-exception.v1.js';
import { envelopeHeaderSchema } from './envelope.js';

/** Every event type and version Lendstack publishes, with its schema. The source of the generated docs. */
export const eventSchemas = {
  'LoanApproved.v1': loanApprovedV1Schema,
  'LoanBookingRejected.v1': loanBookingRejectedV1Schema,
  'ProductPublished.v1': productPublishedV1Schema,
  'LoanDisbursed.v1': loanDisbursedV1Schema,
  'RepaymentReceived.v1': repaymentReceivedV1Schema,
  'TransactionReversed.v1': transactionReversedV1Schema,
  'RepaymentReallocated.v1': repaymentReallocatedV1Schema,
  'InstallmentDue.v1': installmentDueV1Schema,
  'InstallmentOverdue.v1': installmentOverdueV1Schema,
  'InstallmentPaid.v1': installmentPaidV1Schema,
  'DelinquencyChanged.v1': delinquencyChangedV1Schema,
  'AccrualStatusChanged.v1': accrualStatusChangedV1Schema,
  'LoanChargedOff.v1': loanChargedOffV1Schema,
  'LoanClosed.v1': loanClosedV1Schema,
  'LoanReopened.v1': loanReopenedV1Schema,
  'PrepaymentApplied.v1': prepaymentAppliedV1Schema,
  'LoanRestructured.v1': loanRestructuredV1Schema,
  'CollectionsFlagRaised.v1': collectionsFlagRaisedV1Schema,
  'CollectionsFlagRaised.v2': collectionsFlagRaisedV2Schema,
  'LoanEarlyWarningRaised.v1': loanEarlyWarningRaisedV1Schema,
  'ApplicationSubmitted.v1': applicationSubmittedV1Schema,
  'ApplicationChecksStarted.v1': applicationChecksStartedV1Schema,
  'ApplicationChecksCompleted.v1': applicationChecksCompletedV1Schema,
  'ApplicationCheckException.v1': applicationCheckExceptionV1Schema,
} as const satisfies Record<string, z.ZodType>;

export type EventKey = keyof typeof eventSchemas;

export type ParseResult<T> = { ok: true; event: T } | { ok: false; reason: string };

/** Reads a serialized message: JSON, then the envelope header, then the payload schema of its type/version. */
export function parseEvent(raw: string | Buffer | null): ParseResult<z.infer<(typeof eventSchemas)[EventKey]>> {
  if (raw === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
  const header = envelopeHeaderSchema.safeParse(json);
  if (!header.success) return { ok: false, reason: `invalid envelope: ${formatIssues(header.error)}` };
  const key = `${header.data.type}.v${header.data.version}`;
  const schema = (eventSchemas as Record<string, z.ZodType>)[key];
  if (!schema) return { ok: false, reason: `unknown event type/version ${key}` };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `invalid ${key}: ${formatIssues(parsed.error)}` };
  return { ok: true, event: parsed.data as z.infer<(typeof eventSchemas)[EventKey]> };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
