import { randomUUID } from 'node:crypto';
import { createLogger, createMetrics } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createRepaymentFileRunner, type RepaymentFileRunner } from '../src/modules/repayment-files/adapters/repayment-file-runner.js';
import { FileProcessingAborted, processRepaymentFile } from '../src/modules/repayment-files/use-cases/process-file.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import { loadConfig } from '../src/config.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// Bulk repayments over the real Postgres and ledger: the file is stored, then posted row by row
// through the single-repayment use case, in the background.
let h: Harness;
let app: FastifyInstance;
let runner: RepaymentFileRunner;
let autoStart = true;
const HEADER = 'loan_id,amount,currency,scale,value_date,channel,reference';

beforeAll(async () => {
  h = await startHarness();
  const logger = createLogger({ service: 'lendstack-lms-test', level: 'silent' });
  const real = createRepaymentFileRunner({ ...h.deps, logger });
  runner = { start: (id) => { if (autoStart) real.start(id); }, resumePending: () => real.resumePending(), stop: () => real.stop() };
  const secret = loadConfig({ LMS_DATABASE_URL: 'postgresql://unused' }).AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger, metrics: createMetrics('lendstack-lms-test-files'),
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret, servicing: createServicingReader(h.pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    repaymentFiles: { ...h.deps, authSecret: secret, runner },
  });
  await app.ready();
});
afterAll(async () => { await app?.close(); await h?.close(); });

const upload = (tenant: string, csv: string, headers: Record<string, string> = {}, roles: Parameters<Harness['auth']>[0] = ['partner']) =>
  app.inject({ method: 'POST', url: '/v1/repayment-files', headers: { ...h.auth(roles, tenant), 'content-type': 'text/csv', ...headers }, payload: csv });
const get = (tenant: string, url: string) => app.inject({ method: 'GET', url, headers: h.auth(['operator'], tenant) });
async function allRows(tenant: string, fileId: string, status = '') {
  const out: { row: number; loanId: string | null; status: string; transactionId: string | null; error: { field: string; rule: string; detail: string } | null; duplicateOf: string | null }[] = [];
  for (let cursor = ''; ;) {
    const page = (await get(tenant, `/v1/repayment-files/${fileId}/rows?limit=100${status ? `&status=${status}` : ''}${cursor ? `&cursor=${cursor}` : ''}`)).json();
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

/** A loan of INR 1,00,000.00 disbursed on 2026-01-05; the tenant's business date is then 2026-03-01. */
async function disbursedLoans(tenant: string, n: number): Promise<string[]> {
  await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date: '2026-01-05' } });
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = await h.book(tenant);
    const res = await h.app.inject({ method: 'POST', url: `/v1/loans/${id}/disbursements`, headers: h.auth(['operator'], tenant), payload: { amount: inr('10000000'), valueDate: '2026-01-05' } });
    expect(res.json().status).toBe('confirmed');
    ids.push(id);
  }
  expect((await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date: '2026-03-01' } })).statusCode).toBe(200);
  return ids;
}
const day = (i: number) => new Date(Date.UTC(2026, 0, 6) + i * 86_400_000).toISOString().slice(0, 10);

