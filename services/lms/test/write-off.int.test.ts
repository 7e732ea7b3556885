import { randomUUID } from 'node:crypto';
import { topics } from '@lendstack/contracts';
import { createKafka, createLogger, createProducer, startOutboxRelay } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// POST /v1/loans/{id}/write-off and …/write-off/undo over the real Postgres and Kafka: the write-off posts
// what the charge-off rule posts (hand-worked below), payments afterwards are recoveries (recovery income),
// the undo reverses every entry it made (journal reversals, nothing deleted) and the loan is back as it was,
// a backdated change before it replays it, refusals name their field, retries are idempotent, and the
// ledger balances and reconciles with the sub-ledger after each step.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const writeOff = (tenant: string, loanId: string, body: object, headers: Record<string, string> = {}) => call('POST', `/v1/loans/${loanId}/write-off`, tenant, ['operator'], body, headers);
const undo = (tenant: string, loanId: string, reason = 'written off in error', headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/write-off/undo`, tenant, ['operator'], { reason }, headers);
const repay = (tenant: string, loanId: string, amount: string, valueDate: string, reference: string) =>
  call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference });
const loan = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
const netByAccount = async (loanId: string) => Object.fromEntries((await h.pool.query<{ a: string; n: string }>(
  `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId])).rows
  .filter((r) => r.n !== '0').map((r) => [r.a, BigInt(r.n)]));
const counts = async (tenant: string) => (await h.pool.query<{ t: string; j: string; o: string; a: string }>(
  `SELECT (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS j,
          (SELECT count(*) FROM outbox o WHERE o.value->>'tenantId' = $1)::text AS o, (SELECT count(*) FROM audit_log WHERE tenant_id = $1)::text AS a`, [tenant])).rows[0]!;
