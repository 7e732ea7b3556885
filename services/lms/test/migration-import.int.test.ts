import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createLogger, createMetrics } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPgLedgerQueries } from '../src/modules/ledger/adapters/pg-ledger.queries.js';
import { createImportRunner, type ImportRunner } from '../src/modules/imports/adapters/import-runner.js';
import { acceptImport } from '../src/modules/imports/use-cases/accept-import.js';
import { ImportAborted, processImport } from '../src/modules/imports/use-cases/process-import.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// Migration import over the real Postgres and ledger: a hand-worked book, in both formats, booked by
// replaying each loan's history through the engine; its balances equal those of the same loans
// serviced live through the API, the ledger reconciles, a re-import books nothing twice, and an
// import killed mid-way and resumed ends as an uninterrupted one.
let h: Harness;
let app: FastifyInstance;
let runner: ImportRunner;
const BUSINESS_DATE = '2026-04-30';

beforeAll(async () => {
  h = await startHarness();
  const logger = createLogger({ service: 'lendstack-lms-test', level: 'silent' });
  runner = createImportRunner({ ...h.deps, logger });
  const secret = loadConfig({ LMS_DATABASE_URL: 'postgresql://unused' }).AUTH_TOKEN_SECRET;
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger, metrics: createMetrics('lendstack-lms-test-imports'),
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: secret, servicing: createServicingReader(h.pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    ledger: { queries: createPgLedgerQueries(h.pool), authSecret: secret },
    imports: { pool: h.pool, newId: randomUUID, now: () => new Date(), authSecret: secret, runner },
  });
  await app.ready();
});
afterAll(async () => { await runner?.stop(); await app?.close(); await h?.close(); });

const setDate = async (tenant: string, date: string) =>
  expect((await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date } })).statusCode).toBe(200);
const upload = (tenant: string, body: string, type: string, key: string) =>
  app.inject({ method: 'POST', url: '/v1/imports', headers: { ...h.auth(['operator'], tenant), 'content-type': type, 'idempotency-key': key }, payload: body });
