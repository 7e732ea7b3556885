import type pg from 'pg';
import { inTransaction } from '@lendstack/platform';
import { loanEarlyWarningRaisedV1Schema } from '@lendstack/contracts';
import { LMS_SOURCE, lifecycleEventId } from '../../lifecycle/domain/envelope.js';
import { enqueue } from '../../servicing/adapters/servicing.repository.js';
import { modelId, score, topFactors, type EarlyWarningModel } from '../domain/model.js';
import { scoreAndSavePage } from '../adapters/pg-early-warning.repository.js';
import { ensureScoreMonth } from '../adapters/pg-score-partitions.js';

export interface ScoreBookDeps {
  readonly pool: pg.Pool;
  readonly model: EarlyWarningModel;
  readonly now: () => Date;
  readonly onOutbox?: () => void;
  /** Loans per page (one transaction each); default 2,000. */
  readonly pageSize?: number;
  /** Loan-id ranges scored at once (one connection each; the CLI's --concurrency); default 1. */
  readonly concurrency?: number;
}

const fixed4 = (x: number) => x.toFixed(4);

/**
 * Scores every eligible loan of the tenant as of `asOf` (a business date; `pnpm -s lms early-warning score`, for a
 * past date or a book loaded without its scores; end of day scores its batches instead, scoreAsDayCloses): per
 * keyset page of loan ids, one statement computes the features and the model's scores and upserts them
 * (scoreAndSavePage: the data never leaves Postgres), and in the same transaction a LoanEarlyWarningRaised, with
 * its top factors from the model's arithmetic on the features, goes on the outbox for each loan whose probability
 * reached the threshold when its previous score (an earlier date) was below it or absent. Idempotent per (loan,
 * date): re-scoring a date rewrites its rows and the event id derives from the loan and date, so nothing is sent
 * twice. Returns the loans scored and the warnings raised.
 */
export async function scoreBook(deps: ScoreBookDeps, tenantId: string, asOf: string): Promise<{ scored: number; raised: number }> {
  // Scores are kept in a partition per month: the date's is created first if this is its month's first score.
  await ensureScoreMonth(deps.pool, asOf);
  // The tenant's loans in id ranges of about equal size, each paged on its own connection.
  const parts = Math.max(1, deps.concurrency ?? 1);
  const bounds = parts === 1 ? [null] : [...(await deps.pool.query<{ hi: string }>(
    `SELECT max(id) AS hi FROM (SELECT id, ntile($2::int) OVER (ORDER BY id) AS part FROM loan_accounts WHERE tenant_id = $1) p GROUP BY part ORDER BY hi`, [tenantId, parts])).rows.map((r) => r.hi).slice(0, -1), null];
  const results = await Promise.all(bounds.map((upTo, i) => scoreRange(deps, tenantId, asOf, i === 0 ? '' : (bounds[i - 1] as string), upTo)));
  const scored = results.reduce((s, r) => s + r.scored, 0);
  const raised = results.reduce((s, r) => s + r.raised, 0);
  if (raised > 0) deps.onOutbox?.();
  return { scored, raised };
}

/** The loans (after, upTo] of the tenant, page by page. */
async function scoreRange(deps: ScoreBookDeps, tenantId: string, asOf: string, from: string, upTo: string | null): Promise<{ scored: number; raised: number }> {
  let scored = 0;
  let raised = 0;
  for (let after = from; ;) {
    const ids = (await deps.pool.query<{ id: string }>(
      'SELECT id FROM loan_accounts WHERE tenant_id = $1 AND id > $2 AND ($4::text IS NULL OR id <= $4) ORDER BY id LIMIT $3', [tenantId, after, deps.pageSize ?? 2000, upTo])).rows.map((r) => r.id);
    if (ids.length === 0) break;
    after = ids.at(-1)!;
    const page = await inTransaction(deps.pool, (client) => scorePage(deps, client, tenantId, asOf, ids));
    scored += page.scored;
    raised += page.raised;
  }
  return { scored, raised };
}

/**
 * Scores these loans of the tenant as of `asOf` in the caller's transaction (their date's month partition must
 * exist: ensureScoreMonth): the scores stored in SQL (scoreAndSavePage) and a LoanEarlyWarningRaised on the outbox
 * for each loan newly over the threshold. Loans that are not scored (not disbursed by then, repaid, written off,
 * over 90 days past due) are passed over.
 */
export async function scorePage(deps: Pick<ScoreBookDeps, 'model' | 'now'>, client: pg.PoolClient, tenantId: string, asOf: string, ids: readonly string[]): Promise<{ scored: number; raised: number }> {
  const model = modelId(deps.model);
  // Scored and stored in SQL; only the newly flagged loans come back, for their events.
  const { scored, flagged } = await scoreAndSavePage(client, tenantId, asOf, deps.model, ids);
  const envelopes = flagged.map((r) => {
    const eventKey = `early-warning:${asOf}`;
    const envelope = loanEarlyWarningRaisedV1Schema.parse({
      id: lifecycleEventId(r.loanId, eventKey), type: 'LoanEarlyWarningRaised', version: 1, source: LMS_SOURCE, subject: r.loanId,
      occurredAt: deps.now().toISOString(), tenantId, correlationId: `early-warning-${r.loanId}`.slice(0, 100),
      payload: {
        loanId: r.loanId, eventKey, businessDate: asOf, probability: fixed4(r.probability), threshold: fixed4(deps.model.threshold), model, dpd: r.dpd,
        topFactors: topFactors({ logit: r.logit, probability: r.probability, factors: score(deps.model, r.features).factors }).map((f) => ({ feature: f.feature, value: f.value, contribution: fixed4(f.contribution) })),
      },
    });
    return { id: envelope.id, key: r.loanId, value: envelope };
  });
  return { scored, raised: await enqueue(client, envelopes) };
}

/**
 * End of day's re-score, loan by loan as the day closes them (EodDeps.closeLoans): each batch's loans are scored
 * as of the day in the batch's own transaction, right after it moved them to the day (the same rows as scoreBook
 * gives for the date, and the same CPU at 1,000,000 loans: BENCHMARKS.md, "Scores in the batches…"), so the run's
 * progress covers the whole day's work; the day's month partition is made before its first batch. A killed run's committed batches keep their
 * scores with their postings, and the batches run again score the rest.
 */
export function scoreAsDayCloses(deps: Pick<ScoreBookDeps, 'pool' | 'model' | 'now'>): { prepare(tenantId: string, day: string): Promise<void>; batch(client: pg.PoolClient, tenantId: string, day: string, loanIds: readonly string[]): Promise<void> } {
  return {
    prepare: async (_tenantId, day) => void (await ensureScoreMonth(deps.pool, day)),
    batch: async (client, tenantId, day, loanIds) => void (await scorePage(deps, client, tenantId, day, loanIds)),
  };
}
