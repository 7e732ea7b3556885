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

// Portfolio analytics over a small book written straight into the real ledger and delinquency history,
// whose answers are worked out by hand below (INR, minor units):
//   A  PL-12  disbursed 2026-01-15 1,000.00, repaid 200.00 on 02-20, always current
//   B  PL-12  disbursed 2026-01-20 2,000.00, nothing paid; 1-29 from 02-21, 30-59 from 03-22 (due 02-20)
//   C  PL-12  disbursed 2026-02-10   500.00, repaid in full 03-10 (closed)
//   D  SME-TL disbursed 2026-01-05 1,000.00, 1-29 from 02-06, 30-59 from 03-07 (due 02-05), charged off 03-15
let h: Harness;
let app: FastifyInstance;
const tenant = newTenant('pf');
const ledger = createPgLedger();
const ids: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };

const line = (account: Effect['lines'][number]['account'], side: 'debit' | 'credit', amountMinor: bigint) => ({ account, side, amountMinor });
const effect = (kind: Effect['kind'], date: string, lines: Effect['lines']): Effect => ({ key: `${kind}:${date}:${randomUUID().slice(0, 6)}`, date: parseIsoDate(date), kind, lines });
const disburse = (date: string, amount: bigint) => effect('disbursement', date, [line('loan-portfolio', 'debit', amount), line('disbursement-clearing', 'credit', amount)]);
const repay = (date: string, amount: bigint) => effect('repayment', date, [line('collection-clearing', 'debit', amount), line('loan-portfolio', 'credit', amount)]);
const chargeOff = (date: string, amount: bigint) => effect('charge-off', date, [line('write-off-expense', 'debit', amount), line('loan-portfolio', 'credit', amount)]);

async function post(loanId: string, effects: Effect[]): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await ledger.post(client, { tenantId: tenant, loanId, currency: 'INR', scale: 2, chart: ledger.defaultChart(), postedOn: '2026-03-31', reverse: [], post: effects });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
async function history(loanId: string, points: [from: string, anchor: string, us: string, rbi: string][]): Promise<void> {
  for (const [from, anchor, us, rbi] of points) {
    await h.pool.query('INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class) VALUES ($1, $2, $3, $4, $5, $6)', [
      loanId, from, Math.round((Date.parse(from) - Date.parse(anchor)) / 86_400_000), anchor, us, rbi,
    ]);
  }
}
const get = async (path: string, roles: ('operator' | 'partner' | 'admin')[] = ['operator']) => app.inject({ method: 'GET', url: path, headers: h.auth(roles, tenant) });
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });

