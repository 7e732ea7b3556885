// SQL of one end-of-day batch: the loans of one loan-id range still before the day, each either
// "quiet" (the day only accrues its interest: computed here, written set-based in place) or handed to
// the engine (its snapshot and state read for advanceAccount). See README.md, "End of day at scale".
import type { AccountSnapshot } from '@lendstack/loan-engine';
import type pg from 'pg';
import type { StoredState } from '../domain/servicing.js';

export interface BatchRow {
  readonly loan_id: string;
  readonly currency: string;
  readonly scale: number;
  readonly product_code: string;
  readonly product_version: number | null;
  /** Quiet loans: the day's accrual (≥ 0) and the period's cumulative accrual after it; null otherwise. */
  readonly quiet_amount: string | null;
  readonly quiet_cum: string | null;
  /** Only for the engine's loans (null for quiet ones: not read, not parsed). */
  readonly snapshot: AccountSnapshot | null;
  readonly state: StoredState | null;
}

/**
 * A loan is quiet on day d when its snapshot is as of d − 1 (as_of: the stored JSON with its quiet days folded in,
 * migration 20261211000000_servicing_quiet_days) and, by the engine's own rules
 * (packages/loan-engine/src/account/step.ts and end-of-day.ts), nothing but the scheduled accrual can
 * happen to it on d: active and accruing, standard with DPD 0, no overdue anchor, every installment
 * fallen due paid (oldestUnpaid = dueCount, so no overdue, late fee or penal interest), and the next
 * installment due after d (no installment falls due, no excess is applied, it cannot close). Then the
 * day's accrual is the engine's: floor(I × elapsed ÷ days) − accruedInPeriod for the current period
 * (I its scheduled interest, elapsed and days counted from the previous due date, or the first
 * disbursement). Anything else goes to the engine.
 *
 * The page is locked first, on its own (the CTE), and everything else is looked up per locked loan: joined in one
 * query, the planner (estimating the whole range, not the page) walked loan_accounts from the tenant's first loan to
 * the page and hashed every loan_balances row, so each batch read more the further it was into the book. The locked
 * rows' own columns are used, not a second read of loan_servicing: a row changed while the lock waited is returned
 * (and its WHERE re-checked) as it is now, as FOR UPDATE does.
 */
const SELECT_BATCH = `
WITH s AS MATERIALIZED (
  SELECT s.loan_id, s.product_code, s.product_version, s.snapshot, s.state, s.as_of, s.quiet_interest_minor, s.quiet_accrued_in_period
  FROM loan_servicing s
  WHERE s.tenant_id = $1 AND s.status = 'active' AND s.loan_id > $2 AND ($7::text IS NULL OR s.loan_id <= $7) AND s.as_of < $3::date
  ORDER BY s.loan_id
  LIMIT $4
  FOR UPDATE
)
SELECT s.loan_id, a.currency, a.scale, s.product_code, s.product_version, q.amount::text AS quiet_amount, q.cum::text AS quiet_cum,
  CASE WHEN q.amount IS NULL THEN servicing_snapshot(s.snapshot, s.as_of, s.quiet_interest_minor, s.quiet_accrued_in_period) END AS snapshot,
  CASE WHEN q.amount IS NULL THEN servicing_state(s.state, s.as_of, s.quiet_interest_minor, s.quiet_accrued_in_period) END AS state
FROM s
JOIN LATERAL (SELECT a.currency, a.scale FROM loan_accounts a WHERE a.id = s.loan_id) a ON true
LEFT JOIN LATERAL (
  SELECT c.cum, c.cum - coalesce(s.quiet_accrued_in_period, (k.sc ->> 'accruedInPeriod')::bigint) AS amount
  FROM (SELECT s.snapshot -> 'scalars' AS sc, s.as_of - DATE '1970-01-01' AS as_of OFFSET 0) k
  CROSS JOIN LATERAL (
    SELECT i.due_date - DATE '1970-01-01' AS due, i.interest_minor FROM installments i WHERE i.loan_id = s.loan_id ORDER BY i.number OFFSET (k.sc ->> 'dueCount')::int LIMIT 1
  ) cur
  CROSS JOIN LATERAL (
    SELECT CASE WHEN (k.sc ->> 'dueCount')::int = 0 THEN (k.sc ->> 'firstDisbursementDate')::int
      ELSE (SELECT p.due_date - DATE '1970-01-01' FROM installments p WHERE p.loan_id = s.loan_id ORDER BY p.number OFFSET (k.sc ->> 'dueCount')::int - 1 LIMIT 1) END AS start
    OFFSET 0
  ) st
  CROSS JOIN LATERAL (SELECT cur.interest_minor * ($5::int - st.start) / (cur.due - st.start) AS cum) c
  CROSS JOIN LATERAL (SELECT 1 FROM loan_balances b WHERE b.loan_id = s.loan_id) has_balances
  WHERE $6::boolean AND k.as_of = $5::int - 1 AND cur.due > $5::int AND st.start < $5::int
    AND k.sc ->> 'status' = 'active' AND k.sc ->> 'accrual' = 'accruing' AND k.sc ->> 'rbi' = 'standard'
    AND (k.sc ->> 'bucket')::int = 0 AND (k.sc ->> 'dpd')::int = 0 AND k.sc -> 'anchor' = 'null'::jsonb
    AND k.sc ->> 'oldestUnpaid' = k.sc ->> 'dueCount'
) q ON q.amount >= 0
ORDER BY s.loan_id`;