const payloads = async (loanId: string, type: string) =>
  (await h.pool.query<{ p: Record<string, unknown> }>(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = $2 ORDER BY seq`, [loanId, type])).rows.map((r) => r.p);

/** Runs end of day for the tenant up to `to` (POST /v1/end-of-day-runs) and waits for it to complete. */
async function endOfDay(tenant: string, to: string): Promise<void> {
  const res = await call('POST', '/v1/end-of-day-runs', tenant, ['admin'], { to });
  expect(res.statusCode).toBe(202);
  let run = res.json();
  for (let i = 0; i < 600 && run.status !== 'completed' && run.status !== 'failed'; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    run = (await call('GET', `/v1/end-of-day-runs/${run.id}`, tenant, ['partner'])).json();
  }
  expect(run.status).toBe('completed');
}

/** The books balance (trial balance) and the sub-ledger (loan_balances) reconciles with the GL on `asOf`. */
async function balancedAndReconciled(tenant: string, asOf: string): Promise<void> {
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
  const rec = (await call('GET', `/v1/ledger/reconciliation?asOf=${asOf}`, tenant, ['operator'])).json();
  expect(rec).toMatchObject({ asOf, loansCompared: 1, differenceCount: 0, differences: [] });
}

/**
 * INR 1,00,000.00 at 12 % (1 % a month) over 6 months, disbursed 2026-01-05 (installment 1 due 2026-02-05,
 * interest 1,000.00) on the seeded personal product PL-12.
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

// On 2026-01-20 interest has accrued floor(1,000.00 × 15/31) = 483.87; on 2026-01-31, floor(1,000.00 × 26/31) = 838.70.
const ACCRUED_0120 = 48_387n;
const ACCRUED_0131 = 83_870n;

describe('write-off', () => {
  it('writes off the principal and reverses the accrued interest; a repayment afterwards is recovery income; the undo reverses every entry and the loan is open again', async () => {
    const tenant = newTenant('wo');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const res = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'Fraud: borrower identity stolen', accelerate: true });
    expect(res.statusCode).toBe(201);
    const w = res.json();
    expect(w).toMatchObject({
      transaction: { kind: 'write-off', status: 'posted', valueDate: '2026-01-20', amount: null, reason: 'Fraud: borrower identity stolen', reference: 'accelerate' },
      status: 'charged-off', chargedOffOn: '2026-01-20', principalWrittenOff: inr('10000000'), accelerated: true, acceleratedPrincipal: inr('10000000'),
    });
    const off = await loan(tenant, loanId);
    expect(off.servicingStatus).toBe('charged-off');
    expect(off.balances.principalOutstanding.amount).toBe('0');
    expect(off.balances.interestAccrued.amount).toBe('0');
    expect(off.chargedOffOn).toBe('2026-01-20');
    expect(off.writeOff).toEqual({ transactionId: w.transaction.id, valueDate: '2026-01-20', accelerated: true, acceleratedPrincipal: { ...inr('10000000'), display: '100000.00' } });
    // Accelerated: every installment not yet due fell due on the write-off date.
    expect(((await h.pool.query(`SELECT state FROM loan_servicing WHERE loan_id = $1`, [loanId])).rows[0].state.installments as { status: string }[]).map((i) => i.status)).toEqual(Array(6).fill('due'));
    // Posted as the charge-off rule posts: principal to write-off expense, the 483.87 accrued leaves income.
    const entry = await h.pool.query<{ account: string; side: string; amount: string }>(
      `SELECT l.logical_account AS account, l.side, l.amount_minor::text AS amount FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
       WHERE e.loan_id = $1 AND e.effect_key = $2 AND e.reverses IS NULL ORDER BY l.amount_minor DESC, l.side DESC`, [loanId, `write-off:${w.transaction.id}`]);
    expect(entry.rows).toEqual([
      { account: 'write-off-expense', side: 'debit', amount: '10000000' },
      { account: 'loan-portfolio', side: 'credit', amount: '10000000' },
      { account: 'interest-income', side: 'debit', amount: String(ACCRUED_0120) },
      { account: 'interest-receivable', side: 'credit', amount: String(ACCRUED_0120) },
    ]);
    expect(await netByAccount(loanId)).toEqual({ 'disbursement-clearing': -10_000_000n, 'write-off-expense': 10_000_000n });
    expect(await payloads(loanId, 'LoanChargedOff')).toEqual([{
      loanId, eventKey: `written-off:${w.transaction.id}`, businessDate: '2026-01-20', principalWrittenOff: inr('10000000'), dpd: 0,
      writeOff: { transactionId: w.transaction.id, reason: 'Fraud: borrower identity stolen', accelerated: true, acceleratedPrincipal: inr('10000000') },
    }]);
    await balancedAndReconciled(tenant, '2026-01-20');

    // A payment on the written-off loan through the ordinary repayments route: recovery income.
    await setDate(tenant, '2026-01-25');
    const early = await repay(tenant, loanId, '250000', '2026-01-19', 'before-write-off');
    expect([early.statusCode, early.json().errors?.[0]?.pointer]).toEqual([422, '/valueDate']);
    const paid = await repay(tenant, loanId, '250000', '2026-01-25', 'recovery-1');
    expect(paid.statusCode).toBe(201);
    expect(paid.json().allocation).toMatchObject({ recovery: inr('250000'), principal: inr('0'), excess: inr('0') });
    expect((await loan(tenant, loanId)).balances.recovered).toMatchObject(inr('250000'));
    expect(await netByAccount(loanId)).toEqual({ 'disbursement-clearing': -10_000_000n, 'write-off-expense': 10_000_000n, 'collection-clearing': 250_000n, 'recovery-income': -250_000n });
    expect((await payloads(loanId, 'RepaymentReceived')).at(-1)).toMatchObject({ allocation: { recovery: inr('250000') } });
    await balancedAndReconciled(tenant, '2026-01-25');

    // Undo on 2026-01-31: as if it never happened — the 2,500.00 is a repayment (nothing due: excess), interest accrues to date.
    await setDate(tenant, '2026-01-31');
    const before = await counts(tenant);
    const u = await undo(tenant, loanId);
    expect(u.statusCode).toBe(201);
    expect(u.json()).toMatchObject({ transaction: { id: w.transaction.id }, reversal: { kind: 'reversal', targetId: w.transaction.id, valueDate: '2026-01-31' }, status: 'active', chargedOffOn: null, principalWrittenOff: inr('0') });
    const back = await loan(tenant, loanId);
    expect(back.servicingStatus).toBe('active');
    expect(back.balances).toMatchObject({ principalOutstanding: inr('10000000'), interestAccrued: inr(ACCRUED_0131), excess: inr('250000'), recovered: inr('0'), principalWrittenOff: inr('0') });
    const state = (await h.pool.query(`SELECT state FROM loan_servicing WHERE loan_id = $1`, [loanId])).rows[0].state;
    expect(state.chargedOffOn).toBeNull();
    expect(state.writeOff).toBeUndefined();
    expect([back.chargedOffOn, back.writeOff]).toEqual([null, undefined]);
    // The transactions list shows the write-off (no amount of its own) and its reversal.
    const listed = (await call('GET', `/v1/loans/${loanId}/transactions`, tenant, ['partner'])).json().items as { kind: string; amount: unknown }[];
    expect(listed.filter((t) => t.kind === 'write-off' || t.kind === 'reversal')).toEqual([expect.objectContaining({ kind: 'reversal', amount: null }), expect.objectContaining({ kind: 'write-off', amount: null })]);
    expect(await netByAccount(loanId)).toEqual({
      'disbursement-clearing': -10_000_000n, 'loan-portfolio': 10_000_000n, 'interest-receivable': ACCRUED_0131, 'interest-income': -ACCRUED_0131,
      'collection-clearing': 250_000n, 'excess-liability': -250_000n,
    });
    // Journal reversals, not deletes: the write-off's entry and the recovery's are still there, each reversed by a contra-entry.
    const reversedKeys = await h.pool.query<{ k: string }>(
      `SELECT e.effect_key AS k FROM journal_entries e WHERE e.loan_id = $1 AND e.reversed_by IS NOT NULL ORDER BY e.effect_key`, [loanId]);
    expect(reversedKeys.rows.map((r) => r.k)).toEqual(expect.arrayContaining([`write-off:${w.transaction.id}`, `repayment:${paid.json().id}`]));
    const after = await counts(tenant);
    expect(Number(after.j)).toBeGreaterThan(Number(before.j));
    expect(Number(after.a)).toBe(Number(before.a) + 1);
    expect(await payloads(loanId, 'TransactionReversed')).toEqual([{
      loanId, reversalId: u.json().reversal.id, reversedTransactionId: w.transaction.id, reversedEffectKey: `write-off:${w.transaction.id}`, amount: inr('10000000'),
      reason: 'written off in error', valueDate: '2026-01-31', businessDate: '2026-01-31',
    }]);
    await balancedAndReconciled(tenant, '2026-01-31');

    // Open again: a repayment is allocated (the 1 Feb installment is not due yet: excess), and a second undo has nothing to undo.
    expect((await repay(tenant, loanId, '1000', '2026-01-31', 'after-undo')).json().allocation).toMatchObject({ excess: inr('1000'), recovery: inr('0') });
    const again = await undo(tenant, loanId);
    expect([again.statusCode, again.json().code ?? again.json().type, again.json().errors[0].pointer]).toEqual([409, expect.stringContaining('no-write-off'), '/params/id']);
    const audit = await h.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq`, [tenant, `loan/${loanId}`]);
    expect(audit.rows.map((r) => r.action)).toEqual(['loan.written-off', 'loan.write-off-undone']);
  });

  it('a backdated change before the write-off replays it: reversing an earlier repayment leaves what it wrote off and removes the excess', async () => {
    const tenant = newTenant('wo');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const early = await repay(tenant, loanId, '500000', '2026-01-10', 'early');
    expect(early.statusCode).toBe(201);
    const w = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'Borrower deceased' });
    expect(w.json()).toMatchObject({ principalWrittenOff: inr('10000000'), accelerated: false, acceleratedPrincipal: inr('0') });
    // 5,000.00 paid ahead was excess (nothing due): it stays owed back after the write-off.
    expect((await loan(tenant, loanId)).balances.excess).toMatchObject(inr('500000'));
    const reversed = await call('POST', `/v1/loans/${loanId}/transactions/${early.json().id}/reversal`, tenant, ['operator'], { reason: 'payment bounced' });
    expect(reversed.statusCode).toBe(201);
    const after = await loan(tenant, loanId);
    expect([after.servicingStatus, after.balances.excess.amount, after.balances.principalWrittenOff.amount]).toEqual(['charged-off', '0', '10000000']);
    expect(await netByAccount(loanId)).toEqual({ 'disbursement-clearing': -10_000_000n, 'write-off-expense': 10_000_000n });
    // The write-off's entry did not change (same engine key, same lines): still one live entry, never reversed.
    const entries = await h.pool.query(`SELECT reversed_by FROM journal_entries WHERE loan_id = $1 AND effect_key = $2`, [loanId, `write-off:${w.json().transaction.id}`]);
    expect(entries.rows).toEqual([{ reversed_by: null }]);
    await balancedAndReconciled(tenant, '2026-01-20');
  });

  it('refusals name their field and write nothing: closed or written-off loan (/params/id), dates (/valueDate), schema (400), role (403); retries are idempotent', async () => {
    const tenant = newTenant('wo');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    expect((await repay(tenant, loanId, '100', '2026-01-15', 'r')).statusCode).toBe(201);
    const before = await counts(tenant);
    const future = await writeOff(tenant, loanId, { valueDate: '2026-01-21', reason: 'x' });
    expect([future.statusCode, future.headers['content-type'], future.json().errors[0].pointer]).toEqual([422, expect.stringMatching(/problem\+json/), '/valueDate']);
    const stale = await writeOff(tenant, loanId, { valueDate: '2026-01-14', reason: 'x' });
    expect([stale.statusCode, stale.json().errors[0].pointer, stale.json().errors[0].detail]).toEqual([422, '/valueDate', expect.stringContaining('2026-01-15')]);
    const bad = await writeOff(tenant, loanId, { valueDate: '2026-01-20' });
    expect([bad.statusCode, bad.json().errors[0].pointer]).toEqual([400, '/reason']);
    expect((await call('POST', `/v1/loans/${loanId}/write-off`, tenant, ['partner'], { valueDate: '2026-01-20', reason: 'x' })).statusCode).toBe(403);
    expect((await undo(tenant, loanId)).statusCode).toBe(409);
    expect((await writeOff(tenant, `L-${randomUUID()}`, { valueDate: '2026-01-20', reason: 'x' })).statusCode).toBe(404);
    expect(await counts(tenant)).toEqual(before);

    const key = { 'idempotency-key': randomUUID() };
    const a = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'uncollectable' }, key);
    expect(a.statusCode).toBe(201);
    const written = await counts(tenant);
    const b = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'uncollectable' }, key);
    expect([b.statusCode, b.headers['idempotent-replayed'], b.json().transaction.id, b.json().status]).toEqual([201, 'true', a.json().transaction.id, 'charged-off']);
    expect(await counts(tenant)).toEqual(written);
    expect((await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'other' }, key)).statusCode).toBe(422);
    const twice = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'again' });
    expect([twice.statusCode, twice.json().errors[0].pointer]).toEqual([409, '/params/id']);
    const undoKey = { 'idempotency-key': randomUUID() };
    const u1 = await undo(tenant, loanId, 'error', undoKey);
    expect(u1.statusCode).toBe(201);
    const undone = await counts(tenant);
    const u2 = await undo(tenant, loanId, 'error', undoKey);
    expect([u2.statusCode, u2.headers['idempotent-replayed'], u2.json().reversal.id]).toEqual([201, 'true', u1.json().reversal.id]);
    expect(await counts(tenant)).toEqual(undone);

    // A loan repaid in full (closed) cannot be written off.
    const other = newTenant('wo');
    const closedLoan = await disbursedLoan(other);
    await setDate(other, '2026-01-20');
    const payoff = (await call('POST', `/v1/loans/${closedLoan}/payoff-quotes`, other, ['operator'], { asOf: '2026-01-20' })).json();
    expect((await call('POST', `/v1/loans/${closedLoan}/foreclosure`, other, ['operator'], { amount: { amount: payoff.total.amount, currency: 'INR', scale: 2 }, valueDate: '2026-01-20' })).statusCode).toBe(201);
    const closed = await writeOff(other, closedLoan, { valueDate: '2026-01-20', reason: 'x' });
    expect([closed.statusCode, closed.json().errors[0].pointer]).toEqual([409, '/params/id']);
  });

  it('end of day runs over a written-off loan (nothing accrues), and after the undo over an open one: dpd from the unpaid installment, books reconciled', async () => {
    const tenant = newTenant('wo');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    expect((await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'uncollectable' })).statusCode).toBe(201);
    await endOfDay(tenant, '2026-02-10');
    const off = await loan(tenant, loanId);
    // End of day passes charged-off loans by (their state stays as of the write-off).
    expect([off.servicingStatus, off.balances.interestAccrued.amount, off.balances.totalDueNow.amount]).toEqual(['charged-off', '0', '0']);
    expect(await netByAccount(loanId)).toEqual({ 'disbursement-clearing': -10_000_000n, 'write-off-expense': 10_000_000n });
    expect((await undo(tenant, loanId)).statusCode).toBe(201);
    await endOfDay(tenant, '2026-02-15');
    const back = await loan(tenant, loanId);
    // Installment 1 (2026-02-05: 16,254.84 principal + 1,000.00 interest) is unpaid: 10 days past due on 2026-02-15.
    expect([back.servicingStatus, back.asOf, back.delinquency.dpd, back.balances.principalDue.amount, back.balances.interestDue.amount]).toEqual(['active', '2026-02-15', 10, '1625484', '100000']);
    await balancedAndReconciled(tenant, '2026-02-15');
  }, 120_000);

  it('LoanChargedOff with writeOff and the undo\'s TransactionReversed reach the loan-lifecycle topic on the real Kafka', async () => {
    const tenant = newTenant('wo');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-20');
    const w = await writeOff(tenant, loanId, { valueDate: '2026-01-20', reason: 'uncollectable', accelerate: true });
    expect(w.statusCode).toBe(201);
    expect((await undo(tenant, loanId)).statusCode).toBe(201);
    const logger = createLogger({ service: 'lms-write-off-test', level: 'silent' });
    const kafka = createKafka({ brokers: (await infrastructure()).kafkaBrokers, clientId: 'lms-write-off-test', logger });
    const producer = await createProducer(kafka);
    const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
    const relay = startOutboxRelay({ pool: h.pool, producer, logger, lockId: 383_021, topicPrefix: prefix });
    const consumer = kafka.consumer({ groupId: `lms-write-off-test-${randomUUID()}` });
    const seen: { type: string; payload: { writeOff?: { transactionId: string; accelerated: boolean }; reversedEffectKey?: string } }[] = [];
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
      const reversed = await eventually(async () => seen.find((e) => e.type === 'TransactionReversed'), { timeoutMs: 60_000, what: 'TransactionReversed on Kafka' });
      expect(reversed.payload.reversedEffectKey).toBe(`write-off:${w.json().transaction.id}`);
      const charged = seen.find((e) => e.type === 'LoanChargedOff');
      expect(charged?.payload.writeOff).toMatchObject({ transactionId: w.json().transaction.id, accelerated: true });
      // Kafka keeps the loan's order: charged off before it was undone.
      expect(seen.findIndex((e) => e.type === 'LoanChargedOff')).toBeLessThan(seen.findIndex((e) => e.type === 'TransactionReversed'));
    } finally {
      await consumer.disconnect();
      await relay.stop();
      await producer.disconnect();
    }
  }, 90_000);

  it('is in the OpenAPI document: bodies, 201 and problem responses', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const op = doc.paths['/v1/loans/{id}/write-off'].post;
    expect(Object.keys(op.requestBody.content['application/json'].schema.properties)).toEqual(['valueDate', 'reason', 'accelerate']);
    expect(op.requestBody.content['application/json'].schema.required).toEqual(['valueDate', 'reason']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
    const u = doc.paths['/v1/loans/{id}/write-off/undo'].post;
    expect(Object.keys(u.requestBody.content['application/json'].schema.properties)).toEqual(['reason']);
    expect(Object.keys(u.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
  });
});

