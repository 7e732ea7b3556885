/**
 * Servicing benchmark ("LMS: money moves"): repayments through the HTTP API (one loan; spread over
 * many), a backdated repayment on a 360-installment loan with 1,000 transactions, and one business
 * day of end of day over a generated book of many loans (lib/eod-book.ts: templates of the seeded
 * products imported through the service, copied set-based; due dates spread over the month, 7.5 % in
 * arrears, some crossing a class on the day; scored as of the day before, as a running book is) — each beside its
 * baseline measured in the same run. Plain tsx
 * script run by infra/bench.sh (BENCH_ONLY=servicing) against the dedicated lendstack_lms_bench database.
 *
 *   BENCH_REPAYMENTS (2000 per case)  BENCH_SINGLE_LOAN_REPAYMENTS (300: each replays all the loan's earlier ones)  BENCH_SPREAD_LOANS (10000)
 *   BENCH_CONCURRENCY (16)  BENCH_BACKDATED_TRANSACTIONS (1000)  BENCH_BACKDATED_RUNS (30)  BENCH_EOD_LOANS (100000)
 *   BENCH_EOD_WORKERS (4: the LMS's LMS_EOD_WORKERS)  BENCH_SERVICING_PARTS (repayments,backdated,eod)
 *   BENCH_LMS_PORT (3702)  BENCH_PAYOUT_PORT (3790)  BENCH_LMS_DB_POOL_MAX (10)
 *   BENCH_EOD_COLLECTIONS (same-process: the bench's LMS is also the collector, so the day's collections work (a signal
 *   per lifecycle event to the loan's workflow, on the same Temporal dev server) shares the two cores with the day;
 *   apart: it runs with LMS_COLLECTIONS_WORKER=false, as an end-of-day process beside collector processes elsewhere
 *   would, and no collector runs in the bench: the day's lifecycle events wait on Kafka for one)
 *   BENCH_PROFILE_DIR (unset: no profiling; set: V8 CPU profiles of the LMS, one file per phase, summarised by
 *   bench/profile-summary.ts: the backdated part writes one up to its requests and one of them; the end of day
 *   one up to its POST, one of its batches and one of the snapshot after them, in that order)
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseIsoDate, replayAccount, resumeAccount, type MoneyEvent } from '@lendstack/loan-engine';
import { signToken } from '@lendstack/platform';
import pg from 'pg';
import { startPayoutSandbox, stopPayoutSandbox } from '../sandboxes/payout-sandbox/src/control.js';
import { startServiceProcess, type ServiceProcess } from '../src/services.js';
import { createHttpClient, percentile, runBounded, type HttpClient } from './lib/http-load.js';
import { fmt, markdownTable, textTable, type Row } from './lib/report.js';
import { endOfDaySameRowsBaseline, repaymentBaseline } from './lib/servicing-baseline.js';
import { copyBook, templateSpecs, withHistory } from './lib/eod-book.js';
import { cloneLoan, publishApprovals } from './lib/servicing-fixtures.js';
import { intEnv } from './lib/env.js';
import { pidListeningOn } from './lib/processes.js';

const repayments = intEnv('BENCH_REPAYMENTS', 2_000, 1, 100_000);
const config = {
  repayments,
  singleLoanRepayments: intEnv('BENCH_SINGLE_LOAN_REPAYMENTS', Math.min(repayments, 300), 1, 100_000),
  spreadLoans: intEnv('BENCH_SPREAD_LOANS', 10_000, 1, 100_000),
  concurrency: intEnv('BENCH_CONCURRENCY', 16, 1, 256),
  backdatedTransactions: intEnv('BENCH_BACKDATED_TRANSACTIONS', 1_000, 2, 10_000),
  backdatedRuns: intEnv('BENCH_BACKDATED_RUNS', 30, 1, 1_000),
  eodLoans: intEnv('BENCH_EOD_LOANS', 100_000, 1, 1_000_000),
  eodWorkers: intEnv('BENCH_EOD_WORKERS', 4, 1, 32),
  lmsPort: intEnv('BENCH_LMS_PORT', 3702, 1, 65_535),
  payoutPort: intEnv('BENCH_PAYOUT_PORT', 3790, 1, 65_535),
  lmsPoolMax: intEnv('BENCH_LMS_DB_POOL_MAX', 10, 2, 100),
  runId: process.env.BENCH_RUN_ID ?? randomUUID().slice(0, 8),
  resultsDir: process.env.BENCH_RESULTS_DIR,
  lmsDatabaseUrl: process.env.LMS_DATABASE_URL ?? '',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  profileDir: process.env.BENCH_PROFILE_DIR,
  /** Which parts run (comma-separated: repayments, backdated, eod); default all three. */
  eodCollections: (() => {
    const v = process.env.BENCH_EOD_COLLECTIONS ?? 'same-process';
    if (v !== 'same-process' && v !== 'apart') throw new Error(`BENCH_EOD_COLLECTIONS must be same-process or apart (got ${v})`);
    return v;
  })(),
  parts: new Set((process.env.BENCH_SERVICING_PARTS ?? 'repayments,backdated,eod').split(',').map((s) => s.trim())),
};

