import { inTransaction } from '@lendstack/platform';
import type pg from 'pg';
import { addMonths, monthEnd } from '../domain/analytics.js';
import { CHARGED_OFF, CLOSED, type BookCell, type BucketSet, type CohortCell, type Transition } from './pg-portfolio.queries.js';

/**
 * Portfolio snapshots: the rows the live queries of pg-portfolio.queries.ts would return for one tenant and
 * business date, written set-based once (at the close of the day, or by the backfill) so the dashboard reads
 * a few hundred rows instead of re-summing the journal. One pass over the book computes each loan's position
 * at the date with the live queries' rules (principal, disbursed and written-off amounts from the journal
 * lines valued on or before it, the delinquency point in force at it) for both bucket sets, into a
 * transaction-local table; from it, in the same transaction:
 * - cells: loans, principal and over-90 principal by currency × product × region × state, per bucket set;
 * - at a month end, each loan's state and principal (what the next month's roll steps start from);
 * - the roll step from the month end before the date's month to the date, when that month end was written;
 * - cohorts: loans and disbursed principal by cohort × month first reaching 30, 60 and 90 dpd.
 * Writing a day again replaces its rows whole, so a re-run leaves the same rows. A snapshot is the book as it
 * stood when the day was written: a later backdated posting restates the live answer, not the snapshot
 * (write the day again to take it in).
 */
type Db = pg.Pool | pg.PoolClient;

export const SNAPSHOT_THRESHOLDS = [30, 60, 90] as const;

export interface SnapshotWritten {
  readonly asOf: string;
  readonly loans: number;
  readonly monthEnd: boolean;
  /** The month end the day's roll step starts from; null when that month end has no snapshot. */
  readonly rollFrom: string | null;
}

export const isMonthEnd = (date: string): boolean => monthEnd(date.slice(0, 7)) === date;
/** Whether end of day writes the snapshot of `day` under the LMS_PORTFOLIO_SNAPSHOTS setting. */
export const snapshotsDay = (setting: 'daily' | 'month-ends' | 'off', day: string): boolean => setting === 'daily' || (setting === 'month-ends' && isMonthEnd(day));
/** The month end before the date's month (the start of the date's roll step). */
export const previousMonthEnd = (date: string): string => monthEnd(addMonths(date.slice(0, 7), -1));

const POSITIONS = `
  INSERT INTO pg_temp.portfolio_snapshot_pos
  SELECT x.loan_id, a.product_code, a.currency, a.scale, coalesce(nullif(a.borrower->'address'->>'region', ''), 'unknown'),
         x.disbursed_on, x.disbursed, x.principal,
         CASE WHEN h.dpd_anchor IS NULL THEN 0 ELSE $2::date - h.dpd_anchor END,
         CASE WHEN x.written_off > 0 THEN '${CHARGED_OFF}' WHEN x.principal <= 0 THEN '${CLOSED}' ELSE coalesce(h.us_bucket, 'current') END,
         CASE WHEN x.written_off > 0 THEN '${CHARGED_OFF}' WHEN x.principal <= 0 THEN '${CLOSED}' ELSE coalesce(h.rbi_class, 'standard') END
  FROM (
    SELECT l.loan_id,
           sum(CASE WHEN l.logical_account = 'loan-portfolio' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS principal,
           sum(CASE WHEN l.logical_account = 'loan-portfolio' AND l.side = 'debit' THEN l.amount_minor ELSE 0 END) AS disbursed,
           sum(CASE WHEN l.logical_account = 'write-off-expense' THEN CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS written_off,
           min(l.value_date) FILTER (WHERE l.logical_account = 'loan-portfolio' AND l.side = 'debit') AS disbursed_on
    FROM journal_lines l
    WHERE l.tenant_id = $1 AND l.logical_account IN ('loan-portfolio', 'write-off-expense') AND l.value_date <= $2::date
    GROUP BY l.loan_id
  ) x
  JOIN loan_accounts a ON a.id = x.loan_id AND a.tenant_id = $1
  LEFT JOIN LATERAL (
    SELECT dh.dpd_anchor, dh.us_bucket, dh.rbi_class FROM delinquency_history dh
    WHERE dh.loan_id = x.loan_id AND dh.from_date <= $2::date ORDER BY dh.from_date DESC LIMIT 1
  ) h ON true
  WHERE x.disbursed > 0`;

