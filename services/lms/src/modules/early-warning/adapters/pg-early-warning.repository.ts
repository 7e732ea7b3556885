import type pg from 'pg';
import type { FeatureVector } from '../domain/features.js';
import { modelId, score, type EarlyWarningModel, type Factor } from '../domain/model.js';
import { modelById } from './model-file.js';
import { featuresSql } from './pg-features.queries.js';

type Db = pg.Pool | pg.PoolClient;

export interface FlaggedScore {
  readonly loanId: string;
  readonly probability: number;
  readonly logit: number;
  readonly dpd: number;
  readonly features: FeatureVector;
}

/**
 * Scores one page of loans and stores the scores in ONE statement, set-based: the features (featuresSql), the
 * model's standardised terms, the logit and the probability are computed in Postgres and upserted with the features
 * (re-scoring a date replaces that date's row), then each open collections case takes its loan's probability
 * (caseProbabilities). Only the count and the newly flagged loans come back (their events are built in TypeScript): a
 * loan flagged now whose latest earlier score was below the threshold, or that had none (one flagged before is not
 * raised again).
 * The arithmetic is the model's (domain/model.ts `score`, the reference): each contribution (coefficient ×
 * (x − mean)) ÷ scale in float8, the logit the intercept plus the contributions in the model's order, so both
 * give the same logit; the probability's exp is Postgres's (libm), which may differ from V8's in the last bit.
 * The factors are not stored: readers derive them from the features with `score` (storedFactors), the same numbers.
 */
export async function scoreAndSavePage(client: pg.PoolClient, tenantId: string, asOf: string, model: EarlyWarningModel, loanIds: readonly string[]): Promise<{ scored: number; flagged: FlaggedScore[] }> {
  if (loanIds.length === 0) return { scored: 0, flagged: [] };
  // The per-loan index lookups' summed cost estimate crosses jit_above_cost, and compiling the plan took as long as
  // running it (BENCHMARKS.md, "End of day at scale"): off for this transaction.
  await client.query('SET LOCAL jit = off');
  const { rows } = await client.query<{ scored: number; flagged: FlaggedScore[] }>(scoringSql(model), [tenantId, asOf, loanIds, modelId(model), model.threshold]);
  await caseProbabilities(client, tenantId, asOf, loanIds);
  return rows[0]!;
}

/**
 * The collections queue sorts by each open case's latest probability (collections.routes.ts): the open cases of
 * these loans take their score of `asOf` (a case that reopens takes the latest then: collector.repository.ts openCase).
 */
export async function caseProbabilities(client: pg.PoolClient, tenantId: string, asOf: string, loanIds: readonly string[]): Promise<void> {
  await client.query(
    `UPDATE collections_cases c SET early_warning_probability = round(e.probability::numeric, 4), early_warning_on = $2::date
     FROM early_warning_scores e
     WHERE c.tenant_id = $1 AND c.loan_id = ANY($3::text[]) AND c.status = 'open' AND (c.early_warning_on IS NULL OR c.early_warning_on <= $2::date)
       AND e.loan_id = c.loan_id AND e.as_of = $2::date`,
    [tenantId, asOf, loanIds],
  );
}

const float = (x: number) => `'${String(x)}'::float8`;
const statements = new WeakMap<EarlyWarningModel, string>();

