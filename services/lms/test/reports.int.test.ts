import { randomUUID } from 'node:crypto';
import { parseIsoDate as d, replayAccount, type AccountProduct, type MoneyEvent, type ScheduledInstallment } from '@lendstack/loan-engine';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { defaultChart } from '../src/modules/ledger/ports.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { historyRow } from '../src/modules/servicing/domain/servicing.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

// Regulatory reports over the REAL LMS database. A small book of five loans: the loan engine replays each
// one's payments (as servicing does) and its ledger effects and delinquency change points are written to
// journal_lines and delinquency_history; the expected classes below are worked out by hand from the
// schedule and the payment dates, at several past business dates.
let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let secret: string;
const tenant = `rpt-${randomUUID().slice(0, 8)}`;
const BUSINESS_DATE = '2027-06-20';

// 3,000.00 over six monthly installments of 500.00 principal, due on the 1st from February.
const INTEREST = [3_000n, 2_500n, 2_000n, 1_500n, 1_000n, 500n];
const SCHEDULE: readonly ScheduledInstallment[] = INTEREST.map((interestMinor, i) => ({
  number: i + 1, dueDate: d(`2027-0${i + 2}-01`), principalMinor: 50_000n, interestMinor, feesMinor: 0n,
}));
const due = (n: number) => 50_000n + INTEREST[n - 1]!;
// No late fee, no penal interest, no grace: dpd alone moves the classes.
const PRODUCT: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 0 };
const disbursed: MoneyEvent = { kind: 'disbursement', id: 'd1', valueDate: d('2027-01-01'), amountMinor: 300_000n };
const paid = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'repayment', id, valueDate: d(date), amountMinor });

const LOANS = {
  // A pays every installment on its due date.
  A: [disbursed, ...[1, 2, 3, 4, 5].map((n) => paid(`a${n}`, `2027-0${n + 1}-01`, due(n)))],
  // B pays nothing until 10 May (dpd 90 on 2 May, NPA from 3 May), then installments 1–2 (the oldest unpaid is
  // now due 1 April: dpd 39, still NPA: no upgrade while arrears remain), then 3–4 on 25 May (all arrears
  // paid: standard), then misses the 1 June installment.
  B: [disbursed, paid('b1', '2027-05-10', due(1) + due(2)), paid('b2', '2027-05-25', due(3) + due(4))],
  // C never pays: NPA from 3 May, charged off at 120 dpd on 1 June, then 100.00 recovered on 15 June.
  C: [disbursed, paid('c1', '2027-06-15', 10_000n)],
  // D pays installments 1 and 2 on time, then nothing: dpd counts from 1 April. Its product (PL-SALARIED v1)
  // stops accruing at 30 dpd (1 May), not the default 90.
  D: [disbursed, paid('d1p', '2027-02-01', due(1)), paid('d2p', '2027-03-01', due(2))],
} as const;
// E, on a schedule a year earlier (due from 1 January 2026) and a product that never charges off, never pays:
// NPA from 2 April 2026 (dpd 91), doubtful-1 once it has been NPA for twelve months (from 2 April 2027).
const E_SCHEDULE: readonly ScheduledInstallment[] = SCHEDULE.map((s, i) => ({ ...s, dueDate: d(`2026-0${i + 1}-01`) }));
const E_PRODUCT: AccountProduct = { ...PRODUCT, chargeOffDpd: 3650 };
const D_PRODUCT: AccountProduct = { ...PRODUCT, nonAccrualDpd: 30 };
const E_EVENTS: readonly MoneyEvent[] = [{ kind: 'disbursement', id: 'e0', valueDate: d('2025-12-01'), amountMinor: 300_000n }];
const ids = Object.fromEntries([...Object.keys(LOANS), 'E'].map((k) => [k, `L-${tenant}-${k}`])) as Record<keyof typeof LOANS | 'E', string>;

