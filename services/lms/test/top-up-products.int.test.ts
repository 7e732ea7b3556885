import { randomUUID } from 'node:crypto';
import type { LoanApprovedV1 } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayoutPort, PayoutRequest } from '../src/modules/payouts/ports.js';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { instantPayouts, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// A top-up, then a reversal after it, on each seeded product (its own currency, schedule method and rules), over
// the real Postgres and a rail that pays at once: the old loan is paid off with exactly its payoff quote of the
// day (closed, reason top-up), the borrower paid principal − quote; reversing a repayment the payoff counted
// reopens the old loan (LoanReopened); every entry balances and the ledger reconciles after each step.
const sent: PayoutRequest[] = [];
const recording: PayoutPort = { ...instantPayouts, submit: async (r) => { sent.push(r); return instantPayouts.submit(r); } };
let h: Harness;
beforeAll(async () => { h = await startHarness(recording); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object) =>
  h.app.inject({ method, url, headers: h.auth(['operator'], tenant), ...(payload ? { payload } : {}) });
const setDate = async (tenant: string, date: string) => expect((await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], tenant), payload: { date } })).statusCode).toBe(200);
const loan = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant)).json();
const outbox = async (loanId: string, type: string) =>
  (await h.pool.query<{ p: Record<string, unknown> }>(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = $2 ORDER BY seq`, [loanId, type])).rows.map((r) => r.p);
const unbalanced = async (tenant: string) => Number((await h.pool.query<{ n: string }>(
  `SELECT count(*)::text AS n FROM (SELECT entry_id FROM journal_lines WHERE tenant_id = $1 GROUP BY entry_id HAVING sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END) <> 0) x`, [tenant])).rows[0]!.n);

/** Terms each product allows (its currency, frequency, method, term, rate, day count and fees), for a principal. */
function terms(code: string, principalMinor: bigint): Partial<LoanApprovedV1['payload']['loan']> {
  const p = DEMO_PRODUCTS.find((d) => d.code === code)!;
  return {
    productCode: 'TEST-TU', principal: { amount: principalMinor.toString(), currency: p.currency, scale: 2 }, annualRatePercent: p.annualRatePercent.min,
    termPeriods: p.termPeriods.min, frequency: p.frequency, scheduleMethod: p.scheduleMethod, interestCalculation: p.interestCalculation ?? 'per-period', dayCount: p.dayCount,
    expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: p.fees ?? [],
  } as Partial<LoanApprovedV1['payload']['loan']>;
}

describe.each(DEMO_PRODUCTS.map((p) => p.code))('a top-up on %s, then a reversal after it', (code) => {
  it('pays the old loan off with its quote, pays out the rest, and a reversal reopens the old loan; the books hold', async () => {
    const tenant = newTenant('tup');
    const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === code));
    await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-TU', $2, 1)`, [tenant, randomUUID()]);
    await h.pool.query(`INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-TU', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
    const currency = definition.currency;
    const money = (amount: bigint) => ({ amount: amount.toString(), currency, scale: 2 });
    const principal = BigInt(definition.principal.min.amount);
    await setDate(tenant, '2026-01-05');
    const oldId = await h.book(tenant, terms(code, principal));
    expect((await call('POST', `/v1/loans/${oldId}/disbursements`, tenant, { amount: money(principal), valueDate: '2026-01-05' })).statusCode).toBe(202);
    await setDate(tenant, '2026-01-21');
    const paidEarly = principal / 10n;
    const early = await call('POST', `/v1/loans/${oldId}/repayments`, tenant, { amount: money(paidEarly), valueDate: '2026-01-10', channel: currency === 'USD' ? 'ach' : 'upi', reference: 'early' });
    expect(early.statusCode, early.body).toBe(201);
    const quote = await call('POST', `/v1/loans/${oldId}/payoff-quotes`, tenant, { asOf: '2026-01-21' });
    expect(quote.statusCode, quote.body).toBe(201);
    const payoff = BigInt(quote.json().total.amount);

    const newPrincipal = payoff * 3n;
    const newId = await h.book(tenant, { ...terms(code, newPrincipal), expectedDisbursementDate: '2026-01-21', topUpOfLoanId: oldId });
    const res = await call('POST', `/v1/loans/${newId}/disbursements`, tenant, { amount: money(newPrincipal), valueDate: '2026-01-21' });
    expect(res.statusCode, res.body).toBe(202);
    expect(sent.find((r) => r.payoutId === res.json().id)?.amount).toEqual({ amountMinor: newPrincipal - payoff, currency, scale: 2 });
    const old = await loan(tenant, oldId);
    expect([old.servicingStatus, old.balances.principalOutstanding.amount, old.balances.totalDueNow.amount]).toEqual(['closed', '0', '0']);
    expect(old.toppedUpBy).toMatchObject({ loanId: newId, state: 'settled', payoff: { amount: payoff.toString() } });
    expect((await outbox(oldId, 'LoanClosed')).map((p) => p.reason)).toEqual(['top-up']);
    expect((await loan(tenant, newId)).servicingStatus).toBe('active');
    expect(await unbalanced(tenant)).toBe(0);
    expect((await call('GET', '/v1/ledger/reconciliation?asOf=2026-01-21', tenant)).json()).toMatchObject({ loansCompared: 2, differenceCount: 0 });

    await setDate(tenant, '2026-01-22');
    expect((await call('POST', `/v1/loans/${oldId}/transactions/${early.json().id}/reversal`, tenant, { reason: 'payment bounced' })).statusCode).toBe(201);
    const reopened = await loan(tenant, oldId);
    expect([reopened.servicingStatus, reopened.foreclosure.outcome]).toEqual(['active', 'short']);
    const [event] = await outbox(oldId, 'LoanReopened');
    expect(BigInt((event!.shortfall as { amount: string }).amount)).toBeGreaterThanOrEqual(paidEarly);
    expect((await loan(tenant, newId)).balances.principalOutstanding.amount).toBe(newPrincipal.toString());
    expect(await unbalanced(tenant)).toBe(0);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    expect((await call('GET', '/v1/ledger/reconciliation?asOf=2026-01-22', tenant)).json()).toMatchObject({ loansCompared: 2, differenceCount: 0 });
  }, 60_000);
});
