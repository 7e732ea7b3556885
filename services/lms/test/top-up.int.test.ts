import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1, topics, type LoanApprovedV1 } from '@lendstack/contracts';
import { createHttpServer, createKafka, createLogger, createMetrics, createProducer, type RunningConsumer } from '@lendstack/platform';
import { eventually, infrastructure, testPort } from '@lendstack/testing';
import { startPayoutSandbox, stopPayoutSandbox } from '@lendstack/testing/payout-sandbox';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createBookingRejectionNotifier } from '../src/modules/loans/adapters/booking-rejections.outbox.js';
import { startLoanApprovedConsumer } from '../src/modules/loans/adapters/loan-approved.consumer.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookApprovedLoans } from '../src/modules/loans/use-cases/book-approved-loans.js';
import { payoutWebhookRoute } from '../src/modules/payouts/adapters/payout-webhook.routes.js';
import { createRazorpayXPayoutClient, razorpayXOptions } from '../src/modules/payouts/adapters/razorpayx-payout.client.js';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { payoutOutcomeHandler } from '../src/modules/servicing/use-cases/disbursements.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// Top-up loans end to end: a LoanApproved naming topUpOfLoanId goes over the real Kafka to the LMS's consumer,
// which books the new loan; its disbursement goes through the payout sandbox (a real process; its signed
// webhooks come back to this LMS over a socket) for the principal less the old loan's payoff, and the payout's
// confirmation forecloses the old loan with that payoff in the same transaction (LoanClosed reason top-up).
// Also: a payoff not less than the principal refused with nothing written, redelivery and retries paying off
// once, and a reversal on the old loan after the top-up (the old loan reopens with the shortfall).
const SANDBOX_PORT = await testPort();
const RECEIVER_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `payout-sandbox-${SANDBOX_PORT}.pid`), logFile: join(cache, 'logs', `payout-sandbox-${SANDBOX_PORT}.log`) };
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';

let h: Harness;
let receiver: FastifyInstance;
let producer: Producer;
let consumer: RunningConsumer;
let sandboxUrl: string;

beforeAll(async () => {
  const config = loadConfig({ PAYOUT_BASE_URL: `http://127.0.0.1:${SANDBOX_PORT}` });
  const payouts = createRazorpayXPayoutClient({ ...razorpayXOptions(config, () => new Date()), retryBaseDelayMs: 20 });
  h = await startHarness(payouts);
  const logger = createLogger({ service: 'lms-top-up-test', level: 'silent' });
  receiver = await createHttpServer({ logger, metrics: createMetrics('lms-top-up-test'), serviceName: 'lms-top-up-test', title: 't', description: 'd', version: '1' });
  await payoutWebhookRoute(receiver, { verify: payouts.verifyWebhook, onOutcome: payoutOutcomeHandler(h.deps) });
  const receiverUrl = await receiver.listen({ host: '127.0.0.1', port: RECEIVER_PORT });
  await stopPayoutSandbox(sandboxFiles);
  const sandbox = await startPayoutSandbox({ port: SANDBOX_PORT, ...sandboxFiles, env: { PAYOUT_WEBHOOK_URL: `${receiverUrl}/v1/payout-webhooks/razorpayx`, PAYOUT_SANDBOX_DELAY_MS: '50', LOG_LEVEL: 'warn' } });
  sandboxUrl = sandbox.url;
  const kafka = createKafka({ brokers: (await infrastructure()).kafkaBrokers, clientId: 'lms-top-up-test', logger });
  producer = await createProducer(kafka);
  consumer = await startLoanApprovedConsumer({
    kafka, producer, logger, groupId: `lms-top-up-test-${randomUUID()}`, fromBeginning: true, topicPrefix: prefix, metrics: createMetrics('lms-top-up-consumer'),
    store: createPgLoanBookingStore(h.pool), calculateSchedule: engineScheduleCalculator, onBooked: () => undefined,
    onDeadLetter: createBookingRejectionNotifier({ pool: h.pool, logger, now: () => new Date(), wakeOutbox: () => undefined }),
  });
}, 120_000);

