/**
 * Statement benchmark: one 360-installment loan (30 years, monthly) disbursed and taken through
 * BENCH_STATEMENT_DAYS (730) days of end of day, so its ledger holds a daily accrual per day plus the
 * instalments fallen due; then its statement over the whole range generated BENCH_STATEMENT_ROUNDS (20)
 * times as JSON (read + build + view) and as PDF (read + build + draw), beside, in the same run, the plain
 * SQL read of the same journal lines and installments. Run by infra/bench.sh (BENCH_ONLY=statements)
 * against lendstack_lms_bench only.
 */
import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import pg from 'pg';
import { setBusinessDate } from '../src/modules/business-date/business-date.repository.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import type { PayoutPort } from '../src/modules/payouts/ports.js';
import { requestHash } from '../src/modules/servicing/domain/servicing.js';
import { requestDisbursement, type DisbursementDeps } from '../src/modules/servicing/use-cases/disbursements.js';
import { createEodRun, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { renderStatementPdf } from '../src/modules/statements/adapters/pdfkit-statement.renderer.js';
import { readStatement } from '../src/modules/statements/adapters/pg-statement.reader.js';
import { statementView } from '../src/modules/statements/adapters/statements.routes.js';
import { intEnv } from '../../../packages/testing/bench/lib/env.js';

const DAYS = intEnv('BENCH_STATEMENT_DAYS', 730, 30, 3_650);
const ROUNDS = intEnv('BENCH_STATEMENT_ROUNDS', 20, 1, 1_000);
const dbUrl = new URL(process.env.LMS_DATABASE_URL || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) throw new Error('the bench only runs against a local *_bench database; use infra/bench.sh');

const t0 = performance.now();
const log = (line: string) => console.log(`[statements bench +${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const instant: PayoutPort = { submit: async (r) => ({ providerPayoutId: `p_${r.payoutId.slice(0, 8)}`, status: 'processed' }), status: async () => ({ error: 'not-found' }), verifyWebhook: () => ({ error: 'malformed', detail: 'unused' }) };
const pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 4 });
const tenant = `stbench-${randomUUID().slice(0, 8)}`;
const deps: DisbursementDeps = { pool, ledger: createPgLedger(), payouts: instant, now: () => new Date(), today: () => '2026-01-01', newId: randomUUID, onOutbox: () => undefined };

/** Median and p95 of `rounds` timed runs of `work` (ms), after one untimed warm-up. */
async function timed(work: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  await work();
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const start = performance.now();
    await work();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, p95: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)]! };
}

async function main(): Promise<void> {
  await setBusinessDate(pool, tenant, '2026-01-05', deps.today);
  const event = sampleLoanApprovedV1({ tenantId: tenant, loan: { productCode: 'BENCH-HL', principal: { amount: '500000000', currency: 'INR', scale: 2 }, annualRatePercent: '9', termPeriods: 360, frequency: 'monthly', scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: [] } as never });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  const loanId = booked.account.id;
  const paid = await requestDisbursement(deps, { tenantId: tenant, loanId, actor: 'bench', amount: { amount: '500000000', currency: 'INR', scale: 2 }, valueDate: '2026-01-05', requestHash: requestHash(['disbursement', loanId]) });
  if (!paid.ok) throw new Error(paid.error.detail);
  const to = new Date(Date.parse('2026-01-05T00:00:00Z') + DAYS * 86_400_000).toISOString().slice(0, 10);
  const run = await createEodRun(deps, { tenantId: tenant, to, actor: 'bench', requestHash: requestHash(['eod', to]) });
  if (!run.ok) throw new Error(run.detail);
  if ((await runEndOfDay(deps, run.run.id)).status !== 'completed') throw new Error('end of day did not complete');
  const from = '2026-01-01';
  const s = await readStatement(pool, tenant, loanId, from, to);
  if (!s) throw new Error('no statement');
  log(`loan ${loanId}: 360 instalments, ${DAYS} days of end of day to ${to}; statement ${s.rows.length} rows, ${s.scheduleAhead.length} instalments ahead; ${ROUNDS} rounds each`);

  const baseline = await timed(async () => {
    await pool.query(`SELECT l.entry_id, e.seq, e.kind, e.effect_key, l.value_date, l.logical_account, l.side, l.amount_minor FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
      WHERE l.loan_id = $1 AND l.tenant_id = $2 AND l.value_date BETWEEN $3::date AND $4::date ORDER BY l.value_date, e.seq, l.line_no`, [loanId, tenant, from, to]);
    await pool.query('SELECT * FROM installments WHERE loan_id = $1 AND due_date > $2::date ORDER BY number', [loanId, to]);
  });
  const json = await timed(async () => JSON.stringify(statementView((await readStatement(pool, tenant, loanId, from, to))!)));
  let pdfBytes = 0;
  const pdf = await timed(async () => { pdfBytes = (await renderStatementPdf((await readStatement(pool, tenant, loanId, from, to))!)).length; });
  const f = (n: number) => n.toFixed(1);
  console.log('| statement of a 360-instalment loan | median ms | p95 ms | × plain SQL read |');
  console.log('|---|---:|---:|---:|');
  console.log(`| plain SQL read of the same lines + instalments (baseline) | ${f(baseline.median)} | ${f(baseline.p95)} | 1.00 |`);
  console.log(`| JSON (read, build, view, serialise) | ${f(json.median)} | ${f(json.p95)} | ${(json.median / baseline.median).toFixed(2)} |`);
  console.log(`| PDF (read, build, draw; ${Math.round(pdfBytes / 1024)} KiB) | ${f(pdf.median)} | ${f(pdf.p95)} | ${(pdf.median / baseline.median).toFixed(2)} |`);
}

try {
  await main();
} finally {
  await pool.end();
}
