import { randomUUID } from 'node:crypto';
import { parseIsoDate, type Effect } from '@lendstack/loan-engine';
import { createLogger, createMetrics, DEV_AUTH_TOKEN_SECRET } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

// Collection efficiency and NPA ratios over a small book written straight into the real ledger, schedule and
// delinquency history, answers worked out by hand (INR minor units). Period (2026-02-28, 2026-03-31]:
//   E  PL-12  disbursed 2025-12-05 100,000; due 02-05, 03-05, 04-05 10,000 each; paid 10,000 on 03-05 (current at 02-28),
//            and 3,000 on 03-20 that was reversed (nets out of collected and of principal)
//   F  PL-12  disbursed 2025-12-10 200,000; due 02-10, 03-10 20,000; paid 5,000 on 03-12; 1-29 since 02-11 (anchor 02-10)
//   G  SME-TL disbursed 2025-06-01 300,000; due 03-15 30,000; paid 10,000 on 02-20 (before the period);
//            NPA since 2025-12-01 (anchor 2025-08-31), 120+ from 2025-12-29: sub-standard at 03-31 (under 12 months)
//   H  SME-TL disbursed 2024-01-10 100,000; nothing due in the period; NPA since 2025-01-15: doubtful-1 at 03-31
// Collection efficiency: PL-12 current 10,000 / 10,000 = 1.0000; PL-12 1-29 5,000 / 20,000 = 0.2500 (PL-12 15,000 /
//   30,000 = 0.5000); SME-TL 120+ 0 / 30,000 = 0.0000; book 15,000 / 60,000 = 0.2500. H has nothing due or paid.
// NPA at 03-31: advances E 90,000 + F 195,000 + G 290,000 + H 100,000 = 675,000; gross NPA G + H = 390,000 →
//   0.5778; provisions on NPAs: G 10 % = 29,000, H 100 % = 100,000 → 129,000; net NPA 261,000 ÷ (675,000 −
//   129,000 = 546,000) = 0.4780.
let h: Harness;
let app: FastifyInstance;
const tenant = newTenant('pfe');
const ledger = createPgLedger();
const ids: Record<'E' | 'F' | 'G' | 'H', string> = { E: '', F: '', G: '', H: '' };

const line = (account: Effect['lines'][number]['account'], side: 'debit' | 'credit', amountMinor: bigint) => ({ account, side, amountMinor });
const effect = (kind: Effect['kind'], date: string, lines: Effect['lines']): Effect => ({ key: `${kind}:${date}:${randomUUID().slice(0, 6)}`, date: parseIsoDate(date), kind, lines });
const disburse = (date: string, amount: bigint) => effect('disbursement', date, [line('loan-portfolio', 'debit', amount), line('disbursement-clearing', 'credit', amount)]);
const repay = (date: string, amount: bigint) => effect('repayment', date, [line('collection-clearing', 'debit', amount), line('loan-portfolio', 'credit', amount)]);

async function post(loanId: string, effects: Effect[], reverse: Effect[] = []): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await ledger.post(client, { tenantId: tenant, loanId, currency: 'INR', scale: 2, chart: ledger.defaultChart(), postedOn: '2026-03-31', reverse, post: effects });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
async function schedule(loanId: string, dues: [date: string, total: number][]): Promise<void> {
  await h.pool.query('DELETE FROM installments WHERE loan_id = $1', [loanId]);
  for (const [k, [date, total]] of dues.entries()) {
    await h.pool.query(`INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status) VALUES ($1, $2, $3, $4, 0, 0, $4, 0, 'scheduled')`, [loanId, k + 1, date, total]);
  }
}
async function history(loanId: string, points: [from: string, anchor: string, us: string, rbi: string, npaSince?: string][]): Promise<void> {
  for (const [from, anchor, us, rbi, npaSince] of points) {
    await h.pool.query('INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class, npa_since) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      loanId, from, Math.round((Date.parse(from) - Date.parse(anchor)) / 86_400_000), anchor, us, rbi, npaSince ?? null,
    ]);
  }
}
const get = async (path: string) => app.inject({ method: 'GET', url: path, headers: h.auth(['operator'], tenant) });
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });

beforeAll(async () => {
  h = await startHarness();
  ids.E = await h.book(tenant, { productCode: 'PL-12' });
  ids.F = await h.book(tenant, { productCode: 'PL-12' });
  ids.G = await h.book(tenant, { productCode: 'SME-TL' });
  ids.H = await h.book(tenant, { productCode: 'SME-TL' });
  await post(ids.E, [disburse('2025-12-05', 100_000n), repay('2026-03-05', 10_000n)]);
  // A 3,000 payment on 03-20 that bounced: its reversal's contra-entry takes it back out of what was collected.
  const bounced = repay('2026-03-20', 3_000n);
  await post(ids.E, [bounced]);
  await post(ids.E, [], [bounced]);
  await post(ids.F, [disburse('2025-12-10', 200_000n), repay('2026-03-12', 5_000n)]);
  await post(ids.G, [disburse('2025-06-01', 300_000n), repay('2026-02-20', 10_000n)]);
  await post(ids.H, [disburse('2024-01-10', 100_000n)]);
  await schedule(ids.E, [['2026-02-05', 10_000], ['2026-03-05', 10_000], ['2026-04-05', 10_000]]);
  await schedule(ids.F, [['2026-02-10', 20_000], ['2026-03-10', 20_000]]);
  await schedule(ids.G, [['2026-03-15', 30_000]]);
  await schedule(ids.H, [['2026-04-10', 50_000]]);
  await history(ids.F, [['2026-02-11', '2026-02-10', '1-29', 'SMA-0']]);
  await history(ids.G, [['2025-12-01', '2025-08-31', '90-119', 'NPA', '2025-12-01'], ['2025-12-29', '2025-08-31', '120+', 'NPA', '2025-12-01']]);
  await history(ids.H, [['2025-01-15', '2024-10-16', '90-119', 'NPA', '2025-01-15']]);
  await h.pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '2026-03-31']);
  const secret = DEV_AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    portfolio: { pool: h.pool, authSecret: secret, today: () => '2026-03-31' },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('GET /v1/portfolio/collection-efficiency', () => {
  it('divides what was collected by what fell due in the period, by product and the bucket at its start', async () => {
    const res = await get('/v1/portfolio/collection-efficiency?asOf=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.from).toBe('2026-02-28');
    const [book] = body.currencies;
    expect(book).toMatchObject({ currency: 'INR', loans: 3, due: inr('60000'), collected: inr('15000'), efficiency: '0.2500' });
    expect(book.products.map((p: { productCode: string; efficiency: string }) => [p.productCode, p.efficiency])).toEqual([['PL-12', '0.5000'], ['SME-TL', '0.0000']]);
    expect(book.products[0].buckets).toEqual([
      { bucket: 'current', loans: 1, due: inr('10000'), collected: inr('10000'), efficiency: '1.0000' },
      { bucket: '1-29', loans: 1, due: inr('20000'), collected: inr('5000'), efficiency: '0.2500' },
    ]);
    expect(book.products[1].buckets).toEqual([{ bucket: '120+', loans: 1, due: inr('30000'), collected: inr('0'), efficiency: '0.0000' }]);
    // February alone: E and F fell due (30,000) and nothing was collected but G's 10,000 (nothing due for G then).
    const feb = (await get('/v1/portfolio/collection-efficiency?asOf=2026-02-28&from=2026-01-31&bucketSet=rbi')).json().currencies[0];
    expect(feb).toMatchObject({ due: inr('30000'), collected: inr('10000'), efficiency: '0.3333' });
    expect(feb.products[1].buckets).toEqual([{ bucket: 'NPA', loans: 1, due: inr('0'), collected: inr('10000'), efficiency: '0.0000' }]);
    const csv = (await get('/v1/portfolio/collection-efficiency?asOf=2026-03-31&format=csv')).body.split('\r\n');
    expect(csv[0]).toBe('from,as_of,currency,scale,product_code,bucket,loans,due_minor,collected_minor,efficiency');
    expect(csv[2]).toBe('2026-02-28,2026-03-31,INR,2,PL-12,1-29,1,20000,5000,0.2500');
  });

  it('refuses a period that does not end after it starts, naming the field', async () => {
    const res = await get('/v1/portfolio/collection-efficiency?asOf=2026-03-31&from=2026-03-31');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].pointer).toBe('/query/from');
  });
});

describe('GET /v1/portfolio/npa-ratio', () => {
  it('gives gross and net NPA ratios with the provisions of the RBI classification', async () => {
    const res = await get('/v1/portfolio/npa-ratio?asOf=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().currencies).toEqual([{
      currency: 'INR', loans: 4, npaLoans: 2,
      grossAdvances: inr('675000'), grossNpa: inr('390000'), npaProvisions: inr('129000'), netAdvances: inr('546000'), netNpa: inr('261000'),
      grossRatio: '0.5778', netRatio: '0.4780',
    }]);
    const csv = (await get('/v1/portfolio/npa-ratio?asOf=2026-03-31&format=csv')).body.split('\r\n');
    expect(csv[1]).toBe('2026-03-31,INR,2,675000,390000,129000,261000,0.5778,0.4780');
  });
});
