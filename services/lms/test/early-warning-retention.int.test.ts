// Early-warning scores by month (migration 20261214100000_early_warning_scores_by_month), on the real Postgres: a
// month's partition is created by its first score (once, whoever races), a score with no partition is refused
// rather than kept somewhere unprunable, old months are dropped by detaching them concurrently (an interrupted
// detach finished), and the retention start follows the earliest tenant business date. The months used here are
// of 1991, which no other test scores.
import { infrastructure } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { earlyWarningCommand } from '../src/modules/early-warning/adapters/early-warning.cli.js';
import { ensureScoreMonth, monthOf, pruneScoreMonths, scoreRetentionStart } from '../src/modules/early-warning/adapters/pg-score-partitions.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

let h: Harness;
const tenant = newTenant('ews-retention');

beforeAll(async () => {
  h = await startHarness();
  // Left by an earlier run that stopped halfway.
  await pruneScoreMonths(h.pool, '1991-01');
  await h.pool.query('DROP TABLE IF EXISTS early_warning_scores_199101, early_warning_scores_199102, early_warning_scores_199103, early_warning_scores_199104');
}, 120_000);

afterAll(async () => {
  await h?.pool.query('DROP TABLE IF EXISTS early_warning_scores_199101, early_warning_scores_199102, early_warning_scores_199103, early_warning_scores_199104');
  await h?.pool.query('DELETE FROM business_dates WHERE tenant_id = $1', [tenant]);
  await h?.close();
});

const score = (asOf: string, loanId = `${tenant}-L1`) => h.pool.query(
  `INSERT INTO early_warning_scores (tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features)
   VALUES ($1, $2, $3::date, 'npa-90d.v1', 0.2, -1.4, false, 0, '{}')`, [tenant, loanId, asOf]);
const partitionOfRow = async (asOf: string) => (await h.pool.query<{ p: string }>(
  'SELECT tableoid::regclass::text AS p FROM early_warning_scores WHERE tenant_id = $1 AND as_of = $2::date', [tenant, asOf])).rows.map((r) => r.p);
const exists = async (name: string) => (await h.pool.query<{ e: boolean }>('SELECT to_regclass($1) IS NOT NULL AS e', [name])).rows[0]!.e;