/** The next batch of the range (after, upTo] still before `day` (locked), quiet ones computed. */
export async function lockBatch(client: pg.PoolClient, q: { tenantId: string; after: string; upTo: string | null; day: string; dayNumber: number; limit: number; quiet: boolean }): Promise<BatchRow[]> {
  return (await client.query<BatchRow>(SELECT_BATCH, [q.tenantId, q.after, q.day, q.limit, q.dayNumber, q.quiet, q.upTo])).rows;
}

/**
 * The quiet loans' day, in place and set-based, in columns only: the day's accrual added to the interest of the
 * loan's quiet days, the period's cumulative accrual after it, the servicing columns, and loan_balances' interest
 * receivable. The snapshot and state JSON are not touched (readers fold the columns in: servicing_snapshot,
 * servicing_state), so their stored, compressed values are carried over as they are. One statement.
 */
export async function saveQuietDays(client: pg.PoolClient, day: string, rows: readonly { loanId: string; amount: bigint; cum: bigint }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await client.query(
    `WITH t AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(loan_id, amount, cum)),
     servicing AS (
       UPDATE loan_servicing s SET quiet_interest_minor = s.quiet_interest_minor + t.amount, quiet_accrued_in_period = t.cum,
         as_of = $4::date, eod_through = $4::date, version = s.version + 1, updated_at = now()
       FROM t WHERE s.loan_id = t.loan_id
       RETURNING s.loan_id
     )
     UPDATE loan_balances b SET interest_receivable = b.interest_receivable + t.amount, as_of = $4::date, updated_at = now()
     FROM t WHERE b.loan_id = t.loan_id AND EXISTS (SELECT 1 FROM servicing v WHERE v.loan_id = t.loan_id)`,
    [rows.map((r) => r.loanId), rows.map((r) => r.amount.toString()), rows.map((r) => r.cum.toString()), day],
  );
  if (result.rowCount !== rows.length) throw new Error(`end of day: ${result.rowCount} of ${rows.length} quiet loans written`);
  return rows.length;
}

/**
 * Upper bounds of `parts` loan-id ranges of about equal size over the tenant's active loans still
 * before `day` (the last range is open-ended): each worker of the run takes one.
 */
export async function partitionBounds(pool: pg.Pool, tenantId: string, day: string, parts: number): Promise<(string | null)[]> {
  if (parts <= 1) return [null];
  const rows = (await pool.query<{ hi: string }>(
    `SELECT max(loan_id) AS hi FROM (
       SELECT loan_id, ntile($3::int) OVER (ORDER BY loan_id) AS part FROM loan_servicing WHERE tenant_id = $1 AND status = 'active' AND as_of < $2::date
     ) p GROUP BY part ORDER BY hi`, [tenantId, day, parts])).rows.map((r) => r.hi);
  if (rows.length === 0) return [null];
  return [...rows.slice(0, -1), null];
}