const CELLS = `
  INSERT INTO portfolio_snapshot_cells (tenant_id, as_of, bucket_set, currency, scale, product_code, region, state, loans, principal_minor, over90_minor)
  SELECT $1, $2::date, s.bucket_set, p.currency, min(p.scale), p.product_code, p.region, s.state, count(*),
         sum(CASE WHEN s.state = '${CHARGED_OFF}' THEN 0 ELSE p.principal END),
         coalesce(sum(p.principal) FILTER (WHERE p.dpd > 90 AND s.state NOT IN ('${CLOSED}', '${CHARGED_OFF}')), 0)
  FROM pg_temp.portfolio_snapshot_pos p CROSS JOIN LATERAL (VALUES ('us', p.us_state), ('rbi', p.rbi_state)) AS s(bucket_set, state)
  GROUP BY s.bucket_set, p.currency, p.product_code, p.region, s.state`;

const LOANS = `
  INSERT INTO portfolio_snapshot_loans (tenant_id, as_of, loan_id, currency, scale, us_state, rbi_state, principal_minor)
  SELECT $1, $2::date, loan_id, currency, scale, us_state, rbi_state, principal FROM pg_temp.portfolio_snapshot_pos`;

const ROLLS = `
  INSERT INTO portfolio_snapshot_rolls (tenant_id, as_of, from_date, bucket_set, currency, scale, from_state, to_state, principal_minor)
  SELECT $1, $2::date, $3::date, s.bucket_set, a.currency, min(a.scale), s.from_state, s.to_state, sum(a.principal_minor)
  FROM portfolio_snapshot_loans a
  JOIN pg_temp.portfolio_snapshot_pos b ON b.loan_id = a.loan_id
  CROSS JOIN LATERAL (VALUES ('us', a.us_state, b.us_state), ('rbi', a.rbi_state, b.rbi_state)) AS s(bucket_set, from_state, to_state)
  WHERE a.tenant_id = $1 AND a.as_of = $3::date AND s.from_state NOT IN ('${CLOSED}', '${CHARGED_OFF}')
  GROUP BY s.bucket_set, a.currency, s.from_state, s.to_state`;

// The live cohorts' rule for each threshold at once: a point holds from its date until the next, and reaches
// t days past due on max(from, anchor + t) if that falls before the next point and on or before the date.
const COHORTS = `
  INSERT INTO portfolio_snapshot_cohorts (tenant_id, as_of, threshold_dpd, currency, scale, cohort, reached_month, loans, disbursed_minor)
  WITH points AS (
    SELECT h.loan_id, h.from_date, h.dpd_anchor, lead(h.from_date) OVER (PARTITION BY h.loan_id ORDER BY h.from_date) AS next
    FROM delinquency_history h JOIN pg_temp.portfolio_snapshot_pos p ON p.loan_id = h.loan_id
  ),
  reached AS (
    SELECT pt.loan_id, t.dpd, min(greatest(pt.from_date, pt.dpd_anchor + t.dpd)) AS first
    FROM points pt CROSS JOIN (VALUES (30), (60), (90)) AS t(dpd)
    WHERE pt.dpd_anchor IS NOT NULL AND greatest(pt.from_date, pt.dpd_anchor + t.dpd) < coalesce(pt.next, 'infinity'::date)
      AND greatest(pt.from_date, pt.dpd_anchor + t.dpd) <= $2::date
    GROUP BY pt.loan_id, t.dpd
  ),
  cells AS (
    SELECT t.dpd, p.currency, min(p.scale) AS scale, date_trunc('month', p.disbursed_on) AS cohort, date_trunc('month', r.first) AS reached, count(*) AS loans, sum(p.disbursed) AS disbursed
    FROM pg_temp.portfolio_snapshot_pos p CROSS JOIN (VALUES (30), (60), (90)) AS t(dpd)
    LEFT JOIN reached r ON r.loan_id = p.loan_id AND r.dpd = t.dpd
    GROUP BY t.dpd, p.currency, date_trunc('month', p.disbursed_on), date_trunc('month', r.first)
  )
  SELECT $1, $2::date, dpd, currency, scale, to_char(cohort, 'YYYY-MM'), coalesce(to_char(reached, 'YYYY-MM'), ''), loans, disbursed FROM cells`;

