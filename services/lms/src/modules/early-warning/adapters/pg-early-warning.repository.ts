import type pg from 'pg';
import type { Factor } from '../domain/model.js';

type Db = pg.Pool | pg.PoolClient;

export interface ScoreRow {
  readonly loanId: string;
  readonly probability: number;
  readonly logit: number;
  readonly flagged: boolean;
  readonly dpd: number;
  readonly features: Readonly<Record<string, number>>;
  readonly factors: readonly Factor[];
}

/** Loans of `loanIds` whose latest score before `asOf` was flagged (a loan flagged then is not raised again). */
export async function flaggedBefore(client: pg.PoolClient, loanIds: readonly string[], asOf: string): Promise<Set<string>> {
  const { rows } = await client.query<{ loan_id: string }>(
    `SELECT loan_id FROM (SELECT DISTINCT ON (loan_id) loan_id, flagged FROM early_warning_scores WHERE loan_id = ANY($1::text[]) AND as_of < $2::date ORDER BY loan_id, as_of DESC) s WHERE flagged`,
    [loanIds, asOf],
  );
  return new Set(rows.map((r) => r.loan_id));
}

/** One upsert for a page of scores (re-scoring a date replaces that date's row), and the probability on the loans' collection cases. */
export async function saveScores(client: pg.PoolClient, tenantId: string, asOf: string, model: string, rows: readonly ScoreRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO early_warning_scores (tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features, contributions)
     SELECT $1, u.loan, $2::date, $3, u.p, u.logit, u.flagged, u.dpd, u.features, u.contributions
     FROM unnest($4::text[], $5::float8[], $6::float8[], $7::bool[], $8::int[], $9::jsonb[], $10::jsonb[]) AS u(loan, p, logit, flagged, dpd, features, contributions)
     ON CONFLICT (loan_id, as_of) DO UPDATE SET model_version = excluded.model_version, probability = excluded.probability, logit = excluded.logit, flagged = excluded.flagged,
       dpd = excluded.dpd, features = excluded.features, contributions = excluded.contributions, scored_at = now()`,
    [tenantId, asOf, model, rows.map((r) => r.loanId), rows.map((r) => r.probability), rows.map((r) => r.logit), rows.map((r) => r.flagged), rows.map((r) => r.dpd),
      rows.map((r) => JSON.stringify(r.features)), rows.map((r) => JSON.stringify(r.factors))],
  );
  // The collections queue sorts by each open case's latest probability (collections.routes.ts): kept with the score
  // (a case that reopens takes the latest then: collector.repository.ts openCase).
  await client.query(
    `UPDATE collections_cases c SET early_warning_probability = round(u.p::numeric, 4), early_warning_on = $2::date
     FROM unnest($3::text[], $4::float8[]) AS u(loan, p)
     WHERE c.tenant_id = $1 AND c.loan_id = u.loan AND c.status = 'open' AND (c.early_warning_on IS NULL OR c.early_warning_on <= $2::date)`,
    [tenantId, asOf, rows.map((r) => r.loanId), rows.map((r) => r.probability)],
  );
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

/** The loan's latest score on or before `asOf` (or its latest), within the tenant. */
export async function loanScore(db: Db, tenantId: string, loanId: string, asOf: string | undefined): Promise<StoredScore | undefined> {
  const { rows } = await db.query<StoredScore>(
    `SELECT ${COLUMNS} FROM early_warning_scores WHERE tenant_id = $1 AND loan_id = $2 AND ($3::date IS NULL OR as_of <= $3::date) ORDER BY as_of DESC LIMIT 1`,
    [tenantId, loanId, asOf ?? null],
  );
  return rows[0];
}

/** The tenant's scores at `asOf` with probability ≥ min, riskiest first, after the keyset (probability, loan id). */
export async function scoresAt(db: Db, tenantId: string, asOf: string, minProbability: number, after: { p: number; id: string } | undefined, limit: number): Promise<StoredScore[]> {
  const { rows } = await db.query<StoredScore>(
    `SELECT ${COLUMNS} FROM early_warning_scores
     WHERE tenant_id = $1 AND as_of = $2::date AND probability >= $3 AND ($4::float8 IS NULL OR probability < $4 OR (probability = $4 AND loan_id > $5))
     ORDER BY probability DESC, loan_id LIMIT $6`,
    [tenantId, asOf, minProbability, after?.p ?? null, after?.id ?? '', limit],
  );
  return rows;
}
