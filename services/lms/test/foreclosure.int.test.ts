import { randomUUID } from 'node:crypto';
import { topics } from '@lendstack/contracts';
import { createKafka, createLogger, createProducer, startOutboxRelay } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// POST /v1/loans/{id}/foreclosure over the real Postgres: the payoff of the value date settles the loan
// (ledger posted, LoanClosed on the outbox), a short amount is refused with nothing written, retries are
// idempotent, and a backdated change re-checks the closure (LoanReopened; a surplus is held as excess).
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const foreclose = (tenant: string, loanId: string, amount: string | bigint, valueDate: string, headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/foreclosure`, tenant, ['operator'], { amount: inr(amount), valueDate }, headers);
const repay = (tenant: string, loanId: string, amount: string, valueDate: string, reference: string) =>
  call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference });
const loan = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
const outboxTypes = async (loanId: string) => (await h.pool.query<{ type: string }>(`SELECT value->>'type' AS type FROM outbox WHERE key = $1 ORDER BY seq`, [loanId])).rows.map((r) => r.type);
const netByAccount = async (loanId: string) => Object.fromEntries((await h.pool.query<{ a: string; n: string }>(
  `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId])).rows.map((r) => [r.a, BigInt(r.n)]));
const counts = async (tenant: string) => (await h.pool.query<{ t: string; j: string; o: string }>(
  `SELECT (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS j,
          (SELECT count(*) FROM outbox o WHERE o.value->>'tenantId' = $1)::text AS o`, [tenant])).rows[0]!;

/**
 * INR 1,00,000.00 at 12 % (1 % a month) over 6 months, disbursed 2026-01-05 (installment 1 due 2026-02-05,
 * interest 1,000.00), on the seeded personal product PL-12: prepayment charge 2 % of principal.
 */
