import type pg from 'pg';
import { inTransaction, type Logger } from '@lendstack/platform';

// early_warning_scores is partitioned by month of as_of (migration 20261214100000_early_warning_scores_by_month):
// one partition per month, early_warning_scores_YYYYMM, holding [YYYY-MM-01, the next month's first day).

const PARENT = 'early_warning_scores';
const PARTITION = /^early_warning_scores_(\d{4})(\d{2})$/;

/** The month of an ISO date as `YYYY-MM`, moved by `months`. */
export function monthOf(date: string, months = 0): string {
  const m = /^(\d{4})-(\d{2})/.exec(date);
  if (!m) throw new Error(`not an ISO date: ${date}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const partitionOf = (month: string) => `${PARENT}_${month.replace('-', '')}`;

/**
 * Makes sure the month of `asOf` has its partition, so that scores of that date can be written (scoreBook calls it
 * before a date's first page). Creating one is rare (once a month, or for a past date re-scored): a plain table,
 * then ATTACH, which takes only a SHARE UPDATE EXCLUSIVE lock on the parent, so the day's scoring and the API's
 * reads go on meanwhile. Writers of the same month take turns on an advisory lock; true when this call created it.
 */
export async function ensureScoreMonth(pool: pg.Pool, asOf: string): Promise<boolean> {
  const month = monthOf(asOf);
  const name = partitionOf(month);
  // From pg_class under the statement's snapshot (to_regclass may answer from a cache not yet told of a table another session just created).
  const exists = async (db: pg.Pool | pg.PoolClient) => (await db.query<{ e: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema()) AS e', [name])).rows[0]!.e;
  if (await exists(pool)) return false;
  return inTransaction(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtextextended('early-warning-score-partitions', 0))`);
    if (await exists(c)) return false;
    await c.query(`CREATE TABLE ${name} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await c.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${name} FOR VALUES FROM ('${month}-01') TO ('${monthOf(asOf, 1)}-01')`);
    return true;
  });
}

/** The score months kept: `keepMonths` months before the month of the earliest business date of any tenant (null: keep every month, or no tenant has started). */
export async function scoreRetentionStart(db: pg.Pool, keepMonths: number): Promise<string | null> {
  if (keepMonths <= 0) return null;
  const { rows } = await db.query<{ d: string | null }>(`SELECT to_char(min(business_date), 'YYYY-MM-DD') AS d FROM business_dates`);
  return rows[0]?.d ? monthOf(rows[0].d, -keepMonths) : null;
}

export interface ScorePruning {
  /** The first month kept (`YYYY-MM`). */
  readonly keepFrom: string;
  /** The partitions dropped (or, with dryRun, that would be), oldest first. */
  readonly dropped: string[];
}

/**
 * Drops the score partitions of months before `keepFrom` (`YYYY-MM`): each is detached CONCURRENTLY (no lock that
 * stops the scoring or the reads), then dropped; a detach interrupted earlier is finished first. One process
 * prunes at a time (a session advisory lock; another caller returns with nothing dropped).
 */
export async function pruneScoreMonths(pool: pg.Pool, keepFrom: string, options: { dryRun?: boolean } = {}): Promise<ScorePruning> {
  if (!/^\d{4}-\d{2}$/.test(keepFrom)) throw new Error(`keepFrom is a month YYYY-MM: ${keepFrom}`);
  const client = await pool.connect();
  try {
    const locked = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended('early-warning-score-retention', 0)) AS ok`)).rows[0]!.ok;
    if (!locked) return { keepFrom, dropped: [] };
    try {
      const { rows } = await client.query<{ name: string; pending: boolean }>(
        `SELECT c.relname AS name, i.inhdetachpending AS pending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`, [PARENT]);
      const old = rows.filter((r) => {
        const m = PARTITION.exec(r.name);
        return m !== null && `${m[1]}-${m[2]}` < keepFrom;
      });
      if (options.dryRun) return { keepFrom, dropped: old.map((r) => r.name) };
      for (const r of old) {
        await client.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${r.name} ${r.pending ? 'FINALIZE' : 'CONCURRENTLY'}`);
        await client.query(`DROP TABLE ${r.name}`);
      }
      return { keepFrom, dropped: old.map((r) => r.name) };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtextextended('early-warning-score-retention', 0))`);
    }
  } finally {
    client.release();
  }
}

/** Prunes the score months past retention now and then (hourly by default), logging what it dropped; off when keepMonths is 0. */
export function startScoreRetention(options: { pool: pg.Pool; logger: Logger; keepMonths: number; intervalMs?: number }): { stop(): void } {
  if (options.keepMonths <= 0) return { stop: () => undefined };
  const log = options.logger.child({ component: 'early-warning-retention' });
  const sweep = async () => {
    const keepFrom = await scoreRetentionStart(options.pool, options.keepMonths);
    if (keepFrom === null) return;
    const { dropped } = await pruneScoreMonths(options.pool, keepFrom);
    if (dropped.length > 0) log.info({ keepFrom, dropped }, 'dropped early-warning score months past retention');
  };
  const timer = setInterval(() => void sweep().catch((error: unknown) => log.warn({ err: error }, 'early-warning score pruning failed; will retry')), options.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
