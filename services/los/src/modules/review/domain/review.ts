/**
 * Maker-checker review of what the automated decision did not settle. A referral is opened by the decision
 * (refer → referred); an override of a policy decline is opened by the maker's recommendation on an
 * application the automated decision declined. The maker (an operator) recommends with a comment; a second
 * person with the approver or admin role decides, never the maker, never the submitter. Approving against a
 * policy decline is an override: admins only, with a reason. Approving needs the checker's approval limit
 * (per tenant, role and currency) to cover the principal. A checker's decline carries its principal reasons
 * (at most four, Reg B) for the adverse-action notice.
 * Pure: time comes in as an argument. The table enforces maker ≠ checker too (migration 20261204200000).
 */
import { AUTOMATED_DECIDER, type ApplicationStatus } from '../../applications/domain/application.js';
import { MAX_ADVERSE_ACTION_REASONS } from '../../underwriting/domain/decision.js';

export type Verdict = 'approve' | 'decline';
export type ReviewKind = 'referral' | 'override';

export interface Review {
  readonly applicationId: string;
  readonly checksRun: number;
  readonly tenantId: string;
  readonly kind: ReviewKind;
  readonly productCode: string;
  readonly principalMinor: bigint;
  readonly currency: string;
  /** The currency's scale (minor units per major), as the application states it. */
  readonly scale: number;
  /** Why it is in review: the referral's reasons, or the decline's. */
  readonly reasons: readonly string[];
  readonly openedAt: Date;
  readonly recommendedBy: string | null;
  readonly recommendation: Verdict | null;
  readonly recommendationComment: string | null;
  readonly recommendedAt: Date | null;
  readonly decidedBy: string | null;
  readonly decidedRole: string | null;
  readonly decision: Verdict | null;
  readonly decisionComment: string | null;
  readonly overrideReason: string | null;
  readonly decidedAt: Date | null;
}

/** The application as review sees it. */
export interface ReviewedApplication {
  readonly id: string;
  readonly tenantId: string;
  readonly status: ApplicationStatus;
  readonly submittedBy: string;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly checksRun: number;
  readonly productCode: string;
  readonly principalMinor: bigint;
  readonly currency: string;
  readonly scale: number;
}

export type ReviewError =
  | { readonly kind: 'not-in-review'; readonly status: ApplicationStatus }
  | { readonly kind: 'already-recommended'; readonly by: string }
  | { readonly kind: 'no-recommendation' }
  | { readonly kind: 'already-decided'; readonly by: string; readonly decision: Verdict }
  | { readonly kind: 'own-application'; readonly submittedBy: string }
  | { readonly kind: 'checker-is-maker'; readonly maker: string }
  | { readonly kind: 'override-needs-admin' }
  | { readonly kind: 'invalid'; readonly pointer: string; readonly detail: string }
  | { readonly kind: 'above-approval-limit'; readonly limitMinor: bigint | null; readonly principalMinor: bigint };

export interface RecommendCommand {
  readonly actor: string;
  readonly recommendation: Verdict;
  readonly comment: string;
  readonly now: Date;
}

export interface DecideCommand {
  readonly actor: string;
  readonly roles: readonly string[];
  readonly decision: Verdict;
  readonly comment: string;
  /** Required to approve against a policy decline. */
  readonly overrideReason?: string;
  /** A decline's principal reasons, for the adverse-action notice (1 to 4). */
  readonly reasons?: readonly string[];
  readonly now: Date;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: ReviewError };

const declinedByPolicy = (app: ReviewedApplication) => app.status === 'declined' && app.decidedBy === AUTOMATED_DECIDER;

