import type pg from 'pg';

/**
 * The book as of past dates, aggregated in Postgres (set-based; Node receives a few rows per product,
 * bucket and region, never one per loan), from the ledger and the delinquency history, never from
 * today's state:
 * - a loan's principal outstanding at D is its loan-portfolio balance over every journal line valued on
 *   or before D (a backdated payment posted later restates D, as the ledger does);
 * - its bucket at D is that of the delinquency point in force at D, its dpd D − the point's anchor;
 * - it is charged off at D when its write-off expense is positive, closed when it was disbursed and
 *   owes no principal; a loan not yet disbursed at D is not in the book at D.
 */
export type BucketSet = 'us' | 'rbi';

export const CLOSED = 'closed';
export const CHARGED_OFF = 'charged-off';

type Db = pg.Pool | pg.PoolClient;

/** Each loan's position at each of the dates in $2 (date[]), for tenant $1. */
function positions(set: BucketSet): string {
  const bucket = set === 'us' ? 'us_bucket' : 'rbi_class';
  const current = set === 'us' ? 'current' : 'standard';
  return `
  lines AS (
    SELECT d.at, l.loan_id,
           sum(CASE WHEN l.logical_account = 'loan-portfolio' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS principal,
           sum(CASE WHEN l.logical_account = 'loan-portfolio' AND l.side = 'debit' THEN l.amount_minor ELSE 0 END) AS disbursed,
           sum(CASE WHEN l.logical_account = 'write-off-expense' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS written_off,
           min(l.value_date) FILTER (WHERE l.logical_account = 'loan-portfolio' AND l.side = 'debit') AS disbursed_on
    FROM unnest($2::date[]) AS d(at)
    JOIN journal_lines l ON l.tenant_id = $1 AND l.logical_account IN ('loan-portfolio', 'write-off-expense') AND l.value_date <= d.at
    GROUP BY d.at, l.loan_id
  ),
  pos AS (
    SELECT x.at, x.loan_id, a.product_code, a.currency, a.scale, coalesce(nullif(a.borrower->'address'->>'region', ''), 'unknown') AS region,
           x.disbursed_on, x.disbursed, x.principal,
           CASE WHEN h.dpd_anchor IS NULL THEN 0 ELSE x.at - h.dpd_anchor END AS dpd,
           CASE WHEN x.written_off > 0 THEN '${CHARGED_OFF}' WHEN x.principal <= 0 THEN '${CLOSED}' ELSE coalesce(h.bucket, '${current}') END AS state
    FROM lines x
    JOIN loan_accounts a ON a.id = x.loan_id AND a.tenant_id = $1
    LEFT JOIN LATERAL (
      SELECT dh.dpd_anchor, dh.${bucket} AS bucket FROM delinquency_history dh
      WHERE dh.loan_id = x.loan_id AND dh.from_date <= x.at ORDER BY dh.from_date DESC LIMIT 1
    ) h ON true
    WHERE x.disbursed > 0
  )`;
}

/** Loans and principal at one date by currency × product × region × state; `over90` is the principal of loans more than 90 days past due. */
export interface BookCell {
  readonly currency: string;
  readonly scale: number;
  readonly productCode: string;
  readonly region: string;
  readonly state: string;
  readonly loans: number;
  readonly principalMinor: bigint;
  readonly over90Minor: bigint;
}

export async function bookAt(db: Db, tenantId: string, asOf: string, set: BucketSet): Promise<BookCell[]> {
  const { rows } = await db.query<{ currency: string; scale: number; product_code: string; region: string; state: string; loans: number; principal: string; over90: string }>(
    `WITH ${positions(set)}
     SELECT currency, min(scale) AS scale, product_code, region, state, count(*)::int AS loans,
            sum(CASE WHEN state = '${CHARGED_OFF}' THEN 0 ELSE principal END)::text AS principal,
            coalesce(sum(principal) FILTER (WHERE dpd > 90 AND state NOT IN ('${CLOSED}', '${CHARGED_OFF}')), 0)::text AS over90
     FROM pos GROUP BY currency, product_code, region, state`,
    [tenantId, [asOf]],
  );
  return rows.map((r) => ({ currency: r.currency, scale: r.scale, productCode: r.product_code, region: r.region, state: r.state, loans: r.loans, principalMinor: BigInt(r.principal), over90Minor: BigInt(r.over90) }));
}

