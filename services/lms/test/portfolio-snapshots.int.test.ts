import { randomUUID } from 'node:crypto';
import { createLogger, createMetrics, DEV_AUTH_TOKEN_SECRET, signToken } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { backfillDates, backfillPortfolioSnapshots, snapshotBookAt, snapshotCohorts, snapshotsDay, snapshotTransitions, writePortfolioSnapshot } from '../src/modules/portfolio/adapters/pg-portfolio-snapshots.js';
import { portfolioSnapshotCommand } from '../src/modules/portfolio/adapters/portfolio-snapshot.cli.js';
import { bookAt, cohorts, transitions, type BucketSet } from '../src/modules/portfolio/adapters/pg-portfolio.queries.js';
import { bucketSummary, heatmap, monthEndsUpTo, rollRates, vintages } from '../src/modules/portfolio/domain/analytics.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { ensureLedgerAccounts, writeBook, type BookRows } from '../src/modules/simulator/adapters/pg-book-writer.js';
import { simulateBook } from '../src/modules/simulator/use-cases/simulate-book.js';
import { createPrisma } from '../src/platform/prisma.js';

// Portfolio snapshots against the live computation they replace, over the real Postgres:
// - the hand-worked book of portfolio.int.test.ts (INR, minor units; region KA):
//     A  PL-12  disbursed 2026-01-15 1,000.00, repaid 200.00 on 02-20, always current
//     B  PL-12  disbursed 2026-01-20 2,000.00, nothing paid; 1-29 from 02-21, 30-59 from 03-22 (due 02-20)
//     C  PL-12  disbursed 2026-02-10   500.00, repaid in full 03-10 (closed)
//     D  SME-TL disbursed 2026-01-05 1,000.00, 1-29 from 02-06, 30-59 from 03-07 (due 02-05), charged off 03-15
//     E  PL-12  disbursed 2026-01-10   300.00, 1-29 from 02-11, cured 02-25 (never reached 30 dpd)
// - a simulated book (the portfolio simulator: 1,500 loans over 12 months, cures, charge-offs, regions).
const tenant = `pfs-${randomUUID().slice(0, 8)}`;
const simTenant = `pfsim-${randomUUID().slice(0, 8)}`;
let pool: pg.Pool;
let app: FastifyInstance;
let url: string;

const loanId = (k: string) => `${tenant}-${k}`;
const entry = (loan: string, kind: string, date: string, debit: string, credit: string, amount: number) =>
  ({ loanId: loanId(loan), key: `${kind}:${date}`, kind, date, currency: 'INR', scale: 2, lines: [[debit, 'debit', amount], [credit, 'credit', amount]] as const });
const handBook: BookRows = {
  loans: (['A', 'B', 'C', 'D', 'E'] as const).map((k) => ({ id: loanId(k), productCode: k === 'D' ? 'SME-TL' : 'PL-12', principalMinor: 100_000, currency: 'INR', scale: 2, annualRatePercent: '12', termPeriods: 12, disbursementDate: '2026-01-05', status: 'active', region: 'KA' })),
  entries: [
    entry('A', 'disbursement', '2026-01-15', 'loan-portfolio', 'disbursement-clearing', 100_000), entry('A', 'repayment', '2026-02-20', 'collection-clearing', 'loan-portfolio', 20_000),
    entry('B', 'disbursement', '2026-01-20', 'loan-portfolio', 'disbursement-clearing', 200_000),
    entry('C', 'disbursement', '2026-02-10', 'loan-portfolio', 'disbursement-clearing', 50_000), entry('C', 'repayment', '2026-03-10', 'collection-clearing', 'loan-portfolio', 50_000),
    entry('D', 'disbursement', '2026-01-05', 'loan-portfolio', 'disbursement-clearing', 100_000), entry('D', 'charge-off', '2026-03-15', 'write-off-expense', 'loan-portfolio', 100_000),
    entry('E', 'disbursement', '2026-01-10', 'loan-portfolio', 'disbursement-clearing', 30_000),
  ],
  points: [
    { loanId: loanId('B'), from: '2026-02-21', dpd: 1, anchor: '2026-02-20', us: '1-29', rbi: 'SMA-0', npaSince: null },
    { loanId: loanId('B'), from: '2026-03-22', dpd: 30, anchor: '2026-02-20', us: '30-59', rbi: 'SMA-1', npaSince: null },
    { loanId: loanId('D'), from: '2026-02-06', dpd: 1, anchor: '2026-02-05', us: '1-29', rbi: 'SMA-0', npaSince: null },
    { loanId: loanId('D'), from: '2026-03-07', dpd: 30, anchor: '2026-02-05', us: '30-59', rbi: 'SMA-1', npaSince: null },
    { loanId: loanId('E'), from: '2026-02-11', dpd: 1, anchor: '2026-02-10', us: '1-29', rbi: 'SMA-0', npaSince: null },
    { loanId: loanId('E'), from: '2026-02-25', dpd: 0, anchor: null, us: 'current', rbi: 'standard', npaSince: null },
  ],
};