/** The maker's recommendation: on a referral, or (approve only) on an application policy declined, opening an override. */
export function recommend(app: ReviewedApplication, review: Review | undefined, cmd: RecommendCommand): Result<Review> {
  if (app.submittedBy === cmd.actor) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  if (app.status === 'referred' && review?.kind === 'referral') {
    if (review.recommendedBy) return { ok: false, error: { kind: 'already-recommended', by: review.recommendedBy } };
    return { ok: true, value: { ...review, recommendedBy: cmd.actor, recommendation: cmd.recommendation, recommendationComment: cmd.comment, recommendedAt: cmd.now } };
  }
  if (declinedByPolicy(app)) {
    if (review?.recommendedBy) return { ok: false, error: { kind: 'already-recommended', by: review.recommendedBy } };
    if (cmd.recommendation !== 'approve') return { ok: false, error: { kind: 'invalid', pointer: '/recommendation', detail: 'the application is declined; only an override (approve) can be recommended' } };
    return {
      ok: true,
      value: {
        applicationId: app.id, checksRun: app.checksRun, tenantId: app.tenantId, kind: 'override', productCode: app.productCode, principalMinor: app.principalMinor, currency: app.currency, scale: app.scale,
        reasons: app.decisionReason ? app.decisionReason.split('; ') : [], openedAt: cmd.now,
        recommendedBy: cmd.actor, recommendation: 'approve', recommendationComment: cmd.comment, recommendedAt: cmd.now,
        decidedBy: null, decidedRole: null, decision: null, decisionComment: null, overrideReason: null, decidedAt: null,
      },
    };
  }
  return { ok: false, error: { kind: 'not-in-review', status: app.status } };
}

export interface ReviewOutcome {
  readonly review: Review;
  /** The application's next status: policy-approved, declined, or unchanged (an override declined again). */
  readonly status: 'policy-approved' | 'declined' | null;
}

/**
 * The checker's decision on a recommended review. `approvalLimitMinor` is the largest principal the
 * checker's roles may approve in the loan's currency (null: none set, so nothing may be approved).
 */
export function decideReview(app: ReviewedApplication, review: Review | undefined, cmd: DecideCommand, approvalLimitMinor: bigint | null): Result<ReviewOutcome> {
  const open = review && (review.kind === 'referral' ? app.status === 'referred' : declinedByPolicy(app));
  if (!review || (!open && !review.decidedBy)) return { ok: false, error: { kind: 'not-in-review', status: app.status } };
  if (review.decidedBy && review.decision) return { ok: false, error: { kind: 'already-decided', by: review.decidedBy, decision: review.decision } };
  if (!review.recommendedBy) return { ok: false, error: { kind: 'no-recommendation' } };
  if (review.recommendedBy === cmd.actor) return { ok: false, error: { kind: 'checker-is-maker', maker: review.recommendedBy } };
  if (app.submittedBy === cmd.actor) return { ok: false, error: { kind: 'own-application', submittedBy: app.submittedBy } };
  const reasons = cmd.reasons ?? [];
  if (cmd.decision === 'approve') {
    if (review.kind === 'override') {
      if (!cmd.roles.includes('admin')) return { ok: false, error: { kind: 'override-needs-admin' } };
      if (!cmd.overrideReason) return { ok: false, error: { kind: 'invalid', pointer: '/overrideReason', detail: 'required to approve against a policy decline' } };
    }
    if (approvalLimitMinor === null || review.principalMinor > approvalLimitMinor) return { ok: false, error: { kind: 'above-approval-limit', limitMinor: approvalLimitMinor, principalMinor: review.principalMinor } };
  } else if (review.kind === 'referral' && (reasons.length === 0 || reasons.length > MAX_ADVERSE_ACTION_REASONS)) {
    return { ok: false, error: { kind: 'invalid', pointer: '/reasons', detail: `a decline states its principal reasons (1 to ${MAX_ADVERSE_ACTION_REASONS})` } };
  }
  const role = cmd.roles.includes('admin') ? 'admin' : 'approver';
  const decided: Review = {
    ...review, decidedBy: cmd.actor, decidedRole: role, decision: cmd.decision, decisionComment: cmd.comment,
    overrideReason: cmd.decision === 'approve' && review.kind === 'override' ? cmd.overrideReason ?? null : null, decidedAt: cmd.now,
  };
  const status = cmd.decision === 'approve' ? 'policy-approved' : review.kind === 'referral' ? 'declined' : null;
  return { ok: true, value: { review: decided, status } };
}
