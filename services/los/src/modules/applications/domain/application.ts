import type { LoanApprovedV1Payload, Money } from '@lendstack/contracts';

/**
 * An application's life: [draft →] submitted → checks-running → checks-complete | checks-exception → approved |
 * declined; approved → booking-failed when the LMS refuses to book its loan (LoanBookingRejected). An
 * operator's re-run of a check moves checks-complete | checks-exception back to checks-running.
 * Pure: time and ids come in as arguments.
 * Invariants: an approved application names exactly one loan id, fixed at approval and never changed;
 * nothing is approved unless every check completed and none failed.
 */
export const APPLICATION_STATUSES = ['draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception', 'approved', 'declined', 'booking-failed'] as const;
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

/** What the applicant told us about their job (stated income is checked against payslips and bureau data). */
export interface Employment {
  readonly employerName: string;
  readonly monthlyNetIncome: Money;
}

/** The device the application came from, as the partner's front end saw it. */
export interface DeviceSignal {
  readonly fingerprint: string;
  readonly ip: string;
}

/** One check as approval sees it. */
export interface CheckState {
  readonly kind: string;
  readonly status: 'queued' | 'running' | 'completed' | 'failed' | 'exception';
  readonly result: 'pass' | 'refer' | 'fail' | null;
}

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
  /** `XXXX-XX-DD`-style masked form; the clear date is sealed with the PII. */
  readonly dateOfBirthMasked: string | null;
  readonly employment: Employment | null;
  readonly device: DeviceSignal | null;
  /** How many checks runs started (1 at submission, +1 per re-run); 0 until the first starts. */
  readonly checksRun: number;
  readonly version: number;
  readonly createdAt: Date;
}

export type DecisionError =
  | { readonly kind: 'already-decided'; readonly status: ApplicationStatus }
  | { readonly kind: 'own-application'; readonly submittedBy: string }
  | { readonly kind: 'invalid-terms'; readonly detail: string }
  | { readonly kind: 'checks-not-complete'; readonly status: ApplicationStatus; readonly blocking: readonly CheckState[] };

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
  dateOfBirthMasked?: string | null;
  employment?: Employment | null;
  device?: DeviceSignal | null;
  /** A draft waits for its documents; its checks start when it is submitted (submitDraft). */
  draft?: boolean;
}): Application {
  const { now, draft, ...rest } = input;
  return {
    ...rest, status: draft ? 'draft' : 'submitted', decidedBy: null, decidedAt: null, decisionReason: null, loanId: null, bookingFailure: null,
    dateOfBirthMasked: input.dateOfBirthMasked ?? null, employment: input.employment ?? null, device: input.device ?? null,
    checksRun: 0, version: 1, createdAt: now,
  };
}

/**
 * draft → submitted; submitting a submitted (or later) application again changes nothing, so a partner's
 * retry is harmless. Declined stays declined (an operator may decline a draft).
 */
export function submitDraft(app: Application): { ok: true; application: Application; changed: boolean } | { ok: false; error: { kind: 'already-decided'; status: ApplicationStatus } } {
  if (app.status === 'declined') return { ok: false, error: { kind: 'already-decided', status: app.status } };
  if (app.status !== 'draft') return { ok: true, application: app, changed: false };
  return { ok: true, changed: true, application: { ...app, status: 'submitted', version: app.version + 1 } };
}

const UNDECIDED: readonly ApplicationStatus[] = ['draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception'];

/** Checks that stop an approval: any not completed, and any completed with `fail`. */
export function blockingChecks(checks: readonly CheckState[]): CheckState[] {
  return checks.filter((c) => c.status !== 'completed' || c.result === 'fail');
}

/**
 * A checks run starts: at submission, or when an operator re-runs a check of a checked application.
 * Returns undefined when the application is decided (nothing to check any more).
 */
export function startChecks(app: Application, run: number): Application | undefined {
  if (!UNDECIDED.includes(app.status) || app.status === 'draft') return undefined;
  if (app.status === 'checks-running' && app.checksRun === run) return app;
  return { ...app, status: 'checks-running', checksRun: Math.max(run, app.checksRun), version: app.version + 1 };
}

/**
 * Every check has an outcome: checks-complete when all completed (pass, refer or fail), checks-exception
 * when any is failed (unusable vendor answer) or exception (vendor down). Undefined while a check is still
 * queued or running, or when the application is not checks-running (declined meanwhile).
 */
export function concludeChecks(app: Application, checks: readonly CheckState[]): Application | undefined {
  if (app.status !== 'checks-running') return undefined;
  if (checks.some((c) => c.status === 'queued' || c.status === 'running')) return undefined;
  const exception = checks.some((c) => c.status === 'failed' || c.status === 'exception');
  return { ...app, status: exception ? 'checks-exception' : 'checks-complete', version: app.version + 1 };
}

/**
 * Approving an approved application again changes nothing (idempotent); a declined one cannot be
 * approved. Segregation of duties: nobody decides an application they submitted. Only a checks-complete
 * application with no failed check is approved (`checks-not-complete` names what blocks it otherwise).
 */
export function approve(app: Application, cmd: ApproveCommand, checks: readonly CheckState[]): Decision {
  if (app.status === 'approved') return { ok: true, application: app, changed: false };
  if (!UNDECIDED.includes(app.status)) return { ok: false, error: { kind: 'already-decided', status: app.status } };
  if (app.submittedBy === cmd.operator) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  const blocking = blockingChecks(checks);
  if (app.status !== 'checks-complete' || blocking.length > 0) return { ok: false, error: { kind: 'checks-not-complete', status: app.status, blocking } };
  const problem = checkTerms(app.loanRequest, cmd.now);
  if (problem) return { ok: false, error: { kind: 'invalid-terms', detail: problem } };
  return {
    ok: true,
    changed: true,
    application: { ...app, status: 'approved', decidedBy: cmd.operator, decidedAt: cmd.now, loanId: cmd.loanId, version: app.version + 1 },
  };
}

/** Declining a declined application again changes nothing; an approved one cannot be declined. Checks need not be done. */
export function decline(app: Application, cmd: DeclineCommand): Decision {
  if (app.status === 'declined') return { ok: true, application: app, changed: false };
  if (!UNDECIDED.includes(app.status)) return { ok: false, error: { kind: 'already-decided', status: app.status } };
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