const get = async (path: string, t = tenant) => app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${signToken(DEV_AUTH_TOKEN_SECRET, { subject: 'risk-analyst', tenantId: t, roles: ['operator'] }, 600, Math.floor(Date.now() / 1000))}` } });
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });

/** Every answer the dashboard gives at `asOf`, from the snapshots and live, side by side. */
async function both(t: string, asOf: string, rollMonths: number) {
  const sets: BucketSet[] = ['us', 'rbi'];
  const dates = monthEndsUpTo(asOf, rollMonths);
  const snapshot = [];
  const live = [];
  for (const set of sets) {
    const cells = await snapshotBookAt(pool, t, asOf, set);
    const moves = await snapshotTransitions(pool, t, dates, set);
    expect(cells, `snapshot of ${asOf}`).not.toBeNull();
    expect(moves, `roll steps to ${asOf}`).not.toBeNull();
    snapshot.push(bucketSummary(cells!, set), heatmap(cells!, set), rollRates(moves!, dates, set));
    const liveCells = await bookAt(pool, t, asOf, set);
    live.push(bucketSummary(liveCells, set), heatmap(liveCells, set), rollRates(await transitions(pool, t, dates, set), dates, set));
  }
  for (const dpd of [30, 60, 90]) {
    const rows = await snapshotCohorts(pool, t, asOf, dpd);
    expect(rows).not.toBeNull();
    snapshot.push(vintages(rows!, asOf, dpd));
    live.push(vintages(await cohorts(pool, t, asOf, dpd), asOf, dpd));
  }
  return { snapshot, live };
}

/** The tenant's snapshot rows of one day, in key order, without when they were written. */
async function rowsOf(t: string, asOf: string) {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of [['portfolio_snapshots', ''], ['portfolio_snapshot_cells', 'bucket_set, currency, product_code, region, state'], ['portfolio_snapshot_loans', 'loan_id'],
    ['portfolio_snapshot_rolls', 'bucket_set, currency, from_state, to_state'], ['portfolio_snapshot_cohorts', 'threshold_dpd, currency, cohort, reached_month']] as const) {
    const { rows } = await pool.query(`SELECT * FROM ${table} WHERE tenant_id = $1 AND as_of = $2::date${order ? ` ORDER BY ${order}` : ''}`, [t, asOf]);
    out[table] = rows.map(({ written_at: _w, ...rest }) => rest);
  }
  return out;
}

beforeAll(async () => {
  url = (await infrastructure()).lmsDatabaseUrl;
  pool = new pg.Pool({ connectionString: url, max: 4 });
  await ensureLedgerAccounts(pool, tenant);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await writeBook(client, tenant, handBook);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '2026-03-31']);
  await simulateBook(pool, { tenantId: simTenant, loans: 1500, months: 12, seed: 11, to: '2026-06-30' });
  const prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: DEV_AUTH_TOKEN_SECRET },
    products: { store: products, products, authSecret: DEV_AUTH_TOKEN_SECRET, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    portfolio: { pool, authSecret: DEV_AUTH_TOKEN_SECRET, today: () => '2026-03-31' },
  });
  await app.ready();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await pool?.end();
});

describe('portfolio snapshots of the hand-worked book', () => {
  it('answer as the live computation does, and the routes say they read them', async () => {
    const before = await get('/v1/portfolio/buckets?asOf=2026-03-31');
    expect(before.json().source).toBe('live');
    const dates = await backfillDates(pool, tenant, '2026-01-31', '2026-03-31', true);
    expect(dates).toEqual(['2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31']);
    await backfillPortfolioSnapshots(pool, tenant, dates);
    await writePortfolioSnapshot(pool, tenant, '2026-03-15');
    for (const [asOf, months] of [['2026-01-31', 1], ['2026-02-28', 2], ['2026-03-15', 2], ['2026-03-31', 2]] as const) {
      const { snapshot, live } = await both(tenant, asOf, months);
      expect(snapshot, asOf).toEqual(live);
    }
    // The routes read them: the hand-worked figures, each answer marked as the snapshot's.
    const buckets = await get('/v1/portfolio/buckets?asOf=2026-03-31');
    expect(buckets.json()).toMatchObject({ source: 'snapshot', currencies: [{ outstanding: inr('310000'), loans: 3 }] });
    expect(buckets.json().currencies[0].items).toEqual([
      { productCode: 'PL-12', bucket: 'current', loans: 2, principal: inr('110000') },
      { productCode: 'PL-12', bucket: '30-59', loans: 1, principal: inr('200000') },
      { productCode: 'SME-TL', bucket: 'charged-off', loans: 1, principal: inr('0') },
    ]);
    const roll = (await get('/v1/portfolio/roll-rates?asOf=2026-03-31&months=2')).json();
    expect(roll.source).toBe('snapshot');
    // 28 Feb → 31 Mar: of current (A 80,000, C 50,000, E 30,000) A and E stay, C closes; of 1-29 (B, D) B rolls to 30-59, D is charged off.
    expect(roll.currencies[0].steps[1].matrix).toEqual([
      { from: 'current', principal: inr('160000'), to: [{ bucket: 'current', principal: inr('110000'), share: '0.6875' }, { bucket: 'closed', principal: inr('50000'), share: '0.3125' }] },
      { from: '1-29', principal: inr('300000'), to: [{ bucket: '30-59', principal: inr('200000'), share: '0.6667' }, { bucket: 'charged-off', principal: inr('100000'), share: '0.3333' }] },
    ]);
    // E was cured before 30 dpd: the January cohort (430,000) has B and D, 300,000, at 30 dpd.
    const vintage = (await get('/v1/portfolio/vintages?asOf=2026-03-31&thresholdDpd=30')).json();
    expect(vintage.source).toBe('snapshot');
    expect(vintage.currencies[0].cohorts[0]).toMatchObject({ cohort: '2026-01', loans: 4, disbursed: inr('430000') });
    expect(vintage.currencies[0].cohorts[0].points.at(-1)).toMatchObject({ loans: 2, share: '0.6977' });
    const heat = (await get('/v1/portfolio/heatmap?asOf=2026-03-31&bucketSet=rbi')).json();
    expect(heat.source).toBe('snapshot');
    // A day with no snapshot (and a roll step whose start has none) is computed live, with the same answer shape.
    expect((await get('/v1/portfolio/heatmap?asOf=2026-03-10')).json().source).toBe('live');
    expect((await get('/v1/portfolio/roll-rates?asOf=2026-03-31&months=6')).json().source).toBe('live');
    const liveBody = (await get('/v1/portfolio/vintages?asOf=2026-03-10')).json();
    const snapBody = (await get('/v1/portfolio/vintages?asOf=2026-03-15')).json();
    expect(Object.keys(liveBody)).toEqual(Object.keys(snapBody));
  });

  it('rewrites a day identically when it is written again', async () => {
    await writePortfolioSnapshot(pool, tenant, '2026-03-31');
    const first = await rowsOf(tenant, '2026-03-31');
    expect(first.portfolio_snapshot_loans).toHaveLength(5);
    expect(first.portfolio_snapshots).toEqual([expect.objectContaining({ loans: 5, month_end: true })]);
    const again = await writePortfolioSnapshot(pool, tenant, '2026-03-31');
    expect(again).toEqual({ asOf: '2026-03-31', loans: 5, monthEnd: true, rollFrom: '2026-02-28' });
    expect(await rowsOf(tenant, '2026-03-31')).toEqual(first);
    // Two writers of the same day at once take turns and leave the same rows.
    await Promise.all([writePortfolioSnapshot(pool, tenant, '2026-03-31'), writePortfolioSnapshot(pool, tenant, '2026-03-31')]);
    expect(await rowsOf(tenant, '2026-03-31')).toEqual(first);
  });
});

describe('LMS_PORTFOLIO_SNAPSHOTS', () => {
  it('has end of day write every day, the month ends only, or none', () => {
    expect(['daily', 'month-ends', 'off'].map((s) => [snapshotsDay(s as 'daily', '2026-02-28'), snapshotsDay(s as 'daily', '2026-02-27'), snapshotsDay(s as 'daily', '2028-02-28')])).toEqual([
      [true, true, true], [true, false, false], [false, false, false],
    ]);
  });
});

describe('portfolio snapshots of a simulated book', () => {
  it('are backfilled by the CLI, and answer as the live computation does at several dates', async () => {
    expect(await portfolioSnapshotCommand(['--tenant', simTenant, '--from', '2026-01-01', '--to', '2026-07-31'], url)).toBe(1); // after the business date
    expect(await portfolioSnapshotCommand(['--tenant', simTenant, '--from', '2026-03-01'], url)).toBe(2);
    expect(await portfolioSnapshotCommand(['--tenant', simTenant, '--from', '2026-01-01', '--to', '2026-06-30', '--month-ends'], url)).toBe(0);
    const { rows } = await pool.query(`SELECT to_char(as_of, 'YYYY-MM-DD') AS d, roll_from IS NOT NULL AS rolls FROM portfolio_snapshots WHERE tenant_id = $1 ORDER BY as_of`, [simTenant]);
    expect(rows.map((r) => `${r.d}${r.rolls ? '+' : ''}`)).toEqual(['2025-12-31', '2026-01-31+', '2026-02-28+', '2026-03-31+', '2026-04-30+', '2026-05-31+', '2026-06-30+']);
    await writePortfolioSnapshot(pool, simTenant, '2026-06-17');
    const states = new Set<string>();
    for (const [asOf, months] of [['2026-03-31', 3], ['2026-05-31', 5], ['2026-06-17', 6], ['2026-06-30', 6]] as const) {
      const { snapshot, live } = await both(simTenant, asOf, months);
      expect(snapshot, asOf).toEqual(live);
      for (const c of (live[0] as ReturnType<typeof bucketSummary>)) for (const i of c.items) states.add(i.bucket);
    }
    // The book is not all quiet: the comparison covered delinquent, charged-off loans as well as current ones.
    expect(states.has('current') && states.has('charged-off') && [...states].some((s) => /^\d/.test(s))).toBe(true);
  });
});
