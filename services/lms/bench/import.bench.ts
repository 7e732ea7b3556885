/**
 * Migration import benchmark: BENCH_IMPORT_ROWS (10,000) loans as JSON lines — INR 12-month loans
 * disbursed 30 to 120 days before the business date, each with its repayments so far and one in ten
 * with a reversed payment — stored (POST /v1/imports' use case, streamed from a file) and booked
 * (the runner's use case: engine replay to the business date, ledger, servicing state) in batches of
 * BENCH_IMPORT_BATCH (500); beside, in the same run, the plain INSERT of the same lines (unnest, 500
 * per statement, one transaction) into a table of (external id, record). Run by infra/bench.sh
 * (BENCH_ONLY=import) against a local *_bench database only.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { setBusinessDate } from '../src/modules/business-date/business-date.repository.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { acceptImport } from '../src/modules/imports/use-cases/accept-import.js';
import { processImport } from '../src/modules/imports/use-cases/process-import.js';
import { intEnv } from '../../../packages/testing/bench/lib/env.js';

const ROWS = intEnv('BENCH_IMPORT_ROWS', 10_000, 100, 1_000_000);
const BATCH = intEnv('BENCH_IMPORT_BATCH', 500, 10, 5_000);
const BUSINESS_DATE = '2026-11-30';
const dbUrl = new URL(process.env.LMS_DATABASE_URL || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) throw new Error('the bench only runs against a local *_bench database; use infra/bench.sh');

const t0 = performance.now();
const log = (line: string) => console.log(`[import bench +${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 4 });
const tenant = `impbench-${randomUUID().slice(0, 8)}`;
const day = (n: number) => new Date(Date.parse(`${BUSINESS_DATE}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const addMonths = (iso: string, m: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + m);
  return d.toISOString().slice(0, 10);
};

/** The i-th loan: deterministic, so every run imports the same book. */
function record(i: number): string {
  const ageDays = 30 + ((i * 37) % 91);
  const disbursed = day(ageDays);
  const principal = 5_000_000 + ((i * 7919) % 20) * 500_000;
  const installment = Math.round((principal * 0.01) / (1 - 1.01 ** -12));
  const history: object[] = [];
  for (let m = 1; addMonths(disbursed, m) <= BUSINESS_DATE; m += 1) {
    if ((i + m) % 7 === 0) continue; // a missed one now and then
    history.push({ kind: 'repayment', id: `r${m}`, valueDate: addMonths(disbursed, m), amount: String(installment), channel: 'nach', reference: `n-${i}-${m}` });
  }
  const first = history[0] as { id: string; valueDate: string } | undefined;
  if (i % 10 === 0 && first) history.push({ kind: 'reversal', id: 'x1', valueDate: first.valueDate, targetId: first.id, reason: 'NACH return' });
  return JSON.stringify({
    externalId: `BENCH-${String(i).padStart(7, '0')}`, productCode: 'PL-12', principal: { amount: String(principal), currency: 'INR', scale: 2 }, annualRatePercent: '12',
    termPeriods: 12, frequency: 'monthly', disbursementDate: disbursed, borrower: { reference: `cif-${i}`, region: ['MH', 'KA', 'DL', 'TN'][i % 4] }, history,
  });
}

async function writeBook(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 1; i <= ROWS; i += 1) if (!out.write(`${record(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** The baseline: the same lines, as they are, into a plain table (500 per INSERT, one transaction). */
async function plainInsert(path: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_import_plain; CREATE TABLE bench_import_plain (external_id text PRIMARY KEY, record jsonb NOT NULL)');
    const start = performance.now();
    await client.query('BEGIN');
    let ids: string[] = [];
    let recs: string[] = [];
    const flush = async () => {
      if (ids.length) await client.query('INSERT INTO bench_import_plain SELECT * FROM unnest($1::text[], $2::jsonb[])', [ids, recs]);
      ids = [];
      recs = [];
    };
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      ids.push((JSON.parse(line) as { externalId: string }).externalId);
      recs.push(line);
      if (ids.length >= 500) await flush();
    }
    await flush();
    await client.query('COMMIT');
    return performance.now() - start;
  } finally {
    client.release();
  }
}

const path = join(tmpdir(), `import-bench-${tenant}.ndjson`);
log(`writing ${ROWS} loans to ${path}`);
await writeBook(path);
await setBusinessDate(pool, tenant, BUSINESS_DATE, () => BUSINESS_DATE);
const plainMs = await plainInsert(path);
log(`plain INSERT of the same ${ROWS} lines: ${(plainMs / 1000).toFixed(2)} s`);
const acceptStart = performance.now();
const accepted = await acceptImport({ pool, newId: randomUUID }, { tenantId: tenant, actor: 'bench', idempotencyKey: `bench-${tenant}`, format: 'ndjson', body: createReadStream(path) });
if (!accepted.ok) throw new Error(accepted.detail);
const acceptMs = performance.now() - acceptStart;
log(`stored: ${(acceptMs / 1000).toFixed(2)} s`);
const bookStart = performance.now();
const done = await processImport({ pool, ledger: createPgLedger(), today: () => BUSINESS_DATE, now: () => new Date() }, accepted.import.id, {
  batchSize: BATCH, onProgress: (p) => { if (p.rowsDone % (BATCH * 10) === 0) log(`booked ${p.rowsDone}/${p.rowsTotal}`); },
});
const bookMs = performance.now() - bookStart;
const counts = (await pool.query<{ entries: string; txs: string }>(
  `SELECT (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS entries, (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS txs`, [tenant])).rows[0]!;
const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
const rows = [
  ['plain INSERT of the same lines (baseline)', (plainMs / 1000).toFixed(2), rate(plainMs), '1.000'],
  ['import: store (stream, parse, check shape)', (acceptMs / 1000).toFixed(2), rate(acceptMs), (plainMs / acceptMs).toFixed(3)],
  ['import: book (engine replay, ledger, state)', (bookMs / 1000).toFixed(2), rate(bookMs), (plainMs / bookMs).toFixed(3)],
  ['import: store + book', ((acceptMs + bookMs) / 1000).toFixed(2), rate(acceptMs + bookMs), (plainMs / (acceptMs + bookMs)).toFixed(3)],
];
console.log(`\n${ROWS} loans, batches of ${BATCH}: ${done?.rowsImported} imported, ${done?.rowsRejected} rejected; ${counts.txs} loan transactions, ${counts.entries} journal entries written\n`);
console.log('| step | s | loans/s | × plain INSERT rate |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
await pool.query('DROP TABLE IF EXISTS bench_import_plain');
await pool.end();
