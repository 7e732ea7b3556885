import type pg from 'pg';
import { FEATURE_NAMES, HORIZON_DAYS, type FeatureVector } from '../domain/features.js';

type Db = pg.Pool | pg.PoolClient;

export interface LoanFeatures {
  readonly loanId: string;
  readonly dpd: number;
  readonly features: FeatureVector;
  /** Only with `withLabel`: reached over 90 dpd in (D, D + 90]. */
  readonly label?: boolean;
}

/**
 * The features of one page of a tenant's loans (keyset on loan id, after `after`, up to `limit` loans
 * read) as of `asOf`, in one statement; the loans scored are those disbursed by then with principal
 * outstanding, not charged off and at most 90 days past due (an NPA is past warning). Every source is read
 * as of the date: ledger lines valued on or before it, the delinquency point in force, presentments and
 * promises dated on or before it — so a score at a past date reads what was known then. `withLabel` adds
 * the outcome (training and the out-of-time test only: it reads the 90 days after the date).
 */
export async function featuresPage(db: Db, tenantId: string, asOf: string, after: string, limit: number, withLabel = false, upTo: string | null = null): Promise<{ rows: LoanFeatures[]; last: string | null }> {
  const page = await db.query<{ id: string }>('SELECT id FROM loan_accounts WHERE tenant_id = $1 AND id > $2 AND ($4::text IS NULL OR id <= $4) ORDER BY id LIMIT $3', [tenantId, after, limit, upTo]);
  const ids = page.rows.map((r) => r.id);
  if (ids.length === 0) return { rows: [], last: null };
  const { rows } = await db.query<Record<string, number | string | boolean | null>>(
    featuresSql(withLabel),
    [tenantId, asOf, ids],
  );
  return {
    rows: rows.map((r) => ({
      loanId: String(r['loan_id']),
      dpd: Number(r['dpd_now']),
      features: Object.fromEntries(FEATURE_NAMES.map((n) => [n, Number(r[n])])) as unknown as FeatureVector,
      ...(withLabel ? { label: r['label'] === true } : {}),
    })),
    last: ids.at(-1)!,
  };
}

/**
 * The features statement: parameters $1 the tenant, $2 the as-of date, $3 the loan ids (text[]); one row per
 * loan scored (see featuresPage), its columns `loan_id`, `dpd_now`, each of FEATURE_NAMES and, with
 * `withLabel`, `label`. Also the first part of the scoring statement (pg-early-warning.repository.ts).
 */
