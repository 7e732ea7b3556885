import type { LoanApprovedV1Payload, Money } from '@lendstack/contracts';

/**
 * An application's life: [draft →] submitted → checks-running → checks-complete | checks-exception; the
 * automated decision (modules/underwriting) then moves checks-complete to policy-approved (passed policy,
 * awaiting its offer), referred (the review queue, decided by maker-checker) or declined. policy-approved →
 * offer-accepted (the applicant took an offer with its Key Fact Statement and consent) → approved
 * (LoanApproved) once the agreement is signed and the repayment mandate registered; approved → booking-failed when the LMS refuses to book its loan
 * (LoanBookingRejected). An operator's re-run of a check moves checks-complete | checks-exception back to
 * checks-running. Pure: time and ids come in as arguments.
 * Invariants: an approved application names exactly one loan id, fixed at approval and never changed;
 * nothing is approved unless every check completed and none failed; nothing is approved without passing
 * policy (automatically or through the checker) unless an admin overrides with a reason, or no policy is in
 * effect for its product (a tenant that has none yet).
 */
export const APPLICATION_STATUSES = ['draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception', 'policy-approved', 'offer-accepted', 'referred', 'approved', 'declined', 'booking-failed'] as const;
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
  /** A top-up names the loan (an earlier application's loanId) it tops up; absent or null for any other application. */
  readonly topUpOf?: string | null;
  /** How many checks runs started (1 at submission, +1 per re-run); 0 until the first starts. */
  readonly checksRun: number;
  readonly version: number;
  readonly createdAt: Date;
}

/** Who declines or refers an application on the automated decision (decidedBy, the audit trail's actor). */
export const AUTOMATED_DECIDER = 'lendstack:underwriting';

export type DecisionError =
  | { readonly kind: 'already-decided'; readonly status: ApplicationStatus }
  | { readonly kind: 'needs-override'; readonly status: ApplicationStatus }
  | { readonly kind: 'override-not-allowed'; readonly role: 'admin' }
  | { readonly kind: 'above-approval-limit'; readonly limitMinor: bigint | null; readonly principalMinor: bigint }
  | { readonly kind: 'own-application'; readonly submittedBy: string }
  | { readonly kind: 'invalid-terms'; readonly detail: string }
  | { readonly kind: 'checks-not-complete'; readonly status: ApplicationStatus; readonly blocking: readonly CheckState[] };

/** What an approval rests on: the policy (passed automatically or by the checker), no policy in effect, or an override. */
export type ApprovalBasis = 'policy' | 'no-policy' | 'override';

export type Decision =
  | { readonly ok: true; readonly application: Application; readonly changed: boolean; readonly basis?: ApprovalBasis }
  | { readonly ok: false; readonly error: DecisionError };

export interface ApproveCommand {
  readonly operator: string;
  readonly roles: readonly string[];
  readonly loanId: string;
  readonly now: Date;
  /** An admin approving what policy did not pass says why. */
  readonly overrideReason?: string;
}

