import { loanApprovedV1Schema, topics, type LoanApprovedV1 } from '@lendstack/contracts';
import { currentTraceContext, type Principal } from '@lendstack/platform';
import { approve, decline, loanApprovedPayload, type Application, type Decision, type DecisionError } from '../domain/application.js';
import type { AdverseActionNoticeRecord, ApplicationStore, DecisionAuditEntry, OutboxNotifier } from '../ports.js';

/** What approval asks of underwriting (modules/underwriting and modules/review answer it). */
export interface ApprovalGate {
  /** Whether an approved policy version is in effect for the product (then approval needs it passed). */
  policyInEffect(tenantId: string, productCode: string, at: Date): Promise<boolean>;
  /** The largest principal any of `roles` may approve in `currency` for the tenant; null when none is set. */
  approvalLimit(tenantId: string, roles: readonly string[], currency: string): Promise<bigint | null>;
}

/** Draws the adverse-action notice of an operator's decline (modules/review answers it). */
export interface DeclineNotices {
  prepare(application: Application, reasons: readonly string[], now: Date): Promise<Pick<AdverseActionNoticeRecord, 'pdf' | 'sha256' | 'content'>>;
}

export interface DecideApplicationDeps {
  readonly store: ApplicationStore;
  readonly approvalGate: ApprovalGate;
  /** Without it (use-case tests) a manual decline stores no notice. */
  readonly declineNotices?: DeclineNotices;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly notifyOutbox: OutboxNotifier;
}

export type DecideResult =
  | { readonly ok: true; readonly application: Application }
  | { readonly ok: false; readonly error: DecisionError | { kind: 'not-found' } };

/** A decline's `reason` is its principal reason; `reasons` are further ones (the notice prints at most four in all). */
export type DecideCommand = { readonly kind: 'approve'; readonly overrideReason?: string } | { readonly kind: 'decline'; readonly reason: string; readonly reasons?: readonly string[] };

/** The principal reasons of an operator's decline, `reason` first, each once. */
export const declineReasons = (c: { reason: string; reasons?: readonly string[] }): string[] => [...new Set([c.reason, ...(c.reasons ?? [])].map((r) => r.trim()))];

/**
 * Approves or declines an application. The decision, its audit trail entries, a decline's adverse-action
 * notice and an approval's LoanApproved event are committed together or not at all (the store's
 * commitDecision); the outbox relay publishes the event after commit. Repeating a decision that was
 * already taken returns the application unchanged and emits nothing.
 * Failures: not-found, already-decided (the opposite decision was taken), invalid-terms,
 * checks-not-complete (approval only: checks still running, parked as exception, or one failed),
 * needs-override / override-not-allowed / above-approval-limit (approval of what policy did not pass).
 * Each decision appends to the application's decision audit trail in the same commit; a decline stores
 * its adverse-action notice (the operator's reasons) in it too, as the automated and the checker's declines do.
 *
 * Concurrency is optimistic: the decision is taken on the application and checks as read, and is written
 * only if the application is still at that version and (approval) its checks are unchanged; otherwise it
 * is decided again from a fresh read. No connection is held while the approval gate is asked or the notice
 * is drawn (holding a locked row's connection while reading on the pool starved the pool under load).
 */
const MAX_ATTEMPTS = 8;