export function featuresSql(withLabel: boolean): string {
  return `WITH ids AS (SELECT unnest($3::text[]) AS loan_id),
     bal AS (
       SELECT l.loan_id,
              sum(CASE WHEN l.logical_account = 'loan-portfolio' THEN CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS principal,
              sum(CASE WHEN l.logical_account = 'loan-portfolio' AND l.side = 'debit' THEN l.amount_minor ELSE 0 END) AS disbursed,
              sum(CASE WHEN l.logical_account = 'write-off-expense' THEN CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS written_off,
              min(l.value_date) FILTER (WHERE l.logical_account = 'loan-portfolio' AND l.side = 'debit') AS disbursed_on,
              coalesce(sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) FILTER (WHERE l.logical_account = 'collection-clearing' AND l.value_date > $2::date - 90), 0) AS paid_90,
              count(*) FILTER (WHERE l.logical_account = 'collection-clearing' AND l.side = 'debit' AND l.value_date > $2::date - 90
                               AND l.amount_minor < (SELECT i.total_minor FROM installments i WHERE i.loan_id = l.loan_id AND i.number = 1)) AS partial_90
       FROM journal_lines l JOIN ids USING (loan_id)
       WHERE l.value_date <= $2::date AND l.logical_account IN ('loan-portfolio', 'write-off-expense', 'collection-clearing')
       GROUP BY l.loan_id
     ),
     -- Per loan through the (loan_id, …) keys: joined as sets, the planner hashed the whole of installments and of
     -- delinquency_history for every page (BENCHMARKS.md, "End of day at scale"). What fell due in the 90 days is
     -- looked up per loan in the final SELECT (LATERAL): as a CTE joined to bal, whose row count the planner
     -- underestimates (its filter on sums), it was a nested loop comparing every pair of the page's loans.
     hist AS (
       SELECT ids.loan_id, h.from_date, h.dpd_anchor, h.next_from FROM ids CROSS JOIN LATERAL (
         SELECT h.from_date, h.dpd_anchor, lead(h.from_date) OVER (ORDER BY h.from_date) AS next_from
         FROM delinquency_history h WHERE h.loan_id = ids.loan_id AND h.from_date <= $2::date
       ) h
     ),
     dpd AS (
       SELECT loan_id,
              coalesce(max(CASE WHEN next_from IS NULL AND dpd_anchor IS NOT NULL THEN $2::date - dpd_anchor END), 0) AS dpd_now,
              coalesce(max(CASE WHEN from_date <= $2::date - 30 AND coalesce(next_from, 'infinity'::date) > $2::date - 30 AND dpd_anchor IS NOT NULL THEN ($2::date - 30) - dpd_anchor END), 0) AS dpd_30,
              coalesce(max(CASE WHEN dpd_anchor IS NOT NULL AND coalesce(next_from, 'infinity'::date) > $2::date - 90 THEN least(coalesce(next_from - 1, $2::date), $2::date) - dpd_anchor END), 0) AS max_dpd_90,
              count(*) FILTER (WHERE dpd_anchor IS NULL AND from_date > $2::date - 180) AS cures_180
       FROM hist GROUP BY loan_id
     ),
     bounced AS (
       SELECT p.loan_id, count(*) AS n FROM autodebit_presentments p JOIN ids USING (loan_id)
       WHERE p.tenant_id = $1 AND p.status = 'returned' AND p.effective_date > $2::date - 90 AND p.effective_date <= $2::date GROUP BY p.loan_id
     ),
     broken AS (
       SELECT a.loan_id, count(*) AS n FROM collections_actions a JOIN ids USING (loan_id)
       WHERE a.tenant_id = $1 AND a.kind = 'promise-to-pay' AND a.status = 'broken'
         AND (a.details ->> 'payBy')::date > $2::date - 180 AND (a.details ->> 'payBy')::date < $2::date GROUP BY a.loan_id
     )${withLabel ? `,
     label AS (
       SELECT loan_id, bool_or(hit > $2::date AND hit <= $2::date + ${HORIZON_DAYS} AND hit < coalesce(next_from, 'infinity'::date)) AS y
       FROM (SELECT h.loan_id, greatest(h.from_date, h.dpd_anchor + 91) AS hit, lead(h.from_date) OVER (PARTITION BY h.loan_id ORDER BY h.from_date) AS next_from
             FROM delinquency_history h JOIN ids USING (loan_id)) q
       GROUP BY loan_id
     )` : ''}
     SELECT b.loan_id,
            coalesce(d.dpd_now, 0)::int AS dpd_now,
            (coalesce(d.dpd_now, 0) >= 30)::int AS dpd_30_plus,
            (coalesce(d.dpd_now, 0) >= 60)::int AS dpd_60_plus,
            coalesce(d.max_dpd_90, 0)::int AS max_dpd_90,
            (coalesce(d.dpd_now, 0) - coalesce(d.dpd_30, 0))::int AS dpd_trend_30,
            CASE WHEN coalesce(u.due_90, 0) = 0 THEN 1 ELSE least(2, greatest(0, b.paid_90::float8 / u.due_90)) END AS pay_ratio_90,
            b.partial_90::int AS partial_90,
            coalesce(bo.n, 0)::int AS bounced_90,
            coalesce(br.n, 0)::int AS promises_broken_180,
            coalesce(d.cures_180, 0)::int AS cures_180,
            (b.principal::float8 / b.disbursed) AS utilisation,
            least(36, ($2::date - b.disbursed_on) / 30.0)::float8 AS months_on_book
            ${withLabel ? ', coalesce(lb.y, false) AS label' : ''}
     FROM bal b
     LEFT JOIN LATERAL (
       SELECT sum(i.total_minor) AS due_90 FROM installments i WHERE i.loan_id = b.loan_id AND i.due_date > $2::date - 90 AND i.due_date <= $2::date
     ) u ON true
     LEFT JOIN dpd d USING (loan_id) LEFT JOIN bounced bo USING (loan_id) LEFT JOIN broken br USING (loan_id)
     ${withLabel ? 'LEFT JOIN label lb USING (loan_id)' : ''}
     WHERE b.disbursed > 0 AND b.principal > 0 AND b.written_off <= 0 AND coalesce(d.dpd_now, 0) <= 90
     ORDER BY b.loan_id`;
}
