import { loanApprovedV1Schema, topics, type LoanApprovedV1 } from '@lendstack/contracts';
import { currentTraceContext, type Principal } from '@lendstack/platform';
import { approve, decline, loanApprovedPayload, type Application, type Decision, type DecisionError } from '../domain/application.js';
import type { AdverseActionNoticeRecord, ApplicationStore, OutboxNotifier } from '../ports.js';

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
 * Approves or declines an application. Approval stores the decision and the LoanApproved event in
 * one transaction; the outbox relay publishes the event after commit. Repeating a decision that was
 * already taken returns the application unchanged and emits nothing.
 * Failures: not-found, already-decided (the opposite decision was taken), invalid-terms,
 * checks-not-complete (approval only: checks still running, parked as exception, or one failed),
 * needs-override / override-not-allowed / above-approval-limit (approval of what policy did not pass).
 * Each decision appends to the application's decision audit trail in the same transaction; a decline stores
 * its adverse-action notice (the operator's reasons) in it too, as the automated and the checker's declines do.
 */
const TERMS_CHANGED = Symbol('terms changed between the gate read and the lock');

export async function decideApplication(
  deps: DecideApplicationDeps,
  input: { principal: Principal; applicationId: string; command: DecideCommand },
): Promise<DecideResult> {
  const command = input.command;
  // What the approval gate says is read BEFORE the transaction takes its connection: the gate reads on the
  // pool, and doing that while holding a locked row's connection starves the pool (every connection
  // waiting inside a transaction for one more) once as many approvals run at once as it has connections.
  const seen = await deps.store.find(input.principal.tenantId, input.applicationId);
  if (!seen) return { ok: false, error: { kind: 'not-found' } };
  const gateAt = deps.now();
  const gate = command.kind === 'approve'
    ? {
      productCode: seen.loanRequest.productCode,
      currency: seen.loanRequest.principal.currency,
      policyInEffect: await deps.approvalGate.policyInEffect(seen.tenantId, seen.loanRequest.productCode, gateAt),
      // Only an override is held to the caller's limit (a policy approval was within its checker's).
      approvalLimitMinor: command.overrideReason ? await deps.approvalGate.approvalLimit(seen.tenantId, input.principal.roles, seen.loanRequest.principal.currency) : null,
    }
    : undefined;
  const result = await deps.store.transaction(async (uow): Promise<(DecideResult & { emitted?: boolean }) | typeof TERMS_CHANGED> => {
    const current = await uow.lockForUpdate(input.principal.tenantId, input.applicationId);
    if (!current) return { ok: false, error: { kind: 'not-found' } };
    const now = deps.now();
    if (gate && (current.loanRequest.productCode !== gate.productCode || current.loanRequest.principal.currency !== gate.currency)) {
      // The terms changed between the read and the lock (an offer accepted meanwhile): decide again from the top.
      return TERMS_CHANGED;
    }
    const decision: Decision = command.kind === 'approve'
      ? approve(current, { operator: input.principal.subject, roles: input.principal.roles, loanId: deps.newId(), now, ...(command.overrideReason ? { overrideReason: command.overrideReason } : {}) }, await uow.checksOf(current.id), {
        policyInEffect: current.status === 'checks-complete' ? gate!.policyInEffect : false,
        approvalLimitMinor: gate!.approvalLimitMinor,
      })
      : decline(current, { operator: input.principal.subject, reason: command.reason, now });
    if (!decision.ok) return decision;
    if (!decision.changed) return { ok: true, application: decision.application };
    await uow.update(decision.application);
    await uow.audit({
      tenantId: current.tenantId, applicationId: current.id, checksRun: current.checksRun, actor: input.principal.subject, at: now,
      ...(command.kind === 'approve'
        ? { action: decision.basis === 'override' ? 'override-approved' : 'loan-approved', detail: { basis: decision.basis, from: current.status, loanId: decision.application.loanId, roles: input.principal.roles, ...(command.overrideReason ? { overrideReason: command.overrideReason } : {}) } }
        : { action: 'manual-decline', detail: { from: current.status, reason: command.reason, ...(command.reasons?.length ? { reasons: declineReasons(command) } : {}) } }),
    });
    if (command.kind === 'decline' && deps.declineNotices) {
      const notice = await deps.declineNotices.prepare(current, declineReasons(command), now);
      await uow.saveNotice({ tenantId: current.tenantId, applicationId: current.id, checksRun: current.checksRun, ...notice, at: now });
      await uow.audit({ tenantId: current.tenantId, applicationId: current.id, checksRun: current.checksRun, action: 'adverse-action-notice', actor: input.principal.subject, at: now, detail: { sha256: notice.sha256, reasons: notice.content.reasons } });
    }
    if (decision.application.status !== 'approved') return { ok: true, application: decision.application };
    const event = buildLoanApproved(decision.application, deps.newId());
    await uow.enqueue({ id: event.id, topic: topics.loanApproved.name, key: event.subject, value: event, headers: { ...event.traceContext } });
    return { ok: true, application: decision.application, emitted: true };
  });
  if (result === TERMS_CHANGED) return decideApplication(deps, input);
  if (result.ok && result.emitted) deps.notifyOutbox();
  return result.ok ? { ok: true, application: result.application } : result;
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