// Never against a person's or the tests' databases, never off this machine.
const dbUrl = new URL(config.lmsDatabaseUrl || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) {
  throw new Error(`the bench only runs against a local *_bench database (got ${config.lmsDatabaseUrl || 'nothing'}); use infra/bench.sh`);
}

const t0 = Date.now();
const log = (line: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secret = `lendstack-bench-secret-${config.runId}-0123456789abcdef`;
const token = (tenantId: string) => `Bearer ${signToken(secret, { subject: 'bench', tenantId, roles: ['partner', 'operator', 'admin'] }, 7_200, Math.floor(Date.now() / 1000))}`;
const tenants = { repay: `bench-repay-${config.runId}`, backdated: `bench-backdated-${config.runId}`, eod: `bench-eod-${config.runId}`, probe: `bench-eodprobe-${config.runId}` };
const START = '2026-01-05';
const execFileAsync = promisify(execFile);
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const inr = (minor: bigint | number) => ({ amount: String(minor), currency: 'INR', scale: 2 });
const loanTerms = (termPeriods: number, principalMinor: number) => ({
  productCode: 'BENCH', principal: inr(principalMinor), annualRatePercent: '12', termPeriods, frequency: 'monthly' as const, scheduleMethod: 'equal-installment' as const,
  interestCalculation: 'daily' as const, dayCount: 'actual/365' as const, expectedDisbursementDate: START, firstDueDate: undefined, fees: [],
});

async function call(lms: ServiceProcess, tenantId: string, path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${lms.url}${path}`, {
    method, headers: { authorization: token(tenantId), 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Books the repayment and backdated template loans through Kafka, sets their tenants' business date and disburses them. */
async function templates(lms: ServiceProcess, db: pg.Pool) {
  for (const t of [tenants.repay, tenants.backdated]) {
    const r = await call(lms, t, '/v1/business-date', 'PUT', { date: START });
    if (r.status !== 200) throw new Error(`PUT business date: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const [repay, backdated] = await publishApprovals(config.kafkaBrokers.split(','), config.topicPrefix, [
    { tenantId: tenants.repay, loan: loanTerms(12, 10_000_000) },
    { tenantId: tenants.backdated, loan: loanTerms(360, 250_000_000) },
  ]) as [string, string];
  const ids = { repay, backdated };
  await until('the LMS to book the template loans', async () => {
    const n = Number((await db.query('SELECT count(*) FROM loan_accounts WHERE id = ANY($1)', [Object.values(ids)])).rows[0].count);
    return n === 2 ? true : undefined;
  });
  for (const [k, id] of Object.entries(ids)) {
    const tenantId = tenants[k as 'repay' | 'backdated'];
    const principal = k === 'backdated' ? 250_000_000 : 10_000_000;
    const r = await call(lms, tenantId, `/v1/loans/${id}/disbursements`, 'POST', { amount: inr(principal), valueDate: START });
    if (![201, 202].includes(r.status)) throw new Error(`disbursement: ${r.status} ${JSON.stringify(r.body)}`);
    await until(`disbursement of ${id}`, async () => ((await call(lms, tenantId, `/v1/loans/${id}`)).body?.status === 'active' ? true : undefined));
  }
  return ids;
}

interface RateResult { count: number; ok: number; ms: number; p50: number; p99: number; firstError?: string }

async function postRepayments(client: HttpClient, tenantId: string, loanIds: readonly string[], count: number): Promise<RateResult> {
  const headers = { 'content-type': 'application/json', authorization: token(tenantId) };
  const started = performance.now();
  const results = await runBounded(count, config.concurrency, (i) =>
    client.post(`/v1/loans/${loanIds[i % loanIds.length]}/repayments`, { ...headers, 'idempotency-key': `pay-${config.runId}-${i}-${loanIds.length}` },
      JSON.stringify({ amount: inr(1_000), valueDate: START, channel: 'upi', reference: `ref-${i}` })).catch((e: Error) => ({ status: 0, body: e.message, ms: 0 })));
  const ms = performance.now() - started;
  const ok = results.filter((r) => r.status === 201);
  const sorted = ok.map((r) => r.ms).sort((a, b) => a - b);
  const bad = results.find((r) => r.status !== 201);
  return { count, ok: ok.length, ms, p50: percentile(sorted, 50), p99: percentile(sorted, 99), ...(bad ? { firstError: `${bad.status} ${bad.body.slice(0, 300)}` } : {}) };
}

/** What the HTTP repayments wrote per repayment, and one loan's stored JSON (for a baseline of the same size). */
async function repaymentShape(db: pg.Pool, tenantId: string, sinceSeq: string, count: number, loanId: string) {
  const e = (await db.query('SELECT count(*)::int AS entries, (SELECT count(*)::int FROM journal_lines l JOIN journal_entries j ON j.id = l.entry_id WHERE j.tenant_id = $1 AND j.seq > $2) AS lines FROM journal_entries WHERE tenant_id = $1 AND seq > $2', [tenantId, sinceSeq])).rows[0];
  const s = (await db.query('SELECT snapshot::text AS snapshot, state::text AS state FROM loan_servicing WHERE loan_id = $1', [loanId])).rows[0];
  const entriesPerRepayment = Math.max(1, Math.round(e.entries / count));
  return { tenantId, entriesPerRepayment, linesPerEntry: Math.max(2, Math.round(e.lines / Math.max(1, e.entries))), snapshotJson: s.snapshot, stateJson: s.state, entries: e.entries as number, lines: e.lines as number };
}
/** The last seq written so far in `table` (the journal by default; the outbox's too). */
const maxSeq = async (db: pg.Pool, table: 'journal_entries' | 'outbox' = 'journal_entries') => String((await db.query(`SELECT coalesce(max(seq), 0)::text AS s FROM ${table}`)).rows[0].s);

async function benchRepayments(lms: ServiceProcess, db: pg.Pool, templateId: string) {
  log(`repayments: copying the disbursed template loan ${config.spreadLoans} times (SQL, not timed)`);
  const spread = await cloneLoan(db, templateId, `bench-r${config.runId}-`, config.spreadLoans, 5_000, log);
  const client = createHttpClient(lms.url, config.concurrency);
  try {
    const out: Record<string, { http: RateResult; baselineMs: number; entries: number; lines: number }> = {};
    for (const [name, loans, count] of [['single', [templateId], config.singleLoanRepayments], ['spread', spread, config.repayments]] as const) {
      const seq = await maxSeq(db);
      log(`repayments (${name}): ${count} over ${loans.length} loan(s), ${config.concurrency} in flight`);
      const http = await postRepayments(client, tenants.repay, loans, count);
      log(`  ${http.ok}/${count} in ${fmt(http.ms)} ms = ${fmt(http.ok / (http.ms / 1000))}/s${http.firstError ? ` · first error ${http.firstError}` : ''}`);
      const shape = await repaymentShape(db, tenants.repay, seq, http.ok, loans[0]!);
      const baselineMs = await repaymentBaseline(db, loans, count, config.concurrency, shape);
      log(`  baseline (plain INSERT/UPDATE, ${shape.entriesPerRepayment} entr(ies) × ${shape.linesPerEntry} lines): ${fmt(count / (baselineMs / 1000))}/s`);
      out[name] = { http, baselineMs, entries: shape.entries, lines: shape.lines };
    }
    return out;
  } finally {
    client.close();
  }
}

const engineEvents = (rows: { id: string; kind: string; value_date: string; amount_minor: string | null; target_id: string | null; status: string }[]): MoneyEvent[] =>
  rows.flatMap((t): MoneyEvent[] => {
    const valueDate = parseIsoDate(t.value_date);
    if (t.kind === 'disbursement') return t.status === 'confirmed' ? [{ kind: 'disbursement', id: t.id, valueDate, amountMinor: BigInt(t.amount_minor!) }] : [];
    if (t.kind === 'repayment') return [{ kind: 'repayment', id: t.id, valueDate, amountMinor: BigInt(t.amount_minor!) }];
    return [{ kind: 'reversal', id: t.id, targetId: t.target_id!, valueDate }];
  });

/** The pure engine replay of the same loan (schedule + events from the database, the engine's default product). */
async function engineReplayMs(db: pg.Pool, loanId: string, businessDate: string, runs: number, midDate: string): Promise<{ replay: number[]; resume: number[] }> {
  const schedule = (await db.query(`SELECT number, to_char(due_date, 'YYYY-MM-DD') AS due, principal_minor::text AS p, interest_minor::text AS i, fees_minor::text AS f FROM installments WHERE loan_id = $1 ORDER BY number`, [loanId])).rows
    .map((r) => ({ number: r.number as number, dueDate: parseIsoDate(r.due), principalMinor: BigInt(r.p), interestMinor: BigInt(r.i), feesMinor: BigInt(r.f) }));
  const events = engineEvents((await db.query(`SELECT id::text, kind, to_char(value_date, 'YYYY-MM-DD') AS value_date, amount_minor::text, target_id::text, status FROM loan_transactions WHERE loan_id = $1 ORDER BY seq`, [loanId])).rows);
  const input = { schedule, product: { strategy: 'penalties-fees-interest-principal' as const, graceDays: 0 }, events, businessDate: parseIsoDate(businessDate) };
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i += 1) {
    const started = performance.now();
    const r = replayAccount(input);
    if (!r.ok) throw new Error(`replayAccount: ${r.error.message}`);
    if (i >= 3) times.push(performance.now() - started);
  }
  // What the LMS runs for a backdated repayment: the replay resumed from the loan's last checkpoint
  // (December ends, as the LMS keeps them) before the value date, with the new repayment.
  const mid = parseIsoDate(midDate);
  const kept = replayAccount(input, { checkpointEveryMonths: 12 });
  const checkpoint = kept.ok ? [...(kept.value.checkpoints ?? [])].reverse().find((c) => c.asOf < mid) : undefined;
  if (!checkpoint) throw new Error('no checkpoint before the backdated value date');
  const changed = { ...input, events: [...events, { kind: 'repayment' as const, id: 'bench-resume', valueDate: mid, amountMinor: 1_000n }] };
  const resume: number[] = [];
  for (let i = 0; i < runs + 3; i += 1) {
    const started = performance.now();
    const r = resumeAccount(checkpoint, changed, { checkpointEveryMonths: 12 });
    if (!r.ok) throw new Error(`resumeAccount: ${r.error.message}`);
    if (i >= 3) resume.push(performance.now() - started);
  }
  return { replay: times, resume };
}

