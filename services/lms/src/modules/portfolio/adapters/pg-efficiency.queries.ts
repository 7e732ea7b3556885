import type pg from 'pg';
import type { BucketSet } from './pg-portfolio.queries.js';

type Db = pg.Pool | pg.PoolClient;

/**
 * Due and collected in the period (from, asOf] per currency × product × the bucket the loan stood in at
 * `from` (the delinquency point in force that day; current/standard when none):
 * - due: Σ total of the installments falling due in the period (the loan's schedule in `installments`);
 * - collected: the net debit of `collection-clearing` over journal lines valued in the period (every
 *   repayment debits it by the amount received; a reversed repayment's contra-entry credits it back, so a
 *   bounced or reversed payment nets out, and a backdated one restates the period as the ledger does).
 * One set-based statement: Node receives a row per product and bucket, never one per loan.
 */
export interface EfficiencyCell {
  readonly currency: string;
  readonly scale: number;
  readonly productCode: string;
  readonly bucket: string;
  readonly loans: number;
  readonly dueMinor: bigint;
  readonly collectedMinor: bigint;
}

export async function collectionEfficiency(db: Db, tenantId: string, from: string, asOf: string, set: BucketSet): Promise<EfficiencyCell[]> {
  const bucket = set === 'us' ? 'us_bucket' : 'rbi_class';
  const current = set === 'us' ? 'current' : 'standard';
  const { rows } = await db.query<{ currency: string; scale: number; product_code: string; bucket: string; loans: number; due: string; collected: string }>(
    `WITH due AS (
       SELECT i.loan_id, sum(i.total_minor) AS due
       FROM installments i JOIN loan_accounts a ON a.id = i.loan_id AND a.tenant_id = $1
       WHERE i.due_date > $2::date AND i.due_date <= $3::date
       GROUP BY i.loan_id
     ),
     paid AS (
       SELECT l.loan_id, sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) AS collected
       FROM journal_lines l
       WHERE l.tenant_id = $1 AND l.logical_account = 'collection-clearing' AND l.value_date > $2::date AND l.value_date <= $3::date
       GROUP BY l.loan_id
     ),
     loans AS (
       SELECT coalesce(d.loan_id, p.loan_id) AS loan_id, coalesce(d.due, 0) AS due, coalesce(p.collected, 0) AS collected
       FROM due d FULL JOIN paid p ON p.loan_id = d.loan_id
     )
     SELECT a.currency, min(a.scale) AS scale, a.product_code, coalesce(h.bucket, '${current}') AS bucket, count(*)::int AS loans,
            sum(x.due)::text AS due, sum(x.collected)::text AS collected
     FROM loans x
     JOIN loan_accounts a ON a.id = x.loan_id AND a.tenant_id = $1
     LEFT JOIN LATERAL (
       SELECT dh.${bucket} AS bucket FROM delinquency_history dh
       WHERE dh.loan_id = x.loan_id AND dh.from_date <= $2::date ORDER BY dh.from_date DESC LIMIT 1
     ) h ON true
     GROUP BY a.currency, a.product_code, coalesce(h.bucket, '${current}')`,
    [tenantId, from, asOf],
  );
  return rows.map((r) => ({ currency: r.currency, scale: r.scale, productCode: r.product_code, bucket: r.bucket, loans: r.loans, dueMinor: BigInt(r.due), collectedMinor: BigInt(r.collected) }));
}
