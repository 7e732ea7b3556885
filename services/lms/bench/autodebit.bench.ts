/**
 * Auto-debit benchmark: a presentment batch of BENCH_AUTODEBIT_DEBITS (100,000) ACH debits presented as NACHA
 * files to the ACH sandbox process, returned by it, and the results applied: BENCH_AUTODEBIT_POSTED (2,000) of
 * them settle on disbursed loans and post repayments through servicing; the others (accounts ending 0001) come
 * back R01 and are applied as returns (a re-presentment scheduled each). Beside, in the same run: the pure NACHA
 * codec over the same number of entries (write, bank-side parse and return file, read), and the same number of
 * repayments posted straight through applyMoneyEvent on other copies of the loan. Run by infra/bench.sh
 * (BENCH_ONLY=autodebit) against lendstack_lms_bench only.
 *
 *   BENCH_AUTODEBIT_DEBITS (100000)  BENCH_AUTODEBIT_POSTED (2000)  BENCH_AUTODEBIT_FILE_DEBITS (20000: the sandbox takes files up to 5 MB)
 *   BENCH_ACH_PORT (3792)
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { parseNachaFile, writeNachaFile, writeReturnFile, type BankAnswer } from '@lendstack/nacha';
import { startAchSandbox, stopAchSandbox } from '@lendstack/testing/ach-sandbox';
import pg from 'pg';
import { cloneLoan } from '../../../packages/testing/bench/lib/servicing-fixtures.js';
import { createAchCollectionRail } from '../src/modules/autodebit/adapters/ach-collection-rail.adapter.js';
import { readAchResultFile } from '../src/modules/autodebit/domain/ach-results.js';
import { collectResults } from '../src/modules/autodebit/use-cases/apply-results.js';
import { presentDue } from '../src/modules/autodebit/use-cases/present-batch.js';
import { setBusinessDate } from '../src/modules/business-date/business-date.repository.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import { derivedAccountResolver } from '../src/modules/payouts/adapters/ach-account.resolver.js';
import { createAchBankClient } from '../src/modules/payouts/adapters/ach-bank.client.js';
import type { PayoutPort } from '../src/modules/payouts/ports.js';
import { requestHash } from '../src/modules/servicing/domain/servicing.js';
import { applyMoneyEvent } from '../src/modules/servicing/use-cases/apply-money-event.js';
import { requestDisbursement, type DisbursementDeps } from '../src/modules/servicing/use-cases/disbursements.js';
import { intEnv } from '../../../packages/testing/bench/lib/env.js';

const N = intEnv('BENCH_AUTODEBIT_DEBITS', 100_000, 10, 1_000_000);
const POSTED = intEnv('BENCH_AUTODEBIT_POSTED', 2_000, 1, 100_000);
const PER_FILE = intEnv('BENCH_AUTODEBIT_FILE_DEBITS', 20_000, 100, 50_000);
const PORT = intEnv('BENCH_ACH_PORT', 3792, 1, 65_535);
if (POSTED > N) throw new Error('BENCH_AUTODEBIT_POSTED must not exceed BENCH_AUTODEBIT_DEBITS');
const dbUrl = new URL(process.env.LMS_DATABASE_URL || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) throw new Error('the bench only runs against a local *_bench database; use infra/bench.sh');

const t0 = performance.now();
const log = (line: string) => console.log(`[autodebit bench +${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `ach-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `ach-sandbox-${PORT}.log`) };
const instant: PayoutPort = { submit: async (r) => ({ providerPayoutId: `p_${r.payoutId.slice(0, 8)}`, status: 'processed' }), status: async () => ({ error: 'not-found' }), verifyWebhook: () => ({ error: 'malformed', detail: 'unused' }) };
const originator = { companyName: 'LENDSTACK', companyId: '1234567890', odfiRouting: '231380104', odfiName: 'LENDSTACK', destinationRouting: '231380104', destinationName: 'SANDBOX ODFI', entryDescription: 'LOAN PYMT' };

const pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 12 });
const tenant = `adbench-${randomUUID().slice(0, 8)}`;
const deps: DisbursementDeps = { pool, ledger: createPgLedger(), payouts: instant, now: () => new Date(), today: () => '2026-01-01', newId: randomUUID, onOutbox: () => undefined };

/** One disbursed USD loan ($1,000.00, 4 fortnightly instalments) and `copies` copies of it. */
async function loans(copies: number): Promise<string[]> {
  await setBusinessDate(pool, tenant, '2026-01-05', deps.today);
  const event = sampleLoanApprovedV1({ tenantId: tenant, loan: { productCode: 'BNPL-4', principal: { amount: '100000', currency: 'USD', scale: 2 }, annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: [] } as never });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  const body = { amount: { amount: '100000', currency: 'USD', scale: 2 }, valueDate: '2026-01-05' };
  const d = await requestDisbursement(deps, { tenantId: tenant, loanId: booked.account.id, actor: 'bench', ...body, requestHash: requestHash(['disbursement', booked.account.id, body]) });
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  const ids = await cloneLoan(pool, booked.account.id, `adb${randomUUID().slice(0, 6)}-`, copies, 1_000, log);
  await setBusinessDate(pool, tenant, '2026-02-27', deps.today);
  return ids;
}