afterAll(async () => {
  await consumer?.stop();
  await producer?.disconnect();
  await stopPayoutSandbox(sandboxFiles);
  await receiver?.close();
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(['operator'], tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date } });
const loan = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant)).json();
const disburse = (tenant: string, loanId: string, amount: string | bigint, valueDate: string, headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: inr(amount), valueDate }, headers);
const netByAccount = async (loanId: string) => Object.fromEntries((await h.pool.query<{ a: string; n: string }>(
  `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId])).rows.map((r) => [r.a, BigInt(r.n)]));
const unbalancedEntries = async (tenant: string) => Number((await h.pool.query<{ n: string }>(
  `SELECT count(*)::text AS n FROM (SELECT entry_id FROM journal_lines WHERE tenant_id = $1 GROUP BY entry_id
     HAVING sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END) <> 0) x`, [tenant])).rows[0]!.n);
const counts = async (tenant: string) => (await h.pool.query<{ t: string; j: string; o: string; u: string }>(
  `SELECT (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS j,
          (SELECT count(*) FROM outbox o WHERE o.value->>'tenantId' = $1)::text AS o, (SELECT count(*) FROM top_ups WHERE tenant_id = $1)::text AS u`, [tenant])).rows[0]!;
const sandboxPayouts = async (payoutId: string) =>
  ((await (await fetch(`${sandboxUrl}/sandbox/state`)).json()) as { payouts: { idempotencyKey: string; amount: number; status: string }[] }).payouts.filter((p) => p.idempotencyKey === payoutId);
const lifecycle = async (loanId: string, type: string) =>
  (await h.pool.query<{ p: Record<string, unknown> }>(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = $2 ORDER BY seq`, [loanId, type])).rows.map((r) => r.p);

/**
 * The old loan: INR 1,00,000.00 at 12 % over 6 months on the seeded personal product PL-12 (2 % prepayment
 * charge), disbursed 2026-01-05 (the payout sandbox settles it), business date then 2026-01-21.
 */
async function oldLoan(tenant: string): Promise<string> {
  const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === 'PL-12'));
  await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-PL', $2, 1)`, [tenant, randomUUID()]);
  await h.pool.query(
    `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-PL', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
  expect((await setDate(tenant, '2026-01-05')).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  expect((await disburse(tenant, loanId, '10000000', '2026-01-05')).statusCode).toBe(202);
  await eventually(async () => ((await loan(tenant, loanId)).servicingStatus === 'active' ? true : undefined), { timeoutMs: 20_000, what: 'the old loan disbursed' });
  expect((await setDate(tenant, '2026-01-21')).statusCode).toBe(200);
  return loanId;
}

// On 2026-01-21: principal 1,00,000.00 + floor(1,000.00 × 16/31) = 516.12 interest + 2 % charge 2,000.00.
const PAYOFF = 10_000_000n + 51_612n + 200_000n;
const NEW_PRINCIPAL = 20_000_000n;

/** A LoanApproved of the same borrower topping `oldLoanId` up: INR 2,00,000.00 over 12 months from 2026-01-21. */
const topUpApproved = (tenant: string, oldLoanId: string, loan: Partial<LoanApprovedV1['payload']['loan']> = {}, borrower: Partial<LoanApprovedV1['payload']['borrower']> = {}) => sampleLoanApprovedV1({
  tenantId: tenant,
  borrower,
  loan: {
    productCode: 'TEST-PL', principal: inr(NEW_PRINCIPAL), annualRatePercent: '12', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-installment',
    interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-21', firstDueDate: undefined, fees: [], topUpOfLoanId: oldLoanId, ...loan,
  } as Partial<LoanApprovedV1['payload']['loan']>,
});

const publish = (events: LoanApprovedV1[]) =>
  producer.send({ topic: `${prefix}${topics.loanApproved.name}`, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });

async function bookedOverKafka(tenant: string, event: LoanApprovedV1): Promise<string> {
  await publish([event, event]); // delivered twice: booked once
  await eventually(async () => ((await h.pool.query('SELECT 1 FROM loan_accounts WHERE id = $1', [event.subject])).rowCount === 1 ? true : undefined), { timeoutMs: 60_000, what: 'the top-up loan booked from Kafka' });
  return event.subject;
}

const settled = (tenant: string, loanId: string) =>
  eventually(async () => {
    const l = await loan(tenant, loanId);
    return l.servicingStatus === 'active' ? l : undefined;
  }, { timeoutMs: 30_000, what: `loan ${loanId} disbursed` });

describe('top-up loans', () => {
  it('LoanApproved with topUpOfLoanId over Kafka → booked → disbursed: the old loan closes (top-up) with its payoff, the borrower is paid the net, the ledger balances and reconciles', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    const newId = await bookedOverKafka(tenant, topUpApproved(tenant, oldId));
    expect((await h.pool.query('SELECT count(*)::int AS n, min(top_up_of_loan_id) AS of FROM loan_accounts WHERE id = $1', [newId])).rows[0]).toEqual({ n: 1, of: oldId });
    expect((await loan(tenant, newId)).topUpOf).toEqual({ loanId: oldId, state: 'booked', disbursementId: null, valueDate: null, payoff: null, foreclosureTransactionId: null });

    const res = await disburse(tenant, newId, NEW_PRINCIPAL, '2026-01-21');
    expect(res.statusCode).toBe(202);
    const disbursementId = res.json().id;
    const after = await settled(tenant, newId);
    expect(after.balances.principalOutstanding).toMatchObject(inr(NEW_PRINCIPAL));
    expect(after.topUpOf).toMatchObject({ loanId: oldId, state: 'settled', disbursementId, valueDate: '2026-01-21', payoff: inr(PAYOFF) });

    const old = await loan(tenant, oldId);
    expect(old.servicingStatus).toBe('closed');
    for (const k of ['principalOutstanding', 'interestAccrued', 'fees', 'penalties', 'excess', 'totalDueNow']) expect(old.balances[k].amount).toBe('0');
    expect(old.toppedUpBy).toMatchObject({ loanId: newId, state: 'settled', disbursementId, payoff: inr(PAYOFF), foreclosureTransactionId: after.topUpOf.foreclosureTransactionId });
    expect(old.foreclosure).toMatchObject({ transactionId: after.topUpOf.foreclosureTransactionId, valueDate: '2026-01-21', outcome: 'closed', payoff: inr(PAYOFF) });
    const fx = (await h.pool.query('SELECT kind, channel, reference, amount_minor::text AS amount FROM loan_transactions WHERE id = $1', [after.topUpOf.foreclosureTransactionId])).rows[0];
    expect(fx).toEqual({ kind: 'foreclosure', channel: 'top-up', reference: newId, amount: PAYOFF.toString() });
    expect(await lifecycle(oldId, 'LoanClosed')).toEqual([{ loanId: oldId, eventKey: `closed:2026-01-21:top-up:${PAYOFF}`, businessDate: '2026-01-21', closedOn: '2026-01-21', reason: 'top-up' }]);

    // The borrower was paid principal − payoff, once, by the payout sandbox.
    const paid = await sandboxPayouts(disbursementId);
    expect(paid.map((p) => [BigInt(p.amount), p.status])).toEqual([[NEW_PRINCIPAL - PAYOFF, 'processed']]);

    // Ledger: the payoff moved from the new loan's disbursement-clearing to the old loan's balances; no collection.
    const [oldNet, newNet] = [await netByAccount(oldId), await netByAccount(newId)];
    expect(newNet['loan-portfolio']).toBe(NEW_PRINCIPAL);
    expect(newNet['disbursement-clearing']).toBe(-NEW_PRINCIPAL);
    expect(oldNet['loan-portfolio'] ?? 0n).toBe(0n);
    expect(oldNet['disbursement-clearing']).toBe(-10_000_000n + PAYOFF);
    expect(oldNet['collection-clearing'] ?? 0n).toBe(0n);
    expect(oldNet['interest-income']).toBe(-51_612n);
    expect(oldNet['fee-income']).toBe(-200_000n);
    // What left disbursement-clearing for the two loans is exactly what the rail paid out.
    expect(-((oldNet['disbursement-clearing'] ?? 0n) + (newNet['disbursement-clearing'] ?? 0n))).toBe(10_000_000n + NEW_PRINCIPAL - PAYOFF);
    expect(await unbalancedEntries(tenant)).toBe(0);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    const rec = (await call('GET', '/v1/ledger/reconciliation?asOf=2026-01-21', tenant)).json();
    expect(rec).toMatchObject({ asOf: '2026-01-21', loansCompared: 2, differenceCount: 0, differences: [] });
  }, 120_000);

  it('a payoff not less than the new principal is refused (422 naming /amount/amount, the payoff in the problem) with nothing written; so is a tranche', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    const small = await h.book(tenant, { principal: inr(PAYOFF), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const before = await counts(tenant);
    const res = await disburse(tenant, small, PAYOFF, '2026-01-21');
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const problem = res.json();
    expect(problem.errors).toEqual([{ pointer: '/amount/amount', detail: expect.stringContaining(`${PAYOFF} minor units, is not less than this loan's principal`) }]);
    expect(problem.payoff).toMatchObject({ loanId: oldId, asOf: '2026-01-21', total: inr(PAYOFF), parts: { interest: inr('51612'), prepaymentCharge: inr('200000') } });
    const big = await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const tranche = await disburse(tenant, big, '15000000', '2026-01-21');
    expect(tranche.statusCode).toBe(422);
    expect(tranche.json().errors[0].pointer).toBe('/amount/amount');
    expect(await counts(tenant)).toEqual(before);
    expect((await loan(tenant, oldId)).servicingStatus).toBe('active');
    expect((await loan(tenant, small)).servicingStatus).toBe('pending-disbursement');
  }, 60_000);

  it('the booking refuses a top-up of another borrower\'s loan or of a loan that is not active (LoanBookingRejected reason)', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    const pending = await h.book(tenant);
    const store = createPgLoanBookingStore(h.pool);
    const delivered = (e: LoanApprovedV1) => ({ event: e, topic: 't', partition: 0, offset: '0', headers: {} });
    const events = [topUpApproved(tenant, oldId, {}, { id: 'bor-someone-else' }), topUpApproved(tenant, pending), topUpApproved(tenant, `loan-${randomUUID()}`), topUpApproved(tenant, oldId)];
    const rejections = await bookApprovedLoans({ store, calculateSchedule: engineScheduleCalculator, onBooked: () => undefined }, events.map(delivered));
    expect(rejections.map((r) => [r.delivered.event.id, r.code, r.reason])).toEqual([
      [events[0]!.id, 'unbookable', `top-up: loan ${oldId} is borrower bor-7f3c2a's, not bor-someone-else's`],
      [events[1]!.id, 'unbookable', `top-up: loan ${pending} is pending-disbursement: only an active loan can be topped up`],
      [events[2]!.id, 'unbookable', `top-up: loan ${events[2]!.payload.loan.topUpOfLoanId} is not a loan of this tenant`],
    ]);
    expect((await h.pool.query('SELECT top_up_of_loan_id FROM loan_accounts WHERE id = $1', [events[3]!.subject])).rows).toEqual([{ top_up_of_loan_id: oldId }]);
  }, 60_000);

  it('retries pay off once: a failed payout releases the old loan, the same Idempotency-Key, a redelivered payout webhook; a returned payout and a second top-up loan of the same old loan are refused', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    // The sandbox fails a payout ending in 13 paise (BENEFICIARY_BANK_DOWN): 2,00,000.25 − the payoff is 97,486.13.
    const failing = await h.book(tenant, { principal: inr(NEW_PRINCIPAL + 25n), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const lost = await disburse(tenant, failing, NEW_PRINCIPAL + 25n, '2026-01-21');
    expect(lost.statusCode).toBe(202);
    await eventually(async () => ((await loan(tenant, failing)).topUpOf.state === 'failed' ? true : undefined), { timeoutMs: 30_000, what: 'the failed payout' });
    expect((await h.pool.query('SELECT status FROM loan_transactions WHERE id = $1', [lost.json().id])).rows[0].status).toBe('failed');
    expect((await loan(tenant, oldId)).servicingStatus).toBe('active');
    expect((await loan(tenant, oldId)).toppedUpBy).toBeUndefined();
    const newId = await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const key = { 'idempotency-key': randomUUID() };
    const first = await disburse(tenant, newId, NEW_PRINCIPAL, '2026-01-21', key);
    expect(first.statusCode).toBe(202);
    await settled(tenant, newId);
    const written = await counts(tenant);
    const again = await disburse(tenant, newId, NEW_PRINCIPAL, '2026-01-21', key);
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().id]).toEqual([202, 'true', first.json().id]);
    // The provider redelivers its webhook: the settled disbursement settles to nothing.
    await payoutOutcomeHandler(h.deps)({ eventId: `evt_${randomUUID()}`, payoutId: first.json().id, status: 'processed' });
    expect(await counts(tenant)).toEqual(written);
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM loan_transactions WHERE loan_id = $1 AND kind = 'foreclosure'`, [oldId])).rows[0].n).toBe(1);
    expect((await sandboxPayouts(first.json().id)).length).toBe(1);
    expect(await lifecycle(oldId, 'LoanClosed')).toHaveLength(1);
    // The rail returning the net payout after it paid the old loan off is not undone automatically: nothing is written
    // to the loans or the ledger; the webhook is acknowledged and an operator gets a payout-exception request saying why.
    await payoutOutcomeHandler(h.deps)({ eventId: `evt_${randomUUID()}`, payoutId: first.json().id, status: 'reversed', failureReason: 'BENEFICIARY_BANK_REJECTED' });
    expect(await counts(tenant)).toEqual(written);
    const exception = await h.pool.query<{ summary: string; status: string }>(`SELECT summary, status FROM service_requests WHERE loan_id = $1 AND type = 'payout-exception'`, [newId]);
    expect(exception.rows).toHaveLength(1);
    expect(exception.rows[0]).toMatchObject({ status: 'open', summary: expect.stringContaining(`paid off loan ${oldId} (a top-up)`) });
    // Another top-up loan of the (now closed) old loan cannot pay it off again.
    const second = await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const refused = await disburse(tenant, second, NEW_PRINCIPAL, '2026-01-21');
    expect([refused.statusCode, refused.json().errors[0].pointer]).toEqual([409, '/params/id']);
    expect(await counts(tenant)).toEqual(written);
  }, 60_000);

  it('two top-up loans of one old loan disbursed at once: one pays it off, the other is 409 (the old loan\'s lock, then the live top-up)', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    const loans = [await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId }), await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId })];
    const answers = await Promise.all(loans.map((id) => disburse(tenant, id, NEW_PRINCIPAL, '2026-01-21')));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    const winner = loans[answers.findIndex((a) => a.statusCode === 202)]!;
    await settled(tenant, winner);
    expect((await loan(tenant, oldId)).toppedUpBy).toMatchObject({ loanId: winner, state: 'settled' });
    expect((await h.pool.query('SELECT count(*)::int AS n FROM top_ups WHERE old_loan_id = $1', [oldId])).rows[0].n).toBe(1);
  }, 60_000);

  it('a reversal after a top-up: reversing a repayment the payoff counted reopens the old loan with the shortfall; the new loan and the ledger stay whole', async () => {
    const tenant = newTenant('tu');
    const oldId = await oldLoan(tenant);
    const early = await call('POST', `/v1/loans/${oldId}/repayments`, tenant, { amount: inr('500000'), valueDate: '2026-01-10', channel: 'upi', reference: 'early' });
    expect(early.statusCode).toBe(201);
    const newId = await h.book(tenant, { principal: inr(NEW_PRINCIPAL), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const res = await disburse(tenant, newId, NEW_PRINCIPAL, '2026-01-21');
    expect(res.statusCode).toBe(202);
    // The 5,000.00 held as excess lowers the payoff, so the borrower receives more.
    const payoff = PAYOFF - 500_000n;
    await settled(tenant, newId);
    expect((await sandboxPayouts(res.json().id)).map((p) => BigInt(p.amount))).toEqual([NEW_PRINCIPAL - payoff]);
    expect((await loan(tenant, oldId)).servicingStatus).toBe('closed');
    // The early repayment bounces: the top-up paid 5,000.00 too little on 2026-01-21.
    await setDate(tenant, '2026-01-22');
    const reversed = await call('POST', `/v1/loans/${oldId}/transactions/${early.json().id}/reversal`, tenant, { reason: 'payment bounced' });
    expect(reversed.statusCode).toBe(201);
    const reopened = await loan(tenant, oldId);
    expect(reopened.servicingStatus).toBe('active');
    expect(reopened.foreclosure).toMatchObject({ outcome: 'short' });
    expect(reopened.toppedUpBy).toMatchObject({ loanId: newId, state: 'settled', payoff: inr(payoff) });
    const fxId = reopened.toppedUpBy.foreclosureTransactionId;
    expect(await lifecycle(oldId, 'LoanReopened')).toEqual([{ loanId: oldId, eventKey: `reopened:${fxId}:500000`, businessDate: '2026-01-21', foreclosureId: fxId, foreclosureValueDate: '2026-01-21', shortfall: inr('500000') }]);
    // The top-up's money is now a repayment of the old loan (held as excess: nothing was due), still from disbursement-clearing.
    expect(reopened.balances.excess).toMatchObject(inr(payoff));
    const oldNet = await netByAccount(oldId);
    expect(oldNet['disbursement-clearing']).toBe(-10_000_000n + payoff);
    expect(oldNet['collection-clearing'] ?? 0n).toBe(0n);
    const fresh = await loan(tenant, newId);
    expect([fresh.servicingStatus, fresh.balances.principalOutstanding.amount]).toEqual(['active', NEW_PRINCIPAL.toString()]);
    expect(await unbalancedEntries(tenant)).toBe(0);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    expect((await call('GET', '/v1/ledger/reconciliation?asOf=2026-01-22', tenant)).json()).toMatchObject({ loansCompared: 2, differenceCount: 0 });
  }, 60_000);
});