/** Writes (or rewrites) the tenant's snapshot of `asOf` in one transaction; concurrent writers of the same day take turns. */
export async function writePortfolioSnapshot(pool: pg.Pool, tenantId: string, asOf: string): Promise<SnapshotWritten> {
  const monthEndDay = isMonthEnd(asOf);
  const from = previousMonthEnd(asOf);
  return inTransaction(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtextextended('portfolio-snapshot:' || $1 || ':' || $2, 0))`, [tenantId, asOf]);
    // One loan per row through hash aggregates and a sort: memory enough to keep them off disk; no JIT for a statement run once a day.
    await c.query(`SET LOCAL work_mem = '256MB'`);
    await c.query('SET LOCAL jit = off');
    for (const table of ['portfolio_snapshots', 'portfolio_snapshot_cells', 'portfolio_snapshot_loans', 'portfolio_snapshot_rolls', 'portfolio_snapshot_cohorts']) {
      await c.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND as_of = $2::date`, [tenantId, asOf]);
    }
    await c.query(`CREATE TEMP TABLE portfolio_snapshot_pos (
      loan_id text NOT NULL, product_code text NOT NULL, currency text NOT NULL, scale int NOT NULL, region text NOT NULL,
      disbursed_on date, disbursed bigint NOT NULL, principal bigint NOT NULL, dpd int NOT NULL, us_state text NOT NULL, rbi_state text NOT NULL
    ) ON COMMIT DROP`);
    const loans = (await c.query(POSITIONS, [tenantId, asOf])).rowCount ?? 0;
    await c.query('ANALYZE pg_temp.portfolio_snapshot_pos');
    await c.query(CELLS, [tenantId, asOf]);
    if (monthEndDay) await c.query(LOANS, [tenantId, asOf]);
    const start = await c.query(`SELECT 1 FROM portfolio_snapshots WHERE tenant_id = $1 AND as_of = $2::date AND month_end`, [tenantId, from]);
    const rollFrom = start.rowCount ? from : null;
    if (rollFrom) await c.query(ROLLS, [tenantId, asOf, rollFrom]);
    await c.query(COHORTS, [tenantId, asOf]);
    await c.query(`INSERT INTO portfolio_snapshots (tenant_id, as_of, loans, month_end, roll_from) VALUES ($1, $2::date, $3, $4, $5::date)`, [tenantId, asOf, loans, monthEndDay, rollFrom]);
    return { asOf, loans, monthEnd: monthEndDay, rollFrom };
  });
}

/** The book's cells at `asOf` from its snapshot (the live bookAt's rows); null when the day has no snapshot. */
export async function snapshotBookAt(db: Db, tenantId: string, asOf: string, set: BucketSet): Promise<BookCell[] | null> {
  const { rows } = await db.query<{ written: boolean; currency: string | null; scale: number; product_code: string; region: string; state: string; loans: number; principal: string; over90: string }>(
    `SELECT true AS written, c.currency, c.scale, c.product_code, c.region, c.state, c.loans, c.principal_minor::text AS principal, c.over90_minor::text AS over90
     FROM portfolio_snapshots s LEFT JOIN portfolio_snapshot_cells c ON c.tenant_id = s.tenant_id AND c.as_of = s.as_of AND c.bucket_set = $3
     WHERE s.tenant_id = $1 AND s.as_of = $2::date`,
    [tenantId, asOf, set],
  );
  if (rows.length === 0) return null;
  return rows.filter((r) => r.currency !== null).map((r) => ({ currency: r.currency!, scale: r.scale, productCode: r.product_code, region: r.region, state: r.state, loans: r.loans, principalMinor: BigInt(r.principal), over90Minor: BigInt(r.over90) }));
}