async function disbursedLoan(tenant: string): Promise<string> {
  const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === 'PL-12'));
  await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-PL', $2, 1)`, [tenant, randomUUID()]);
  await h.pool.query(
    `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-PL', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
  expect((await setDate(tenant, '2026-01-05')).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  return loanId;
}

// On 2026-01-20: principal 1,00,000.00 + floor(1,000.00 × 15/31) = 483.87 interest + 2 % charge 2,000.00.
const PAYOFF_0120 = 10_000_000n + 48_387n + 200_000n;

describe('foreclosure', () => {
  it('paying the payoff on its date closes the loan with zero balances, posts the ledger and puts LoanClosed (foreclosed) on the outbox', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const quote = (await call('POST', `/v1/loans/${loanId}/payoff-quotes`, tenant, ['operator'], { asOf: '2026-01-20' })).json();
    expect(quote.total).toMatchObject(inr(PAYOFF_0120));
    const res = await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-20');
    expect(res.statusCode).toBe(201);
    const tx = res.json();
    expect(tx).toMatchObject({ kind: 'foreclosure', status: 'posted', valueDate: '2026-01-20', amount: inr(PAYOFF_0120) });
    expect(tx.allocation).toMatchObject({ principal: inr('10000000'), interest: inr('48387'), fees: inr('0'), penalties: inr('0'), prepaymentCharge: inr('200000'), excess: inr('0'), excessUsed: inr('0') });
    const after = await loan(tenant, loanId);
    expect(after.servicingStatus).toBe('closed');
    for (const k of ['principalOutstanding', 'interestAccrued', 'fees', 'penalties', 'excess', 'totalDueNow']) expect(after.balances[k].amount).toBe('0');
    expect(after.foreclosure).toMatchObject({ transactionId: tx.id, valueDate: '2026-01-20', outcome: 'closed', payoff: inr(PAYOFF_0120) });
    const net = await netByAccount(loanId);
    expect(net['loan-portfolio'] ?? 0n).toBe(0n);
    expect(net['interest-receivable'] ?? 0n).toBe(0n);
    expect(net['interest-income']).toBe(-48_387n);
    expect(net['fee-income']).toBe(-200_000n); // the prepayment charge
    expect(net['collection-clearing']).toBe(PAYOFF_0120);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    const closed = await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'LoanClosed'`, [loanId]);
    expect(closed.rows.map((r) => r.p)).toEqual([{ loanId, eventKey: 'closed:2026-01-20:foreclosure:10248387', businessDate: '2026-01-20', closedOn: '2026-01-20', reason: 'foreclosed' }]);
    // Closed: a second foreclosure or a repayment dated after it is refused.
    expect((await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-20')).statusCode).toBe(409);
    await setDate(tenant, '2026-01-22');
    expect((await repay(tenant, loanId, '1000', '2026-01-21', 'late')).statusCode).toBe(409);
    // A repayment dated before it (it arrived first, booked late) re-checks the foreclosure: still closed, 10.00 held.
    expect((await repay(tenant, loanId, '1000', '2026-01-15', 'booked-late')).statusCode).toBe(201);
    const recheck = await loan(tenant, loanId);
    expect([recheck.servicingStatus, recheck.balances.excess.amount, recheck.balances.principalOutstanding.amount]).toEqual(['closed', '1000', '0']);
    expect((await trialBalance(h.pool, tenant)).debit).toBe((await trialBalance(h.pool, tenant)).credit);
  });

  it('an amount short of the payoff is 422 naming /amount, with the payoff in the problem, and writes nothing', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const before = await counts(tenant);
    const res = await foreclose(tenant, loanId, PAYOFF_0120 - 1n, '2026-01-20');
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const problem = res.json();
    expect(problem.errors).toEqual([{ pointer: '/amount', detail: expect.stringContaining('1 short') }]);
    expect(problem.payoff).toMatchObject({ asOf: '2026-01-20', total: inr(PAYOFF_0120), parts: { interest: inr('48387'), prepaymentCharge: inr('200000') } });
    expect(await counts(tenant)).toEqual(before);
    expect((await loan(tenant, loanId)).servicingStatus).toBe('active');
    // Other refusals name their field too.
    expect((await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-21')).json().errors[0].pointer).toBe('/valueDate');
    const usd = await call('POST', `/v1/loans/${loanId}/foreclosure`, tenant, ['operator'], { amount: { amount: '1', currency: 'USD', scale: 2 }, valueDate: '2026-01-20' });
    expect(usd.json().errors[0].pointer).toBe('/amount/currency');
    expect((await call('POST', `/v1/loans/${loanId}/foreclosure`, tenant, ['partner'], { amount: inr(PAYOFF_0120), valueDate: '2026-01-20' })).statusCode).toBe(403);
    expect(await counts(tenant)).toEqual(before);
  });

  it('Idempotency-Key: a retry returns the same transaction and writes nothing more; another body with the key is 422', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const key = { 'idempotency-key': randomUUID() };
    const a = await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-20', key);
    expect(a.statusCode).toBe(201);
    const written = await counts(tenant);
    const b = await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-20', key);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    expect(await counts(tenant)).toEqual(written);
    expect((await foreclose(tenant, loanId, PAYOFF_0120 + 1n, '2026-01-20', key)).statusCode).toBe(422);
  });

  it('a backdated change re-checks the closure: reversing an earlier repayment reopens the loan; a backdated repayment covering it closes it with the surplus held', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const early = await repay(tenant, loanId, '500000', '2026-01-10', 'early');
    expect(early.statusCode).toBe(201);
    // 5,000.00 held as excess (nothing was due) is subtracted from the payoff.
    const res = await foreclose(tenant, loanId, PAYOFF_0120 - 500_000n, '2026-01-20');
    expect(res.statusCode).toBe(201);
    expect(res.json().allocation).toMatchObject({ excessUsed: inr('500000'), excess: inr('0') });
    expect((await loan(tenant, loanId)).servicingStatus).toBe('closed');
    const reversed = await call('POST', `/v1/loans/${loanId}/transactions/${early.json().id}/reversal`, tenant, ['operator'], { reason: 'payment bounced' });
    expect(reversed.statusCode).toBe(201);
    const reopened = await loan(tenant, loanId);
    expect(reopened.servicingStatus).toBe('active');
    expect(reopened.foreclosure).toMatchObject({ outcome: 'short' });
    // Its money now counts as a repayment: nothing was due on 2026-01-20, so it is held as excess.
    expect(reopened.balances.excess).toMatchObject(inr(PAYOFF_0120 - 500_000n));
    const event = await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'LoanReopened'`, [loanId]);
    expect(event.rows.map((r) => r.p)).toEqual([{
      loanId, eventKey: `reopened:${res.json().id}:500000`, businessDate: '2026-01-20', foreclosureId: res.json().id, foreclosureValueDate: '2026-01-20', shortfall: inr('500000'),
    }]);
    let tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    // A repayment dated before the foreclosure, larger than the shortfall: the foreclosure covers the payoff again.
    expect((await repay(tenant, loanId, '600000', '2026-01-15', 'again')).statusCode).toBe(201);
    const closedAgain = await loan(tenant, loanId);
    expect(closedAgain.servicingStatus).toBe('closed');
    expect(closedAgain.balances.excess).toMatchObject(inr('100000')); // owed back
    expect(closedAgain.balances.principalOutstanding.amount).toBe('0');
    const net = await netByAccount(loanId);
    expect(net['excess-liability']).toBe(-100_000n);
    expect(net['loan-portfolio'] ?? 0n).toBe(0n);
    tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    // Closed, reopened, closed again: each announced (the second closure at another payoff has its own key).
    const closures = await h.pool.query(`SELECT value->'payload'->>'eventKey' AS k FROM outbox WHERE key = $1 AND value->>'type' IN ('LoanClosed', 'LoanReopened') ORDER BY seq`, [loanId]);
    expect(closures.rows.map((r) => r.k)).toEqual(['closed:2026-01-20:foreclosure:9748387', `reopened:${res.json().id}:500000`, 'closed:2026-01-20:foreclosure:9648387']);
    expect(await outboxTypes(loanId)).toEqual(expect.arrayContaining(['LoanDisbursed', 'RepaymentReceived', 'TransactionReversed', 'LoanClosed', 'LoanReopened']));
  });

  it('on the day an installment falls due: the quote of that day (its whole interest, charge on all principal) closes the loan; the installment is announced paid', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-02-05');
    const quote = (await call('POST', `/v1/loans/${loanId}/payoff-quotes`, tenant, ['operator'], { asOf: '2026-02-05' })).json();
    // 1,00,000.00 + installment 1's 1,000.00 interest + 2 % of 1,00,000.00.
    expect(quote.total).toMatchObject(inr(10_000_000n + 100_000n + 200_000n));
    const res = await foreclose(tenant, loanId, quote.total.amount, '2026-02-05');
    expect(res.statusCode).toBe(201);
    expect(res.json().allocation.installments[0]).toMatchObject({ number: 1, principal: inr('1625484'), interest: inr('100000') });
    const after = await loan(tenant, loanId);
    expect([after.servicingStatus, after.balances.principalOutstanding.amount, after.balances.totalDueNow.amount]).toEqual(['closed', '0', '0']);
    const types = await outboxTypes(loanId);
    expect(types).toEqual(expect.arrayContaining(['InstallmentDue', 'InstallmentPaid', 'LoanClosed']));
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('LoanClosed (foreclosed) reaches the loan-lifecycle topic on the real Kafka through the outbox relay', async () => {
    const tenant = newTenant('fc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    expect((await foreclose(tenant, loanId, PAYOFF_0120, '2026-01-20')).statusCode).toBe(201);
    const logger = createLogger({ service: 'lms-foreclosure-test', level: 'silent' });
    const kafka = createKafka({ brokers: (await infrastructure()).kafkaBrokers, clientId: 'lms-foreclosure-test', logger });
    const producer = await createProducer(kafka);
    const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
    const relay = startOutboxRelay({ pool: h.pool, producer, logger, lockId: 383_001, topicPrefix: prefix });
    const consumer = kafka.consumer({ groupId: `lms-foreclosure-test-${randomUUID()}` });
    const seen: { type: string; payload: { reason?: string } }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}${topics.loanLifecycle.name}`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== loanId || !message.value) return;
          seen.push(JSON.parse(message.value.toString()) as (typeof seen)[number]);
        },
      });
      relay.wake();
      const closed = await eventually(async () => seen.find((e) => e.type === 'LoanClosed'), { timeoutMs: 60_000, what: 'LoanClosed on Kafka' });
      expect(closed.payload.reason).toBe('foreclosed');
    } finally {
      await consumer.disconnect();
      await relay.stop();
      await producer.disconnect();
    }
  }, 90_000);

  it('is in the OpenAPI document: body amount and valueDate, 201 and its problem responses', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const op = doc.paths['/v1/loans/{id}/foreclosure'].post;
    expect(Object.keys(op.requestBody.content['application/json'].schema.properties)).toEqual(['amount', 'valueDate']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
  });
});
