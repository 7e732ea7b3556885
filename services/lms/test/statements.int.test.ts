import { randomUUID } from 'node:crypto';
import { createLogger, createMetrics } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import { readStatement, StatementTooLong } from '../src/modules/statements/adapters/pg-statement.reader.js';
import { createEodRun, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { inr, newTenant, startHarness, type Harness } from './servicing-harness.js';

// Statements over the real ledger: a disbursed loan, end of day through two due dates, a repayment
// and a reversal; the statement's ends must be the books' balances on those dates.
let h: Harness;
let app: FastifyInstance;
beforeAll(async () => {
  h = await startHarness();
  const secret = loadConfig({ LMS_DATABASE_URL: 'postgresql://unused/unused' }).AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }), metrics: createMetrics('lendstack-lms-test'), readiness: {},
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret, servicing: createServicingReader(h.pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    statements: { pool: h.pool, authSecret: secret },
  });
  await app.ready();
});
afterAll(async () => { await app?.close(); await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object) =>
  h.app.inject({ method, url, headers: h.auth(['admin', 'operator', 'partner'], tenant), ...(payload ? { payload } : {}) });
const statement = (tenant: string, loanId: string, query: string) => app.inject({ method: 'GET', url: `/v1/loans/${loanId}/statement?${query}`, headers: h.auth(['partner'], tenant) });
const eodTo = async (tenant: string, to: string) => {
  const run = await createEodRun(h.deps, { tenantId: tenant, to, actor: 'test', requestHash: to });
  if (!run.ok) throw new Error(run.detail);
  expect((await runEndOfDay(h.deps, run.run.id)).status).toBe('completed');
};

/** The loan's borrower balances in the ledger on `date`, summed independently of the statement code. */
async function ledgerAt(loanId: string, date: string) {
  const r = (await h.pool.query<{ a: string; n: string }>(
    `SELECT logical_account AS a, sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 AND value_date <= $2::date GROUP BY 1`, [loanId, date])).rows;
  const of = (a: string) => BigInt(r.find((x) => x.a === a)?.n ?? '0');
  return { principal: of('loan-portfolio').toString(), interest: of('interest-receivable').toString(), excess: (-of('excess-liability')).toString() };
}

let tenant: string;
let loanId: string;
async function servicedLoan(): Promise<void> {
  tenant = newTenant('stmt');
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-05' })).statusCode).toBe(200);
  loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  await eodTo(tenant, '2026-03-10');
  const schedule = (await call('GET', `/v1/loans/${loanId}/schedule`, tenant)).json().installments as { total: { amount: string } }[];
  const paid = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, { amount: inr(schedule[0]!.total.amount), valueDate: '2026-02-05', channel: 'upi', reference: 'r-1' });
  expect(paid.statusCode).toBe(201);
  const extra = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, { amount: inr('50000'), valueDate: '2026-03-06', channel: 'upi', reference: 'r-2' });
  expect((await call('POST', `/v1/loans/${loanId}/transactions/${extra.json().id}/reversal`, tenant, { reason: 'bounced' })).statusCode).toBe(201);
}