/** What approval needs to know beyond the application: whether a policy decides its product, the caller's limit. */
export interface ApprovalContext {
  readonly policyInEffect: boolean;
  /** The largest principal the caller's roles may approve in the loan's currency; null when none is set. */
  readonly approvalLimitMinor: bigint | null;
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
  topUpOf?: string | null;
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

const UNDECIDED: readonly ApplicationStatus[] = ['draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception', 'policy-approved', 'offer-accepted', 'referred'];
/** Statuses the checks may (re)start from: not once underwriting decided. */
const UNCHECKED: readonly ApplicationStatus[] = ['submitted', 'checks-running', 'checks-complete', 'checks-exception'];

/** Checks that stop an approval: any not completed, and any completed with `fail`. */
export function blockingChecks(checks: readonly CheckState[]): CheckState[] {
  return checks.filter((c) => c.status !== 'completed' || c.result === 'fail');
}

/**
 * A checks run starts: at submission, or when an operator re-runs a check of a checked application.
 * Returns undefined when the application is decided (nothing to check any more).
 */
export function startChecks(app: Application, run: number): Application | undefined {
  if (!UNCHECKED.includes(app.status)) return undefined;
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
 * approved except by an override. Segregation of duties: nobody decides an application they submitted.
 * What it rests on: checks-complete is approved by an operator only when no policy is in effect for its
 * product (no policy, so no offer to accept). Where a policy is in effect, an application is approved by its
 * origination (offer accepted with the KFS, agreement signed, mandate registered: complete-origination.ts);
 * this manual route then approves only as an admin's override with a reason, within the admin's approval
 * limit: what policy did not pass (referred, declined by the automated decision, checks-complete awaiting its
 * decision) and what passed it but has not completed origination (policy-approved, offer-accepted). Every
 * check must have completed and none failed (`checks-not-complete` names them).
 */
export function approve(app: Application, cmd: ApproveCommand, checks: readonly CheckState[], ctx: ApprovalContext): Decision {
  if (app.status === 'approved') return { ok: true, application: app, changed: false };
  const overridable = app.status === 'referred' || app.status === 'policy-approved' || app.status === 'offer-accepted'
    || (app.status === 'declined' && app.decidedBy === AUTOMATED_DECIDER) || (app.status === 'checks-complete' && ctx.policyInEffect);
  if (!UNDECIDED.includes(app.status) && !overridable) return { ok: false, error: { kind: 'already-decided', status: app.status } };
  if (app.submittedBy === cmd.operator) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  const blocking = blockingChecks(checks);
  const checked = app.status === 'checks-complete' || overridable;
  if (!checked || blocking.length > 0) return { ok: false, error: { kind: 'checks-not-complete', status: app.status, blocking } };
  const basis: ApprovalBasis = overridable ? 'override' : 'no-policy';
  if (basis === 'override') {
    if (!cmd.overrideReason) return { ok: false, error: { kind: 'needs-override', status: app.status } };
    if (!cmd.roles.includes('admin')) return { ok: false, error: { kind: 'override-not-allowed', role: 'admin' } };
    const principal = BigInt(app.loanRequest.principal.amount);
    if (ctx.approvalLimitMinor === null || principal > ctx.approvalLimitMinor) return { ok: false, error: { kind: 'above-approval-limit', limitMinor: ctx.approvalLimitMinor, principalMinor: principal } };
  }
  const problem = checkTerms(app.loanRequest, cmd.now);
  if (problem) return { ok: false, error: { kind: 'invalid-terms', detail: problem } };
  return {
    ok: true,
    changed: true,
    basis,
    application: { ...app, status: 'approved', decidedBy: cmd.operator, decidedAt: cmd.now, loanId: cmd.loanId, ...(basis === 'override' ? { decisionReason: `override: ${cmd.overrideReason}` } : {}), version: app.version + 1 },
  };
}

/**
 * The automated decision of checks run `checksRun` moves a checks-complete application: approve →
 * policy-approved, refer → referred, decline → declined with its reasons. Undefined when the application is
 * not checks-complete on that run (decided meanwhile, or its checks re-run).
 */
export type UnderwritingState = Pick<Application, 'status' | 'checksRun' | 'version' | 'decidedBy' | 'decidedAt' | 'decisionReason'>;
export function applyUnderwriting<T extends UnderwritingState>(app: T, decision: { outcome: 'approve' | 'decline' | 'refer'; reasons: readonly string[]; checksRun: number; now: Date }): T | undefined {
  if (app.status !== 'checks-complete' || app.checksRun !== decision.checksRun) return undefined;
  if (decision.outcome === 'approve') return { ...app, status: 'policy-approved', version: app.version + 1 };
  if (decision.outcome === 'refer') return { ...app, status: 'referred', version: app.version + 1 };
  return { ...app, status: 'declined', decidedBy: AUTOMATED_DECIDER, decidedAt: decision.now, decisionReason: decision.reasons.join('; '), version: app.version + 1 };
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

/** The LoanApproved payload for an approved application (a top-up names the loan it pays off: `topUpOfLoanId`). */
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
      ...(app.topUpOf ? { topUpOfLoanId: app.topUpOf } : {}),
    },
  };
}

export type { Money };