/** Principal moving from one state to another between consecutive dates (start balance, loans live at the start). */
export interface Transition {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly scale: number;
  readonly fromState: string;
  readonly toState: string;
  readonly principalMinor: bigint;
}

export async function transitions(db: Db, tenantId: string, dates: readonly string[], set: BucketSet): Promise<Transition[]> {
  const { rows } = await db.query<{ from_at: string; to_at: string; currency: string; scale: number; from_state: string; to_state: string; principal: string }>(
    `WITH steps AS (SELECT f, t FROM unnest($3::date[], $4::date[]) AS s(f, t)), ${positions(set)}
     SELECT to_char(s.f, 'YYYY-MM-DD') AS from_at, to_char(s.t, 'YYYY-MM-DD') AS to_at, a.currency, min(a.scale) AS scale, a.state AS from_state, b.state AS to_state,
            sum(a.principal)::text AS principal
     FROM steps s
     JOIN pos a ON a.at = s.f AND a.state NOT IN ('${CLOSED}', '${CHARGED_OFF}')
     JOIN pos b ON b.at = s.t AND b.loan_id = a.loan_id
     GROUP BY s.f, s.t, a.currency, a.state, b.state`,
    [tenantId, dates, dates.slice(0, -1), dates.slice(1)],
  );
  return rows.map((r) => ({ from: r.from_at, to: r.to_at, currency: r.currency, scale: r.scale, fromState: r.from_state, toState: r.to_state, principalMinor: BigInt(r.principal) }));
}

/**
 * Loans disbursed by `asOf`, by currency × cohort (month of first disbursement, YYYY-MM) × the month
 * (YYYY-MM) they first reached `dpd` days past due on or before `asOf` (null: not reached). A point holds
 * from its date until the next, and on a day t within it dpd = t − anchor, so it reaches `dpd` on
 * max(from, anchor + dpd) if that falls before the next point. A point with no anchor (current) reaches
 * nothing (greatest() would ignore the null and answer its date).
 */
export interface CohortCell {
  readonly currency: string;
  readonly scale: number;
  readonly cohort: string;
  readonly reachedMonth: string | null;
  readonly loans: number;
  readonly disbursedMinor: bigint;
}

export async function cohorts(db: Db, tenantId: string, asOf: string, dpd: number): Promise<CohortCell[]> {
  const { rows } = await db.query<{ currency: string; scale: number; cohort: string; reached: string | null; loans: number; disbursed: string }>(
    `WITH ${positions('us')},
     reached AS (
       SELECT loan_id, min(hit) AS first
       FROM (
         SELECT h.loan_id, h.dpd_anchor, greatest(h.from_date, h.dpd_anchor + $3::int) AS hit,
                lead(h.from_date) OVER (PARTITION BY h.loan_id ORDER BY h.from_date) AS next
         FROM delinquency_history h JOIN pos p ON p.loan_id = h.loan_id
       ) q
       WHERE dpd_anchor IS NOT NULL AND hit < coalesce(next, 'infinity'::date) AND hit <= $4::date
       GROUP BY loan_id
     )
     SELECT p.currency, min(p.scale) AS scale, to_char(p.disbursed_on, 'YYYY-MM') AS cohort, to_char(r.first, 'YYYY-MM') AS reached,
            count(*)::int AS loans, sum(p.disbursed)::text AS disbursed
     FROM pos p LEFT JOIN reached r ON r.loan_id = p.loan_id
     GROUP BY p.currency, to_char(p.disbursed_on, 'YYYY-MM'), to_char(r.first, 'YYYY-MM')`,
    [tenantId, [asOf], dpd, asOf],
  );
  return rows.map((r) => ({ currency: r.currency, scale: r.scale, cohort: r.cohort, reachedMonth: r.reached, loans: r.loans, disbursedMinor: BigInt(r.disbursed) }));
}
