/**
 * The LMS killed mid-batch, as in production: the LMS runs as its own process (`tsx src/bin.ts`) with its
 * auto-debit runner presenting to the REAL ACH sandbox ODFI process and applying its answers over the REAL
 * database. While the settlements of a batch are being posted, the REAL Temporal server is stopped and the
 * process SIGKILLed (nothing drained), then started again with Temporal still down. Every presentment must end
 * settled with exactly one repayment, none lost, none twice, and the books balanced.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import { startAchSandbox, stopAchSandbox } from '@lendstack/testing/ach-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneLoan } from '../../../packages/testing/bench/lib/servicing-fixtures.js';
import { setBusinessDate } from '../src/modules/business-date/business-date.repository.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import { requestHash } from '../src/modules/servicing/domain/servicing.js';
import { requestDisbursement } from '../src/modules/servicing/use-cases/disbursements.js';
import { newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

const ACH_PORT = await testPort();
const LMS_PORT = await testPort();
const LOANS = 800;
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, 'ach-sandbox-crash.pid'), logFile: join(cache, 'logs', 'ach-sandbox-crash.log') };
const runId = randomUUID().slice(0, 8);
const infraScript = fileURLToPath(new URL('../../../infra/local/infra.sh', import.meta.url));

let h: Harness;
let lms: ServiceProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  const infra = await infrastructure();
  await stopAchSandbox(sandboxFiles);
  await startAchSandbox({ port: ACH_PORT, ...sandboxFiles, env: { ACH_SANDBOX_SETTLE_DELAY_MS: '20', LOG_LEVEL: 'warn' } });
  env = {
    LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress,
    LMS_CONSUMER_GROUP: `lms-crash-${runId}`, LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collections-crash-${runId}`,
    // Its collector for this test's tenants only (newTenant('crash')): not the other tests' debits and wake-ups on this database.
    LMS_COLLECTIONS_TENANT_PREFIX: 'crash-',
    ACH_BASE_URL: `http://127.0.0.1:${ACH_PORT}`, LMS_AUTODEBIT_INTERVAL_MS: '200',
  };
});

afterAll(async () => {
  await lms?.crash();
  await stopAchSandbox(sandboxFiles);
  await h?.pool.end();
});

/** LOANS disbursed USD loans (copies of one), each with an enrolled account the sandbox settles and instalment 1 scheduled. */
async function loansWithDebitsDue(tenant: string): Promise<string[]> {
  await setBusinessDate(h.pool, tenant, '2026-01-05', h.deps.today);
  const event = sampleLoanApprovedV1({ tenantId: tenant, loan: { productCode: 'BNPL-4', principal: { amount: '100000', currency: 'USD', scale: 2 }, annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: [] } as never });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(h.pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  const body = { amount: { amount: '100000', currency: 'USD', scale: 2 }, valueDate: '2026-01-05' };
  const d = await requestDisbursement(h.deps, { tenantId: tenant, loanId: booked.account.id, actor: 'test', ...body, requestHash: requestHash(['disbursement', booked.account.id, body]) });
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  const ids = await cloneLoan(h.pool, booked.account.id, `crash${runId}-`, LOANS, 1_000, () => undefined);
  await h.pool.query(
    `INSERT INTO autodebit_accounts (tenant_id, loan_id, rail, account_token, bank_code, account_type, holder_name, account_number_masked, authorisation_id, sec_code)
     SELECT $1, l, 'us-ach', 'tok_crash_' || l, '021000021', 'checking', 'CRASH TEST', 'XXXXXX4321', 'auth-' || l, 'PPD' FROM unnest($2::text[]) AS l`, [tenant, ids]);
  const due = (await h.pool.query<{ d: string; a: string }>(`SELECT to_char(due_date, 'YYYY-MM-DD') AS d, total_minor::text AS a FROM installments WHERE loan_id = $1 AND number = 1`, [ids[0]])).rows[0]!;
  await h.pool.query(
    `INSERT INTO autodebit_presentments (id, tenant_id, loan_id, installment_number, rail, attempt, amount_minor, currency, scale, effective_date, status)
     SELECT 'pm:' || $1 || ':' || l || ':1:1', $1, l, 1, 'us-ach', 1, $3::bigint, 'USD', 2, $4::date, 'scheduled' FROM unnest($2::text[]) AS l`, [tenant, ids, due.a, due.d]);
  await setBusinessDate(h.pool, tenant, due.d, h.deps.today);
  return ids;
}

const postedCount = async (tenant: string) =>
  Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE tenant_id = $1 AND kind = 'repayment' AND idempotency_key LIKE 'autodebit:%'`, [tenant])).rows[0].count);

describe('the LMS killed while it posts a batch of auto-debits', () => {
  it('posts every presentment exactly once after a restart, and the books balance', { timeout: 240_000 }, async () => {
    const tenant = newTenant('crash');
    const ids = await loansWithDebitsDue(tenant);
    // Returns once the process answers: its auto-debit runner may post the whole batch before readiness
    // (Kafka consumers joined, Temporal connected) is reached.
    lms = await startServiceProcess('lms', LMS_PORT, env, { waitFor: 'live' });
    await eventually(async () => ((await postedCount(tenant)) > 0 ? true : undefined), { what: 'the first postings', timeoutMs: 120_000, intervalMs: 10 });
    // The LMS is killed at its first postings (mid-batch whatever the machine's speed), then Temporal goes
    // away too: the collection day needs neither Temporal nor the process that started it.
    await lms.crash();
    execFileSync('bash', [infraScript, 'stop', 'temporal'], { stdio: 'ignore', timeout: 60_000 });
    try {
      const atCrash = await postedCount(tenant);
      // The kill came mid-batch: some posted, some not.
      expect(atCrash).toBeLessThan(LOANS);

      // It starts degraded (Temporal unreachable: live, not ready) and finishes the batch.
      lms = await startServiceProcess('lms', LMS_PORT, env, { waitFor: 'live' });
      await eventually(async () => {
        const open = await h.pool.query(`SELECT count(*)::int AS n FROM autodebit_presentments WHERE tenant_id = $1 AND status <> 'settled'`, [tenant]);
        return open.rows[0].n === 0 ? true : undefined;
      }, { what: 'every presentment settled after the restart, Temporal still down', timeoutMs: 120_000 }).catch((error: Error) => {
        throw new Error(`${error.message} (${atCrash} posted at the crash)\n${lms?.output().slice(-3_000)}`);
      });
      expect((await fetch(`http://127.0.0.1:${LMS_PORT}/health/ready`)).status).toBe(503);
    } finally {
      execFileSync('bash', [infraScript, 'start', 'temporal'], { stdio: 'ignore', timeout: 120_000 });
    }
    await lms.stop();
    lms = undefined;

    // One repayment per presentment, keyed on it, linked to it; none twice.
    const posted = await h.pool.query<{ k: string; n: number }>(
      `SELECT idempotency_key AS k, count(*)::int AS n FROM loan_transactions WHERE tenant_id = $1 AND kind = 'repayment' GROUP BY idempotency_key`, [tenant]);
    expect(posted.rows).toHaveLength(LOANS);
    expect(posted.rows.every((r) => r.n === 1 && r.k.startsWith('autodebit:'))).toBe(true);
    const linked = await h.pool.query(
      `SELECT count(*)::int AS n FROM autodebit_presentments p JOIN loan_transactions t ON t.id::text = p.repayment_tx_id WHERE p.tenant_id = $1 AND t.kind = 'repayment' AND t.loan_id = p.loan_id`, [tenant]);
    expect(linked.rows[0].n).toBe(LOANS);
    // Each loan's instalment 1 is paid and nothing more: the balance fell by exactly one instalment.
    const states = await h.pool.query<{ p: string }>(`SELECT state->'balances'->>'principalOutstanding' AS p FROM loan_servicing WHERE loan_id = ANY($1)`, [ids]);
    expect(new Set(states.rows.map((r) => r.p))).toEqual(new Set(['75000']));
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });
});
