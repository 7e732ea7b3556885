// The system tests' fixture: the servicing harness (the LMS HTTP API over the real database and ledger, a rail
// that pays at once) plus a second app with the statements and service-request routes, and per scenario a
// tenant of its own on which a seeded product is published through POST /v1/products, a loan of that product
// is booked and disbursed, and the business date is driven (PUT /v1/business-date, or end of day runs).
// `expectBooksHold` checks what must hold after every servicing action.
import { randomUUID } from 'node:crypto';
import type { LoanApprovedV1 } from '@lendstack/contracts';
import { createLogger, createMetrics, type Role } from '@lendstack/platform';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { createPrismaLoanRepository } from '../../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../../src/modules/products/adapters/prisma-product.repository.js';
import { DEMO_PRODUCTS } from '../../src/modules/products/domain/demo-products.js';
import { productInputSchema, type ProductInput } from '../../src/modules/products/domain/product.js';
import { createServicingReader } from '../../src/modules/servicing/adapters/servicing.reader.js';
import { newTenant, startHarness, trialBalance, type Harness } from '../servicing-harness.js';

export interface SystemHarness {
  readonly h: Harness;
  /** Statements and service requests (not registered on the harness's app). */
  readonly extra: FastifyInstance;
  close(): Promise<void>;
}

export async function startSystem(): Promise<SystemHarness> {
  const h = await startHarness();
  const secret = loadConfig({ LMS_DATABASE_URL: 'postgresql://unused/unused' }).AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  const extra = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }), metrics: createMetrics('lendstack-lms-test'), readiness: {},
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret, servicing: createServicingReader(h.pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    statements: { pool: h.pool, authSecret: secret },
    serviceRequests: { pool: h.pool, authSecret: secret, now: () => new Date() },
  });
  await extra.ready();
  return { h, extra, close: async () => { await extra.close(); await h.close(); } };
}

export type Method = 'GET' | 'POST' | 'PUT';
export interface Installment { number: number; dueDate: string; status: string; principal: bigint; interest: bigint; fees: bigint; total: bigint }

/** Terms a loan of the seeded product may have (each within the product's limits) and the disbursement date. */
export interface LoanShape {
  readonly principalMinor: bigint;
  readonly annualRatePercent: string;
  readonly termPeriods: number;
}