/** The scoring statement of a model ($1 tenant, $2 as-of date, $3 loan ids, $4 the model id, $5 its threshold). */
function scoringSql(model: EarlyWarningModel): string {
  const cached = statements.get(model);
  if (cached) return cached;
  const f = model.features.map((x, i) => {
    if (!/^[a-z0-9_]+$/.test(x.name)) throw new Error(`feature name ${x.name}`);
    return { name: x.name, value: `x${i}`, term: `c${i}`, expr: `(${float(x.coefficient)} * (f.${x.name}::float8 - ${float(x.mean)})) / ${float(x.scale)}` };
  });
  const sql = `
WITH f AS (${featuresSql(false)}),
t AS (
  SELECT f.loan_id, f.dpd_now AS dpd, ${f.map((x) => `f.${x.name}::float8 AS ${x.value}, ${x.expr} AS ${x.term}`).join(',\n    ')}
  FROM f
),
l AS (SELECT t.*, (${[float(model.intercept), ...f.map((x) => `t.${x.term}`)].join(' + ')}) AS logit FROM t),
p AS (
  -- Postgres raises where V8's exp overflows to Infinity (p = 0) or underflows to 0 (p = 1): the same answers, explicitly.
  SELECT l.*, CASE WHEN l.logit < -709.782712893384 THEN 0::float8 WHEN l.logit > 700 THEN 1::float8 ELSE 1 / (1 + exp(-l.logit)) END AS probability FROM l
),
ins AS (
  INSERT INTO early_warning_scores (tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features, contributions)
  SELECT $1, p.loan_id, $2::date, $4, p.probability, p.logit, p.probability >= $5::float8, p.dpd,
    -- Built as json (text) and cast to jsonb once: the same jsonb value as jsonb_build_object (each number is float8's
    -- text either way), for about a quarter less time in this expression.
    json_build_object(${f.map((x) => `'${x.name}', p.${x.value}`).join(', ')})::jsonb, NULL
  FROM p
  ON CONFLICT (loan_id, as_of) DO UPDATE SET model_version = excluded.model_version, probability = excluded.probability, logit = excluded.logit, flagged = excluded.flagged,
    dpd = excluded.dpd, features = excluded.features, contributions = NULL, scored_at = now()
  RETURNING loan_id, probability, logit, flagged, dpd, features
)
SELECT (SELECT count(*) FROM ins)::int AS scored,
  coalesce((SELECT jsonb_agg(jsonb_build_object('loanId', i.loan_id, 'probability', i.probability, 'logit', i.logit, 'dpd', i.dpd, 'features', i.features) ORDER BY i.loan_id)
            FROM ins i
           -- Newly flagged only: the loan's latest score before this date (if any) was below the threshold.
           WHERE i.flagged AND NOT coalesce((SELECT e.flagged FROM early_warning_scores e WHERE e.loan_id = i.loan_id AND e.as_of < $2::date ORDER BY e.as_of DESC LIMIT 1), false)),
          '[]'::jsonb) AS flagged`;
  statements.set(model, sql);
  return sql;
}

export interface StoredScore {
  readonly loanId: string;
  readonly asOf: string;
  readonly model: string;
  readonly probability: number;
  readonly logit: number;
  readonly flagged: boolean;
  readonly dpd: number;
  readonly features: Record<string, number>;
  readonly factors: Factor[];
}
const COLUMNS = `loan_id AS "loanId", to_char(as_of, 'YYYY-MM-DD') AS "asOf", model_version AS model, probability, logit, flagged, dpd, features, contributions AS factors`;
type ScoreRow = Omit<StoredScore, 'factors'> & { factors: Factor[] | null };

/** A stored score's factors: those stored with it (scores written before migration 20261213100000), else the model's arithmetic on its features. */
export const storedFactors = <T extends { model: string; features: Record<string, number>; factors: Factor[] | null }>(r: T): Omit<T, 'factors'> & { factors: Factor[] } =>
  ({ ...r, factors: r.factors ?? [...score(modelById(r.model), r.features as FeatureVector).factors] });

/** The loan's latest score on or before `asOf` (or its latest), within the tenant. */
export async function loanScore(db: Db, tenantId: string, loanId: string, asOf: string | undefined): Promise<StoredScore | undefined> {
  const { rows } = await db.query<ScoreRow>(
    `SELECT ${COLUMNS} FROM early_warning_scores WHERE tenant_id = $1 AND loan_id = $2 AND ($3::date IS NULL OR as_of <= $3::date) ORDER BY as_of DESC LIMIT 1`,
    [tenantId, loanId, asOf ?? null],
  );
  return rows[0] && storedFactors(rows[0]);
}

/** The tenant's scores at `asOf` with probability ≥ min, riskiest first, after the keyset (probability, loan id). */
export async function scoresAt(db: Db, tenantId: string, asOf: string, minProbability: number, after: { p: number; id: string } | undefined, limit: number): Promise<StoredScore[]> {
  const { rows } = await db.query<ScoreRow>(
    `SELECT ${COLUMNS} FROM early_warning_scores
     WHERE tenant_id = $1 AND as_of = $2::date AND probability >= $3 AND ($4::float8 IS NULL OR probability < $4 OR (probability = $4 AND loan_id > $5))
     ORDER BY probability DESC, loan_id LIMIT $6`,
    [tenantId, asOf, minProbability, after?.p ?? null, after?.id ?? '', limit],
  );
  return rows.map(storedFactors);
}
