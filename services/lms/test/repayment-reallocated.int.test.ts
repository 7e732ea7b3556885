import { randomUUID } from 'node:crypto';
import { repaymentReallocatedV1Schema, type RepaymentReallocatedV1 } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/platform/pg-transaction.js';
import { lockLoan, transactionsOf } from '../src/modules/servicing/adapters/servicing.repository.js';
import type { LoanTransaction } from '../src/modules/servicing/domain/servicing.js';
import { replayLoan } from '../src/modules/servicing/use-cases/replay-loan.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// RepaymentReallocated over the real Postgres, ledger and outbox: a backdated repayment or a reversal
// that moves the money of repayments already announced (RepaymentReceived) publishes one correction per
// repayment it moved, naming the old and the new split and its cause; nothing moved, nothing published.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const repay = async (tenant: string, loanId: string, amount: string | bigint, valueDate: string, key = `pay-${randomUUID()}`) => {
  const res = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference: `ref-${key.slice(-12)}` }, { 'idempotency-key': key });
  expect([200, 201], res.body).toContain(res.statusCode);
  return res.json() as { id: string; allocation: Record<string, unknown> };
};
const reverse = async (tenant: string, loanId: string, txId: string) => {
  const res = await call('POST', `/v1/loans/${loanId}/transactions/${txId}/reversal`, tenant, ['operator'], { reason: 'cheque bounced' }, { 'idempotency-key': `rev-${txId}` });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
};
const emis = async (tenant: string, loanId: string) =>
  ((await call('GET', `/v1/loans/${loanId}/schedule`, tenant, ['partner'])).json().installments as { number: number; principal: { amount: string }; interest: { amount: string }; total: { amount: string } }[]);
/** The loan's lifecycle events on the outbox, in the order they were written. */
const outbox = async (loanId: string) => (await h.pool.query<{ id: string; value: { type: string; causationId?: string; payload: Record<string, unknown> } }>(
  'SELECT id, value FROM outbox WHERE key = $1 ORDER BY seq', [loanId])).rows;
const corrections = async (loanId: string) => (await outbox(loanId)).filter((r) => r.value.type === 'RepaymentReallocated').map((r) => r.value as unknown as RepaymentReallocatedV1);
const storedSplit = async (txId: string) => (await h.pool.query<{ allocation: { installments: { number: number }[]; excess: string } }>('SELECT allocation FROM loan_transactions WHERE id = $1', [txId])).rows[0]!.allocation;
const linesOf = (a: RepaymentReallocatedV1['payload']['allocation']) => a.installments.map((l) => [l.installmentNumber, l.principal.amount, l.interest.amount]);
const balanced = async (tenant: string) => {
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
};

/** A loan of INR 1,00,000.00 at 12 % over 6 months (no product: penalties → fees → interest → principal, oldest first), disbursed 2026-01-05. */
async function disbursedLoan(tenant: string): Promise<string> {
  expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-01-05' })).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  return loanId;
}