/** The roll steps between consecutive month-end `dates` from the snapshots; null unless every step's end has a snapshot starting from the step's start. */
export async function snapshotTransitions(db: Db, tenantId: string, dates: readonly string[], set: BucketSet): Promise<Transition[] | null> {
  const ends = dates.slice(1);
  const starts = dates.slice(0, -1);
  const covered = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM unnest($2::date[], $3::date[]) AS s(f, t) JOIN portfolio_snapshots p ON p.tenant_id = $1 AND p.as_of = s.t AND p.roll_from = s.f`,
    [tenantId, starts, ends],
  );
  if (covered.rows[0]!.n !== ends.length) return null;
  const { rows } = await db.query<{ from_at: string; to_at: string; currency: string; scale: number; from_state: string; to_state: string; principal: string }>(
    `SELECT to_char(r.from_date, 'YYYY-MM-DD') AS from_at, to_char(r.as_of, 'YYYY-MM-DD') AS to_at, r.currency, r.scale, r.from_state, r.to_state, r.principal_minor::text AS principal
     FROM unnest($2::date[], $3::date[]) AS s(f, t)
     JOIN portfolio_snapshot_rolls r ON r.tenant_id = $1 AND r.as_of = s.t AND r.from_date = s.f AND r.bucket_set = $4`,
    [tenantId, starts, ends, set],
  );
  return rows.map((r) => ({ from: r.from_at, to: r.to_at, currency: r.currency, scale: r.scale, fromState: r.from_state, toState: r.to_state, principalMinor: BigInt(r.principal) }));
}

/** The cohorts at `asOf` for `dpd` (30, 60 or 90) from its snapshot (the live cohorts' rows); null when the day has no snapshot. */
export async function snapshotCohorts(db: Db, tenantId: string, asOf: string, dpd: number): Promise<CohortCell[] | null> {
  const { rows } = await db.query<{ currency: string | null; scale: number; cohort: string; reached: string; loans: number; disbursed: string }>(
    `SELECT c.currency, c.scale, c.cohort, c.reached_month AS reached, c.loans, c.disbursed_minor::text AS disbursed
     FROM portfolio_snapshots s LEFT JOIN portfolio_snapshot_cohorts c ON c.tenant_id = s.tenant_id AND c.as_of = s.as_of AND c.threshold_dpd = $3
     WHERE s.tenant_id = $1 AND s.as_of = $2::date`,
    [tenantId, asOf, dpd],
  );
  if (rows.length === 0) return null;
  return rows.filter((r) => r.currency !== null).map((r) => ({ currency: r.currency!, scale: r.scale, cohort: r.cohort, reachedMonth: r.reached === '' ? null : r.reached, loans: r.loans, disbursedMinor: BigInt(r.disbursed) }));
}

export interface BackfillProgress {
  readonly done: number;
  readonly total: number;
  readonly written: SnapshotWritten;
  readonly ms: number;
}

/** The days a backfill writes, in order: each day from..to (or only the month ends among them), after the month end before the first one when that has no snapshot yet. */
export async function backfillDates(db: Db, tenantId: string, from: string, to: string, monthEndsOnly: boolean): Promise<string[]> {
  const days: string[] = [];
  for (let d = from; d <= to; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
    if (!monthEndsOnly || isMonthEnd(d)) days.push(d);
  }
  if (days.length === 0) return days;
  const start = previousMonthEnd(days[0]!);
  const has = await db.query(`SELECT 1 FROM portfolio_snapshots WHERE tenant_id = $1 AND as_of = $2::date AND month_end`, [tenantId, start]);
  return has.rowCount ? days : [start, ...days];
}

/** Writes the snapshots of past business dates in date order (each as end of day would), reporting each. */
export async function backfillPortfolioSnapshots(pool: pg.Pool, tenantId: string, dates: readonly string[], onProgress?: (p: BackfillProgress) => void): Promise<SnapshotWritten[]> {
  const out: SnapshotWritten[] = [];
  for (const [i, day] of dates.entries()) {
    const started = performance.now();
    const written = await writePortfolioSnapshot(pool, tenantId, day);
    out.push(written);
    onProgress?.({ done: i + 1, total: dates.length, written, ms: performance.now() - started });
  }
  return out;
}
