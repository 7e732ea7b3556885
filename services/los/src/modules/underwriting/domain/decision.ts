/**
 * The automated decision from a policy evaluation and a score:
 * - decline when an eligibility rule declines or the score is below the policy's `declineBelow`;
 * - refer when a rule refers, the score is below `approveAtOrAbove`, the request exceeds the limits table's
 *   amount or term, or a table matched no row;
 * - approve otherwise, with the pricing band.
 * A decline carries at most four adverse-action reasons in plain words (Reg B, comment 9(b)(2)-1): the
 * declining rules' reasons in policy order, then the scorecard's reason codes for the other features, without repeats.
 * `underwrite` is the whole pipeline over stored inputs, so a decision replays from what it recorded.
 */
import type { FeatureSet } from './features.js';
import { featureValues } from './features.js';
import type { PolicyDocument } from './policy.js';
import type { PolicyEngine, PolicyEvaluation } from './policy-engine.js';
import { scoreApplicant, type ScorecardModel, type ScoreResult } from './scorecard.js';

export type DecisionOutcome = 'approve' | 'decline' | 'refer';

export interface UnderwritingDecision {
  readonly outcome: DecisionOutcome;
  /** Adverse-action reasons on a decline (≤ 4); the referral reasons on a refer; empty on approve. */
  readonly reasons: readonly string[];
  readonly evaluation: PolicyEvaluation;
  readonly scorecard: ScoreResult;
  readonly offer: { readonly band: string; readonly annualRatePercent: string; readonly maxPrincipalMinor: number; readonly maxTermPeriods: number } | null;
}

export const MAX_ADVERSE_ACTION_REASONS = 4;

export function decide(policy: PolicyDocument, features: FeatureSet, evaluation: PolicyEvaluation, scorecard: ScoreResult): UnderwritingDecision {
  const declined = evaluation.rules.filter((r) => r.outcome === 'decline');
  const referred = evaluation.rules.filter((r) => r.outcome === 'refer');
  const lowScore = scorecard.score < policy.scorecard.declineBelow;
  const limits = evaluation.limits.value;
  const pricing = evaluation.pricing.value;
  const offer = limits && pricing ? { ...pricing, ...limits } : null;
  const unique = (xs: readonly string[]) => [...new Set(xs)];

  if (declined.length > 0 || lowScore) {
    // The scorecard's reason codes are principal reasons only when the score itself declined, and one about a
    // feature a declining rule already gave a reason for adds nothing.
    const covered = new Set(declined.map((r) => r.feature));
    const fromScore = lowScore ? scorecard.reasons.filter((r) => !covered.has(r.feature)).map((r) => r.reason) : [];
    const chosen = unique([...declined.map((r) => r.reason), ...fromScore]);
    return { outcome: 'decline', reasons: chosen.slice(0, MAX_ADVERSE_ACTION_REASONS), evaluation, scorecard, offer: null };
  }

  const refer: string[] = referred.map((r) => r.reason);
  if (scorecard.score < policy.scorecard.approveAtOrAbove) refer.push(`Score ${scorecard.score} is between the decline (${policy.scorecard.declineBelow}) and approve (${policy.scorecard.approveAtOrAbove}) cut-offs`);
  if (!limits) refer.push('No limits row matched');
  if (!pricing) refer.push('No pricing band matched');
  const principal = features.requestedPrincipalMinor.value;
  const term = features.termPeriods.value;
  if (limits && typeof principal === 'number' && principal > limits.maxPrincipalMinor) refer.push(`Requested amount is above the limit of ${limits.maxPrincipalMinor} minor units for this score`);
  if (limits && typeof term === 'number' && term > limits.maxTermPeriods) refer.push(`Requested term is above the limit of ${limits.maxTermPeriods} periods for this score`);
  if (refer.length > 0) return { outcome: 'refer', reasons: unique(refer), evaluation, scorecard, offer };
  return { outcome: 'approve', reasons: [], evaluation, scorecard, offer };
}

/** Features → score → policy → decision. Deterministic for a given policy document, model and features. */
export async function underwrite(deps: { engine: PolicyEngine; model: ScorecardModel }, policy: PolicyDocument, features: FeatureSet): Promise<UnderwritingDecision> {
  const values = featureValues(features);
  const scorecard = scoreApplicant(deps.model, values);
  const evaluation = await deps.engine.evaluate(policy, { ...values, scorecardScore: scorecard.score });
  return decide(policy, features, evaluation, scorecard);
}