const auth = (roles: Role[], tenantId = tenant) => ({
  authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 300, Math.floor(Date.now() / 1000))}`,
});
const get = (url: string, roles: Role[] = ['operator']) => app.inject({ method: 'GET', url, headers: auth(roles) });

async function seedLoan(key: keyof typeof LOANS | 'E'): Promise<void> {
  const r = key === 'E'
    ? replayAccount({ schedule: E_SCHEDULE, product: E_PRODUCT, events: E_EVENTS, businessDate: d(BUSINESS_DATE) })
    : replayAccount({ schedule: SCHEDULE, product: key === 'D' ? D_PRODUCT : PRODUCT, events: LOANS[key], businessDate: d(BUSINESS_DATE) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const loanId = ids[key];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent,
         term_periods, frequency, schedule_method, disbursement_date, status, approved_at, approved_by, source_event_id, collections_workflow_id)
       VALUES ($1, $2, $1, '{}', $3, 300000, 'INR', 2, '12', 6, 'monthly', 'emi', $6::date, $4, now(), 'test', $5, $1)`,
      [loanId, tenant, key === 'D' ? 'PL-SALARIED' : 'PL-STANDARD', r.value.state.status, randomUUID(), key === 'E' ? '2025-12-01' : '2027-01-01'],
    );
    if (key === 'D') {
      // The loan's servicing row names its product version, whose definition carries nonAccrualDpd.
      await client.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'PL-SALARIED', $2, 1)`, [tenant, randomUUID()]);
      await client.query(
        `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'PL-SALARIED', 1, '{"nonAccrualDpd": 30}', 'test', now(), 'test')`, [tenant]);
      await client.query(`INSERT INTO loan_servicing (loan_id, tenant_id, product_code, product_version, status) VALUES ($1, $2, 'PL-SALARIED', 1, 'active')`, [loanId, tenant]);
    }
    await createPgLedger().post(client, { tenantId: tenant, loanId, currency: 'INR', scale: 2, chart: defaultChart(), postedOn: BUSINESS_DATE, reverse: [], post: r.value.effects });
    const rows = r.value.delinquencyHistory.map(historyRow);
    await client.query(
      `INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class, npa_since)
       SELECT $1, f, p, a, u, c, n FROM unnest($2::date[], $3::int[], $4::date[], $5::text[], $6::text[], $7::date[]) AS t(f, p, a, u, c, n)`,
      [loanId, rows.map((x) => x.fromDate), rows.map((x) => x.dpd), rows.map((x) => x.dpdAnchor), rows.map((x) => x.usBucket), rows.map((x) => x.rbiClass), rows.map((x) => x.npaSince)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The ledger's loan-portfolio balance of the tenant as of a value date, straight from the journal lines. */
async function ledgerPortfolio(asOf: string): Promise<bigint> {
  const { rows } = await pool.query<{ n: string | null }>(
    `SELECT sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines
     WHERE tenant_id = $1 AND logical_account = 'loan-portfolio' AND value_date <= $2::date`, [tenant, asOf]);
  return BigInt(rows[0]!.n ?? '0');
}

type ClassView = { class: string; loans: number; principal: { amount: string }; provision: { amount: string } };
async function rbi(asOf: string): Promise<Record<string, [number, bigint]>> {
  const res = await get(`/v1/reports/rbi-asset-classification?asOf=${asOf}`);
  expect(res.statusCode).toBe(200);
  const inr = res.json().currencies.find((c: { currency: string }) => c.currency === 'INR');
  // The total ties to the ledger as of that date.
  expect(BigInt(inr.totals.principal.amount)).toBe(await ledgerPortfolio(asOf));
  return Object.fromEntries((inr.classes as ClassView[]).filter((c) => c.loans > 0).map((c) => [c.class, [c.loans, BigInt(c.principal.amount)]]));
}

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl });
  secret = config.AUTH_TOKEN_SECRET;
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 5 });
  prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    reports: { pool, authSecret: secret, today: () => BUSINESS_DATE },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  await app.ready();
  await pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2::date)', [tenant, BUSINESS_DATE]);
  for (const key of [...Object.keys(LOANS), 'E'] as (keyof typeof LOANS | 'E')[]) await seedLoan(key);
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await pool?.end();
});

describe('RBI asset classification as of past business dates', () => {
  it('classifies the book by hand-worked dpd on each date, NPA sticky until all arrears are paid, and ties to the ledger', async () => {
    // 3 Mar: B and C 30 days overdue (SMA-0); A and D paid the 1 March installment; E NPA for 11 months.
    expect(await rbi('2027-03-03')).toEqual({ standard: [2, 400_000n], 'SMA-0': [2, 600_000n], 'sub-standard': [1, 300_000n] });
    // 4 Mar: 31 days → SMA-1.
    expect(await rbi('2027-03-04')).toEqual({ standard: [2, 400_000n], 'SMA-1': [2, 600_000n], 'sub-standard': [1, 300_000n] });
    // 1 Apr: D's third installment is due today, not past due; E is sub-standard on its last day.
    expect(await rbi('2027-04-01')).toEqual({ standard: [2, 350_000n], 'SMA-1': [2, 600_000n], 'sub-standard': [1, 300_000n] });
    // 2 Apr: D 1 day past due (SMA-0); E NPA for twelve months → doubtful-1.
    expect(await rbi('2027-04-02')).toEqual({ standard: [1, 150_000n], 'SMA-0': [1, 200_000n], 'SMA-1': [2, 600_000n], 'doubtful-1': [1, 300_000n] });
    // 2 May: B and C at 90 days (SMA-2); D 31 days since 1 April (SMA-1); A paid through 1 May.
    expect(await rbi('2027-05-02')).toEqual({ standard: [1, 100_000n], 'SMA-1': [1, 200_000n], 'SMA-2': [2, 600_000n], 'doubtful-1': [1, 300_000n] });
    // 3 May: 91 days → NPA, sub-standard (NPA for under 12 months).
    expect(await rbi('2027-05-03')).toEqual({ standard: [1, 100_000n], 'SMA-1': [1, 200_000n], 'sub-standard': [2, 600_000n], 'doubtful-1': [1, 300_000n] });
    // 15 May: B paid installments 1–2 on 10 May (oldest unpaid now 1 April, 44 days) but stays NPA.
    expect(await rbi('2027-05-15')).toEqual({ standard: [1, 100_000n], 'SMA-1': [1, 200_000n], 'sub-standard': [2, 500_000n], 'doubtful-1': [1, 300_000n] });
    // 25 May: B paid every arrear → upgraded to standard.
    expect(await rbi('2027-05-25')).toEqual({ standard: [2, 200_000n], 'SMA-1': [1, 200_000n], 'sub-standard': [1, 300_000n], 'doubtful-1': [1, 300_000n] });
    // 20 Jun: C charged off on 1 June (no principal left); B 19 days past the 1 June installment; D 80 days.
    expect(await rbi('2027-06-20')).toEqual({ standard: [1, 50_000n], 'SMA-0': [1, 100_000n], 'SMA-2': [1, 200_000n], 'doubtful-1': [1, 300_000n] });
  });

  it('provisions at the RBI rates per class (0.40 % standard assets, 10 % sub-standard, 100 % unsecured doubtful), the CSV carries the same rows', async () => {
    const res = await get('/v1/reports/rbi-asset-classification?asOf=2027-05-15');
    const inr = res.json().currencies[0];
    const provision = Object.fromEntries((inr.classes as ClassView[]).map((c) => [c.class, c.provision.amount]));
    expect(provision).toMatchObject({ standard: '400', 'SMA-1': '800', 'sub-standard': '50000', 'doubtful-1': '300000', 'doubtful-2': '0', loss: '0' });
    expect(inr.totals.provision.amount).toBe('351200');
    expect(inr.totals.npaPrincipal.amount).toBe('800000');
    const csv = await get('/v1/reports/rbi-asset-classification?asOf=2027-05-15&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('as_of,currency,scale,class,loans,principal_minor,provision_bps,provision_minor,restructured_loans,restructured_principal_minor');
    expect(lines).toContain('2027-05-15,INR,2,sub-standard,2,500000,1000,50000,0,0');
    expect(lines).toContain('2027-05-15,INR,2,SMA-1,1,200000,40,800,0,0');
    expect(lines).toContain('2027-05-15,INR,2,doubtful-1,1,300000,10000,300000,0,0');
    expect(lines).toHaveLength(10);
  });
});

/** None of this book's loans was restructured (test/restructure.int.test.ts covers a modified one). */
const UNMODIFIED = { modifiedLoans: 0, modifiedPrincipal: { amount: '0', currency: 'INR', scale: 2 } };

describe('US delinquency (RC-N view)', () => {
  it('splits accruing loans by days past due from non-accrual, and counts charge-offs and recoveries of the period', async () => {
    const may = (await get('/v1/reports/us-delinquency?asOf=2027-05-15&from=2027-04-30')).json().currencies[0];
    // B and C reached 90 dpd on 2 May: non-accrual (B stays so until dpd 0), as E is; D 44 days, past its
    // product's 30.
    expect(may.nonAccrual).toEqual({ loans: 4, principal: { amount: '1000000', currency: 'INR', scale: 2 }, ...UNMODIFIED });
    expect(may.accruing['30-89'].loans).toBe(0);
    expect(may.accruing.current.principal.amount).toBe('100000');
    expect(may.accruing['90+'].loans).toBe(0);
    expect(may.chargeOffs.amount.amount).toBe('0');
    const june = (await get('/v1/reports/us-delinquency?asOf=2027-06-20&from=2027-05-31')).json().currencies[0];
    // B back to accruing at dpd 0 on 25 May, 19 days now; C charged off (3,000.00) and 100.00 recovered.
    expect(june.nonAccrual).toEqual({ loans: 2, principal: { amount: '500000', currency: 'INR', scale: 2 }, ...UNMODIFIED });
    expect(june.accruing['1-29']).toEqual({ loans: 1, principal: { amount: '100000', currency: 'INR', scale: 2 }, ...UNMODIFIED });
    expect(june.accruing['30-89'].principal.amount).toBe('0');
    // On 30 April D was 29 days past due: still accruing.
    const april = (await get('/v1/reports/us-delinquency?asOf=2027-04-30')).json().currencies[0];
    expect(april.accruing['1-29']).toEqual({ loans: 1, principal: { amount: '200000', currency: 'INR', scale: 2 }, ...UNMODIFIED });
    expect(june.chargeOffs).toEqual({ loans: 1, amount: { amount: '300000', currency: 'INR', scale: 2 } });
    expect(june.recoveries).toEqual({ loans: 1, amount: { amount: '10000', currency: 'INR', scale: 2 } });
    expect(june.netChargeOffs.amount).toBe('290000');
    expect(BigInt(june.totals.principal.amount)).toBe(await ledgerPortfolio('2027-06-20'));
    // The recovery falls outside a period that ends before it.
    const early = (await get('/v1/reports/us-delinquency?asOf=2027-06-10&from=2027-05-31')).json().currencies[0];
    expect(early.recoveries.amount.amount).toBe('0');
    expect(early.chargeOffs.loans).toBe(1);
    const csv = await get('/v1/reports/us-delinquency?asOf=2027-06-20&from=2027-05-31&format=csv');
    expect(csv.body.trim().split('\r\n')).toEqual([
      'as_of,from,currency,scale,measure,loans,amount_minor,modified_loans,modified_amount_minor',
      '2027-06-20,2027-05-31,INR,2,accruing-current,1,50000,0,0',
      '2027-06-20,2027-05-31,INR,2,accruing-1-29,1,100000,0,0',
      '2027-06-20,2027-05-31,INR,2,accruing-30-89,0,0,0,0',
      '2027-06-20,2027-05-31,INR,2,accruing-90+,0,0,0,0',
      '2027-06-20,2027-05-31,INR,2,non-accrual,2,500000,0,0',
      '2027-06-20,2027-05-31,INR,2,charge-offs,1,300000,,',
      '2027-06-20,2027-05-31,INR,2,recoveries,1,10000,,',
    ]);
  });
});

describe('trial balance by product', () => {
  it('balances per product and its loan-portfolio lines add up to the ledger balance', async () => {
    const res = await get('/v1/reports/trial-balance-by-product?asOf=2027-05-15');
    expect(res.statusCode).toBe(200);
    const products = res.json().products as { product: string; accounts: { account: string; net: { amount: string } }[]; totals: { debit: { amount: string }; credit: { amount: string } } }[];
    expect(products.map((p) => p.product)).toEqual(['PL-SALARIED', 'PL-STANDARD']);
    for (const p of products) expect(p.totals.debit.amount).toBe(p.totals.credit.amount);
    const portfolio = products.flatMap((p) => p.accounts).filter((a) => a.account === 'loan-portfolio').reduce((s, a) => s + BigInt(a.net.amount), 0n);
    expect(portfolio).toBe(await ledgerPortfolio('2027-05-15'));
    expect(products.find((p) => p.product === 'PL-SALARIED')!.accounts.find((a) => a.account === 'loan-portfolio')!.net.amount).toBe('200000');
    const csv = await get('/v1/reports/trial-balance-by-product?asOf=2027-05-15&format=csv');
    expect(csv.body.split('\r\n')[0]).toBe('as_of,product,currency,scale,account_code,logical_account,debit_minor,credit_minor');
  });
});

describe('bad input', () => {
  it('refuses a date after the business date (422), a malformed one (400), from after asOf (422), partners (403)', async () => {
    const future = await get('/v1/reports/rbi-asset-classification?asOf=2027-06-21');
    expect(future.statusCode).toBe(422);
    expect(future.json().errors[0].pointer).toBe('/query/asOf');
    for (const url of ['/v1/reports/rbi-asset-classification?asOf=2027-13-01', '/v1/reports/us-delinquency?asOf=yesterday', '/v1/reports/trial-balance-by-product?asOf=2027-6-1']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors[0].pointer).toBe('/query/asOf');
    }
    const from = await get('/v1/reports/us-delinquency?asOf=2027-05-01&from=2027-05-02');
    expect(from.statusCode).toBe(422);
    expect(from.json().errors[0].pointer).toBe('/query/from');
    expect((await get('/v1/reports/us-delinquency?asOf=2027-05-01&format=xml')).json().errors[0].pointer).toBe('/query/format');
    expect((await get('/v1/reports/rbi-asset-classification', ['partner'])).statusCode).toBe(403);
  });
});