describe('POST /v1/repayment-files', () => {
  it('posts every good row once, fails each bad row naming its column and rule, and the books balance', async () => {
    const tenant = newTenant('files');
    const loans = await disbursedLoans(tenant, 5);
    const pendingLoan = await h.book(tenant);
    const lines = [HEADER];
    const lineOf = new Map<string, number>();
    const expected = new Map<number, { status: string; loanId?: string; field?: string; rule?: string; duplicateOf?: string }>();
    const add = (line: string, outcome: { status: string; loanId?: string; field?: string; rule?: string; duplicateOf?: string }) => {
      lines.push(line);
      expected.set(lines.length, outcome);
    };
    const bad: [string, string, string][] = [
      [`no-such-loan,10000,INR,2,2026-02-01,upi,bad-1`, 'loan_id', 'loan-not-found'],
      [`${loans[0]},10000,USD,2,2026-02-01,upi,bad-2`, 'currency', 'currency-mismatch'],
      [`${loans[1]},10000,INR,3,2026-02-01,upi,bad-3`, 'scale', 'scale-mismatch'],
      [`${loans[2]},10000,INR,2,2026-03-02,upi,bad-4`, 'value_date', 'value-date-after-business-date'],
      [`${loans[3]},100.50,INR,2,2026-02-01,upi,bad-5`, 'amount', 'malformed-amount'],
      [`${loans[3]},0,INR,2,2026-02-01,upi,bad-6`, 'amount', 'not-positive'],
      [`${loans[4]},10000,INR,2,2026-02-30,upi,bad-7`, 'value_date', 'malformed-date'],
      [`${loans[4]},10000,INR,2,2026-02-01,pigeon,bad-8`, 'channel', 'unknown-channel'],
      [`${loans[0]},10000,INR,2,2026-02-01,upi`, 'row', 'column-count'],
      [`${loans[0]},10000,INR,2,2026-02-01,upi,bad-10,extra`, 'row', 'column-count'],
      [`${pendingLoan},10000,INR,2,2026-02-01,upi,bad-11`, 'loan_id', 'loan-not-disbursed'],
      [`${loans[1]},,INR,2,2026-02-01,upi,bad-12`, 'amount', 'required'],
    ];
    for (let i = 0; i < 50; i += 1) {
      for (const loanId of loans) {
        add(`${loanId},${10000 + i},INR,2,${day(i)},upi,utr-${i}`, { status: 'posted', loanId });
        lineOf.set(`${loanId}:utr-${i}`, lines.length);
      }
      if (i < bad.length) {
        const [line, field, rule] = bad[i]!;
        add(line, { status: 'failed', field, rule });
      }
      if (i === 20) add(`${loans[2]},10003,INR,2,${day(3)},upi,utr-3`, { status: 'duplicate', loanId: loans[2]!, duplicateOf: `row:${lineOf.get(`${loans[2]}:utr-3`)}` });
    }
    const res = await upload(tenant, `${lines.join('\r\n')}\r\n`, { 'idempotency-key': 'file-upload-0001' });
    expect(res.statusCode).toBe(202);
    const file = res.json();
    expect(res.headers.location).toBe(`/v1/repayment-files/${file.id}`);
    expect(file.progress.rowsTotal).toBe(expected.size);
    await runner.stop();
    const done = (await get(tenant, `/v1/repayment-files/${file.id}`)).json();
    expect(done).toMatchObject({ status: 'completed', progress: { rowsTotal: expected.size, rowsDone: expected.size, posted: 250, failed: bad.length, duplicate: 1 } });

    const rows = await allRows(tenant, file.id);
    expect(rows.map((r) => r.row)).toEqual([...expected.keys()]);
    for (const r of rows) {
      const e = expected.get(r.row)!;
      expect({ row: r.row, status: r.status }).toEqual({ row: r.row, status: e.status });
      if (e.status === 'failed') expect(r.error).toMatchObject({ field: e.field, rule: e.rule, detail: expect.any(String) });
      if (e.status === 'posted') expect(r.transactionId).toEqual(expect.any(String));
      if (e.duplicateOf) expect(r.duplicateOf).toBe(e.duplicateOf);
    }
    expect((await allRows(tenant, file.id, 'failed')).map((r) => r.error!.rule).sort()).toEqual(bad.map((b) => b[2]).sort());

    // Each loan's repayments are the file's rows of that loan, in file order, and their allocations add up.
    for (const loanId of loans) {
      const txs = (await h.pool.query<{ id: string; amount: string; allocation: Record<string, string> }>(
        `SELECT id, amount_minor::text AS amount, allocation FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment' ORDER BY seq`, [loanId])).rows;
      expect(txs.map((t) => t.id)).toEqual(rows.filter((r) => r.loanId === loanId && r.status === 'posted').map((r) => r.transactionId));
      expect(txs.reduce((s, t) => s + BigInt(t.amount), 0n)).toBe(BigInt(50 * 10000 + (49 * 50) / 2));
      for (const t of txs) {
        const a = t.allocation;
        expect(['principal', 'interest', 'fees', 'penalties', 'excess', 'recovery'].reduce((s, k) => s + BigInt(a[k]!), 0n)).toBe(BigInt(t.amount));
      }
      // The money the file brought in is what the loan's collection clearing received.
      const collected = (await h.pool.query<{ n: string }>(`SELECT coalesce(sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END), 0)::text AS n FROM journal_lines WHERE loan_id = $1 AND logical_account = 'collection-clearing'`, [loanId])).rows[0]!.n;
      expect(BigInt(collected)).toBe(txs.reduce((s, t) => s + BigInt(t.amount), 0n));
      const loan = (await h.app.inject({ url: `/v1/loans/${loanId}`, headers: h.auth(['partner'], tenant) })).json();
      const portfolio = (await h.pool.query<{ n: string }>(`SELECT coalesce(sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END), 0)::text AS n FROM journal_lines WHERE loan_id = $1 AND logical_account = 'loan-portfolio'`, [loanId])).rows[0]!.n;
      expect(loan.balances.principalOutstanding.amount).toBe(portfolio);
    }
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  }, 120_000);

  it('honours Idempotency-Key and refuses the same file under another key, naming the earlier file', async () => {
    const tenant = newTenant('files');
    const [loanId] = await disbursedLoans(tenant, 1);
    const csv = `${HEADER}\n${loanId},50000,INR,2,2026-02-01,bank-transfer,idem-1\n`;
    const first = await upload(tenant, csv, { 'idempotency-key': 'idem-file-0001' });
    expect(first.statusCode).toBe(202);
    const again = await upload(tenant, csv, { 'idempotency-key': 'idem-file-0001' });
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const otherBytes = await upload(tenant, `${csv}${loanId},1,INR,2,2026-02-01,bank-transfer,idem-2\n`, { 'idempotency-key': 'idem-file-0001' });
    expect(otherBytes.statusCode).toBe(422);
    expect(otherBytes.json().code ?? otherBytes.json().type).toBeDefined();
    const otherKey = await upload(tenant, csv, { 'idempotency-key': 'idem-file-0002' });
    expect(otherKey.statusCode).toBe(409);
    expect(otherKey.json().duplicateOf).toBe(first.json().id);
    await runner.stop();
    expect((await h.pool.query(`SELECT 1 FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment'`, [loanId])).rowCount).toBe(1);
  });

  it('refuses a file without the header, and one with a wrong header, naming the rule; a CSV syntax error fails only its row', async () => {
    const tenant = newTenant('files');
    const [loanId] = await disbursedLoans(tenant, 1);
    const noHeader = await upload(tenant, `${loanId},50000,INR,2,2026-02-01,bank-transfer,x-1\n`);
    expect(noHeader.statusCode).toBe(422);
    expect(noHeader.json().errors[0]).toMatchObject({ pointer: '/body', field: 'header', rule: 'header-columns' });
    expect((await upload(tenant, '')).statusCode).toBe(422);
    const unclosed = await upload(tenant, `${HEADER}\n${loanId},"100,INR,2,2026-02-01,bank-transfer,u-1\n${loanId},200,INR,2,2026-02-02,bank-transfer,u-2\n`);
    expect(unclosed.statusCode).toBe(422);
    expect(unclosed.json().errors[0]).toMatchObject({ rule: 'quote-not-closed' });
    const syntax = await upload(tenant, `${HEADER}\n${loanId},100,INR,2,2026-02-01,bank-transfer,s-1\n${loanId},"10"0,INR,2,2026-02-01,bank-transfer,s-2\n${loanId},200,INR,2,2026-02-02,bank-transfer,s-3\n`);
    expect(syntax.statusCode).toBe(202);
    await runner.stop();
    const rows = await allRows(tenant, syntax.json().id);
    expect(rows.map((r) => [r.row, r.status, r.error?.rule ?? null])).toEqual([[2, 'posted', null], [3, 'failed', 'malformed-amount'], [4, 'posted', null]]);
    expect((await upload(tenant, `${HEADER}\n`, { 'content-type': 'application/json' })).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('resumes an interrupted file without posting any row twice', async () => {
    const tenant = newTenant('files');
    const loans = await disbursedLoans(tenant, 2);
    const lines = [HEADER];
    for (let i = 0; i < 20; i += 1) for (const loanId of loans) lines.push(`${loanId},${1000 + i},INR,2,${day(i)},ach,r-${i}`);
    autoStart = false;
    const res = await upload(tenant, lines.join('\n'));
    autoStart = true;
    const fileId = res.json().id;
    // Killed after posting its 15th row and before marking it.
    await expect(processRepaymentFile(h.deps, fileId, { abortAfterRows: 15, chunkRows: 10, loanConcurrency: 1 })).rejects.toBeInstanceOf(FileProcessingAborted);
    const posted = async () => Number((await h.pool.query<{ n: string }>(`SELECT count(*) AS n FROM loan_transactions WHERE tenant_id = $1 AND kind = 'repayment'`, [tenant])).rows[0]!.n);
    expect(await posted()).toBe(15);
    const midway = (await get(tenant, `/v1/repayment-files/${fileId}`)).json();
    expect(midway).toMatchObject({ status: 'processing', progress: { rowsTotal: 40, rowsDone: 14, posted: 14 } });
    await runner.resumePending();
    await runner.stop();
    expect((await get(tenant, `/v1/repayment-files/${fileId}`)).json()).toMatchObject({ status: 'completed', progress: { rowsDone: 40, posted: 40, failed: 0, duplicate: 0 } });
    expect(await posted()).toBe(40);
    const ids = (await allRows(tenant, fileId)).map((r) => r.transactionId);
    expect(new Set(ids).size).toBe(40);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  }, 60_000);

  it('needs a token (401) with the partner or operator role (403); another tenant sees no file (404)', async () => {
    const tenant = newTenant('files');
    const noToken = await app.inject({ method: 'POST', url: '/v1/repayment-files', headers: { 'content-type': 'text/csv' }, payload: HEADER });
    expect(noToken.statusCode).toBe(401);
    expect((await upload(tenant, `${HEADER}\n`, {}, ['approver'])).statusCode).toBe(403);
    const ok = await upload(tenant, `${HEADER}\n`, {}, ['operator']);
    expect(ok.statusCode).toBe(202);
    expect((await get(newTenant('other'), `/v1/repayment-files/${ok.json().id}`)).statusCode).toBe(404);
    expect((await app.inject({ url: `/v1/repayment-files/${ok.json().id}` })).statusCode).toBe(401);
    await runner.stop();
  });
});
