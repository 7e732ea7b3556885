import type { Application } from '../../applications/domain/application.js';
import type { DeclineNotices } from '../../applications/use-cases/decide-application.js';
import type { ChecksRepository } from '../../checks/ports.js';
import type { DecisionRepository } from '../../underwriting/ports.js';
import { prepareNotice, type NoticeDeps } from './prepare-notice.js';

export interface DeclineNoticeDeps extends NoticeDeps {
  readonly decisions: Pick<DecisionRepository, 'find'>;
  readonly checks: Pick<ChecksRepository, 'list'>;
}

/**
 * The adverse-action notice of an operator's manual decline (POST /v1/applications/{id}/decline), drawn as
 * the checker's decline draws it: the operator's reasons, decided by credit review, and the credit score
 * disclosure from the automated decision's features and scorecard where one scored the application.
 */
export function createDeclineNotices(deps: DeclineNoticeDeps): DeclineNotices {
  return {
    async prepare(app: Application, reasons, now) {
      const [found, checks] = await Promise.all([deps.decisions.find(app.tenantId, app.id), deps.checks.list(app.tenantId, app.id)]);
      // A decision of an earlier checks run scored other evidence: not this decline's.
      const decision = found?.checksRun === app.checksRun ? found : undefined;
      return prepareNotice(deps, { app, reasons, decidedBy: 'credit review', ...(decision ? { features: decision.features, scorecard: decision.scorecard } : {}), checks, now });
    },
  };
}
