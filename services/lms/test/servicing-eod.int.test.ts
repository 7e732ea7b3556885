import { randomUUID } from 'node:crypto';
import { diffEffects, parseIsoDate, replayAccount } from '@lendstack/loan-engine';
import { createLogger } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAccountProduct, type ProductDefinition } from '../src/modules/products/domain/product.js';
import { scheduleOf, transactionsOf } from '../src/modules/servicing/adapters/servicing.repository.js';
import { createEodRunner } from '../src/modules/servicing/adapters/eod-runner.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, stateJson } from '../src/modules/servicing/domain/servicing.js';
import { createEodRun, EodAborted, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// End of day over the real database and ledger: after it, every loan is exactly what replayAccount
// says for the same date, and a run interrupted half-way and run again posts nothing twice.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const eodDeps = () => ({ ...h.deps, newId: randomUUID, batchSize: 2 });

/** A tenant with a product (late fee and penal interest) and five loans: disbursed, some repaid, one late. */
async function portfolio(tenant: string): Promise<string[]> {
  await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date: '2026-01-05' } });
  const product = {
    code: 'TEST-LF', name: 'Late-fee loan', currency: 'INR', principal: { min: inr('100000'), max: inr('100000000') }, termPeriods: { min: 1, max: 36 },
    annualRatePercent: { min: '0', max: '30' }, frequency: 'monthly', scheduleMethod: 'equal-installment', dayCount: '30/360', interestCalculation: 'daily',
    graceDays: 3, lateFee: { kind: 'flat', amount: inr('50000') }, penalInterest: { annualRatePercent: '24' },
  };
  expect((await h.app.inject({ method: 'POST', url: '/v1/products', headers: h.auth(['admin'], tenant), payload: product })).statusCode).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    const loanId = await h.book(tenant, i % 2 === 0 ? { productCode: 'TEST-LF', interestCalculation: 'daily' } : {});
    const res = await h.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/disbursements`, headers: h.auth(['operator'], tenant), payload: { amount: inr('10000000'), valueDate: '2026-01-05' } });
    expect(res.json().status).toBe('confirmed');
    ids.push(loanId);
  }
  const pending = await h.book(tenant); // never disbursed: end of day leaves it alone
  ids.push(pending);
  return ids;
}

/** The loan as replayAccount computes it to `date` from what is stored, compared with what end of day left. */
async function expectEqualsReplay(loanId: string, date: string): Promise<void> {
  const client = await h.pool.connect();
  try {
    const row = (await client.query(`SELECT servicing_state(s.state, s.as_of, s.quiet_interest_minor, s.quiet_accrued_in_period) AS state, s.product_code, s.product_version, s.tenant_id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of FROM loan_servicing s WHERE loan_id = $1`, [loanId])).rows[0];
    const definition = row.product_version === null ? undefined : (await client.query<{ definition: ProductDefinition }>('SELECT definition FROM product_versions WHERE tenant_id = $1 AND code = $2 AND version = $3', [row.tenant_id, row.product_code, row.product_version])).rows[0]!.definition;
    const transactions = await transactionsOf(client, loanId);
    const replayed = replayAccount({
      schedule: engineSchedule((await scheduleOf(client, [loanId])).get(loanId)!),
      product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT,
      events: engineEvents(transactions),
      businessDate: parseIsoDate(date),
    });
    if (!replayed.ok) throw new Error(replayed.error.message);
    const expected = JSON.parse(JSON.stringify(stateJson(replayed.value.state)));
    if (transactions.some((t) => t.status === 'confirmed')) {
      expect(row.as_of).toBe(date);
      expect(row.state).toEqual(expected);
    }
    // The ledger holds exactly the replay's effects: nothing missing, nothing twice.
    const live = await h.deps.ledger.liveEffects(client, loanId);
    const diff = diffEffects(live, replayed.value.effects);
    expect({ reverse: diff.reverse.length, post: diff.post.length }).toEqual({ reverse: 0, post: 0 });
  } finally {
    client.release();
  }
}

const entryCount = async (tenant: string) => Number((await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM journal_entries WHERE tenant_id = $1', [tenant])).rows[0]!.n);
const duplicateKeys = async (tenant: string) => Number((await h.pool.query<{ n: string }>(
  `SELECT count(*) AS n FROM (SELECT loan_id, effect_key FROM journal_entries WHERE tenant_id = $1 AND reversed_by IS NULL AND reverses IS NULL GROUP BY 1, 2 HAVING count(*) > 1) d`, [tenant])).rows[0]!.n);

describe('end of day', () => {
  it('advances every active loan day by day to what replayAccount gives for the same date, books balanced', async () => {
    const tenant = newTenant('eod');
    const loans = await portfolio(tenant);
    // One loan pays its first installment on time (business date moved by end of day first).
    const run1 = await createEodRun(eodDeps(), { tenantId: tenant, to: '2026-02-05', actor: 'test', requestHash: 'a' });
    if (!run1.ok) throw new Error(run1.detail);
    expect((await runEndOfDay(eodDeps(), run1.run.id)).status).toBe('completed');
    const schedule = (await h.app.inject({ url: `/v1/loans/${loans[1]}/schedule`, headers: h.auth(['partner'], tenant) })).json().installments;
    const paid = await h.app.inject({ method: 'POST', url: `/v1/loans/${loans[1]}/repayments`, headers: h.auth(['partner'], tenant), payload: { amount: inr(schedule[0].total.amount), valueDate: '2026-02-05', channel: 'nach', reference: 'r1' } });
    expect(paid.statusCode).toBe(201);
    const run2 = await createEodRun(eodDeps(), { tenantId: tenant, to: '2026-03-20', actor: 'test', requestHash: 'b' });
    if (!run2.ok) throw new Error(run2.detail);
    const done = await runEndOfDay(eodDeps(), run2.run.id);
    expect(done).toMatchObject({ status: 'completed', progress: { days_done: 43, days_total: 43, loans_total: 5 } });
    expect((await h.app.inject({ url: '/v1/business-date', headers: h.auth(['partner'], tenant) })).json().date).toBe('2026-03-20');
    for (const loanId of loans) await expectEqualsReplay(loanId, '2026-03-20');
    const late = (await h.app.inject({ url: `/v1/loans/${loans[0]}`, headers: h.auth(['partner'], tenant) })).json();
    expect(late.delinquency).toMatchObject({ dpd: 43, rbiClass: 'SMA-1' });
    expect(BigInt(late.balances.penalties.amount)).toBeGreaterThan(50000n); // late fees and penal interest
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    expect(await duplicateKeys(tenant)).toBe(0);
  });

  it('resumes a run interrupted after some batches: posts nothing twice and misses nothing', async () => {
    const tenant = newTenant('eod');
    const loans = await portfolio(tenant);
    const created = await createEodRun(eodDeps(), { tenantId: tenant, to: '2026-02-10', actor: 'test', requestHash: 'a' });
    if (!created.ok) throw new Error(created.detail);
    // 5 active loans in batches of 2: 3 batches a day; stop in the middle of the third day.
    await expect(runEndOfDay(eodDeps(), created.run.id, { abortAfterBatches: 8 })).rejects.toBeInstanceOf(EodAborted);
    expect((await h.app.inject({ url: '/v1/business-date', headers: h.auth(['partner'], tenant) })).json().date).toBe('2026-01-07');
    const mid = (await h.pool.query(`SELECT status, progress FROM eod_runs WHERE id = $1`, [created.run.id])).rows[0];
    expect(mid).toMatchObject({ status: 'running', progress: { days_done: 2, day: '2026-01-08' } });
    // Another run cannot start meanwhile.
    const other = await createEodRun(eodDeps(), { tenantId: tenant, to: '2026-02-10', actor: 'test', requestHash: 'b' });
    expect(other).toMatchObject({ ok: false, error: 'eod-running', run: { id: created.run.id } });
    // The runner of a restarted service resumes it.
    const runner = createEodRunner({ ...eodDeps(), logger: createLogger({ service: 'test', level: 'silent' }) });
    await runner.resumePending();
    await runner.stop();
    const finished = await h.app.inject({ url: `/v1/end-of-day-runs/${created.run.id}`, headers: h.auth(['partner'], tenant) });
    expect(finished.json()).toMatchObject({ id: created.run.id, status: 'completed', progress: { daysDone: 36, daysTotal: 36 } });
    for (const loanId of loans) await expectEqualsReplay(loanId, '2026-02-10');
    expect(await duplicateKeys(tenant)).toBe(0);
    const entries = await entryCount(tenant);
    // Running it again changes nothing.
    await runEndOfDay(eodDeps(), created.run.id);
    expect(await entryCount(tenant)).toBe(entries);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });
});

describe('POST /v1/end-of-day-runs', () => {
  it('answers 202 with id, status and progress; runs in the background until completed; refuses a date before the business date', async () => {
    const tenant = newTenant('eod');
    await portfolio(tenant);
    const before = await h.app.inject({ method: 'POST', url: '/v1/end-of-day-runs', headers: h.auth(['admin'], tenant), payload: { to: '2026-01-04' } });
    expect(before.statusCode).toBe(422);
    expect(before.json().errors[0].pointer).toBe('/to');
    expect((await h.app.inject({ method: 'POST', url: '/v1/end-of-day-runs', headers: h.auth(['operator'], tenant), payload: { to: '2026-01-09' } })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: '/v1/end-of-day-runs', headers: h.auth(['admin'], tenant), payload: { to: '2026-01-09' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: expect.any(String), status: 'queued', progress: { daysDone: 0, daysTotal: 4 } });
    let run = res.json();
    for (let i = 0; i < 100 && run.status !== 'completed'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await h.app.inject({ url: `/v1/end-of-day-runs/${run.id}`, headers: h.auth(['partner'], tenant) })).json();
    }
    expect(run).toMatchObject({ status: 'completed', progress: { daysDone: 4, daysTotal: 4, loansDone: 5, loansTotal: 5, eta: null } });
    // The rate over all workers since the run started (loans per second), and no ETA once completed.
    expect(run.progress.loansPerSecond).toBeGreaterThan(0);
  });
});
