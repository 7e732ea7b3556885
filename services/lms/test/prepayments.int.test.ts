import { randomUUID } from 'node:crypto';
import { parseIsoDate } from '@lendstack/loan-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { bookedTerms, reamortise } from '../src/modules/servicing/domain/prepayment.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// POST /v1/loans/{id}/prepayments over the real Postgres: principal paid ahead, the rest re-amortised by the
// loan engine (both options), the old schedule kept as a version, the prepayment charge posted, ledger balanced.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const prepay = (tenant: string, loanId: string, amount: string, valueDate: string, option: string, headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/prepayments`, tenant, ['operator'], { amount: inr(amount), valueDate, option }, headers);
const schedule = async (tenant: string, loanId: string) =>
  ((await call('GET', `/v1/loans/${loanId}/schedule`, tenant, ['partner'])).json().installments as { number: number; dueDate: string; principal: { amount: string }; interest: { amount: string }; total: { amount: string } }[])
    .map((i) => [i.number, i.dueDate, BigInt(i.principal.amount), BigInt(i.interest.amount)] as const);
const netByAccount = async (loanId: string) => Object.fromEntries((await h.pool.query<{ a: string; n: string }>(
  `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId])).rows.map((r) => [r.a, BigInt(r.n)]));

/**
 * INR 1,00,000.00 at 12 % (1 % a month, 30/360) over 6 months, disbursed 2026-01-05 on the seeded PL-12
 * product (2 % prepayment charge): EMI 17,254.84; installment 1 (1,000.00 interest, 16,254.84 principal)
 * paid on its due date 2026-02-05, leaving 83,745.16.
 */
async function loanAfterFirstInstallment(tenant: string): Promise<string> {
  const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === 'PL-12'));
  await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-PL', $2, 1)`, [tenant, randomUUID()]);
  await h.pool.query(
    `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-PL', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
  await setDate(tenant, '2026-01-05');
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  await setDate(tenant, '2026-02-05');
  expect((await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('1725484'), valueDate: '2026-02-05', channel: 'upi', reference: 'emi-1' })).statusCode).toBe(201);
  return loanId;
}

describe('partial prepayment', () => {
  it('reduce-installment: 20,000.00 ahead leaves 63,745.16 over the same 5 months, EMI 13,134.04 (hand-worked), charge 400.00', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    const before = await schedule(tenant, loanId);
    const res = await prepay(tenant, loanId, '2000000', '2026-02-05', 'reduce-installment');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'prepayment', reason: 'reduce-installment', amount: inr('2000000'), allocation: { principal: inr('2000000'), prepaymentCharge: inr('40000') } });
    // 1 % a month on the balance; each installment 13,134.04 = interest + principal.
    expect(await schedule(tenant, loanId)).toEqual([
      before[0],
      [2, '2026-03-05', 1_249_659n, 63_745n],
      [3, '2026-04-05', 1_262_155n, 51_249n],
      [4, '2026-05-05', 1_274_777n, 38_627n],
      [5, '2026-06-05', 1_287_525n, 25_879n],
      [6, '2026-07-05', 1_300_400n, 13_004n],
    ]);
    const versions = (await call('GET', `/v1/loans/${loanId}/schedule-versions`, tenant, ['partner'])).json();
    expect(versions.items[0]).toMatchObject({ reason: expect.stringContaining('reduce-installment') });
    expect(versions.items[0].installments).toHaveLength(6);
    expect(versions.items[0].installments.map((i: { principalMinor: string }) => BigInt(i.principalMinor))).toEqual(before.map((b) => b[2]));
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.balances.principalOutstanding).toMatchObject(inr('6374516'));
    const net = await netByAccount(loanId);
    expect(net['loan-portfolio']).toBe(6_374_516n);
    expect(net['fee-income']).toBe(-40_000n);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    const event = await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'PrepaymentApplied'`, [loanId]);
    expect(event.rows.map((r) => r.p)).toEqual([{
      loanId, transactionId: res.json().id, effectKey: `prepayment:${res.json().id}`, valueDate: '2026-02-05', option: 'reduce-installment',
      principalPrepaid: inr('2000000'), prepaymentCharge: inr('40000'), principalOutstanding: inr('6374516'), scheduleVersion: versions.items[0].version,
      nextInstallment: { installmentNumber: 2, dueDate: '2026-03-05', total: inr('1313404') }, remainingInstallments: 5, maturityDate: '2026-07-05', businessDate: '2026-02-05',
    }]);
  });

  it('reduce-term: the same prepayment keeps 17,254.84 and ends in June: 4 installments, the last 13,526.74 (hand-worked)', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    const res = await prepay(tenant, loanId, '2000000', '2026-02-05', 'reduce-term');
    expect(res.statusCode).toBe(201);
    const after = await schedule(tenant, loanId);
    expect(after.slice(1)).toEqual([
      [2, '2026-03-05', 1_661_739n, 63_745n],
      [3, '2026-04-05', 1_678_356n, 47_128n],
      [4, '2026-05-05', 1_695_140n, 30_344n],
      [5, '2026-06-05', 1_339_281n, 13_393n],
    ]);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('a second prepayment re-amortises from the schedule the first left (its kept terms): reduce-term after reduce-installment', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    expect((await prepay(tenant, loanId, '2000000', '2026-02-05', 'reduce-installment')).statusCode).toBe(201);
    await setDate(tenant, '2026-03-05');
    expect((await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('1313404'), valueDate: '2026-03-05', channel: 'upi', reference: 'emi-2' })).statusCode).toBe(201);
    // 63,745.16 − 12,496.59 = 51,248.57; 10,000.00 ahead leaves 41,248.57 at 13,134.04 a month: 3 more and a last of 2,728.00.
    expect((await prepay(tenant, loanId, '1000000', '2026-03-05', 'reduce-term')).statusCode).toBe(201);
    expect((await schedule(tenant, loanId)).slice(2)).toEqual([
      [3, '2026-04-05', 1_272_155n, 41_249n],
      [4, '2026-05-05', 1_284_877n, 28_527n],
      [5, '2026-06-05', 1_297_726n, 15_678n],
      [6, '2026-07-05', 270_099n, 2_701n],
    ]);
    const versions = (await call('GET', `/v1/loans/${loanId}/schedule-versions`, tenant, ['partner'])).json();
    expect(versions.items.map((v: { reason: string }) => v.reason.replace(/prepayment \S+/, 'prepayment'))).toEqual([
      'prepayment (reduce-term) on 2026-03-05', 'prepayment (reduce-installment) on 2026-02-05', 'replaced on the first disbursement (2026-01-05)',
    ]);
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.balances.principalOutstanding).toMatchObject(inr('4124857'));
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('mid-period: the schedule is what the engine computes on its own from the terms; interest on the prepaid stub goes to the next installment', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    await setDate(tenant, '2026-02-20');
    const terms = (await h.pool.query<{ terms: Parameters<typeof bookedTerms>[0] }>('SELECT terms FROM loan_accounts WHERE id = $1', [loanId])).rows[0]!.terms;
    const expected = reamortise(bookedTerms(terms, '2026-01-05'), 1, parseIsoDate('2026-02-20'), 1_000_000n, 'reduce-installment');
    if (!expected.ok) throw new Error(expected.error.message);
    expect((await prepay(tenant, loanId, '1000000', '2026-02-20', 'reduce-installment')).statusCode).toBe(201);
    const after = await schedule(tenant, loanId);
    expect(after.slice(1).map(([n, , p, i]) => [n, p, i])).toEqual(expected.value.installments.map((i) => [i.number, i.principal, i.interest]));
    // 1 % of 73,745.16 plus 15 days of 1 % a month on the 10,000.00 prepaid (30/360: 50.00).
    expect(after[1]![3]).toBe(73_745n + 5_000n);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('refusals name their field and write nothing: more than the balance, arrears, a later transaction, a bad option; retries are idempotent', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    const count = async () => (await h.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM loan_transactions WHERE loan_id = $1', [loanId])).rows[0]!.n;
    const n0 = await count();
    const big = await prepay(tenant, loanId, '8374516', '2026-02-05', 'reduce-term');
    expect([big.statusCode, big.json().errors[0].pointer]).toEqual([422, '/amount']);
    const early = await prepay(tenant, loanId, '100000', '2026-01-20', 'reduce-term');
    expect([early.statusCode, early.json().errors[0].pointer]).toEqual([422, '/valueDate']); // the repayment of 2026-02-05 is later
    expect((await call('POST', `/v1/loans/${loanId}/prepayments`, tenant, ['operator'], { amount: inr('100000'), valueDate: '2026-02-05', option: 'skip' })).statusCode).toBe(400);
    await setDate(tenant, '2026-03-10'); // installment 2 due 2026-03-05, unpaid
    const arrears = await prepay(tenant, loanId, '100000', '2026-03-10', 'reduce-term');
    expect([arrears.statusCode, arrears.json().type]).toEqual([422, expect.stringContaining('prepayment-with-arrears')]);
    expect(await count()).toBe(n0);
    const key = { 'idempotency-key': randomUUID() };
    const a = await prepay(tenant, loanId, '100000', '2026-02-05', 'reduce-term', key);
    const b = await prepay(tenant, loanId, '100000', '2026-02-05', 'reduce-term', key);
    expect([a.statusCode, b.statusCode, b.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect(b.json().id).toBe(a.json().id);
    expect(await count()).toBe(String(Number(n0) + 1));
  });

  it('after a prepayment, refuses a repayment dated on or before it and a reversal of an earlier one (before-prepayment), writing nothing; later ones and a same-day foreclosure go through', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    const emi1 = (await h.pool.query<{ id: string }>(`SELECT id FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment'`, [loanId])).rows[0]!.id;
    expect((await prepay(tenant, loanId, '2000000', '2026-02-05', 'reduce-installment')).statusCode).toBe(201);
    await setDate(tenant, '2026-02-20');
    const written = async () => (await h.pool.query<{ t: string; e: string }>(
      `SELECT (SELECT count(*) FROM loan_transactions WHERE loan_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE loan_id = $1)::text AS e`, [loanId])).rows[0];
    const before = await written();
    const scheduleBefore = await schedule(tenant, loanId);
    const reversal = await call('POST', `/v1/loans/${loanId}/transactions/${emi1}/reversal`, tenant, ['operator'], { reason: 'bounced' });
    expect([reversal.statusCode, reversal.json().type, reversal.json().errors[0].pointer]).toEqual([422, expect.stringContaining('before-prepayment'), '/params/txId']);
    expect(reversal.json().detail).toContain('2026-02-05');
    const backdated = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('100000'), valueDate: '2026-02-05', channel: 'upi', reference: 'late-credit' });
    expect([backdated.statusCode, backdated.json().type, backdated.json().errors[0].pointer]).toEqual([422, expect.stringContaining('before-prepayment'), '/valueDate']);
    expect(await written()).toEqual(before);
    expect(await schedule(tenant, loanId)).toEqual(scheduleBefore);
    // After the prepayment's day: posted and reversible as usual.
    const later = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('100000'), valueDate: '2026-02-06', channel: 'upi', reference: 'after' });
    expect(later.statusCode).toBe(201);
    expect((await call('POST', `/v1/loans/${loanId}/transactions/${later.json().id}/reversal`, tenant, ['operator'], { reason: 'bounced' })).statusCode).toBe(201);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('a foreclosure on the prepayment\'s own day closes the loan; one dated before it is refused', async () => {
    const tenant = newTenant('pp');
    const loanId = await loanAfterFirstInstallment(tenant);
    await setDate(tenant, '2026-02-10');
    expect((await prepay(tenant, loanId, '2000000', '2026-02-10', 'reduce-term')).statusCode).toBe(201);
    const quote = (await call('POST', `/v1/loans/${loanId}/payoff-quotes`, tenant, ['operator'], { asOf: '2026-02-10' })).json();
    const early = await call('POST', `/v1/loans/${loanId}/foreclosure`, tenant, ['operator'], { amount: inr(quote.total.amount), valueDate: '2026-02-09' });
    expect([early.statusCode, early.json().type]).toEqual([422, expect.stringContaining('before-prepayment')]);
    const sameDay = await call('POST', `/v1/loans/${loanId}/foreclosure`, tenant, ['operator'], { amount: inr(quote.total.amount), valueDate: '2026-02-10' });
    expect(sameDay.statusCode).toBe(201);
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json().balances.principalOutstanding).toMatchObject(inr('0'));
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/loans/{id}/prepayments'].post.requestBody.content['application/json'].schema.properties)).toEqual(['amount', 'valueDate', 'option']);
    expect(doc.paths['/v1/loans/{id}/schedule-versions'].get).toBeDefined();
  });
});
