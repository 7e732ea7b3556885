import type { LoanApprovedV1Payload, Money } from '@lendstack/contracts';

/**
 * An application's life: submitted → approved | declined. Pure: time and ids come in as arguments.
 * Invariant: an approved application names exactly one loan id, fixed at approval and never changed.
 */
export type ApplicationStatus = 'submitted' | 'approved' | 'declined';

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
  readonly version: number;
  readonly createdAt: Date;
}

export type DecisionError =
  | { readonly kind: 'already-decided'; readonly status: ApplicationStatus }
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
  return { ...input, status: 'submitted', decidedBy: null, decidedAt: null, decisionReason: null, loanId: null, version: 1, createdAt: input.now };
}

/** Approving an approved application again changes nothing (idempotent); a declined one cannot be approved. */
export function approve(app: Application, cmd: ApproveCommand): Decision {
  if (app.status === 'approved') return { ok: true, application: app, changed: false };
  if (app.status !== 'submitted') return { ok: false, error: { kind: 'already-decided', status: app.status } };
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
  if (terms.firstDueDate && terms.firstDueDate <= terms.expectedDisbursementDate) {
    return 'firstDueDate must be after expectedDisbursementDate';
  }
  return undefined;
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