describe('statement', () => {
  beforeAll(servicedLoan);

  it('opens and closes on the ledger balances of those dates, and the closing today is the loan state', async () => {
    const res = await statement(tenant, loanId, 'from=2026-01-20&to=2026-02-28');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    const opening = await ledgerAt(loanId, '2026-01-19');
    const closing = await ledgerAt(loanId, '2026-02-28');
    expect({ principal: s.openingBalance.principal.amount, interest: s.openingBalance.interest.amount, excess: s.openingBalance.excess.amount }).toEqual(opening);
    expect({ principal: s.closingBalance.principal.amount, interest: s.closingBalance.interest.amount, excess: s.closingBalance.excess.amount }).toEqual(closing);
    expect(BigInt(s.openingBalance.principal.amount)).toBe(10000000n);
    expect(s.transactions.map((t: { kind: string }) => t.kind)).toContain('repayment');
    // The running balance moves by each row's amount, from opening to closing.
    let running = BigInt(s.openingBalance.total.amount);
    for (const t of s.transactions) { running += BigInt(t.amount.amount); expect(t.balance.amount).toBe(running.toString()); }
    expect(running.toString()).toBe(s.closingBalance.total.amount);
    expect(s.scheduleAhead.map((i: { dueDate: string }) => i.dueDate)).toEqual(['2026-03-05', '2026-04-05', '2026-05-05', '2026-06-05', '2026-07-05']);

    const today = (await statement(tenant, loanId, 'from=2026-01-01&to=2026-03-10')).json();
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant)).json();
    expect(loan.balances.principalOutstanding).toMatchObject(today.closingBalance.principal);
    expect(loan.balances.excess).toMatchObject(today.closingBalance.excess);
    // The sub-ledger servicing writes from the engine's account state on its last business date.
    const sub = (await h.pool.query(`SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, principal_outstanding::text AS p, interest_receivable::text AS i, fees_receivable::text AS f, penalties_receivable::text AS n, excess::text AS e FROM loan_balances WHERE loan_id = $1`, [loanId])).rows[0];
    expect(sub.as_of).toBe('2026-03-10');
    const c = today.closingBalance;
    expect([c.principal.amount, c.interest.amount, c.fees.amount, c.penalties.amount, c.excess.amount]).toEqual([sub.p, sub.i, sub.f, sub.n, sub.e]);
    expect(today.openingBalance.total.amount).toBe('0');
  });

  it('chains: the closing of one range is the opening of the next, and the reversal shows as its own row', async () => {
    const a = (await statement(tenant, loanId, 'from=2026-01-01&to=2026-03-05')).json();
    const b = (await statement(tenant, loanId, 'from=2026-03-06&to=2026-03-10')).json();
    expect(b.openingBalance).toEqual(a.closingBalance);
    const kinds = b.transactions.map((t: { description: string }) => t.description);
    expect(kinds).toContain('Repayment');
    expect(kinds).toContain('Reversal: repayment');
  });

  it('streams CSV with the opening and closing rows', async () => {
    const res = await statement(tenant, loanId, 'from=2026-01-01&to=2026-03-10&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe('date,kind,description,amount,principal,interest,fees,penalties,excess,balance,currency');
    expect(lines[1]).toMatch(/^2026-01-01,opening,Opening balance,,0\.00,/);
    expect(lines.at(-1)).toMatch(/^2026-03-10,closing,Closing balance,,/);
    expect(lines.some((l) => l.includes(',disbursement,Disbursement,100000.00,100000.00,'))).toBe(true);
  });

  it('draws a PDF a reader extracts the balances and schedule from', async () => {
    const res = await statement(tenant, loanId, 'from=2026-01-01&to=2026-03-10&format=pdf');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.rawPayload);
    const json = (await statement(tenant, loanId, 'from=2026-01-01&to=2026-03-10')).json();
    expect(text).toContain('Loan account statement');
    expect(text).toContain(`Loan ${loanId}`);
    expect(text).toContain('Opening balance on 2026-01-01');
    expect(text).toContain('Total outstanding INR 0.00');
    const closing = Number(BigInt(json.closingBalance.total.amount)) / 100;
    expect(text).toContain(`Total outstanding INR ${closing.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(text).toContain('Disbursement');
    expect(text).toContain('2026-07-05');
  });

  it('refuses from after to and a range over ten years (422 naming the query field), an unknown format (400), another tenant (404)', async () => {
    const backwards = await statement(tenant, loanId, 'from=2026-03-01&to=2026-02-01');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors[0].pointer).toBe('/query/from');
    const long = await statement(tenant, loanId, 'from=2016-01-01&to=2026-01-02');
    expect(long.statusCode).toBe(422);
    expect(long.json().errors[0].pointer).toBe('/query/to');
    expect((await statement(tenant, loanId, 'from=2016-01-02&to=2026-01-02')).statusCode).toBe(200);
    const format = await statement(tenant, loanId, 'from=2026-01-01&to=2026-01-02&format=xml');
    expect(format.statusCode).toBe(400);
    expect(format.json().errors[0].pointer).toBe('/query/format');
    expect((await statement(newTenant('other'), loanId, 'from=2026-01-01&to=2026-01-02')).statusCode).toBe(404);
  });

  it('refuses a range with more ledger lines than a statement lists, rather than cut it short (its closing balance would be wrong)', async () => {
    const all = (await readStatement(h.pool, tenant, loanId, '2026-01-01', '2026-03-10'))!;
    const count = all.rows.length;
    expect(count).toBeGreaterThan(3);
    await expect(readStatement(h.pool, tenant, loanId, '2026-01-01', '2026-03-10', 3)).rejects.toBeInstanceOf(StatementTooLong);
    expect((await readStatement(h.pool, tenant, loanId, '2026-03-06', '2026-03-06', 1_000))!.rows.length).toBeLessThan(count);
  });

  it('leaves no transaction open on its connection when the loan is unknown (the pool\'s next user can write)', async () => {
    const one = new pg.Pool({ connectionString: (await infrastructure()).lmsDatabaseUrl, max: 1 });
    try {
      expect(await readStatement(one, newTenant('none'), randomUUID(), '2026-01-01', '2026-01-02')).toBeUndefined();
      expect((await one.query<{ s: string }>("SELECT current_setting('transaction_read_only') AS s")).rows[0]!.s).toBe('off');
    } finally {
      await one.end();
    }
  });
});

async function pdfText(bytes: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= doc.numPages; p += 1) {
    const content = await (await doc.getPage(p)).getTextContent();
    parts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  await doc.destroy();
  return parts.join('\n').replace(/\s+/g, ' ');
}