async function benchBackdated(lms: ServiceProcess, db: pg.Pool, loanId: string) {
  const n = config.backdatedTransactions - 2; // + the disbursement and the HTTP repayment that replays them all
  const weekly = BigInt((await db.query('SELECT total_minor::text AS t FROM installments WHERE loan_id = $1 AND number = 1', [loanId])).rows[0].t) * 12n / 52n;
  const last = addDays(START, 7 * n);
  log(`backdated: ${n} weekly repayments of ${weekly} minor written by SQL (${START} → ${last}), business date ${last}, then one HTTP repayment dated ${addDays(START, 1)} replays them all`);
  const moved = await call(lms, tenants.backdated, '/v1/business-date', 'PUT', { date: last });
  if (moved.status !== 200) throw new Error(`PUT business date: ${moved.status} ${JSON.stringify(moved.body)}`);
  await db.query(
    `INSERT INTO loan_transactions (id, tenant_id, loan_id, kind, value_date, amount_minor, currency, scale, channel, reference, status, request_hash, created_by)
     SELECT gen_random_uuid(), $1, $2, 'repayment', $3::date + 7 * g, $4::bigint, 'INR', 2, 'upi', 'sql-' || g, 'posted', 'bench', 'bench' FROM generate_series(1, $5::int) g`,
    [tenants.backdated, loanId, START, weekly.toString(), n]);
  const pay = (valueDate: string, minor: bigint) => call(lms, tenants.backdated, `/v1/loans/${loanId}/repayments`, 'POST', { amount: inr(minor), valueDate, channel: 'upi', reference: `bd-${randomUUID().slice(0, 8)}` });
  const sealStarted = performance.now();
  const seal = await pay(addDays(START, 1), 1_000n);
  if (seal.status !== 201) throw new Error(`sealing repayment: ${seal.status} ${JSON.stringify(seal.body).slice(0, 500)}`);
  log(`  first replay of all ${config.backdatedTransactions} transactions (ledger posted from scratch): ${fmt(performance.now() - sealStarted)} ms`);
  const httpMs: number[] = [];
  await profileMark();
  for (let i = 0; i < config.backdatedRuns + 2; i += 1) {
    const started = performance.now();
    const r = await pay(addDays(START, 7 * Math.floor(n / 2) + 1 + (i % 5)), 1_000n);
    if (r.status !== 201) throw new Error(`backdated repayment: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    if (i >= 2) httpMs.push(performance.now() - started); // two warm-up requests
  }
  await profileMark();
  const engineMs = await engineReplayMs(db, loanId, last, config.backdatedRuns, addDays(START, 7 * Math.floor(n / 2) + 1));
  const txCount = Number((await db.query('SELECT count(*) FROM loan_transactions WHERE loan_id = $1', [loanId])).rows[0].count);
  const installments = Number((await db.query('SELECT count(*) FROM installments WHERE loan_id = $1', [loanId])).rows[0].count);
  return { httpMs, engineMs, txCount, installments, midDate: addDays(START, 7 * Math.floor(n / 2) + 1), businessDate: last };
}

/**
 * With BENCH_PROFILE_DIR: asks the LMS (lib/cpu-profile.mjs) to write what it profiled since the last
 * mark and waits for the file, at most 15 s — so the second mark's file holds only what lies between the two.
 */
async function profileMark() {
  const dir = config.profileDir;
  const pid = pidListeningOn(config.lmsPort);
  if (!dir || pid === undefined) return;
  const count = () => readdirSync(dir).filter((f) => f.startsWith(`lms-${pid}`)).length;
  const before = count();
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 15_000;
  while (count() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  log(`  CPU profile of the LMS written to ${dir} (lms-${pid}${before > 0 ? `-${before + 1}` : ''}.cpuprofile)`);
}

/** The day the end-of-day bench measures (the book's business date is the day before). */
const EOD_DAY = '2026-06-15';

/** Seeds the demo products for `tenantId` with the LMS's own seed command (services/lms/src/seed.ts). */
async function seedProducts(tenantId: string) {
  await execFileAsync('pnpm', ['exec', 'tsx', 'src/seed.ts', tenantId], { cwd: fileURLToPath(new URL('../../../services/lms/', import.meta.url)), env: { ...process.env, LMS_DATABASE_URL: config.lmsDatabaseUrl } });
}

/** Books `records` through POST /v1/imports (JSON lines) and waits for the import; every record must be imported. External id → loan id. */
async function importRecords(lms: ServiceProcess, db: pg.Pool, tenantId: string, records: readonly Record<string, unknown>[]): Promise<Map<string, string>> {
  const res = await fetch(`${lms.url}/v1/imports`, {
    method: 'POST', headers: { authorization: token(tenantId), 'content-type': 'application/x-ndjson', 'idempotency-key': `bench-${config.runId}-${tenantId}` },
    body: `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
  });
  const created = await res.json() as { id: string };
  if (res.status !== 202) throw new Error(`POST /v1/imports: ${res.status} ${JSON.stringify(created)}`);
  const done = await until(`import ${created.id}`, async () => {
    const r = (await call(lms, tenantId, `/v1/imports/${created.id}`)).body;
    return r?.status === 'completed' ? r : undefined;
  }, 600_000, 250);
  if (done.progress.imported !== records.length) {
    const rejected = (await call(lms, tenantId, `/v1/imports/${created.id}/rows?status=rejected`)).body;
    throw new Error(`import ${created.id}: ${done.progress.imported} of ${records.length} imported: ${JSON.stringify(rejected).slice(0, 1_000)}`);
  }
  const rows = (await db.query<{ external_id: string; loan_id: string }>('SELECT external_id, loan_id FROM imported_loans WHERE tenant_id = $1', [tenantId])).rows;
  return new Map(rows.map((r) => [r.external_id, r.loan_id]));
}

