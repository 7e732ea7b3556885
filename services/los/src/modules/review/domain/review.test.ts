import { describe, expect, it } from 'vitest';
import { AUTOMATED_DECIDER } from '../../applications/domain/application.js';
import { decideReview, recommend, type Review, type ReviewedApplication } from './review.js';

const NOW = new Date('2026-12-03T10:00:00Z');
const app = (over: Partial<ReviewedApplication> = {}): ReviewedApplication => ({
  id: 'a1', tenantId: 't1', status: 'referred', submittedBy: 'partner-1', decidedBy: null, decisionReason: null, checksRun: 1, productCode: 'PL', principalMinor: 50_000_000n, currency: 'INR', scale: 2, ...over,
});
const referral = (over: Partial<Review> = {}): Review => ({
  applicationId: 'a1', checksRun: 1, tenantId: 't1', kind: 'referral', productCode: 'PL', principalMinor: 50_000_000n, currency: 'INR', scale: 2, reasons: ['Thin file'], openedAt: NOW,
  recommendedBy: null, recommendation: null, recommendationComment: null, recommendedAt: null, decidedBy: null, decidedRole: null, decision: null, decisionComment: null, overrideReason: null, decidedAt: null, ...over,
});
const recommended = (over: Partial<Review> = {}) => referral({ recommendedBy: 'omar', recommendation: 'approve', recommendationComment: 'fine', recommendedAt: NOW, ...over });
const checker = { actor: 'bea', roles: ['approver'], decision: 'approve' as const, comment: 'agree', now: NOW };

describe('maker-checker review', () => {
  it('given a referral, when an operator recommends, then it awaits a checker; a second recommendation is refused', () => {
    const r = recommend(app(), referral(), { actor: 'omar', recommendation: 'approve', comment: 'fine', now: NOW });
    expect(r).toMatchObject({ ok: true, value: { recommendedBy: 'omar', recommendation: 'approve', recommendedAt: NOW } });
    expect(recommend(app(), recommended(), { actor: 'olga', recommendation: 'decline', comment: 'no', now: NOW })).toEqual({ ok: false, error: { kind: 'already-recommended', by: 'omar' } });
    expect(recommend(app(), referral(), { actor: 'partner-1', recommendation: 'approve', comment: 'mine', now: NOW })).toMatchObject({ ok: false, error: { kind: 'own-application' } });
    expect(recommend(app({ status: 'policy-approved' }), undefined, { actor: 'omar', recommendation: 'approve', comment: 'x', now: NOW })).toEqual({ ok: false, error: { kind: 'not-in-review', status: 'policy-approved' } });
  });

  it('given a policy decline, when an operator recommends approving, then an override review opens with the decline reasons', () => {
    const declined = app({ status: 'declined', decidedBy: AUTOMATED_DECIDER, decisionReason: 'Income insufficient; Delinquent credit obligations' });
    expect(recommend(declined, undefined, { actor: 'omar', recommendation: 'approve', comment: 'bank error', now: NOW })).toMatchObject({ ok: true, value: { kind: 'override', reasons: ['Income insufficient', 'Delinquent credit obligations'], recommendedBy: 'omar' } });
    expect(recommend(declined, undefined, { actor: 'omar', recommendation: 'decline', comment: 'agree', now: NOW })).toMatchObject({ ok: false, error: { kind: 'invalid', pointer: '/recommendation' } });
    // A person's decline is not reviewed.
    expect(recommend({ ...declined, decidedBy: 'op-2' }, undefined, { actor: 'omar', recommendation: 'approve', comment: 'x', now: NOW })).toMatchObject({ ok: false, error: { kind: 'not-in-review' } });
  });

  it('the checker is never the maker nor the submitter, and decides only after a recommendation', () => {
    expect(decideReview(app(), referral(), checker, 10n ** 12n)).toEqual({ ok: false, error: { kind: 'no-recommendation' } });
    expect(decideReview(app(), recommended(), { ...checker, actor: 'omar' }, 10n ** 12n)).toEqual({ ok: false, error: { kind: 'checker-is-maker', maker: 'omar' } });
    expect(decideReview(app(), recommended(), { ...checker, actor: 'partner-1' }, 10n ** 12n)).toMatchObject({ ok: false, error: { kind: 'own-application' } });
    expect(decideReview(app(), recommended({ decidedBy: 'cai', decision: 'decline', decidedAt: NOW }), checker, 10n ** 12n)).toEqual({ ok: false, error: { kind: 'already-decided', by: 'cai', decision: 'decline' } });
  });

  it('approving needs an approval limit covering the principal; approve → policy-approved', () => {
    expect(decideReview(app(), recommended(), checker, null)).toEqual({ ok: false, error: { kind: 'above-approval-limit', limitMinor: null, principalMinor: 50_000_000n } });
    expect(decideReview(app(), recommended(), checker, 49_999_999n)).toMatchObject({ ok: false, error: { kind: 'above-approval-limit' } });
    expect(decideReview(app(), recommended(), checker, 50_000_000n)).toMatchObject({ ok: true, value: { status: 'policy-approved', review: { decidedBy: 'bea', decidedRole: 'approver', decision: 'approve', overrideReason: null } } });
  });

  it('declining a referral states one to four reasons; → declined', () => {
    const decline = { ...checker, decision: 'decline' as const };
    expect(decideReview(app(), recommended(), decline, null)).toMatchObject({ ok: false, error: { kind: 'invalid', pointer: '/reasons' } });
    expect(decideReview(app(), recommended(), { ...decline, reasons: ['a', 'b', 'c', 'd', 'e'] }, null)).toMatchObject({ ok: false, error: { kind: 'invalid', pointer: '/reasons' } });
    expect(decideReview(app(), recommended(), { ...decline, reasons: ['Insufficient credit history'] }, null)).toMatchObject({ ok: true, value: { status: 'declined' } });
  });

  it('an override needs an admin and a reason; declining it leaves the application declined', () => {
    const declined = app({ status: 'declined', decidedBy: AUTOMATED_DECIDER, decisionReason: 'Income insufficient' });
    const override = recommended({ kind: 'override' });
    expect(decideReview(declined, override, { ...checker, overrideReason: 'Verified income' }, 10n ** 12n)).toEqual({ ok: false, error: { kind: 'override-needs-admin' } });
    expect(decideReview(declined, override, { ...checker, roles: ['admin'] }, 10n ** 12n)).toMatchObject({ ok: false, error: { kind: 'invalid', pointer: '/overrideReason' } });
    expect(decideReview(declined, override, { ...checker, roles: ['admin'], overrideReason: 'Verified income' }, 10n ** 12n)).toMatchObject({ ok: true, value: { status: 'policy-approved', review: { decidedRole: 'admin', overrideReason: 'Verified income' } } });
    expect(decideReview(declined, override, { ...checker, decision: 'decline' }, null)).toMatchObject({ ok: true, value: { status: null, review: { decision: 'decline' } } });
  });
});
