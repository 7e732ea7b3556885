import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { inr, newTenant, startHarness, type Harness } from './servicing-harness.js';

// POST /v1/loans/{id}/payoff-quotes over the real Postgres: the loan engine's account advanced to the
// as-of date (nothing persisted but the quote), the quote kept, Idempotency-Key honoured.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const quote = (tenant: string, loanId: string, asOf: string, headers: Record<string, string> = {}) => call('POST', `/v1/loans/${loanId}/payoff-quotes`, tenant, ['operator'], { asOf }, headers);
const sumOfParts = (p: Record<string, { amount: string }>) =>
  BigInt(p.principal!.amount) + BigInt(p.interest!.amount) + BigInt(p.fees!.amount) + BigInt(p.penalties!.amount) + BigInt(p.prepaymentCharge!.amount) - BigInt(p.excess!.amount);

/** INR 1,00,000.00 at 12 % (1 % a month, 30/360) over 6 months, disbursed 2026-01-05: installment 1 due 2026-02-05 with interest 1,000.00. */
async function disbursedLoan(tenant: string): Promise<string> {
  expect((await setDate(tenant, '2026-01-05')).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  return loanId;
}

describe('payoff quotes', () => {
  it('mid-period: principal plus interest accrued to the as-of day (floor(1,000.00 × 15/31) = 483.87); kept, nothing else written', async () => {
    const tenant = newTenant('pay');
    const loanId = await disbursedLoan(tenant);
    const journal = async () => (await h.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM journal_entries WHERE tenant_id = $1', [tenant])).rows[0]!.n;
    const before = await journal();
    const res = await quote(tenant, loanId, '2026-01-20');
    expect(res.statusCode).toBe(201);
    const q = res.json();
    expect(q).toMatchObject({ loanId, asOf: '2026-01-20', validUntil: '2026-01-20', businessDate: '2026-01-05', total: inr('10048387') });
    expect(q.parts).toEqual({ principal: { ...inr('10000000'), display: '100000.00' }, interest: { ...inr('48387'), display: '483.87' }, fees: { ...inr('0'), display: '0.00' }, penalties: { ...inr('0'), display: '0.00' }, prepaymentCharge: { ...inr('0'), display: '0.00' }, excess: { ...inr('0'), display: '0.00' } });
    expect(sumOfParts(q.parts)).toBe(BigInt(q.total.amount));
    const stored = await h.pool.query('SELECT loan_id, total_minor::text AS t, to_char(as_of, \'YYYY-MM-DD\') AS a FROM payoff_quotes WHERE id = $1', [q.id]);
    expect(stored.rows).toEqual([{ loan_id: loanId, t: '10048387', a: '2026-01-20' }]);
    expect(await journal()).toBe(before);
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.balances.interestAccrued.amount).toBe('0'); // the loan itself was not advanced
  });

  it('on the day an installment falls due: its whole interest; after paying it, the rest of the principal only', async () => {
    const tenant = newTenant('pay');
    const loanId = await disbursedLoan(tenant);
    expect((await quote(tenant, loanId, '2026-02-05')).json().total).toMatchObject(inr('10100000'));
    await setDate(tenant, '2026-02-05');
    const first = (await call('GET', `/v1/loans/${loanId}/schedule`, tenant, ['partner'])).json().installments[0];
    const paid = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(first.total.amount), valueDate: '2026-02-05', channel: 'upi', reference: 'r1' });
    expect(paid.statusCode).toBe(201);
    const q = (await quote(tenant, loanId, '2026-02-05')).json();
    expect(q.parts.interest.amount).toBe('0');
    expect(q.total).toMatchObject(inr(10000000n - BigInt(first.principal.amount)));
  });

  it('a backdated repayment changes the next quote (excess held is subtracted)', async () => {
    const tenant = newTenant('pay');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-01-25');
    expect((await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('500000'), valueDate: '2026-01-10', channel: 'upi', reference: 'early' })).statusCode).toBe(201);
    const q = (await quote(tenant, loanId, '2026-01-25')).json();
    expect(q.parts.excess).toMatchObject(inr('500000'));
    // floor(1,000.00 × 20/31) = 645.16 accrued
    expect(q.total).toMatchObject(inr(10000000n + 64516n - 500000n));
  });

  it("takes the prepayment charge from the loan's product version (the seeded personal EMI product: 2 % of principal)", async () => {
    const tenant = newTenant('pay');
    const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === 'PL-12'));
    expect(definition.prepaymentCharge).toMatchObject({ percentOfPrincipal: '2' });
    await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-PL', $2, 1)`, [tenant, randomUUID()]);
    await h.pool.query(
      `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-PL', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
    const loanId = await disbursedLoan(tenant);
    expect((await h.pool.query('SELECT product_version FROM loan_servicing WHERE loan_id = $1', [loanId])).rows[0].product_version).toBe(1);
    const q = (await quote(tenant, loanId, '2026-01-20')).json();
    expect(q.parts.prepaymentCharge).toMatchObject(inr('200000'));
    expect(q.parts.principal).toMatchObject(inr('10000000'));
    expect(q.total.amount).toBe(sumOfParts(q.parts).toString());
  });

  it('Idempotency-Key: the same request returns the stored quote; another body is 422', async () => {
    const tenant = newTenant('pay');
    const loanId = await disbursedLoan(tenant);
    const key = { 'idempotency-key': randomUUID() };
    const a = await quote(tenant, loanId, '2026-01-20', key);
    const b = await quote(tenant, loanId, '2026-01-20', key);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json()).toEqual(a.json());
    const c = await quote(tenant, loanId, '2026-01-21', key);
    expect(c.statusCode).toBe(422);
    expect((await h.pool.query('SELECT 1 FROM payoff_quotes WHERE loan_id = $1', [loanId])).rowCount).toBe(1);
  });

  it('refusals name their field: asOf before the business date (/asOf), an undisbursed loan, an unknown loan, a bad date, no role', async () => {
    const tenant = newTenant('pay');
    const loanId = await disbursedLoan(tenant);
    const early = await quote(tenant, loanId, '2026-01-04');
    expect(early.statusCode).toBe(422);
    expect(early.headers['content-type']).toMatch(/problem\+json/);
    expect(early.json().errors[0].pointer).toBe('/asOf');
    const pending = await h.book(tenant);
    expect((await quote(tenant, pending, '2026-01-20')).statusCode).toBe(409);
    expect((await quote(tenant, 'no-such-loan', '2026-01-20')).statusCode).toBe(404);
    expect((await quote(tenant, loanId, '2026-02-30')).statusCode).toBe(400);
    expect((await call('POST', `/v1/loans/${loanId}/payoff-quotes`, tenant, ['admin'], { asOf: '2026-01-20' })).statusCode).toBe(403);
    expect((await h.pool.query('SELECT 1 FROM payoff_quotes WHERE tenant_id = $1', [tenant])).rowCount).toBe(0);
  });

  it('is in the OpenAPI document: body asOf, 201 and its problem responses', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const op = doc.paths['/v1/loans/{id}/payoff-quotes'].post;
    expect(op.requestBody.content['application/json'].schema.properties).toHaveProperty('asOf');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
  });
});