describe('a month of scores', () => {
  it('counts months across years', () => {
    expect(monthOf('2026-01-15', -13)).toBe('2024-12');
    expect(monthOf('2026-12-31', 1)).toBe('2027-01');
    expect(monthOf('2000-03-01')).toBe('2000-03');
    expect(() => monthOf('March')).toThrow(/ISO date/);
  });

  it('has no partition before its first score, which creates it once however many writers race', async () => {
    await expect(score('1991-01-20'), 'a score of a month with no partition is refused, not kept where retention cannot reach it').rejects.toMatchObject({ code: '23514' });
    const created = await Promise.all(Array.from({ length: 6 }, () => ensureScoreMonth(h.pool, '1991-01-20')));
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await ensureScoreMonth(h.pool, '1991-01-31')).toBe(false);
    await score('1991-01-20');
    expect(await partitionOfRow('1991-01-20')).toEqual(['early_warning_scores_199101']);
    // Its bounds are the month: the first of the next month is refused until that month has its own.
    await expect(score('1991-02-01')).rejects.toMatchObject({ code: '23514' });
    // The loan's latest score before a date is read newest month first and stops there (ordered Append).
    await ensureScoreMonth(h.pool, '1991-02-01');
    await score('1991-02-01');
    const plan = (await h.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT flagged FROM early_warning_scores WHERE loan_id = $1 AND as_of < '1991-03-01' ORDER BY as_of DESC LIMIT 1`, [`${tenant}-L1`])).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toMatch(/Merge Append|Sort/);
    expect(plan).toMatch(/Index Scan Backward using early_warning_scores_199102_pkey[^\n]*\n[^\n]*\n[^\n]*early_warning_scores_199101_pkey on early_warning_scores_199101 [^\n]*\(never executed\)/);
  });
});

describe('retention', () => {
  it('drops the months before the first kept, concurrently detached, and keeps the rest readable', async () => {
    await ensureScoreMonth(h.pool, '1991-03-10');
    await score('1991-03-10');
    const dry = await pruneScoreMonths(h.pool, '1991-03', { dryRun: true });
    expect(dry).toEqual({ keepFrom: '1991-03', dropped: ['early_warning_scores_199101', 'early_warning_scores_199102'] });
    expect(await exists('early_warning_scores_199101')).toBe(true);
    // Two sweeps at once: one prunes, the other finds the lock taken and drops nothing.
    const [a, b] = await Promise.all([pruneScoreMonths(h.pool, '1991-03'), pruneScoreMonths(h.pool, '1991-03')]);
    expect([...a.dropped, ...b.dropped].sort()).toEqual(['early_warning_scores_199101', 'early_warning_scores_199102']);
    expect(await exists('early_warning_scores_199101')).toBe(false);
    expect(await exists('early_warning_scores_199102')).toBe(false);
    expect(await partitionOfRow('1991-03-10')).toEqual(['early_warning_scores_199103']);
    expect(await partitionOfRow('1991-01-20')).toEqual([]);
    expect((await pruneScoreMonths(h.pool, '1991-03')).dropped).toEqual([]);
  });

  it('finishes a detach that was interrupted', async () => {
    await ensureScoreMonth(h.pool, '1991-04-02');
    await score('1991-04-02');
    // A reader holds the month open, so the concurrent detach waits for it, and is cancelled while it waits.
    const reader = await h.pool.connect();
    const detacher = await h.pool.connect();
    try {
      await reader.query('BEGIN');
      await reader.query(`SELECT count(*) FROM early_warning_scores WHERE as_of >= '1991-03-01' AND as_of < '1991-05-01'`);
      await detacher.query(`SET statement_timeout = '1s'`);
      await expect(detacher.query('ALTER TABLE early_warning_scores DETACH PARTITION early_warning_scores_199103 CONCURRENTLY')).rejects.toMatchObject({ code: '57014' });
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
      detacher.release();
    }
    const pending = await h.pool.query<{ pending: boolean }>(`SELECT inhdetachpending AS pending FROM pg_inherits WHERE inhrelid = to_regclass('early_warning_scores_199103')`);
    expect(pending.rows).toEqual([{ pending: true }]);
    expect(await pruneScoreMonths(h.pool, '1991-04')).toEqual({ keepFrom: '1991-04', dropped: ['early_warning_scores_199103'] });
    expect(await exists('early_warning_scores_199103')).toBe(false);
    expect(await partitionOfRow('1991-04-02')).toEqual(['early_warning_scores_199104']);
  });

  it('starts keep-months before the earliest tenant business date, and is off at 0', async () => {
    await h.pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '1991-06-10']);
    expect(await scoreRetentionStart(h.pool, 13)).toBe('1990-05');
    expect(await scoreRetentionStart(h.pool, 0)).toBeNull();
  });

  it('is run by pnpm -s lms early-warning prune, which lists with --dry-run and refuses a bad --keep-months', async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { lmsDatabaseUrl } = await infrastructure();
      // The earliest business date is this test's 1991-06-10 (above): 2 months back keeps April 1991 on.
      expect(await earlyWarningCommand(['prune', '--keep-months', '2', '--dry-run'], lmsDatabaseUrl, 13)).toBe(0);
      expect(JSON.parse(printed.at(-1)!)).toEqual({ keepFrom: '1991-04', dropped: [], dryRun: true });
      expect(await earlyWarningCommand(['prune', '--keep-months', '1', '--dry-run'], lmsDatabaseUrl, 13)).toBe(0);
      expect(JSON.parse(printed.at(-1)!)).toEqual({ keepFrom: '1991-05', dropped: ['early_warning_scores_199104'], dryRun: true });
      expect(await exists('early_warning_scores_199104')).toBe(true);
      expect(await earlyWarningCommand(['prune', '--keep-months', '0'], lmsDatabaseUrl, 13)).toBe(0);
      expect(JSON.parse(printed.at(-1)!)).toEqual({ keepFrom: null, dropped: [], dryRun: false });
      expect(await earlyWarningCommand(['prune', '--keep-months=-1'], lmsDatabaseUrl, 13)).toBe(2);
      expect(errors.mock.calls.flat().join(' ')).toContain('early-warning prune');
    } finally {
      log.mockRestore();
      errors.mockRestore();
    }
  });
});
