import type pg from 'pg';
import { inTransaction } from '@lendstack/platform';
import { loanEarlyWarningRaisedV1Schema } from '@lendstack/contracts';
import { LMS_SOURCE, lifecycleEventId } from '../../lifecycle/domain/envelope.js';
import { enqueue } from '../../servicing/adapters/servicing.repository.js';
import { modelId, score, topFactors, type EarlyWarningModel } from '../domain/model.js';
import { featuresPage } from '../adapters/pg-features.queries.js';
import { flaggedBefore, saveScores, type ScoreRow } from '../adapters/pg-early-warning.repository.js';

export interface ScoreBookDeps {
  readonly pool: pg.Pool;
  readonly model: EarlyWarningModel;
  readonly now: () => Date;
  readonly onOutbox?: () => void;
  /** Loans per page (one transaction each); default 2,000. */
  readonly pageSize?: number;
}

const fixed4 = (x: number) => x.toFixed(4);

/**
 * Scores every eligible loan of the tenant as of `asOf` (a business date; end of day calls it for each
 * day it closes): features set-based per keyset page, the model in TypeScript, one upsert per page, and in
 * the same transaction a LoanEarlyWarningRaised on the outbox for each loan whose probability reached the
 * threshold when its previous score (an earlier date) was below it or absent. Idempotent per (loan, date):
 * re-scoring a date rewrites its rows and the event id derives from the loan and date, so nothing is sent
 * twice. Returns the loans scored and the warnings raised.
 */
export async function scoreBook(deps: ScoreBookDeps, tenantId: string, asOf: string): Promise<{ scored: number; raised: number }> {
  const model = modelId(deps.model);
  let scored = 0;
  let raised = 0;
  for (let after = ''; ;) {
    const page = await featuresPage(deps.pool, tenantId, asOf, after, deps.pageSize ?? 2000);
    if (page.last === null) break;
    after = page.last;
    const rows: ScoreRow[] = page.rows.map((r) => {
      const s = score(deps.model, r.features);
      return { loanId: r.loanId, probability: s.probability, logit: s.logit, flagged: s.probability >= deps.model.threshold, dpd: r.dpd, features: r.features, factors: s.factors };
    });
    raised += await inTransaction(deps.pool, async (client) => {
      const before = await flaggedBefore(client, rows.filter((r) => r.flagged).map((r) => r.loanId), asOf);
      await saveScores(client, tenantId, asOf, model, rows);
      const envelopes = rows.filter((r) => r.flagged && !before.has(r.loanId)).map((r) => {
        const eventKey = `early-warning:${asOf}`;
        const envelope = loanEarlyWarningRaisedV1Schema.parse({
          id: lifecycleEventId(r.loanId, eventKey), type: 'LoanEarlyWarningRaised', version: 1, source: LMS_SOURCE, subject: r.loanId,
          occurredAt: deps.now().toISOString(), tenantId, correlationId: `early-warning-${r.loanId}`.slice(0, 100),
          payload: {
            loanId: r.loanId, eventKey, businessDate: asOf, probability: fixed4(r.probability), threshold: fixed4(deps.model.threshold), model, dpd: r.dpd,
            topFactors: topFactors({ logit: r.logit, probability: r.probability, factors: r.factors }).map((f) => ({ feature: f.feature, value: f.value, contribution: fixed4(f.contribution) })),
          },
        });
        return { id: envelope.id, key: r.loanId, value: envelope };
      });
      return enqueue(client, envelopes);
    });
    scored += rows.length;
  }
  if (raised > 0) deps.onOutbox?.();
  return { scored, raised };
}
