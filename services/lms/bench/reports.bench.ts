/**
 * Report generation for the whole book: BENCH_REPORT_LOANS (200,000) loans seeded set-based (not timed) —
 * loan_accounts, a disbursement, three month-end interest accruals and (for 70 %) a repayment in the ledger,
 * written by the portfolio simulator's set-based writer (modules/simulator/adapters/pg-book-writer.ts),
 * and delinquency change points giving a spread of classes (standard, SMA-0/1/2, NPA of several ages) —
 * then, timed, the three reports' queries as the routes run them (RBI classification, US delinquency with
 * the period's flows, trial balance by product) and the portfolio dashboard's four (buckets, heatmap, roll
 * rates over three month ends, vintages) beside a plain SQL aggregate baseline before and after:
 * each loan's portfolio balance and its latest delinquency point, grouped by stored class (no NPA age, no
 * non-accrual, no flows). Also checks that the RBI total equals the ledger's loan-portfolio balance.
 * Then the portfolio snapshots (modules/portfolio/adapters/pg-portfolio-snapshots.ts): the month ends
 * 2025-12-31 … 2026-03-31 and AS_OF, then the mid-month 2026-04-15, written as end of day writes them (each
 * timed: one day's snapshot of the whole book), the dashboard's four queries served from them BENCH_SNAPSHOT_ROUNDS times each (p50 and
 * p99 reported), and their answers checked equal to the live ones timed above.
 * Run by infra/bench.sh (BENCH_ONLY=reports) against a local *_bench database only.
 *
 *   BENCH_REPORT_LOANS (200000)  BENCH_REPORT_ROUNDS (3: timed runs of each query; the median is reported)
 *   BENCH_SNAPSHOT_ROUNDS (200: timed runs of each dashboard query served from the snapshots)
 *   BENCH_REPORT_SEED_WORKERS (1: connections seeding chunks at once)
 *   BENCH_REPORT_LIVE (1; 0 leaves out the three reports and the live dashboard queries, and so the
 *   snapshot = live check: the baselines and the snapshots only; the book then has no interest accruals,
 *   which only the trial balance reads)
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureLedgerAccounts, writeBook, type BookEntryRow, type BookLoanRow, type BookPointRow, type BookRows } from '../src/modules/simulator/adapters/pg-book-writer.js';
import { bookAt, cohorts, transitions } from '../src/modules/portfolio/adapters/pg-portfolio.queries.js';
import { bucketSummary, heatmap, monthEndsUpTo, rollRates, vintages } from '../src/modules/portfolio/domain/analytics.js';
import { snapshotBookAt, snapshotCohorts, snapshotTransitions, writePortfolioSnapshot } from '../src/modules/portfolio/adapters/pg-portfolio-snapshots.js';
import { REGIONS } from '../src/modules/simulator/domain/simulate.js';
import { rbiClassification, trialBalanceByProduct, usDelinquency } from '../src/modules/reports/adapters/pg-reports.queries.js';
import { intEnv } from '../../../packages/testing/bench/lib/env.js';

const N = intEnv('BENCH_REPORT_LOANS', 200_000, 100, 2_000_000);
const ROUNDS = intEnv('BENCH_REPORT_ROUNDS', 3, 1, 20);
const SNAPSHOT_ROUNDS = intEnv('BENCH_SNAPSHOT_ROUNDS', 200, 10, 10_000);
const SEED_WORKERS = intEnv('BENCH_REPORT_SEED_WORKERS', 1, 1, 8);
const LIVE = intEnv('BENCH_REPORT_LIVE', 1, 0, 1) === 1;
const dbUrl = new URL(process.env.LMS_DATABASE_URL || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) throw new Error('the bench only runs against a local *_bench database; use infra/bench.sh');

const log = (line: string) => console.log(`[reports] ${line}`);
const run = randomUUID().slice(0, 8);
const tenant = `rptbench-${run}`;
const AS_OF = '2026-04-30';
const CHUNK = 10_000;

/** One chunk of loans [lo, hi] as rows for the shared set-based writer (the simulator's): accounts, ledger entries with their lines, delinquency points. */
function chunkRows(lo: number, hi: number): BookRows {
  const loans: BookLoanRow[] = [];
  const entries: BookEntryRow[] = [];
  const points: BookPointRow[] = [];
  const add = (d: string, days: number) => new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  for (let g = lo; g <= hi; g += 1) {
    const id = `${run}-${g}`;
    loans.push({ id, productCode: ['PL-12', 'PL-24', 'BL-36'][g % 3]!, principalMinor: 120_000, currency: 'INR', scale: 2, annualRatePercent: '12', termPeriods: 12, disbursementDate: '2026-01-05', status: 'active', region: REGIONS[g % REGIONS.length]! });
    const entry = (kind: string, key: string, date: string, debit: string, credit: string, amount: number) =>
      entries.push({ loanId: id, key: `${key}:${date}`, kind, date, currency: 'INR', scale: 2, lines: [[debit, 'debit', amount], [credit, 'credit', amount]] });
    // Entries: disbursement (5 Jan), accruals (31 Jan, 28 Feb, 31 Mar), a repayment (5 Feb) for g % 10 < 7.
    entry('disbursement', 'disbursement', '2026-01-05', 'loan-portfolio', 'disbursement-clearing', 120_000);
    if (LIVE) for (const [k, d] of [[1, '2026-01-31'], [2, '2026-02-28'], [3, '2026-03-31']] as const) entry('interest-accrual', `interest-accrual-${k}`, d, 'interest-receivable', 'interest-income', 1200);
    if (g % 10 < 7) entry('repayment', 'repayment', '2026-02-05', 'collection-clearing', 'loan-portfolio', 10_000);
    // Delinquency: by g % 20 an oldest unpaid due date (none for 0–11), and a point at each class boundary it
    // crossed by AS_OF (1, 31, 61, 91 days past it), NPA from day 91; g % 40 = 39 (an NPA) was cured on 25 April.
    const r = g % 20;
    const anchor = r < 12 ? null : r < 14 ? '2026-04-05' : r < 16 ? '2026-03-20' : r < 17 ? '2026-02-25' : '2026-01-20';
    if (anchor) {
      for (const [t, us, rbi] of [[1, '1-29', 'SMA-0'], [31, '30-59', 'SMA-1'], [61, '60-89', 'SMA-2'], [91, '90-119', 'NPA']] as const) {
        const from = add(anchor, t);
        if (from <= AS_OF) points.push({ loanId: id, from, dpd: t, anchor, us, rbi, npaSince: rbi === 'NPA' ? add(anchor, 91) : null });
      }
    }
    if (g % 40 === 39) points.push({ loanId: id, from: '2026-04-25', dpd: 0, anchor: null, us: 'current', rbi: 'standard', npaSince: null });
  }
  return { loans, entries, points };
}