/** The pure codec over n entries: the file, the bank's parse and return file (every entry R01), our reading of it. */
function codecBaseline(n: number): number {
  const started = performance.now();
  for (let from = 0; from < n; from += PER_FILE) {
    const count = Math.min(PER_FILE, n - from);
    const batches = Array.from({ length: Math.ceil(count / 9_999) }, (_, b) => ({
      companyName: 'LENDSTACK', companyId: '1234567890', secCode: 'PPD' as const, entryDescription: 'LOAN PYMT', effectiveEntryDate: '2026-01-20', odfiIdentification: '23138010', batchNumber: b + 1,
      entries: Array.from({ length: Math.min(9_999, count - b * 9_999) }, (_, i) => ({ transactionCode: 27 as const, rdfiRouting: '021000021', accountNumber: `5550${i}0001`, amountCents: 25_000n, individualId: `L${i}`, individualName: 'BENCH', traceSequence: i + 1 })),
    }));
    const w = writeNachaFile({ immediateDestination: '231380104', immediateDestinationName: 'ODFI', immediateOrigin: '231380104', immediateOriginName: 'LENDSTACK', creationDate: '2026-01-16', creationTime: '1405', fileIdModifier: 'A', batches });
    if (!w.ok) throw new Error('baseline file');
    const parsed = parseNachaFile(w.file.text);
    if (!parsed.ok) throw new Error('baseline parse');
    const answers: BankAnswer[] = parsed.file.batches.flatMap((b) => b.entries.map((e) => ({ kind: 'return' as const, original: e, originalBatch: b, code: 'R01' })));
    const r = writeReturnFile({ odfiRouting: '231380104', odfiName: 'ODFI', bankRouting: '021000021', bankName: 'RDFI', creationDate: '2026-01-22', creationTime: '0900', fileIdModifier: 'A', answers });
    if (!r.ok || !readAchResultFile('baseline', r.text, '2026-01-22').ok) throw new Error('baseline returns');
  }
  return performance.now() - started;
}