/** Loans of the tenant by RBI class, accrual status and DPD band (the book's shape, before and after the day). */
async function bookShape(db: pg.Pool, tenantId: string) {
  return (await db.query<{ product: string; rbi: string; accrual: string; band: string; n: number }>(
    `SELECT product_code AS product, rbi_class AS rbi, accrual_status AS accrual, CASE WHEN dpd = 0 THEN '0' WHEN dpd <= 30 THEN '1-30' WHEN dpd <= 60 THEN '31-60' WHEN dpd <= 90 THEN '61-90' ELSE '91+' END AS band, count(*)::int AS n
     FROM loan_servicing WHERE tenant_id = $1 AND status = 'active' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, [tenantId])).rows;
}

/**
 * The book (lib/eod-book.ts): templates imported through the service (their schedules first learned from the same
 * records imported without history into a probe tenant), then copied set-based up to BENCH_EOD_LOANS loans.
 */
async function seedBook(lms: ServiceProcess, db: pg.Pool) {
  const businessDate = addDays(EOD_DAY, -1);
  const specs = templateSpecs(EOD_DAY);
  for (const t of [tenants.eod, tenants.probe]) {
    await seedProducts(t);
    const r = await call(lms, t, '/v1/business-date', 'PUT', { date: businessDate });
    if (r.status !== 200) throw new Error(`PUT business date: ${r.status} ${JSON.stringify(r.body)}`);
  }
  log(`end of day: ${specs.length} template loans over 4 seeded products imported through POST /v1/imports (business date ${businessDate})`);
  const probes = await importRecords(lms, db, tenants.probe, specs.map((s) => s.record));
  const schedules = new Map<string, { dueDate: string; totalMinor: string }[]>();
  for (const r of (await db.query<{ external_id: string; due: string; total: string }>(
    `SELECT i.external_id, to_char(s.due_date, 'YYYY-MM-DD') AS due, s.total_minor::text AS total FROM imported_loans i JOIN installments s ON s.loan_id = i.loan_id WHERE i.tenant_id = $1 ORDER BY s.number`, [tenants.probe])).rows) {
    schedules.set(r.external_id, [...(schedules.get(r.external_id) ?? []), { dueDate: r.due, totalMinor: r.total }]);
  }
  if (probes.size !== specs.length) throw new Error('probe import incomplete');
  const loans = await importRecords(lms, db, tenants.eod, specs.map((s) => withHistory(s, schedules.get(s.externalId) ?? [], businessDate)));
  const templates = specs.map((s) => ({ loanId: loans.get(s.externalId)!, ppm: s.ppm, spec: s }));
  const copies = config.eodLoans - templates.length;
  log(`end of day: copying the templates into ${copies} loans (SQL, not timed)`);
  const copyStarted = performance.now();
  await copyBook(db, templates, `bench-e${config.runId}-`, Math.max(0, copies), 20_000, config.eodWorkers, log);
  const copyMs = performance.now() - copyStarted;
  const vacuumStarted = performance.now();
  for (const t of ['loan_servicing', 'loan_accounts', 'loan_balances', 'installments', 'schedule_versions', 'schedule_terms', 'loan_transactions', 'delinquency_history', 'journal_entries', 'journal_lines']) await db.query(`VACUUM ANALYZE ${t}`);
  log(`  copied in ${fmt(copyMs / 1000, 1)} s, VACUUM ANALYZE ${fmt((performance.now() - vacuumStarted) / 1000, 1)} s`);
  // A running book has the scores of the day before: the day's re-score then warns only of the loans newly over the
  // threshold, not of every flagged loan as a book scored for the first time would (half this book's loans). Scored
  // with the LMS's own command, not timed, and its warnings published before the day starts.
  const scoreStarted = performance.now();
  const scored = await execFileAsync('pnpm', ['exec', 'tsx', 'src/cli.ts', 'early-warning', 'score', '--tenant', tenants.eod, '--as-of', businessDate, '--concurrency', String(config.eodWorkers)],
    { cwd: fileURLToPath(new URL('../../../services/lms/', import.meta.url)), env: { ...process.env, LMS_DATABASE_URL: config.lmsDatabaseUrl } });
  await until('the outbox to be published', async () => (Number((await db.query('SELECT count(*) FROM outbox WHERE sent_at IS NULL')).rows[0].count) === 0 ? true : undefined), 3_600_000, 500);
  log(`  the scores of ${businessDate} (the day before): ${scored.stdout.trim()}; published in ${fmt((performance.now() - scoreStarted) / 1000, 1)} s`);
  return { templates: templates.length, copyMs };
}

async function benchEndOfDay(lms: ServiceProcess, db: pg.Pool) {
  const seeded = await seedBook(lms, db);
  const day = EOD_DAY;
  const before = await bookShape(db, tenants.eod);
  const dueOnDay = Number((await db.query(`SELECT count(*) FROM installments i JOIN loan_servicing s ON s.loan_id = i.loan_id WHERE s.tenant_id = $1 AND s.status = 'active' AND i.due_date = $2::date`, [tenants.eod, day])).rows[0].count);
  const seq = await maxSeq(db);
  const sinceOutboxSeq = await maxSeq(db, 'outbox');
  const advancedBy = async () => {
    const text = await (await fetch(`${lms.url}/metrics`)).text();
    const of = (path: string) => Number(new RegExp(`lendstack_eod_loans_advanced_total\\{[^}]*path="${path}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { quiet: of('quiet'), engine: of('engine') };
  };
  const paths0 = await advancedBy();
  log(`end of day ${addDays(day, -1)} → ${day} over ${config.eodLoans} loans (${dueOnDay} with an installment due on the day) through POST /v1/end-of-day-runs (${config.eodWorkers} workers; the collector ${config.eodCollections === 'same-process' ? 'in the same process' : 'apart: none runs here'})`);
  // With BENCH_PROFILE_DIR: the LMS's profile so far (seeding) is written here, then one of the batches, then one of the re-score.
  await profileMark();
  const started = performance.now();
  const run = await call(lms, tenants.eod, '/v1/end-of-day-runs', 'POST', { to: day });
  if (run.status !== 202) throw new Error(`POST end-of-day-runs: ${run.status} ${JSON.stringify(run.body)}`);
  let lastLog = 0;
  let batchesMs: number | undefined;
  const done = await until('end of day', async () => {
    const r = (await call(lms, tenants.eod, `/v1/end-of-day-runs/${run.body.id}`)).body;
    if (Date.now() - lastLog > 10_000) { log(`  ${JSON.stringify(r.progress)}`); lastLog = Date.now(); }
    if (r.status === 'failed') throw new Error(`end of day failed: ${r.error}`);
    if (batchesMs === undefined && r.progress.loansDone === r.progress.loansTotal && r.progress.loansTotal > 0) {
      batchesMs = performance.now() - started;
      void profileMark();
    }
    return r.status === 'completed' ? r : undefined;
  }, 3_600_000, 100);
  const eodMs = performance.now() - started;
  await profileMark();
  const paths1 = await advancedBy();
  const paths = { quiet: paths1.quiet - paths0.quiet, engine: paths1.engine - paths0.engine };
  const advanced = Number((await db.query(`SELECT count(*) FROM loan_servicing WHERE tenant_id = $1 AND as_of = $2::date`, [tenants.eod, day])).rows[0].count);
  const written = (await db.query('SELECT count(*)::int AS entries, count(DISTINCT loan_id)::int AS loans FROM journal_entries WHERE tenant_id = $1 AND seq > $2', [tenants.eod, seq])).rows[0];
  const lines = Number((await db.query('SELECT count(*) FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE e.tenant_id = $1 AND e.seq > $2', [tenants.eod, seq])).rows[0].count);
  const unbalanced = Number((await db.query(
    `SELECT count(*) FROM (SELECT l.loan_id FROM journal_lines l WHERE l.tenant_id = $1 GROUP BY l.loan_id, l.currency HAVING sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) <> 0) x`, [tenants.eod])).rows[0].count);
  const after = await bookShape(db, tenants.eod);
  log(`  ${advanced} loans advanced in ${fmt(eodMs)} ms (batches ${fmt(batchesMs ?? eodMs)} ms, each scoring its loans' early warning, then the portfolio snapshot; ${paths.quiet} quiet, ${paths.engine} through the engine; ${written.entries} journal entries, ${lines} lines, on ${written.loans} loans; loans whose ledger does not balance: ${unbalanced})`);
  const ids = (await db.query<{ loan_id: string }>(`SELECT loan_id FROM loan_servicing WHERE tenant_id = $1 AND as_of = $2::date ORDER BY loan_id`, [tenants.eod, day])).rows.map((r) => r.loan_id);
  // The baselines need only the database. The LMS would otherwise go on running the day's collections workflows
  // (a signal per lifecycle event) beside them, on the same two cores, and slow the baseline the day is compared with.
  log('  stopping the LMS before the baselines, so that its collections work does not run beside them');
  await lms.stop();
  const baselineMs = await endOfDaySameRowsBaseline(db, tenants.eod, ids, day, seq, 1_000, config.eodWorkers);
  log(`  baseline (the same rows by raw set-based SQL): ${fmt(ids.length / (baselineMs / 1000))} loans/s`);
  const allMs = await endOfDaySameRowsBaseline(db, tenants.eod, ids, day, seq, 1_000, config.eodWorkers, { sinceOutboxSeq });
  log(`  baseline (every row the day wrote: the same and its outbox events and early-warning scores): ${fmt(ids.length / (allMs / 1000))} loans/s`);
  const baselines = [
    { name: `raw set-based SQL writing the day's same rows, batches of 1,000 over ${config.eodWorkers} connections`, ms: baselineMs },
    { name: `the same and the day's outbox events and early-warning scores (every row but the portfolio snapshot)`, ms: allMs },
  ];
  return { loans: config.eodLoans, advanced, eodMs, batchesMs: batchesMs ?? eodMs, paths, baselines, entries: written.entries as number, lines, progress: done.progress, dueOnDay, before, after, unbalanced, ...seeded };
}

async function main() {
  log(`run ${config.runId}: repayments ${config.singleLoanRepayments}/${config.repayments} over 1/${config.spreadLoans} loans, backdated ${config.backdatedRuns} runs on ${config.backdatedTransactions} transactions, EOD over ${config.eodLoans} loans`);
  const db = new pg.Pool({ connectionString: config.lmsDatabaseUrl, max: config.concurrency + 2 });
  db.on('error', (error) => log(`database connection lost: ${error.message}`));
  const sandbox = { port: config.payoutPort, pidFile: join(tmpdir(), `servicing-bench-payouts-${config.runId}.pid`), logFile: join(tmpdir(), `servicing-bench-payouts-${config.runId}.log`) };
  let lms: ServiceProcess | undefined;
  try {
    await startPayoutSandbox({ ...sandbox, env: { PAYOUT_WEBHOOK_URL: `http://127.0.0.1:${config.lmsPort}/v1/payout-webhooks/razorpayx`, PAYOUT_SANDBOX_DELAY_MS: '50' } });
    lms = await startServiceProcess('lms', config.lmsPort, {
      AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: config.kafkaBrokers, KAFKA_TOPIC_PREFIX: config.topicPrefix, LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none',
      LMS_DATABASE_URL: config.lmsDatabaseUrl, LMS_DB_POOL_MAX: String(config.lmsPoolMax), TEMPORAL_ADDRESS: config.temporalAddress,
      LMS_CONSUMER_GROUP: `lms-servicing-bench-${config.runId}`, LMS_CONSUMER_FROM_BEGINNING: 'true', TEMPORAL_TASK_QUEUE: `collections-servicing-bench-${config.runId}`,
      PAYOUT_BASE_URL: `http://127.0.0.1:${config.payoutPort}`, LMS_EOD_WORKERS: String(config.eodWorkers),
      LMS_COLLECTIONS_WORKER: String(config.eodCollections === 'same-process'),
      ...(config.profileDir
        ? { BENCH_PROFILE_DIR: config.profileDir, BENCH_PROFILE_NAME: 'lms', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${new URL('./lib/cpu-profile.mjs', import.meta.url).href}`.trim() }
        : {}),
    });
    log('LMS and payout sandbox ready; booking and disbursing the template loans');
    const ids = config.parts.has('repayments') || config.parts.has('backdated') ? await templates(lms, db) : undefined;
    const rep = ids && config.parts.has('repayments') ? await benchRepayments(lms, db, ids.repay) : undefined;
    const bd = ids && config.parts.has('backdated') ? await benchBackdated(lms, db, ids.backdated) : undefined;
    const eod = config.parts.has('eod') ? await benchEndOfDay(lms, db) : undefined;
    report(rep, bd, eod);
  } finally {
    await lms?.stop();
    await stopPayoutSandbox(sandbox);
    await db.end();
  }
}

type Rep = Awaited<ReturnType<typeof benchRepayments>>;
function report(rep: Rep | undefined, bd: Awaited<ReturnType<typeof benchBackdated>> | undefined, eod: Awaited<ReturnType<typeof benchEndOfDay>> | undefined) {
  const rate = (n: number, ms: number) => n / (ms / 1000);
  const repRows: Row[] = rep === undefined ? [] : (['single', 'spread'] as const).flatMap((k) => {
    const r = rep[k]!;
    const label = k === 'single' ? 'one loan (row lock serialises)' : `spread over ${fmt(config.spreadLoans)} loans`;
    const httpRate = rate(r.http.ok, r.http.ms);
    const baseRate = rate(r.http.count, r.baselineMs);
    return [
      [`HTTP POST /repayments, ${label}`, fmt(r.http.ok), fmt(r.http.ms / 1000, 2), fmt(httpRate), fmt(r.http.p50), fmt(r.http.p99), `${fmt(r.entries / r.http.ok, 1)} / ${fmt(r.lines / r.http.ok, 1)}`],
      [`  plain INSERT/UPDATE, same rows, ${label}`, fmt(r.http.count), fmt(r.baselineMs / 1000, 2), fmt(baseRate), '', '', `ratio ${fmt(httpRate / baseRate, 2)}`],
    ];
  });
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const h = sorted(bd?.httpMs ?? []);
  const e = sorted(bd?.engineMs.replay ?? []);
  const er = sorted(bd?.engineMs.resume ?? []);
  const bdRows: Row[] = bd === undefined ? [] : [
    [`backdated repayment via HTTP (value date ≈ ${bd.midDate})`, fmt(h.length), fmt(percentile(h, 50), 1), fmt(percentile(h, 99), 1), fmt(h.at(-1), 1)],
    ['  engine alone, in the bench process: replayAccount of the whole loan', fmt(e.length), fmt(percentile(e, 50), 1), fmt(percentile(e, 99), 1), fmt(e.at(-1), 1)],
    ['  engine alone: resumeAccount from the checkpoint before the value date (what the LMS runs)', fmt(er.length), fmt(percentile(er, 50), 1), fmt(percentile(er, 99), 1), fmt(er.at(-1), 1)],
  ];
  const eodRate = eod === undefined ? 0 : rate(eod.advanced, eod.eodMs);
  const batchRate = eod === undefined ? 0 : rate(eod.advanced, eod.batchesMs);
  const eodRows: Row[] = eod === undefined ? [] : [
    [`end of day, one business day (POST /v1/end-of-day-runs → completed), ${config.eodWorkers} workers, the collector ${config.eodCollections === 'same-process' ? 'in the same process' : 'apart'}`, fmt(eod.advanced), fmt(eod.eodMs / 1000, 2), fmt(eodRate), `${fmt(eod.entries)} / ${fmt(eod.lines)}`],
    [`  of which the batches (${fmt(eod.paths.quiet)} loans quiet, ${fmt(eod.paths.engine)} through the engine), before the early-warning re-score`, fmt(eod.advanced), fmt(eod.batchesMs / 1000, 2), fmt(batchRate), ''],
    ...eod.baselines.map((b): Row => [`  ${b.name}`, fmt(eod.advanced), fmt(b.ms / 1000, 2), fmt(rate(eod.advanced, b.ms)), `ratio ${fmt(eodRate / rate(eod.advanced, b.ms), 2)} (batches ${fmt(batchRate / rate(eod.advanced, b.ms), 2)})`]),
  ];
  const shape = (rows: { product: string; rbi: string; accrual: string; band: string; n: number }[]) => new Map(rows.map((r) => [`${r.product} ${r.rbi} ${r.accrual} dpd ${r.band}`, r.n]));
  const shapeRows: Row[] = eod === undefined ? [] : (() => {
    const b = shape(eod.before);
    const a = shape(eod.after);
    return [...new Set([...b.keys(), ...a.keys()])].sort().map((k): Row => [k, fmt(b.get(k) ?? 0), fmt(a.get(k) ?? 0)]);
  })();
  const sections = (table: (hd: Row, rows: Row[]) => string) => [
    ...(rep ? [table(['repayments', 'n', 'seconds', 'per s', 'p50 ms', 'p99 ms', 'entries / lines per repayment'], repRows)] : []),
    ...(bd ? [table([`backdated: ${bd.installments} installments, ${bd.txCount} transactions at the end, business date ${bd.businessDate}`, 'runs', 'p50 ms', 'p99 ms', 'max ms'], bdRows)] : []),
    ...(eod ? [table(['end of day', 'loans', 'seconds', 'loans/s', 'journal entries / lines'], eodRows),
      table([`the book (${fmt(eod.templates)} imported templates, copied in ${fmt(eod.copyMs / 1000, 1)} s; ${fmt(eod.dueOnDay)} loans due on ${EOD_DAY}; loans whose ledger does not balance after: ${fmt(eod.unbalanced)})`, 'loans before', 'after the day'], shapeRows)] : []),
  ];
  console.log(`\n${sections(textTable).join('\n\n')}\n`);
  if (config.resultsDir) {
    mkdirSync(config.resultsDir, { recursive: true });
    const file = `${config.resultsDir}/servicing-${config.runId}.md`;
    writeFileSync(file, `run ${config.runId}, ${new Date().toISOString()}\n\n${sections(markdownTable).join('\n\n')}\n`);
    log(`markdown tables written to ${file}`);
  }
}

await main();