async function seedChunk(pool: pg.Pool, lo: number, hi: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await writeBook(client, tenant, chunkRows(lo, hi));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    value = await work();
    times.push(performance.now() - started);
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  log(`${label}: median ${Math.round(ms)} ms of ${ROUNDS} (${Math.round((N / ms) * 1000).toLocaleString('en')} loans/s; runs ${times.map((t) => Math.round(t)).join(', ')} ms)`);
  return { ms, value };
}

/** `ROUNDS` timed runs of a dashboard query served from the snapshots: p50 and p99. */
async function percentiles<T>(label: string, work: () => Promise<T>): Promise<{ p50: number; p99: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < SNAPSHOT_ROUNDS; i += 1) {
    const started = performance.now();
    value = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  const [p50, p99] = [at(0.5), at(0.99)];
  log(`${label} (snapshot): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms of ${SNAPSHOT_ROUNDS} (min ${times[0]!.toFixed(2)}, max ${times.at(-1)!.toFixed(2)} ms)`);
  return { p50, p99, value };
}

async function baseline(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT coalesce(h.rbi_class, 'standard') AS cls, count(*) AS loans, sum(b.principal) AS principal
     FROM (SELECT loan_id, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END) AS principal FROM journal_lines
           WHERE tenant_id = $1 AND logical_account = 'loan-portfolio' AND value_date <= $2::date GROUP BY loan_id) b
     LEFT JOIN LATERAL (SELECT rbi_class FROM delinquency_history WHERE loan_id = b.loan_id AND from_date <= $2::date ORDER BY from_date DESC LIMIT 1) h ON true
     GROUP BY 1`, [tenant, AS_OF]);
  return rows;
}

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 4 });
  try {
    const seeded = performance.now();
    await ensureLedgerAccounts(pool, tenant);
    let next = 1;
    const seeder = async () => {
      for (let lo = next; lo <= N; lo = next) {
        next += CHUNK;
        await seedChunk(pool, lo, Math.min(N, lo + CHUNK - 1));
        if (Math.min(N, lo + CHUNK - 1) % 100_000 === 0) log(`seeding: loans up to ${(lo + CHUNK - 1).toLocaleString('en')} written, ${Math.round((performance.now() - seeded) / 1000)} s`);
      }
    };
    await Promise.all(Array.from({ length: SEED_WORKERS }, seeder));
    await pool.query('ANALYZE loan_accounts; ANALYZE journal_lines; ANALYZE delinquency_history');
    const lines = (await pool.query(`SELECT count(*)::int AS n FROM journal_lines WHERE tenant_id = $1`, [tenant])).rows[0].n;
    log(`setup (not timed): ${N.toLocaleString('en')} loans, ${lines.toLocaleString('en')} journal lines, seeded set-based in ${Math.round((performance.now() - seeded) / 1000)} s; asOf ${AS_OF}`);
    const before = await timed('baseline (before): plain SQL aggregate, balance + latest class per loan', () => baseline(pool));
    // The portfolio dashboard's queries (modules/portfolio) over the same book, as its routes run them.
    const dates = monthEndsUpTo(AS_OF, 3);
    const ledger = BigInt((await pool.query(`SELECT sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE tenant_id = $1 AND logical_account = 'loan-portfolio' AND value_date <= $2::date`, [tenant, AS_OF])).rows[0].n);
    let live: { buckets: unknown; heat: unknown; roll: unknown; vint: unknown } | undefined;
    let after = before;
    if (LIVE) {
      const rbi = await timed('RBI asset classification', () => rbiClassification(pool, tenant, AS_OF));
      const us = await timed('US delinquency (with charge-offs/recoveries since 2026-01-01)', () => usDelinquency(pool, tenant, AS_OF, '2026-01-01'));
      const tb = await timed('trial balance by product', () => trialBalanceByProduct(pool, tenant, AS_OF));
      const buckets = await timed('portfolio buckets', async () => bucketSummary(await bookAt(pool, tenant, AS_OF, 'us'), 'us'));
      const heat = await timed('portfolio heatmap', async () => heatmap(await bookAt(pool, tenant, AS_OF, 'rbi'), 'rbi'));
      const roll = await timed(`portfolio roll rates (${dates.length} dates)`, async () => rollRates(await transitions(pool, tenant, dates, 'us'), dates, 'us'));
      const vint = await timed('portfolio vintages (30 dpd)', async () => vintages(await cohorts(pool, tenant, AS_OF, 30), AS_OF, 30));
      after = await timed('baseline (after)', () => baseline(pool));
      const total = rbi.value.reduce((s, r) => s + r.principalMinor, 0n);
      if (total !== ledger) throw new Error(`RBI total ${total} differs from the ledger's loan-portfolio balance ${ledger}`);
      log(`RBI classes: ${rbi.value.map((r) => `${r.cls} ${r.loans}`).join(', ')}; total ${total} = ledger loan-portfolio ${ledger}`);
      log(`US bands: ${us.value.bands.map((r) => `${r.band} ${r.loans}`).join(', ')}; trial balance rows ${tb.value.length}`);
      const base = (before.ms + after.ms) / 2;
      log(`ratio to the baseline (baseline mean time / report time; 1 = as fast as the plain aggregate): RBI ${(base / rbi.ms).toFixed(2)}, US ${(base / us.ms).toFixed(2)}, trial balance ${(base / tb.ms).toFixed(2)}`);
      const portfolioTotal = BigInt(buckets.value[0]?.outstanding.amount ?? '0');
      if (portfolioTotal !== ledger) throw new Error(`portfolio buckets total ${portfolioTotal} differs from the ledger's loan-portfolio balance ${ledger}`);
      log(`portfolio: ${heat.value[0]?.cells.length ?? 0} heatmap cells, ${roll.value[0]?.steps.length ?? 0} roll steps, ${vint.value[0]?.cohorts.length ?? 0} cohorts; buckets total ${portfolioTotal} = ledger`);
      log(`portfolio ratio to the baseline: buckets ${(base / buckets.ms).toFixed(2)}, heatmap ${(base / heat.ms).toFixed(2)}, roll rates ${(base / roll.ms).toFixed(2)} (${dates.length} dates), vintages ${(base / vint.ms).toFixed(2)}`);
      live = { buckets: buckets.value, heat: heat.value, roll: roll.value, vint: vint.value };
    }

    // Portfolio snapshots: each day as end of day writes it, then the dashboard served from them.
    // The month ends the roll rates need (with their per-loan rows), then a mid-month day as every other day's end of day writes it.
    for (const day of ['2025-12-31', ...dates, '2026-04-15']) {
      const started = performance.now();
      const written = await writePortfolioSnapshot(pool, tenant, day);
      const ms = performance.now() - started;
      log(`snapshot ${day} written: ${written.loans.toLocaleString('en')} loans in ${Math.round(ms)} ms (${written.loans ? Math.round((written.loans / ms) * 1000).toLocaleString('en') : 0} loans/s)${written.monthEnd ? ', with its per-loan month-end rows' : ''}${written.rollFrom ? `, roll step from ${written.rollFrom}` : ''}`);
    }
    const sBuckets = await percentiles('portfolio buckets', async () => bucketSummary((await snapshotBookAt(pool, tenant, AS_OF, 'us'))!, 'us'));
    const sHeat = await percentiles('portfolio heatmap', async () => heatmap((await snapshotBookAt(pool, tenant, AS_OF, 'rbi'))!, 'rbi'));
    const sRoll = await percentiles(`portfolio roll rates (${dates.length} dates)`, async () => rollRates((await snapshotTransitions(pool, tenant, dates, 'us'))!, dates, 'us'));
    const sVint = await percentiles('portfolio vintages (30 dpd)', async () => vintages((await snapshotCohorts(pool, tenant, AS_OF, 30))!, AS_OF, 30));
    const final = await timed('baseline (after the snapshots)', () => baseline(pool));
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (live) {
      for (const [name, s, l] of [['buckets', sBuckets.value, live.buckets], ['heatmap', sHeat.value, live.heat], ['roll rates', sRoll.value, live.roll], ['vintages', sVint.value, live.vint]] as const) {
        if (!same(s, l)) throw new Error(`portfolio ${name}: the snapshot's answer differs from the live one`);
      }
      log('portfolio snapshots: all four answers equal the live ones');
    } else log('portfolio snapshots: not compared with the live answers (BENCH_REPORT_LIVE=0)');
    const snapshotTotal = BigInt(sBuckets.value[0]?.outstanding.amount ?? '0');
    if (snapshotTotal !== ledger) throw new Error(`snapshot buckets total ${snapshotTotal} differs from the ledger's loan-portfolio balance ${ledger}`);
    log(`portfolio snapshots: buckets total ${snapshotTotal} = ledger; ${sHeat.value[0]?.cells.length ?? 0} heatmap cells, ${sRoll.value[0]?.steps.length ?? 0} roll steps, ${sVint.value[0]?.cohorts.length ?? 0} cohorts`);
    const base = LIVE ? (before.ms + after.ms + final.ms) / 3 : (before.ms + final.ms) / 2;
    log(`baseline mean of ${LIVE ? 3 : 2} runs: ${Math.round(base)} ms`);
    log(`portfolio from snapshots, p50 against the baseline (baseline mean time / p50): buckets ${Math.round(base / sBuckets.p50).toLocaleString('en')}x, heatmap ${Math.round(base / sHeat.p50).toLocaleString('en')}x, roll rates ${Math.round(base / sRoll.p50).toLocaleString('en')}x, vintages ${Math.round(base / sVint.p50).toLocaleString('en')}x`);
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