beforeAll(async () => {
  h = await startHarness();
  ids.A = await h.book(tenant, { productCode: 'PL-12' });
  ids.B = await h.book(tenant, { productCode: 'PL-12' });
  ids.C = await h.book(tenant, { productCode: 'PL-12' });
  ids.D = await h.book(tenant, { productCode: 'SME-TL' });
  await post(ids.A, [disburse('2026-01-15', 100_000n), repay('2026-02-20', 20_000n)]);
  await post(ids.B, [disburse('2026-01-20', 200_000n)]);
  await post(ids.C, [disburse('2026-02-10', 50_000n), repay('2026-03-10', 50_000n)]);
  await post(ids.D, [disburse('2026-01-05', 100_000n), chargeOff('2026-03-15', 100_000n)]);
  await history(ids.B, [['2026-02-21', '2026-02-20', '1-29', 'SMA-0'], ['2026-03-22', '2026-02-20', '30-59', 'SMA-1']]);
  await history(ids.D, [['2026-02-06', '2026-02-05', '1-29', 'SMA-0'], ['2026-03-07', '2026-02-05', '30-59', 'SMA-1']]);
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

describe('GET /v1/portfolio/buckets', () => {
  it('splits the outstanding principal by product and bucket as of the date, from the ledger and the history', async () => {
    const res = await get('/v1/portfolio/buckets?asOf=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    const [inrBook] = res.json().currencies;
    expect(inrBook).toMatchObject({ currency: 'INR', outstanding: inr('280000'), loans: 2, npa: { outstanding: inr('0'), grossRatio: '0.0000' } });
    expect(inrBook.items).toEqual([
      { productCode: 'PL-12', bucket: 'current', loans: 1, principal: inr('80000') },
      { productCode: 'PL-12', bucket: '30-59', loans: 1, principal: inr('200000') },
      { productCode: 'SME-TL', bucket: 'charged-off', loans: 1, principal: inr('0') },
    ]);
    // A month earlier the same book stood elsewhere: nothing is read from today's state.
    const february = (await get('/v1/portfolio/buckets?asOf=2026-02-28&bucketSet=rbi')).json().currencies[0];
    expect(february.outstanding).toEqual(inr('430000'));
    expect(february.items).toEqual([
      { productCode: 'PL-12', bucket: 'standard', loans: 2, principal: inr('130000') },
      { productCode: 'PL-12', bucket: 'SMA-0', loans: 1, principal: inr('200000') },
      { productCode: 'SME-TL', bucket: 'SMA-0', loans: 1, principal: inr('100000') },
    ]);
  });
});

describe('GET /v1/portfolio/roll-rates', () => {
  it('gives the balance-weighted share moving from each bucket to each other, month end over month end', async () => {
    const res = await get('/v1/portfolio/roll-rates?asOf=2026-03-31&months=2');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.dates).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    const [january, february] = body.currencies[0].steps;
    // 31 Jan: A, B, D current (400,000); 28 Feb: A current, B and D 1-29.
    expect(january.matrix).toEqual([{
      from: 'current', principal: inr('400000'),
      to: [{ bucket: 'current', principal: inr('100000'), share: '0.2500' }, { bucket: '1-29', principal: inr('300000'), share: '0.7500' }],
    }]);
    // 28 Feb → 31 Mar: of current (A 80,000 + C 50,000) A stays, C closes; of 1-29 (B, D) B rolls to 30-59, D is charged off.
    expect(february.matrix).toEqual([
      { from: 'current', principal: inr('130000'), to: [{ bucket: 'current', principal: inr('80000'), share: '0.6154' }, { bucket: 'closed', principal: inr('50000'), share: '0.3846' }] },
      { from: '1-29', principal: inr('300000'), to: [{ bucket: '30-59', principal: inr('200000'), share: '0.6667' }, { bucket: 'charged-off', principal: inr('100000'), share: '0.3333' }] },
    ]);
  });
});

describe('GET /v1/portfolio/vintages', () => {
  it('gives each disbursement cohort the cumulative share of its principal that reached 30 days past due, by months on book', async () => {
    const res = await get('/v1/portfolio/vintages?asOf=2026-03-31&thresholdDpd=30');
    expect(res.statusCode, res.body).toBe(200);
    const [january, february] = res.json().currencies[0].cohorts;
    // D reached 30 DPD on 7 March, B on 22 March: both in month on book 2 of the January cohort (400,000).
    expect(january).toMatchObject({ cohort: '2026-01', loans: 3, disbursed: inr('400000') });
    expect(january.points.map((p: { monthsOnBook: number; through: string; loans: number; share: string }) => [p.monthsOnBook, p.through, p.loans, p.share])).toEqual([
      [0, '2026-01-31', 0, '0.0000'], [1, '2026-02-28', 0, '0.0000'], [2, '2026-03-31', 2, '0.7500'],
    ]);
    expect(february.points.map((p: { share: string }) => p.share)).toEqual(['0.0000', '0.0000']);
    // At 60 DPD nobody has reached it yet.
    const sixty = (await get('/v1/portfolio/vintages?asOf=2026-03-31&thresholdDpd=60')).json().currencies[0].cohorts[0];
    expect(sixty.points.at(-1).share).toBe('0.0000');
  });
});

describe('GET /v1/portfolio/heatmap', () => {
  it('crosses product, bucket and the borrower region', async () => {
    const res = await get('/v1/portfolio/heatmap?asOf=2026-03-31');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().currencies[0].cells).toEqual([
      { productCode: 'PL-12', region: 'KA', bucket: 'current', loans: 1, principal: inr('80000') },
      { productCode: 'PL-12', region: 'KA', bucket: '30-59', loans: 1, principal: inr('200000') },
      { productCode: 'SME-TL', region: 'KA', bucket: 'charged-off', loans: 1, principal: inr('0') },
    ]);
  });
});

describe('CSV', () => {
  it('gives each answer as RFC 4180 CSV with the same figures', async () => {
    const roll = await get('/v1/portfolio/roll-rates?asOf=2026-03-31&months=2&format=csv');
    expect(roll.statusCode).toBe(200);
    expect(roll.headers['content-type']).toContain('text/csv');
    expect(roll.body.split('\r\n')).toEqual([
      'currency,from_date,to_date,from_bucket,to_bucket,principal_minor,share',
      'INR,2026-01-31,2026-02-28,current,current,100000,0.2500',
      'INR,2026-01-31,2026-02-28,current,1-29,300000,0.7500',
      'INR,2026-02-28,2026-03-31,current,current,80000,0.6154',
      'INR,2026-02-28,2026-03-31,current,closed,50000,0.3846',
      'INR,2026-02-28,2026-03-31,1-29,30-59,200000,0.6667',
      'INR,2026-02-28,2026-03-31,1-29,charged-off,100000,0.3333',
      '',
    ]);
    const buckets = (await get('/v1/portfolio/buckets?asOf=2026-03-31&format=csv')).body.split('\r\n');
    expect(buckets[1]).toBe('2026-03-31,INR,2,PL-12,current,1,80000');
    const vintage = (await get('/v1/portfolio/vintages?asOf=2026-03-31&format=csv')).body.split('\r\n');
    expect(vintage[3]).toBe('INR,2026-01,2,2026-03-31,2,300000,400000,0.7500');
    const heat = (await get('/v1/portfolio/heatmap?asOf=2026-03-31&format=csv')).body.split('\r\n');
    expect(heat[2]).toBe('2026-03-31,INR,2,PL-12,KA,30-59,1,200000');
  });
});

describe('bad input', () => {
  it('refuses a date after the business date, an unknown bucket set and partners, naming the field', async () => {
    const future = await get('/v1/portfolio/buckets?asOf=2026-04-01');
    expect(future.statusCode).toBe(422);
    expect(future.json().errors[0].pointer).toBe('/query/asOf');
    const set = await get('/v1/portfolio/heatmap?bucketSet=eu');
    expect(set.statusCode).toBe(400);
    expect(set.json().errors[0].pointer).toBe('/query/bucketSet');
    expect((await get('/v1/portfolio/vintages?thresholdDpd=45')).statusCode).toBe(400);
    expect((await get('/v1/portfolio/buckets', ['partner'])).statusCode).toBe(403);
  });
});