/** A tenant with one seeded product published, and the calls a scenario makes on it. */
export interface ProductBook {
  readonly tenant: string;
  readonly product: ProductInput;
  readonly currency: string;
  readonly money: (amount: bigint | string) => { amount: string; currency: string; scale: number };
  call(method: Method, url: string, roles: Role[], payload?: object, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** On the statements / service-requests app. */
  extraCall(method: Method, url: string, roles: Role[], payload?: object): Promise<LightMyRequestResponse>;
  setDate(date: string): Promise<void>;
  /** End of day to `to` (POST /v1/end-of-day-runs), waited for until completed. */
  endOfDay(to: string): Promise<void>;
  /** Books a loan of the product (as the LoanApproved consumer books it) and disburses it in full on `on`. */
  disbursedLoan(on: string, shape?: Partial<LoanShape>, extra?: Partial<LoanApprovedV1['payload']['loan']>): Promise<string>;
  loan(loanId: string): Promise<LoanView>;
  schedule(loanId: string): Promise<Installment[]>;
  repay(loanId: string, amount: bigint, valueDate: string, reference?: string): Promise<LightMyRequestResponse>;
  reverse(loanId: string, txId: string, reason?: string): Promise<LightMyRequestResponse>;
  outboxTypes(loanId: string): Promise<string[]>;
  outboxPayloads(loanId: string, type: string): Promise<Record<string, unknown>[]>;
}

export const BALANCE_KEYS = [
  'principalOutstanding', 'principalDue', 'interestAccrued', 'interestDue', 'fees', 'penalties', 'excess', 'totalDueNow', 'interestSuspended', 'disbursed', 'principalWrittenOff', 'recovered',
] as const;
export type BalanceKey = (typeof BALANCE_KEYS)[number];

export interface LoanView {
  status: string;
  servicingStatus: string;
  asOf: string;
  accrualStatus: string;
  restructured: boolean;
  balances: Record<BalanceKey, { amount: string; currency: string; scale: number }>;
  delinquency: { dpd: number; bucket: string; rbiClass: string };
  foreclosure?: { outcome: string };
  [k: string]: unknown;
}

/** The default loan of each seeded product: its smallest term, a rate within its range, a principal it allows. */
export const SHAPES: Readonly<Record<string, LoanShape>> = {
  'PL-12': { principalMinor: 10_000_000n, annualRatePercent: '12', termPeriods: 6 },
  'BNPL-4': { principalMinor: 20_000n, annualRatePercent: '0', termPeriods: 4 },
  'PAYDAY-30': { principalMinor: 50_000n, annualRatePercent: '0', termPeriods: 1 },
  'SME-TL': { principalMinor: 50_000_000n, annualRatePercent: '12', termPeriods: 12 },
};

export const SEEDED_CODES = DEMO_PRODUCTS.map((p) => p.code);

/** A fresh tenant with the seeded product `code` published (POST /v1/products, the seed's definition). */
export async function productBook(sys: SystemHarness, code: string, prefix = 'sys'): Promise<ProductBook> {
  const { h, extra } = sys;
  const tenant = newTenant(prefix);
  const product = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === code));
  const currency = product.currency;
  const money = (amount: bigint | string) => ({ amount: amount.toString(), currency, scale: 2 });
  const call = (method: Method, url: string, roles: Role[], payload?: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
  const published = await call('POST', '/v1/products', ['admin'], product);
  expect(published.statusCode, published.body).toBe(201);
  const book: ProductBook = {
    tenant, product, currency, money, call,
    extraCall: (method, url, roles, payload) => extra.inject({ method, url, headers: h.auth(roles, tenant), ...(payload ? { payload } : {}) }),
    async setDate(date) {
      const res = await call('PUT', '/v1/business-date', ['admin'], { date });
      expect(res.statusCode, res.body).toBe(200);
    },
    async endOfDay(to) {
      const res = await call('POST', '/v1/end-of-day-runs', ['admin'], { to });
      expect(res.statusCode, res.body).toBe(202);
      let run = res.json();
      for (let i = 0; i < 1200 && run.status !== 'completed' && run.status !== 'failed'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        run = (await call('GET', `/v1/end-of-day-runs/${run.id}`, ['admin'])).json();
      }
      expect(run.status).toBe('completed');
    },
    async disbursedLoan(on, shape = {}, more = {}) {
      const s = { ...SHAPES[code]!, ...shape };
      await book.setDate(on);
      const loanId = await h.book(tenant, {
        productCode: code, principal: money(s.principalMinor), annualRatePercent: s.annualRatePercent, termPeriods: s.termPeriods, frequency: product.frequency,
        scheduleMethod: product.scheduleMethod, interestCalculation: product.interestCalculation ?? 'per-period', dayCount: product.dayCount,
        expectedDisbursementDate: on, firstDueDate: undefined, fees: product.fees ?? [], ...more,
      } as Partial<LoanApprovedV1['payload']['loan']>);
      const res = await call('POST', `/v1/loans/${loanId}/disbursements`, ['operator'], { amount: money(s.principalMinor), valueDate: on });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().status).toBe('confirmed');
      return loanId;
    },
    loan: async (loanId) => (await call('GET', `/v1/loans/${loanId}`, ['partner'])).json() as LoanView,
    async schedule(loanId) {
      const res = await call('GET', `/v1/loans/${loanId}/schedule`, ['partner']);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().installments as { number: number; dueDate: string; status: string; principal: { amount: string }; interest: { amount: string }; fees: { amount: string }; total: { amount: string } }[])
        .map((i) => ({ number: i.number, dueDate: i.dueDate, status: i.status, principal: BigInt(i.principal.amount), interest: BigInt(i.interest.amount), fees: BigInt(i.fees.amount), total: BigInt(i.total.amount) }));
    },
    repay: (loanId, amount, valueDate, reference = `r-${randomUUID().slice(0, 8)}`) =>
      call('POST', `/v1/loans/${loanId}/repayments`, ['partner'], { amount: money(amount), valueDate, channel: currency === 'USD' ? 'ach' : 'upi', reference }),
    reverse: (loanId, txId, reason = 'payment returned') => call('POST', `/v1/loans/${loanId}/transactions/${txId}/reversal`, ['operator'], { reason }),
    outboxTypes: async (loanId) => (await h.pool.query<{ t: string }>(`SELECT value->>'type' AS t FROM outbox WHERE key = $1 ORDER BY seq`, [loanId])).rows.map((r) => r.t),
    outboxPayloads: async (loanId, type) =>
      (await h.pool.query<{ p: Record<string, unknown> }>(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = $2 ORDER BY seq`, [loanId, type])).rows.map((r) => r.p),
  };
  return book;
}

/** Σ (debits − credits) per logical account of one loan's journal lines (zeros left out). */
export async function netByAccount(h: Harness, loanId: string): Promise<Record<string, bigint>> {
  const { rows } = await h.pool.query<{ a: string; n: string }>(
    `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId]);
  return Object.fromEntries(rows.filter((r) => r.n !== '0').map((r) => [r.a, BigInt(r.n)]));
}

