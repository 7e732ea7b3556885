import type pg from 'pg';

/**
 * The book as of past dates, set-based, from the ledger and the delinquency history (never from today's
 * state): a loan's principal outstanding at D is its loan-portfolio balance over every journal line
 * valued on or before D (a backdated payment posted later restates D, as the ledger does); its bucket at
 * D is the delinquency point in force at D; it is charged off at D when its write-off expense is positive,
 * closed when it was disbursed and owes no principal. One statement per question; Node only shapes the
 * aggregates.
 */
export type BucketSet = 'us' | 'rbi';

/** A loan's position at one date. */
export interface PositionRow {
  readonly at: string;
  readonly loanId: string;
  readonly productCode: string;
  readonly currency: string;
  readonly scale: number;
  readonly region: string;
  readonly disbursedOn: string;
  readonly disbursedMinor: bigint;
  readonly principalMinor: bigint;
  readonly writtenOffMinor: bigint;
  readonly dpd: number;
  /** The bucket of `bucketSet`, or `closed` / `charged-off`. */
  readonly state: string;
}

export const CLOSED = 'closed';
export const CHARGED_OFF = 'charged-off';

interface Row {
  at: string; loan_id: string; product_code: string; currency: string; scale: number; region: string; disbursed_on: string;
  disbursed: string; principal: string; written_off: string; dpd: number; state: string;
}

/**
 * Every disbursed loan of the tenant at each of `dates` (YYYY-MM-DD), with its state. Loans not yet
 * disbursed at a date are absent from that date.
 */
export async function positionsAt(pool: pg.Pool | pg.PoolClient, tenantId: string, dates: readonly string[], bucketSet: BucketSet): Promise<PositionRow[]> {
  const bucketColumn = bucketSet === 'us' ? 'us_bucket' : 'rbi_class';
  const current = bucketSet === 'us' ? 'current' : 'standard';
  const { rows } = await pool.query<Row>(
    `WITH dates AS (SELECT unnest($2::date[]) AS at),
     lines AS (
       SELECT d.at, l.loan_id,
              sum(CASE WHEN l.logical_account = 'loan-portfolio' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS principal,
              sum(CASE WHEN l.logical_account = 'loan-portfolio' AND l.side = 'debit' THEN l.amount_minor ELSE 0 END) AS disbursed,
              sum(CASE WHEN l.logical_account = 'write-off-expense' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS written_off,
              min(l.value_date) FILTER (WHERE l.logical_account = 'loan-portfolio' AND l.side = 'debit') AS disbursed_on
       FROM dates d
       JOIN journal_lines l ON l.tenant_id = $1 AND l.logical_account IN ('loan-portfolio', 'write-off-expense') AND l.value_date <= d.at
       GROUP BY d.at, l.loan_id
     )
     SELECT to_char(x.at, 'YYYY-MM-DD') AS at, x.loan_id, a.product_code, a.currency, a.scale,
            coalesce(nullif(a.borrower->'address'->>'region', ''), 'unknown') AS region,
            to_char(x.disbursed_on, 'YYYY-MM-DD') AS disbursed_on, x.disbursed::text, x.principal::text, x.written_off::text,
            CASE WHEN h.dpd_anchor IS NULL THEN 0 ELSE x.at - h.dpd_anchor END AS dpd,
            CASE WHEN x.written_off > 0 THEN '${CHARGED_OFF}' WHEN x.principal <= 0 THEN '${CLOSED}' ELSE coalesce(h.bucket, '${current}') END AS state
     FROM lines x
     JOIN loan_accounts a ON a.id = x.loan_id AND a.tenant_id = $1
     LEFT JOIN LATERAL (
       SELECT dh.dpd_anchor, dh.${bucketColumn} AS bucket FROM delinquency_history dh
       WHERE dh.loan_id = x.loan_id AND dh.from_date <= x.at ORDER BY dh.from_date DESC LIMIT 1
     ) h ON true
     WHERE x.disbursed > 0
     ORDER BY x.at, x.loan_id`,
    [tenantId, dates],
  );
  return rows.map((r) => ({
    at: r.at, loanId: r.loan_id, productCode: r.product_code, currency: r.currency, scale: r.scale, region: r.region, disbursedOn: r.disbursed_on,
    disbursedMinor: BigInt(r.disbursed), principalMinor: BigInt(r.principal), writtenOffMinor: BigInt(r.written_off), dpd: r.dpd, state: r.state,
  }));
}

/**
 * The first date each loan of the tenant reached `dpd` days past due on or before `asOf` (for vintage
 * curves). A point holds from its date until the next one, and on a day t within it dpd = t − anchor, so
 * it reaches `dpd` on max(from, anchor + dpd) if that falls before the next point.
 */
export async function firstReached(pool: pg.Pool | pg.PoolClient, tenantId: string, dpd: number, asOf: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ loan_id: string; first: string }>(
    `SELECT loan_id, to_char(min(reached), 'YYYY-MM-DD') AS first
     FROM (
       SELECT h.loan_id, greatest(h.from_date, h.dpd_anchor + $2::int) AS reached,
              lead(h.from_date) OVER (PARTITION BY h.loan_id ORDER BY h.from_date) AS next
       FROM delinquency_history h JOIN loan_accounts a ON a.id = h.loan_id AND a.tenant_id = $1
     ) p
     WHERE reached IS NOT NULL AND reached < coalesce(next, 'infinity'::date) AND reached <= $3::date
     GROUP BY loan_id`,
    [tenantId, dpd, asOf],
  );
  return new Map(rows.map((r) => [r.loan_id, r.first]));
}