async function main() {
  await stopAchSandbox(sandboxFiles);
  await startAchSandbox({ port: PORT, ...sandboxFiles, env: { ACH_SANDBOX_SETTLE_DELAY_MS: '200', ACH_SANDBOX_MAX_FILES: '1000', LOG_LEVEL: 'warn' } });
  const bank = createAchBankClient({ baseUrl: `http://127.0.0.1:${PORT}`, apiKey: 'lendstack-ach-sandbox-api-key', timeoutMs: 60_000, maxAttempts: 3 });
  const rail = createAchCollectionRail({ originator, bank, resolveAccount: derivedAccountResolver });
  try {
    log(`setup: ${POSTED * 2} disbursed loans (copies of one), ${N} debit accounts and presentments`);
    const all = await loans(POSTED * 2);
    const [debited, direct] = [all.slice(0, POSTED), all.slice(POSTED)];
    // Fixtures, set-based: the settling accounts (…4321) on real loans, the returning ones (…0001) on loan ids of their own.
    await pool.query(
      `INSERT INTO autodebit_accounts (tenant_id, loan_id, rail, account_token, bank_code, account_type, holder_name, account_number_masked, authorisation_id, sec_code)
       SELECT $1, l, 'us-ach', 'tok_bench_' || l, '021000021', 'checking', 'BENCH BORROWER', CASE WHEN n <= $3 THEN 'XXXXXX4321' ELSE 'XXXXXX0001' END, 'auth-' || l, 'PPD'
       FROM (SELECT row_number() OVER () AS n, l FROM unnest($2::text[] || ARRAY(SELECT 'adbench-nl-' || g FROM generate_series(1, $4::int) g)) AS l) x`,
      [tenant, debited, POSTED, N - POSTED]);
    await pool.query(
      `INSERT INTO autodebit_presentments (id, tenant_id, loan_id, installment_number, rail, attempt, amount_minor, currency, scale, effective_date, status)
       SELECT 'pm:' || tenant_id || ':' || loan_id || ':1:1', tenant_id, loan_id, 1, 'us-ach', 1, 25000, 'USD', 2, '2026-01-20', 'scheduled' FROM autodebit_accounts WHERE tenant_id = $1`, [tenant]);

    const baselineMs = codecBaseline(N);
    log(`baseline, pure codec: ${N} entries written, parsed, returned and read in ${Math.round(baselineMs)} ms (${rate(N, baselineMs)}/s)`);

    let started = performance.now();
    const presented = await presentDue({ pool, rail, newId: randomUUID, maxPerFile: PER_FILE }, '2026-01-20', new Date());
    const presentMs = performance.now() - started;
    const accepted = presented.files.filter((f) => f.status === 'accepted').reduce((s, f) => s + f.entries, 0);
    if (accepted !== N) throw new Error(`presented ${accepted} of ${N}: ${JSON.stringify(presented.files)}`);
    log(`presented: ${N} debits in ${presented.files.length} files in ${Math.round(presentMs)} ms (${rate(N, presentMs)}/s)`);

    started = performance.now();
    let open = N;
    while (open > 0) {
      await collectResults({ servicing: deps, concurrency: 8 }, rail, '2026-01-22');
      open = Number((await pool.query(`SELECT count(*) FROM autodebit_presentments WHERE tenant_id = $1 AND status IN ('batched', 'presented')`, [tenant])).rows[0].count);
      if (performance.now() - started > 3_600_000) throw new Error(`${open} presentments still open after an hour`);
    }
    const resultsMs = performance.now() - started;
    const counts = (await pool.query(`SELECT status, count(*)::int AS n FROM autodebit_presentments WHERE tenant_id = $1 AND attempt = 1 GROUP BY status`, [tenant])).rows;
    const posted = Number((await pool.query(`SELECT count(*) FROM loan_transactions WHERE tenant_id = $1 AND idempotency_key LIKE 'autodebit:%:repayment'`, [tenant])).rows[0].count);
    log(`results applied: ${JSON.stringify(counts)}, ${posted} repayments posted, in ${Math.round(resultsMs)} ms (${rate(N, resultsMs)} debits/s)`);

    started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < direct.length) {
        const loanId = direct[next++]!;
        const body = { amount: { amount: '25000', currency: 'USD', scale: 2 }, valueDate: '2026-01-20', channel: 'ach', reference: `direct-${loanId}` };
        const r = await applyMoneyEvent(deps, { tenantId: tenant, loanId, actor: 'bench', idempotencyKey: `bench-direct:${loanId}`, requestHash: requestHash(['repayment', loanId, body]), correlationId: 'bench', command: { kind: 'repayment', ...body } });
        if (!r.ok) throw new Error(JSON.stringify(r.error));
      }
    }));
    const directMs = performance.now() - started;
    log(`baseline, the same ${POSTED} repayments straight through applyMoneyEvent (8 at once): ${Math.round(directMs)} ms (${rate(POSTED, directMs)}/s)`);
    console.log(`\n| phase | debits | ms | debits/s |\n|---|---|---|---|\n| pure codec (baseline): write, bank parse + returns, read | ${N} | ${Math.round(baselineMs)} | ${rate(N, baselineMs)} |` +
      `\n| presented: batched in Postgres, files written and uploaded | ${N} | ${Math.round(presentMs)} | ${rate(N, presentMs)} |` +
      `\n| results applied: ${N - POSTED} R01 returns + ${POSTED} settlements posted | ${N} | ${Math.round(resultsMs)} | ${rate(N, resultsMs)} |` +
      `\n| repayments straight through applyMoneyEvent (baseline for the posting) | ${POSTED} | ${Math.round(directMs)} | ${rate(POSTED, directMs)} |`);
  } finally {
    await stopAchSandbox(sandboxFiles);
    await pool.end();
  }
}

await main();
