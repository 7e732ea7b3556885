import type { LoanApprovedV1Payload, Money } from '@lendstack/contracts';

/**
 * An application's life: submitted → approved | declined; approved → booking-failed when the LMS
 * refuses to book its loan (LoanBookingRejected). Pure: time and ids come in as arguments.
 * Invariant: an approved application names exactly one loan id, fixed at approval and never changed.
 */
export const APPLICATION_STATUSES = ['submitted', 'approved', 'declined', 'booking-failed'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Why the LMS did not book the approved loan, as it said in LoanBookingRejected. */
export interface BookingFailure {
  readonly code: string;
  readonly reason: string;
  readonly at: string;
  readonly eventId: string;
}

export type Borrower = LoanApprovedV1Payload['borrower'];
export type LoanTerms = Omit<
  LoanApprovedV1Payload['loan'],
  'id' | 'tenantId' | 'applicationId' | 'offerId' | 'kfsReference' | 'approvedAt' | 'approvedBy' | 'disbursementAccount'
>;

export interface Application {
  readonly id: string;
  readonly tenantId: string;
  readonly status: ApplicationStatus;
  readonly applicant: Borrower;
  readonly loanRequest: LoanTerms;
  readonly submittedBy: string;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionReason: string | null;
  readonly loanId: string | null;
  readonly bookingFailure: BookingFailure | null;
  readonly version: number;
  readonly createdAt: Date;
}

export type DecisionError =
  | { readonly kind: 'already-decided'; readonly status: ApplicationStatus }
  | { readonly kind: 'own-application'; readonly submittedBy: string }
  | { readonly kind: 'invalid-terms'; readonly detail: string };

export type Decision =
  | { readonly ok: true; readonly application: Application; readonly changed: boolean }
  | { readonly ok: false; readonly error: DecisionError };

export interface ApproveCommand {
  readonly operator: string;
  readonly loanId: string;
  readonly now: Date;
}

export interface DeclineCommand {
  readonly operator: string;
  readonly reason: string;
  readonly now: Date;
}

export function submit(input: {
  id: string;
  tenantId: string;
  applicant: Borrower;
  loanRequest: LoanTerms;
  submittedBy: string;
  now: Date;
}): Application {
  return { ...input, status: 'submitted', decidedBy: null, decidedAt: null, decisionReason: null, loanId: null, bookingFailure: null, version: 1, createdAt: input.now };
}

/**
 * Approving an approved application again changes nothing (idempotent); a declined one cannot be
 * approved. Segregation of duties: nobody decides an application they submitted.
 */
export function approve(app: Application, cmd: ApproveCommand): Decision {
  if (app.status === 'approved') return { ok: true, application: app, changed: false };
  if (app.status !== 'submitted') return { ok: false, error: { kind: 'already-decided', status: app.status } };
  if (app.submittedBy === cmd.operator) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  const problem = checkTerms(app.loanRequest, cmd.now);
  if (problem) return { ok: false, error: { kind: 'invalid-terms', detail: problem } };
  return {
    ok: true,
    changed: true,
    application: { ...app, status: 'approved', decidedBy: cmd.operator, decidedAt: cmd.now, loanId: cmd.loanId, version: app.version + 1 },
  };
}

/** Declining a declined application again changes nothing; an approved one cannot be declined. */
export function decline(app: Application, cmd: DeclineCommand): Decision {
  if (app.status === 'declined') return { ok: true, application: app, changed: false };
  if (app.status !== 'submitted') return { ok: false, error: { kind: 'already-decided', status: app.status } };
  if (app.submittedBy === cmd.operator) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  return {
    ok: true,
    changed: true,
    application: { ...app, status: 'declined', decidedBy: cmd.operator, decidedAt: cmd.now, decisionReason: cmd.reason, version: app.version + 1 },
  };
}

/** Terms that were valid at submission can go stale: a disbursement date in the past cannot be booked. */
function checkTerms(terms: LoanTerms, now: Date): string | undefined {
  const today = now.toISOString().slice(0, 10);
  if (terms.expectedDisbursementDate < today) {
    return `expectedDisbursementDate ${terms.expectedDisbursementDate} is before today (${today})`;
  }
  return undefined;
}

/** Only an approved application can learn that its loan was not booked; anything else is unchanged. */
export function markBookingFailed(app: Application, failure: BookingFailure): Application {
  if (app.status !== 'approved') return app;
  return { ...app, status: 'booking-failed', bookingFailure: failure, version: app.version + 1 };
}

/** The LoanApproved payload for an approved application. */
export function loanApprovedPayload(
  app: Application,
  refs: { offerId: string; kfsReference: string },
): LoanApprovedV1Payload {
  if (app.status !== 'approved' || !app.loanId || !app.decidedAt || !app.decidedBy) {
    throw new Error(`application ${app.id} is not approved`);
  }
  return {
    borrower: app.applicant,
    loan: {
      ...app.loanRequest,
      id: app.loanId,
      tenantId: app.tenantId,
      applicationId: app.id,
      disbursementAccount: app.applicant.bankAccount,
      offerId: refs.offerId,
      kfsReference: refs.kfsReference,
      approvedAt: app.decidedAt.toISOString(),
      approvedBy: app.decidedBy,
    },
  };
}

export type { Money };