/** The tenant's loan-portfolio balance on the ledger as of a value date, straight from the journal lines. */
async function ledgerPortfolio(h: Harness, tenant: string, asOf: string): Promise<bigint> {
  const { rows } = await h.pool.query<{ n: string | null }>(
    `SELECT sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE tenant_id = $1 AND logical_account = 'loan-portfolio' AND value_date <= $2::date`, [tenant, asOf]);
  return BigInt(rows[0]!.n ?? '0');
}

export interface BooksExpectation {
  /** Loans whose API balances are compared with their ledger positions and whose schedules are summed. */
  readonly loans: readonly string[];
  /** The business date: the reconciliation and the reports are read as of it. */
  readonly asOf: string;
  /** Σ principal of each loan's schedule, where the scenario knows it (default: not checked). */
  readonly schedulePrincipal?: Readonly<Record<string, bigint>>;
}

/**
 * What holds after every servicing action: each journal entry balances and so the tenant's trial balance; the
 * sub-ledger reconciles with the GL control accounts; each loan's balances in the API are its ledger positions;
 * each installment's total is its parts (and the schedule's principal what the scenario expects); and the RBI,
 * US delinquency and trial-balance-by-product reports (JSON and CSV) tie to the ledger as of the business date.
 */
export async function expectBooksHold(book: ProductBook, h: Harness, e: BooksExpectation): Promise<void> {
  const { tenant } = book;
  const unbalanced = await h.pool.query(
    `SELECT entry_id FROM journal_lines WHERE tenant_id = $1 GROUP BY entry_id HAVING sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END) <> 0`, [tenant]);
  expect(unbalanced.rowCount, 'unbalanced journal entries').toBe(0);
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
  const rec = await book.call('GET', `/v1/ledger/reconciliation?asOf=${e.asOf}`, ['operator']);
  expect(rec.statusCode, rec.body).toBe(200);
  expect(rec.json(), 'sub-ledger vs GL').toMatchObject({ differenceCount: 0, differences: [] });
  for (const loanId of e.loans) {
    const loan = await book.loan(loanId);
    const net = await netByAccount(h, loanId);
    const b = loan.balances;
    const of = (k: BalanceKey) => BigInt(b[k].amount);
    expect({
      principal: of('principalOutstanding'), excess: of('excess'), writtenOff: of('principalWrittenOff'), recovered: of('recovered'), interestSuspended: of('interestSuspended'),
    }, `loan ${loanId} balances vs its ledger`).toEqual({
      principal: net['loan-portfolio'] ?? 0n, excess: -(net['excess-liability'] ?? 0n), writtenOff: net['write-off-expense'] ?? 0n, recovered: -(net['recovery-income'] ?? 0n),
      interestSuspended: net['memo-interest-receivable'] ?? 0n,
    });
    for (const k of BALANCE_KEYS) expect(of(k), `loan ${loanId} ${k} is never negative`).toBeGreaterThanOrEqual(0n);
    const schedule = await book.schedule(loanId);
    for (const i of schedule) expect(i.principal + i.interest + i.fees, `installment ${i.number} total = its parts`).toBe(i.total);
    const expected = e.schedulePrincipal?.[loanId];
    if (expected !== undefined) expect(schedule.reduce((s, i) => s + i.principal, 0n), `Σ schedule principal of ${loanId}`).toBe(expected);
    await expectStatementTies(book, h, loanId, e.asOf);
  }
  await expectReportsTie(book, h, e.asOf);
}