export async function decideApplication(
  deps: DecideApplicationDeps,
  input: { principal: Principal; applicationId: string; command: DecideCommand },
): Promise<DecideResult> {
  const command = input.command;
  for (let attempt = 1; ; attempt += 1) {
    const seen = await deps.store.readForDecision(input.principal.tenantId, input.applicationId);
    if (!seen) return { ok: false, error: { kind: 'not-found' } };
    const current = seen.application;
    const now = deps.now();
    const decision: Decision = command.kind === 'approve'
      ? approve(current, { operator: input.principal.subject, roles: input.principal.roles, loanId: deps.newId(), now, ...(command.overrideReason ? { overrideReason: command.overrideReason } : {}) }, seen.checks, {
        // Only a checks-complete application asks whether a policy is in effect; only an override is held
        // to the caller's limit (a policy approval was within its checker's).
        policyInEffect: current.status === 'checks-complete' ? await deps.approvalGate.policyInEffect(current.tenantId, current.loanRequest.productCode, now) : false,
        approvalLimitMinor: command.overrideReason ? await deps.approvalGate.approvalLimit(current.tenantId, input.principal.roles, current.loanRequest.principal.currency) : null,
      })
      : decline(current, { operator: input.principal.subject, reason: command.reason, now });
    if (!decision.ok) return decision;
    if (!decision.changed) return { ok: true, application: decision.application };
    const entry = { tenantId: current.tenantId, applicationId: current.id, checksRun: current.checksRun, actor: input.principal.subject, at: now };
    const audit: DecisionAuditEntry[] = [{
      ...entry,
      ...(command.kind === 'approve'
        ? { action: decision.basis === 'override' ? 'override-approved' : 'loan-approved', detail: { basis: decision.basis, from: current.status, loanId: decision.application.loanId, roles: input.principal.roles, ...(command.overrideReason ? { overrideReason: command.overrideReason } : {}) } }
        : { action: 'manual-decline', detail: { from: current.status, reason: command.reason, ...(command.reasons?.length ? { reasons: declineReasons(command) } : {}) } }),
    }];
    let notice: AdverseActionNoticeRecord | undefined;
    if (command.kind === 'decline' && deps.declineNotices) {
      const drawn = await deps.declineNotices.prepare(current, declineReasons(command), now);
      notice = { tenantId: current.tenantId, applicationId: current.id, checksRun: current.checksRun, ...drawn, at: now };
      audit.push({ ...entry, action: 'adverse-action-notice', detail: { sha256: drawn.sha256, reasons: drawn.content.reasons } });
    }
    const event = decision.application.status === 'approved' ? buildLoanApproved(decision.application, deps.newId()) : undefined;
    const committed = await deps.store.commitDecision({
      application: decision.application,
      expectedVersion: current.version,
      ...(command.kind === 'approve' ? { checks: seen.checks } : {}),
      audit,
      ...(notice ? { notice } : {}),
      ...(event ? { message: { id: event.id, topic: topics.loanApproved.name, key: event.subject, value: event, headers: { ...event.traceContext } } } : {}),
    });
    if (!committed) {
      // Changed since the read (another decision, an offer accepted, a check re-run): decide again from the top.
      if (attempt >= MAX_ATTEMPTS) throw new Error(`application ${current.id} kept changing while it was decided (${attempt} attempts)`);
      continue;
    }
    if (event) deps.notifyOutbox();
    return { ok: true, application: decision.application };
  }
}

/** What an origination completed with: the accepted offer, its KFS, and the active repayment mandate with its terms. */
export interface OriginationRefs {
  readonly offerId: string;
  readonly kfsReference: string;
  readonly mandate?: { readonly mandateReference: string; readonly mandate: NonNullable<LoanApprovedV1['payload']['borrower']['bankAccount']['mandate']> };
}

/**
 * The LoanApproved event of an approved application: its terms (for an accepted offer, the offer's), the
 * offer and KFS references, and the repayment mandate (reference and terms, which the LMS books as the
 * loan's debit authorisation) when one was registered. An operator's approval
 * without an offer (an override, or a tenant with no policy) derives both references from the
 * application, so a republished event carries the same values.
 */
export function buildLoanApproved(application: Application, eventId: string, refs?: OriginationRefs): LoanApprovedV1 {
  const traceContext = currentTraceContext();
  const payload = loanApprovedPayload(application, refs ?? { offerId: `ofr_${application.id}`, kfsReference: `KFS-${application.id}` });
  const event = {
    id: eventId,
    type: 'LoanApproved' as const,
    version: 1 as const,
    source: 'lendstack.los',
    subject: application.loanId!,
    occurredAt: application.decidedAt!.toISOString(),
    tenantId: application.tenantId,
    correlationId: application.id,
    ...(traceContext ? { traceContext } : {}),
    payload: refs?.mandate
      ? { ...payload, borrower: { ...payload.borrower, bankAccount: { ...payload.borrower.bankAccount, mandateReference: refs.mandate.mandateReference, mandate: refs.mandate.mandate } } }
      : payload,
  };
  // Never publish an event our own contract would reject.
  return loanApprovedV1Schema.parse(event);
}