const get = (tenant: string, url: string) => app.inject({ method: 'GET', url, headers: h.auth(['operator'], tenant) });
async function finished(tenant: string, id: string) {
  for (let i = 0; i < 600; i += 1) {
    const view = (await get(tenant, `/v1/imports/${id}`)).json();
    if (view.status === 'completed') return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`import ${id} did not finish`);
}
async function rows(tenant: string, id: string, status = '') {
  const out: { record: number; externalId: string | null; status: string; loanId: string | null; error: { field: string; rule: string } | null; duplicateOf: string | null }[] = [];
  for (let cursor = ''; ;) {
    const page = (await get(tenant, `/v1/imports/${id}/rows?limit=3${status ? `&status=${status}` : ''}${cursor ? `&cursor=${cursor}` : ''}`)).json();
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}
/** A loan's sub-ledger balances and delinquency as servicing stored them. */
async function loanState(loanId: string) {
  const r = await h.pool.query(
    `SELECT b.principal_outstanding::text AS principal, b.interest_receivable::text AS interest, b.fees_receivable::text AS fees, b.penalties_receivable::text AS penalties,
       b.excess::text AS excess, to_char(b.as_of, 'YYYY-MM-DD') AS "asOf", s.dpd, s.status, a.status AS "accountStatus"
     FROM loan_balances b JOIN loan_servicing s ON s.loan_id = b.loan_id JOIN loan_accounts a ON a.id = b.loan_id WHERE b.loan_id = $1`, [loanId]);
  return r.rows[0];
}
/** Net debit − credit per logical account over a loan's journal lines. */
async function netBooks(loanId: string) {
  const r = await h.pool.query<{ account: string; net: string }>(
    `SELECT logical_account AS account, sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END)::text AS net FROM journal_lines WHERE loan_id = $1 GROUP BY 1 HAVING sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) <> 0 ORDER BY 1`, [loanId]);
  return Object.fromEntries(r.rows.map((x) => [x.account, x.net]));
}

// The harness's loan: INR 1,00,000.00 at 12 % (1 % a month, 30/360), six monthly equal installments from 2026-01-01.
const TERMS = { productCode: 'TEST-PL', principal: inr('10000000'), annualRatePercent: '12', termPeriods: 6, frequency: 'monthly', disbursementDate: '2026-01-01' };
// PMT = 100000 × 0.01 / (1 − 1.01^−6) = 17,254.84: installment 1 is 1,000.00 interest + 16,254.84 principal.
const PAYMENT = '1725484';
const rec = (externalId: string, history: unknown[] = [], extra: Record<string, unknown> = {}) => ({ externalId, ...TERMS, borrower: { reference: `cust-${externalId}`, region: 'MH' }, history, ...extra });
const pay = (id: string, valueDate: string, amount = PAYMENT) => ({ kind: 'repayment', id, valueDate, amount, channel: 'bank-transfer', reference: id });

/** The hand-worked book: what each line should become. */
const BOOK: { line: string; outcome: { status: string; field?: string; rule?: string; duplicateOf?: string } }[] = [
  // 1. Disbursed, never paid: three installments due (02-01, 03-01, 04-01), DPD = 04-30 − 02-01 = 88.
  { line: JSON.stringify(rec('OLD-1')), outcome: { status: 'imported' } },
  // 2. Paid on each due date: current; principal left after installment 3 is 50,746.21.
  { line: JSON.stringify(rec('OLD-2', [{ kind: 'disbursement', id: 'd1', valueDate: '2026-01-01', amount: '10000000' }, pay('r1', '2026-02-01'), pay('r2', '2026-03-01'), pay('r3', '2026-04-01')])), outcome: { status: 'imported' } },
  // 3. A bounced payment reversed, then paid again late.
  { line: JSON.stringify(rec('OLD-3', [pay('r1', '2026-02-01'), { kind: 'reversal', id: 'x1', valueDate: '2026-02-03', targetId: 'r1', reason: 'cheque bounced' }, pay('r2', '2026-02-15')])), outcome: { status: 'imported' } },
  { line: JSON.stringify({ ...rec('BAD-1'), principal: undefined }), outcome: { status: 'rejected', field: '/principal', rule: 'required' } },
  { line: JSON.stringify(rec('BAD-2', [pay('r1', '2026-05-02')])), outcome: { status: 'rejected', field: '/history/0/valueDate', rule: 'after-business-date' } },
  { line: JSON.stringify(rec('BAD-3', [pay('r1', '2026-02-01'), { kind: 'reversal', id: 'x1', valueDate: '2026-02-03', targetId: 'r9' }])), outcome: { status: 'rejected', field: '/history/1/targetId', rule: 'unknown-reversal-target' } },
  { line: '{"externalId": "BAD-4", ', outcome: { status: 'rejected', field: '/', rule: 'malformed-json' } },
  { line: JSON.stringify(rec('BAD-5', [{ kind: 'disbursement', id: 'd1', valueDate: '2026-01-01', amount: '10000001' }])), outcome: { status: 'rejected', field: '/history/0/amount', rule: 'exceeds-principal' } },
  { line: JSON.stringify(rec('BAD-6', [], { firstDueDate: '2025-12-01' })), outcome: { status: 'rejected', field: '/firstDueDate', rule: 'unbookable' } },
  { line: JSON.stringify(rec('OLD-1')), outcome: { status: 'duplicate', duplicateOf: 'record:1' } },
];
const NDJSON = `${BOOK.map((b) => b.line).join('\n')}\n`;

const CSV_HEADER = 'external_id,product_code,principal,currency,scale,annual_rate_percent,term_periods,frequency,disbursement_date,borrower_reference,region,history';
const csvLine = (id: string, history = '', principal = '10000000') => `${id},TEST-PL,${principal},INR,2,12,6,monthly,2026-01-01,cust-${id},MH,${history}`;
const CSV = [
  CSV_HEADER,
  csvLine('OLD-1'),
  csvLine('OLD-2', `disbursement:d1:2026-01-01:10000000;repayment:r1:2026-02-01:${PAYMENT}:r1;repayment:r2:2026-03-01:${PAYMENT}:r2;repayment:r3:2026-04-01:${PAYMENT}:r3`),
  csvLine('OLD-3', `repayment:r1:2026-02-01:${PAYMENT}:r1;reversal:x1:2026-02-03:r1:cheque bounced;repayment:r2:2026-02-15:${PAYMENT}:r2`),
  csvLine('BAD-1', '', ''),
  csvLine('BAD-2', `repayment:r1:2026-05-02:${PAYMENT}`),
  csvLine('BAD-3', 'repayment:r1:2026-02-01:100;reversal:x1:2026-02-03:r9'),
  'BAD-7,TEST-PL,10000000,INR,2,12',
  csvLine('BAD-8', 'refund:r1'),
].join('\n');

describe('migration import', () => {
  it('books the hand-worked book from JSON lines: each loan as the engine replays it, the bad records rejected naming field and rule, the ledger reconciled', async () => {
    const tenant = newTenant('import');
    // The same loans serviced live through the API, for comparison: booked and disbursed on 2026-01-01, then the history posted.
    await setDate(tenant, '2026-01-01');
    const live2 = await h.book(tenant);
    const live3 = await h.book(tenant);
    for (const id of [live2, live3]) {
      expect((await h.app.inject({ method: 'POST', url: `/v1/loans/${id}/disbursements`, headers: h.auth(['operator'], tenant), payload: { amount: inr('10000000'), valueDate: '2026-01-01' } })).json().status).toBe('confirmed');
    }
    await setDate(tenant, BUSINESS_DATE);
    const repay = async (id: string, valueDate: string) =>
      (await h.app.inject({ method: 'POST', url: `/v1/loans/${id}/repayments`, headers: h.auth(['operator'], tenant), payload: { amount: inr(PAYMENT), valueDate, channel: 'bank-transfer', reference: `${id}-${valueDate}` } })).json();
    for (const d of ['2026-02-01', '2026-03-01', '2026-04-01']) await repay(live2, d);
    const bounced = await repay(live3, '2026-02-01');
    expect((await h.app.inject({ method: 'POST', url: `/v1/loans/${live3}/transactions/${bounced.id}/reversal`, headers: h.auth(['operator'], tenant), payload: { reason: 'cheque bounced' } })).statusCode).toBe(201);
    await repay(live3, '2026-02-15');

    const res = await upload(tenant, NDJSON, 'application/x-ndjson', 'book-2026-04-30');
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/v1/imports/${res.json().id}`);
    const done = await finished(tenant, res.json().id);
    expect(done.progress).toMatchObject({ rowsTotal: BOOK.length, rowsDone: BOOK.length, imported: 3, rejected: 6, duplicate: 1 });
    const all = await rows(tenant, done.id);
    expect(all.map((r) => ({ status: r.status, ...(r.error ? { field: r.error.field, rule: r.error.rule } : {}), ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}) }))).toEqual(BOOK.map((b) => b.outcome));
    expect(all.map((r) => r.record)).toEqual(BOOK.map((_b, i) => i + 1));
    expect((await rows(tenant, done.id, 'rejected')).map((r) => r.record)).toEqual([4, 5, 6, 7, 8, 9]);
    const loanOf = new Map(all.filter((r) => r.loanId).map((r) => [r.externalId!, r.loanId!]));

    expect(await loanState(loanOf.get('OLD-1')!)).toMatchObject({ principal: '10000000', dpd: 88, asOf: BUSINESS_DATE, status: 'active' });
    const imported2 = await loanState(loanOf.get('OLD-2')!);
    expect(imported2).toMatchObject({ principal: '5074621', dpd: 0, asOf: BUSINESS_DATE });
    expect(imported2).toEqual(await loanState(live2));
    expect(await loanState(loanOf.get('OLD-3')!)).toEqual(await loanState(live3));
    expect(await netBooks(loanOf.get('OLD-2')!)).toEqual(await netBooks(live2));
    expect(await netBooks(loanOf.get('OLD-3')!)).toEqual(await netBooks(live3));
    // The schedule and the transactions read as any loan's.
    const schedule = (await h.app.inject({ method: 'GET', url: `/v1/loans/${loanOf.get('OLD-2')}/schedule`, headers: h.auth(['operator'], tenant) })).json();
    expect(schedule.installments.slice(0, 4).map((i: { status: string }) => i.status)).toEqual(['paid', 'paid', 'paid', 'not-due']);

    const recon = (await app.inject({ method: 'GET', url: `/v1/ledger/reconciliation?asOf=${BUSINESS_DATE}`, headers: h.auth(['operator'], tenant) })).json();
    expect(recon).toMatchObject({ loansCompared: 5, loansFromBalances: 5, differenceCount: 0 });
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    // No lifecycle events for the history: it happened in the other system.
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE key = ANY($1::text[])`, [[...loanOf.values()]])).rows[0].n).toBe(0);

    // The same key and bytes: the same import, nothing new. The same file under another key: every loan a duplicate.
    const again = await upload(tenant, NDJSON, 'application/x-ndjson', 'book-2026-04-30');
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().id]).toEqual([202, 'true', done.id]);
    expect((await upload(tenant, `${NDJSON}\n`, 'application/x-ndjson', 'book-2026-04-30')).json()).toMatchObject({ status: 422, type: 'https://lendstack.dev/problems/idempotency-key-reused' });
    const second = await finished(tenant, (await upload(tenant, NDJSON, 'application/x-ndjson', 'book-2026-04-30-again')).json().id);
    expect(second.progress).toMatchObject({ imported: 0, rejected: 6, duplicate: 4 });
    expect((await rows(tenant, second.id, 'duplicate'))[0]).toMatchObject({ record: 1, duplicateOf: `loan:${loanOf.get('OLD-1')}` });
    expect((await h.pool.query('SELECT count(*)::int AS n FROM loan_accounts WHERE tenant_id = $1', [tenant])).rows[0].n).toBe(5);
  });

  it('books the same book from CSV with the same balances, naming each bad row by its column', async () => {
    const [json, csv] = [newTenant('import-j'), newTenant('import-c')];
    await setDate(json, BUSINESS_DATE);
    await setDate(csv, BUSINESS_DATE);
    const a = await finished(json, (await upload(json, NDJSON, 'application/x-ndjson', 'book-json')).json().id);
    const res = await upload(csv, CSV, 'text/csv', 'book-csv');
    expect(res.statusCode).toBe(202);
    const b = await finished(csv, res.json().id);
    expect(b.progress).toMatchObject({ rowsTotal: 8, imported: 3, rejected: 5, duplicate: 0 });
    expect((await rows(csv, b.id, 'rejected')).map((r) => [r.record, r.error!.field, r.error!.rule])).toEqual([
      [5, 'principal', 'malformed'], [6, 'history', 'after-business-date'], [7, 'history', 'unknown-reversal-target'], [8, 'row', 'column-count'], [9, 'history', 'malformed-event'],
    ]);
    // Another tenant sees no such import; a partner may not import.
    expect((await get(json, `/v1/imports/${b.id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...h.auth(['partner'], csv), 'content-type': 'text/csv', 'idempotency-key': 'partner-try' }, payload: CSV })).statusCode).toBe(403);
    const loans = async (tenant: string, id: string) => new Map((await rows(tenant, id, 'imported')).map((r) => [r.externalId!, r.loanId!]));
    const [fromJson, fromCsv] = [await loans(json, a.id), await loans(csv, b.id)];
    for (const ext of ['OLD-1', 'OLD-2', 'OLD-3']) {
      expect(await loanState(fromCsv.get(ext)!)).toEqual(await loanState(fromJson.get(ext)!));
      expect(await netBooks(fromCsv.get(ext)!)).toEqual(await netBooks(fromJson.get(ext)!));
    }
    expect((await app.inject({ method: 'GET', url: `/v1/ledger/reconciliation?asOf=${BUSINESS_DATE}`, headers: h.auth(['operator'], csv) })).json()).toMatchObject({ loansCompared: 3, differenceCount: 0 });
    // A header that misses a required column refuses the file, nothing stored.
    const bad = await upload(csv, 'external_id,principal\nX,1', 'text/csv', 'bad-header');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ pointer: '/body', field: 'header', rule: 'missing-column' });
    expect((await upload(csv, CSV, 'text/plain', 'wrong-type')).statusCode).toBe(415);
    // A NUL in a text field (jsonb cannot hold it) rejects the record; an empty body is an empty import.
    const nul = await finished(csv, (await upload(csv, `${JSON.stringify(rec('NUL-1', [pay('r\u0000', '2026-02-01')]))}\n`, 'application/x-ndjson', 'nul-record')).json().id);
    expect((await rows(csv, nul.id))[0]).toMatchObject({ status: 'rejected', error: { field: '/', rule: 'invalid-character' } });
    expect((await finished(csv, (await upload(csv, '', 'application/x-ndjson', 'empty-body')).json().id)).progress).toMatchObject({ rowsTotal: 0 });
    expect((await app.inject({ method: 'POST', url: '/v1/imports', headers: { ...h.auth(['operator'], csv), 'content-type': 'text/csv' }, payload: CSV })).json().errors[0].pointer).toBe('/header/idempotency-key');
  });

  it('two imports booking the same external ids at once book each loan once', async () => {
    const tenant = newTenant('import-race');
    await setDate(tenant, BUSINESS_DATE);
    const book = Array.from({ length: 6 }, (_, i) => JSON.stringify(rec(`R-${i + 1}`, [pay('r1', '2026-02-01')]))).join('\n');
    const ids = [];
    for (const [key, body] of [['race-a', `${book}\n`], ['race-b', `${book}\n\n`]] as const) {
      const accepted = await acceptImport({ pool: h.pool, newId: randomUUID }, { tenantId: tenant, actor: 'test', idempotencyKey: key, format: 'ndjson', body: Readable.from([body]) });
      if (!accepted.ok) throw new Error(accepted.detail);
      ids.push(accepted.import.id);
    }
    const [a, b] = await Promise.all(ids.map((id) => processImport(h.deps, id, { batchSize: 2 })));
    expect(a!.rowsImported + b!.rowsImported).toBe(6);
    expect(a!.rowsDuplicate + b!.rowsDuplicate).toBe(6);
    expect((await h.pool.query('SELECT count(*)::int AS n FROM loan_accounts WHERE tenant_id = $1', [tenant])).rows[0].n).toBe(6);
  });

  it('an import killed after two batches and resumed ends as an uninterrupted one', async () => {
    const [killed, whole] = [newTenant('import-k'), newTenant('import-w')];
    const book = Array.from({ length: 14 }, (_, i) => JSON.stringify(rec(`K-${i + 1}`, Array.from({ length: i % 4 }, (_v, k) => pay(`r${k}`, `2026-0${k + 2}-0${1 + (i % 5)}`)))));
    book.splice(5, 0, JSON.stringify(rec('K-bad', [pay('r1', '2025-12-01')])));
    const file = `${book.join('\n')}\n`;
    const deps = { pool: h.pool, newId: randomUUID };
    const results = [];
    for (const tenant of [killed, whole]) {
      await setDate(tenant, BUSINESS_DATE);
      const accepted = await acceptImport(deps, { tenantId: tenant, actor: 'test', idempotencyKey: 'kill-test', format: 'ndjson', body: Readable.from([file]) });
      if (!accepted.ok) throw new Error(accepted.detail);
      if (tenant === killed) {
        await expect(processImport(h.deps, accepted.import.id, { batchSize: 3, abortAfterBatches: 2 })).rejects.toBeInstanceOf(ImportAborted);
        const cut = (await get(tenant, `/v1/imports/${accepted.import.id}`)).json();
        expect(cut).toMatchObject({ status: 'processing', progress: { rowsTotal: 15, rowsDone: 6, imported: 5, rejected: 1 } });
        expect((await rows(tenant, accepted.import.id, 'pending')).map((r) => r.record)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
      }
      const done = await processImport(h.deps, accepted.import.id, { batchSize: 3 });
      expect(done).toMatchObject({ status: 'completed', rowsImported: 14, rowsRejected: 1 });
      const byExt = new Map((await rows(tenant, accepted.import.id, 'imported')).map((r) => [r.externalId!, r.loanId!]));
      results.push(await Promise.all([...byExt.entries()].sort().map(async ([ext, id]) => ({ ext, state: await loanState(id), books: await netBooks(id) }))));
      expect((await app.inject({ method: 'GET', url: `/v1/ledger/reconciliation?asOf=${BUSINESS_DATE}`, headers: h.auth(['operator'], tenant) })).json()).toMatchObject({ loansCompared: 14, differenceCount: 0 });
    }
    expect(results[0]).toEqual(results[1]);
    expect((await rows(killed, (await h.pool.query('SELECT id FROM loan_imports WHERE tenant_id = $1', [killed])).rows[0].id, 'rejected'))[0]).toMatchObject({ record: 6, error: { field: '/history/0/valueDate', rule: 'before-disbursement-date' } });
  });
});