describe('RepaymentReallocated', () => {
  it('a backdated repayment moves two announced repayments: one correction each, old and new split, caused by it; its reversal moves them back', async () => {
    const tenant = newTenant('realloc');
    const loanId = await disbursedLoan(tenant);
    const [i1, i2] = await emis(tenant, loanId);
    const emi = i1!.total.amount;
    expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-03-10' })).statusCode).toBe(200);
    // Installment 1 (due 02-05) is paid late on 03-08 by p1; p2 on 03-09 pays installment 2 (due 03-05).
    const p1 = await repay(tenant, loanId, emi, '2026-03-08');
    const p2 = await repay(tenant, loanId, emi, '2026-03-09');
    expect((await storedSplit(p1.id)).installments.map((l) => l.number)).toEqual([1]);
    expect((await storedSplit(p2.id)).installments.map((l) => l.number)).toEqual([2]);
    expect(await corrections(loanId)).toEqual([]);

    // A repayment dated 02-05 arrives now: it pays installment 1, so p1 pays installment 2 and p2 (installment 3
    // not due until 04-05) is held as excess.
    const p0 = await repay(tenant, loanId, emi, '2026-02-05');
    const moved = await corrections(loanId);
    expect(moved.map((e) => e.payload.transactionId)).toEqual([p1.id, p2.id]);
    for (const e of moved) {
      expect(repaymentReallocatedV1Schema.safeParse(e).success).toBe(true);
      expect(e).toMatchObject({ causationId: p0.id, subject: loanId, payload: { causeTransactionId: p0.id, eventKey: `reallocation:${e.payload.transactionId}:${p0.id}`, effectKey: `repayment:${e.payload.transactionId}`, amount: inr(emi), businessDate: '2026-03-10' } });
    }
    const [c1, c2] = moved;
    expect(linesOf(c1!.payload.previousAllocation)).toEqual([[1, i1!.principal.amount, i1!.interest.amount]]);
    expect(linesOf(c1!.payload.allocation)).toEqual([[2, i2!.principal.amount, i2!.interest.amount]]);
    expect(c1!.payload.valueDate).toBe('2026-03-08');
    expect(linesOf(c2!.payload.previousAllocation)).toEqual([[2, i2!.principal.amount, i2!.interest.amount]]);
    expect(c2!.payload.allocation.installments).toEqual([]);
    expect(c2!.payload.allocation.excess).toEqual(inr(emi));
    // What the corrections say is what the transactions now hold.
    expect((await storedSplit(p1.id)).installments.map((l) => l.number)).toEqual([2]);
    expect((await storedSplit(p2.id)).excess).toBe(emi);
    // Order on the loan's key: the cause first, then its corrections.
    const types = (await outbox(loanId)).filter((r) => r.value.causationId === p0.id).map((r) => r.value.type);
    expect(types.slice(0, 3)).toEqual(['RepaymentReceived', 'RepaymentReallocated', 'RepaymentReallocated']);
    await balanced(tenant);

    // Reversing p0 puts p1 back on installment 1 and p2 on installment 2: two more corrections, caused by the reversal.
    const reversal = await reverse(tenant, loanId, p0.id);
    const back = (await corrections(loanId)).filter((e) => e.payload.causeTransactionId === reversal.id);
    expect(back.map((e) => e.payload.transactionId)).toEqual([p1.id, p2.id]);
    expect(linesOf(back[0]!.payload.previousAllocation)).toEqual(linesOf(c1!.payload.allocation));
    expect(linesOf(back[0]!.payload.allocation)).toEqual(linesOf(c1!.payload.previousAllocation));
    expect(back[1]!.payload.previousAllocation).toEqual(c2!.payload.allocation);
    expect(back[1]!.payload.allocation).toEqual(c2!.payload.previousAllocation);
    // The reversed repayment itself is announced by TransactionReversed, not corrected.
    expect((await corrections(loanId)).some((e) => e.payload.transactionId === p0.id)).toBe(false);
    await balanced(tenant);
  });

  it('publishes nothing when no announced split changes: on-time repayments, and a backdated one that leaves the others as they were', async () => {
    const tenant = newTenant('realloc');
    const loanId = await disbursedLoan(tenant);
    const [i1] = await emis(tenant, loanId);
    expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-02-05' })).statusCode).toBe(200);
    await repay(tenant, loanId, i1!.total.amount, '2026-02-05');
    expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-03-10' })).statusCode).toBe(200);
    // 1.00 on 03-08 goes to installment 2's interest; 2.00 dated the same day is replayed from 03-08, with the
    // 1.00 inside the compared days, and whichever comes first that day both go to that interest.
    const small = await repay(tenant, loanId, '100', '2026-03-08');
    const before = await storedSplit(small.id);
    await repay(tenant, loanId, '200', '2026-03-08');
    expect(await storedSplit(small.id)).toEqual(before);
    expect(await corrections(loanId)).toEqual([]);
    await balanced(tenant);
  });

  it('is idempotent: a retried request, and a replay of the same cause run again over the old splits, publish no second correction', async () => {
    const tenant = newTenant('realloc');
    const loanId = await disbursedLoan(tenant);
    const [i1] = await emis(tenant, loanId);
    const emi = i1!.total.amount;
    expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-03-10' })).statusCode).toBe(200);
    const p1 = await repay(tenant, loanId, emi, '2026-03-08');
    const old: LoanTransaction[] = await transactionsOf(h.pool, loanId, { allocations: false });
    const key = `pay-${randomUUID()}`;
    const p0 = await repay(tenant, loanId, emi, '2026-02-05', key);
    expect((await corrections(loanId)).map((e) => e.payload.transactionId)).toEqual([p1.id]);
    const rows = (await outbox(loanId)).length;

    // The same request again (a client retry): the first transaction, nothing new on the outbox.
    expect((await repay(tenant, loanId, emi, '2026-02-05', key)).id).toBe(p0.id);
    expect((await outbox(loanId)).length).toBe(rows);

    // The replay of p0 run again as if its first commit had not been seen (p1 still holding its old split):
    // it finds the same correction, whose id derives from (loan, p1, p0), so the outbox keeps one row.
    const p0Row = (await transactionsOf(h.pool, loanId, { allocations: false })).find((t) => t.id === p0.id)!;
    const again = await inTransaction(h.pool, async (client) => {
      const loan = (await lockLoan(client, tenant, loanId))!;
      return replayLoan(h.deps, client, { loan, businessDate: '2026-03-10', transactions: [...old, p0Row], affectedFrom: '2026-02-05', correlationId: 'retry', notice: { kind: 'repayment-received', transaction: p0Row } });
    });
    expect(again.ok).toBe(true);
    expect((await outbox(loanId)).length).toBe(rows);
    expect(await corrections(loanId)).toHaveLength(1);
    await balanced(tenant);
  });
});