/** The loan's statement to `asOf` closes on its ledger balances of that date, its rows running from the opening to the closing total. */
async function expectStatementTies(book: ProductBook, h: Harness, loanId: string, asOf: string): Promise<void> {
  const res = await book.extraCall('GET', `/v1/loans/${loanId}/statement?from=2025-12-01&to=${asOf}`, ['partner']);
  expect(res.statusCode, res.body).toBe(200);
  const s = res.json();
  let running = BigInt(s.openingBalance.total.amount);
  for (const t of s.transactions as { amount: { amount: string }; balance: { amount: string } }[]) { running += BigInt(t.amount.amount); expect(t.balance.amount).toBe(running.toString()); }
  expect(running.toString(), 'statement rows sum to its closing total').toBe(s.closingBalance.total.amount);
  const { rows } = await h.pool.query<{ a: string; n: string }>(
    `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 AND value_date <= $2::date GROUP BY 1`, [loanId, asOf]);
  const of = (a: string) => BigInt(rows.find((r) => r.a === a)?.n ?? '0');
  const c = s.closingBalance;
  expect([c.principal.amount, c.interest.amount, c.fees.amount, c.penalties.amount, c.excess.amount], `statement of ${loanId} closes on its ledger`).toEqual(
    [of('loan-portfolio'), of('interest-receivable'), of('fees-receivable'), of('penalties-receivable'), -of('excess-liability')].map(String));
}

/** The RBI and US reports' principal totals are the ledger's loan-portfolio; the trial balance by product balances and is the ledger's. */
export async function expectReportsTie(book: ProductBook, h: Harness, asOf: string): Promise<void> {
  const portfolio = await ledgerPortfolio(h, book.tenant, asOf);
  type Totals = { currency: string; totals: { principal: { amount: string } } };
  const currencyOf = (list: Totals[]) => list.find((c) => c.currency === book.currency);
  const rbi = await book.call('GET', `/v1/reports/rbi-asset-classification?asOf=${asOf}`, ['operator']);
  expect(rbi.statusCode, rbi.body).toBe(200);
  const rbiTotal = BigInt(currencyOf(rbi.json().currencies)?.totals.principal.amount ?? '0');
  expect(rbiTotal, 'RBI total principal = ledger loan-portfolio').toBe(portfolio);
  const rbiCsv = (await book.call('GET', `/v1/reports/rbi-asset-classification?asOf=${asOf}&format=csv`, ['operator'])).body.trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  expect(rbiCsv.filter((c) => c[1] === book.currency).reduce((s, c) => s + BigInt(c[5]!), 0n), 'RBI CSV').toBe(portfolio);
  const us = await book.call('GET', `/v1/reports/us-delinquency?asOf=${asOf}`, ['operator']);
  expect(us.statusCode, us.body).toBe(200);
  expect(BigInt(currencyOf(us.json().currencies)?.totals.principal.amount ?? '0'), 'US total principal = ledger loan-portfolio').toBe(portfolio);
  const tbp = await book.call('GET', `/v1/reports/trial-balance-by-product?asOf=${asOf}`, ['operator']);
  expect(tbp.statusCode, tbp.body).toBe(200);
  const products = tbp.json().products as { product: string; accounts: { account: string; net: { amount: string } }[]; totals: { debit: { amount: string }; credit: { amount: string } } }[];
  for (const p of products) expect(p.totals.debit.amount, `trial balance of ${p.product}`).toBe(p.totals.credit.amount);
  const reported = products.flatMap((p) => p.accounts).filter((a) => a.account === 'loan-portfolio').reduce((s, a) => s + BigInt(a.net.amount), 0n);
  expect(reported, 'trial balance by product: loan-portfolio').toBe(portfolio);
}

/** A problem+json refusal with its status, its type naming the rule and the field it is about. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string, pointer: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const body = res.json();
  expect(body.type ?? '').toContain(code);
  expect(body.errors?.[0]?.pointer).toBe(pointer);
}

/** YYYY-MM-DD plus `days`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
