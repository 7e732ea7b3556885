import type { Principal } from '@lendstack/platform';
import type { ApplicationStore } from '../../applications/ports.js';
import type { ChecksRepository } from '../../checks/ports.js';
import type { DecisionRepository } from '../../underwriting/ports.js';
import { decideReview, recommend, type DecideCommand, type RecommendCommand, type Review, type ReviewError } from '../domain/review.js';
import type { IdempotencyClaim, ReviewStore } from '../ports.js';
import { prepareNotice, type NoticeDeps } from './prepare-notice.js';

export interface ReviewDeps extends NoticeDeps {
  readonly reviews: ReviewStore;
  readonly applications: ApplicationStore;
  readonly decisions: Pick<DecisionRepository, 'find'>;
  readonly checks: Pick<ChecksRepository, 'list'>;
  readonly now: () => Date;
}

export type ReviewResult =
  | { ok: true; status: number; body: unknown; replayed: boolean }
  | { ok: false; error: ReviewError | { kind: 'not-found' } | { kind: 'idempotency-key-reused' } };

/**
 * The maker's recommendation, in one transaction with its audit entry and the Idempotency-Key's answer.
 * Failures: not-found, idempotency-key-reused, and recommend()'s (not-in-review, already-recommended, own-application, invalid).
 */
export async function recommendApplication(deps: ReviewDeps, input: { principal: Principal; applicationId: string; recommendation: RecommendCommand['recommendation']; comment: string; idempotency: IdempotencyClaim }): Promise<ReviewResult> {
  const now = deps.now();
  const tenantId = input.principal.tenantId;
  return deps.reviews.transaction(async (tx): Promise<ReviewResult> => {
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status, body: claimed.body, replayed: true };
    const app = await tx.lockApplication(tenantId, input.applicationId);
    if (!app) return { ok: false, error: { kind: 'not-found' } };
    const result = recommend(app, await tx.review(app.id, app.checksRun), { actor: input.principal.subject, recommendation: input.recommendation, comment: input.comment, now });
    if (!result.ok) throw new Refused(result.error);
    await tx.saveReview(result.value);
    await tx.audit({ tenantId, applicationId: app.id, checksRun: app.checksRun, action: 'recommendation', actor: input.principal.subject, at: now, detail: { kind: result.value.kind, recommendation: input.recommendation, comment: input.comment } });
    const body = reviewView(result.value, app.status);
    await tx.remember(tenantId, input.idempotency.key, 201, body);
    return { ok: true, status: 201, body, replayed: false };
  }).catch(refusal);
}

/**
 * The checker's decision: approve → policy-approved; decline of a referral → declined with its adverse-action
 * notice; decline of an override → the application stays declined. One transaction with the review, the
 * status, the notice, the audit entry and the Idempotency-Key's answer. Failures: not-found,
 * idempotency-key-reused, and decideReview()'s (not-in-review, no-recommendation, already-decided,
 * checker-is-maker, own-application, override-needs-admin, invalid, above-approval-limit).
 */
export async function decideApplicationReview(deps: ReviewDeps, input: { principal: Principal; applicationId: string; command: Omit<DecideCommand, 'actor' | 'roles' | 'now'>; idempotency: IdempotencyClaim }): Promise<ReviewResult> {
  const now = deps.now();
  const tenantId = input.principal.tenantId;
  return deps.reviews.transaction(async (tx): Promise<ReviewResult> => {
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status, body: claimed.body, replayed: true };
    const app = await tx.lockApplication(tenantId, input.applicationId);
    if (!app) return { ok: false, error: { kind: 'not-found' } };
    const limit = await tx.approvalLimit(tenantId, input.principal.roles, app.currency);
    const result = decideReview(app, await tx.review(app.id, app.checksRun), { ...input.command, actor: input.principal.subject, roles: input.principal.roles, now }, limit);
    if (!result.ok) throw new Refused(result.error);
    const { review, status } = result.value;
    await tx.saveReview(review);
    const reasons = input.command.reasons ?? [];
    if (status) await tx.setStatus(app.id, app.status, status, status === 'declined' ? { by: input.principal.subject, reason: reasons.join('; '), at: now } : undefined);
    await tx.audit({
      tenantId, applicationId: app.id, checksRun: app.checksRun, action: review.kind === 'override' ? (review.decision === 'approve' ? 'override-approved' : 'override-refused') : 'checker-decision', actor: input.principal.subject, at: now,
      detail: { decision: review.decision, comment: review.decisionComment, maker: review.recommendedBy, recommendation: review.recommendation, role: review.decidedRole, approvalLimitMinor: limit?.toString() ?? null, ...(review.overrideReason ? { overrideReason: review.overrideReason } : {}), ...(reasons.length ? { reasons } : {}) },
    });
    if (status === 'declined') {
      const [full, decision, checks] = await Promise.all([deps.applications.find(tenantId, app.id), deps.decisions.find(tenantId, app.id), deps.checks.list(tenantId, app.id)]);
      if (full && decision) {
        const notice = await prepareNotice(deps, { app: full, reasons, decidedBy: 'credit review', features: decision.features, scorecard: decision.scorecard, checks, now });
        await tx.saveNotice(tenantId, app.id, app.checksRun, notice, now);
        await tx.audit({ tenantId, applicationId: app.id, checksRun: app.checksRun, action: 'adverse-action-notice', actor: input.principal.subject, at: now, detail: { sha256: notice.sha256, reasons: notice.content.reasons } });
      }
    }
    const body = reviewView(review, status ?? app.status);
    await tx.remember(tenantId, input.idempotency.key, 200, body);
    return { ok: true, status: 200, body, replayed: false };
  }).catch(refusal);
}

/** A refusal rolls the transaction back, so the Idempotency-Key it took is free for a corrected retry. */
class Refused extends Error {
  constructor(readonly error: ReviewError) {
    super(error.kind);
  }
}
const refusal = (error: unknown): ReviewResult => {
  if (error instanceof Refused) return { ok: false, error: error.error };
  throw error;
};

export function reviewView(r: Review, applicationStatus: string) {
  return {
    applicationId: r.applicationId, checksRun: r.checksRun, kind: r.kind, applicationStatus, productCode: r.productCode,
    principal: { amount: r.principalMinor.toString(), currency: r.currency, scale: r.scale }, reasons: r.reasons, openedAt: r.openedAt.toISOString(),
    stage: r.decidedBy ? 'decided' : r.recommendedBy ? 'awaiting-decision' : 'awaiting-recommendation',
    recommendation: r.recommendedBy ? { by: r.recommendedBy, recommendation: r.recommendation, comment: r.recommendationComment, at: r.recommendedAt?.toISOString() } : null,
    decision: r.decidedBy ? { by: r.decidedBy, role: r.decidedRole, decision: r.decision, comment: r.decisionComment, overrideReason: r.overrideReason, at: r.decidedAt?.toISOString() } : null,
  };
}
