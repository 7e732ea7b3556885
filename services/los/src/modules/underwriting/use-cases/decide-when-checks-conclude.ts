import type { Logger } from '@lendstack/platform';
import { evaluateDecision, type EvaluateDecisionDeps } from './evaluate-decision.js';

/**
 * The checks workflow's hook (CheckActivitiesDeps.onChecksConcluded): once an application's checks are
 * complete, its automated decision is computed and stored. Idempotent (one decision per checks run); an
 * application that is not checks-complete (exception, decided) is left alone; no policy in effect for the
 * product is logged and left for an operator (POST /v1/applications/{id}/decision/evaluate once there is one).
 * Database errors propagate, so the activity is retried.
 */
export function decideWhenChecksConclude(deps: EvaluateDecisionDeps & { readonly logger: Logger }) {
  return async (target: { tenantId: string; applicationId: string }): Promise<void> => {
    const result = await evaluateDecision(deps, target);
    if (result.ok) {
      if (result.created) deps.logger.info({ applicationId: target.applicationId, outcome: result.decision.outcome, score: result.decision.scorecard.score, policyVersion: result.decision.policyVersion }, 'automated decision');
      return;
    }
    if (result.error.kind === 'no-policy') deps.logger.warn({ applicationId: target.applicationId, productCode: result.error.productCode }, 'no underwriting policy in effect; application not decided automatically');
  };
}
