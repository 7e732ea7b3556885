import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate } from '@lendstack/loan-engine';
import { processCheckpoints } from '../src/modules/servicing/adapters/replay-checkpoints.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// The order-independence property over the REAL LMS (HTTP API, Postgres, ledger), not the engine
// alone: for any payments and reversals, a loan that receives them in any arrival order ends exactly
// where a twin loan that receives them in value-date order ends — balances, delinquency, its history,
// every repayment's allocation and its books — and the tenant's trial balance is zero and its
// sub-ledgers reconcile with the GL after every single step.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const START = '2026-01-05';
// The horizon stays short of charge-off (a charged-off loan refuses repayments, so a payment that
// would have prevented it could not arrive late), but passes the product's non-accrual threshold.
const HORIZON_DAYS = 150;
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object) =>
  h.app.inject({ method, url, headers: h.auth(['partner', 'operator', 'admin'], tenant), ...(payload ? { payload } : {}) });

/** A late-fee, penal-interest product with daily interest and early non-accrual, so order can matter to fees, accruals and suspense. */
const PRODUCT = {
  code: 'ORDER-PL', name: 'Order property loan', currency: 'INR', principal: { min: inr('100000'), max: inr('100000000') }, termPeriods: { min: 1, max: 36 },
  annualRatePercent: { min: '0', max: '30' }, frequency: 'monthly', scheduleMethod: 'equal-installment', dayCount: '30/360', interestCalculation: 'daily',
  graceDays: 3, lateFee: { kind: 'flat', amount: inr('50000') }, penalInterest: { annualRatePercent: '24' }, nonAccrualDpd: 45, chargeOffDpd: 150,
};

interface Payment { readonly ref: string; readonly day: number; readonly amountMinor: bigint; readonly reversed: boolean }
interface Case { readonly payments: readonly Payment[]; readonly arrival: readonly string[] }

const caseArb: fc.Arbitrary<Case> = fc
  // One payment a day: the engine orders payments of one day by transaction id (random uuids), so which
  // of two same-day payments meets an installment first would differ between the two loans by chance.
  .uniqueArray(fc.record({ day: fc.integer({ min: 0, max: HORIZON_DAYS }), amountMinor: fc.bigInt({ min: 1n, max: 4_000_000n }), reversed: fc.boolean() }), { minLength: 1, maxLength: 7, selector: (r) => r.day })
  .chain((rows) => {
    const payments = rows.map((r, i) => ({ ...r, reversed: r.reversed && i % 3 === 0, ref: `p${i}` }));
    // Every repayment and every reversal as a step; a reversal can only arrive after its repayment.
    const steps = payments.flatMap((p) => (p.reversed ? [p.ref, `x:${p.ref}`] : [p.ref]));
    return fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }).map((order) => {
      const seen = new Set<string>();
      const arrival: string[] = [];
      const deferred: string[] = [];
      for (const s of order) {
        if (s.startsWith('x:') && !seen.has(s.slice(2))) deferred.push(s);
        else arrival.push(s);
        seen.add(s);
        for (let i = deferred.length - 1; i >= 0; i -= 1) if (seen.has(deferred[i]!.slice(2))) arrival.push(...deferred.splice(i, 1));
      }
      return { payments, arrival: [...arrival, ...deferred] };
    });
  });

/** The same steps in value-date order (ties by reference), every reversal after all repayments: it is dated on the business date. */
const valueDateOrder = (c: Case): string[] => [
  ...[...c.payments].sort((a, b) => a.day - b.day || (a.ref < b.ref ? -1 : 1)).map((p) => p.ref),
  ...c.payments.filter((p) => p.reversed).map((p) => `x:${p.ref}`),
];

async function disbursedLoan(tenant: string, product = PRODUCT, termPeriods = 6): Promise<string> {
  const loanId = await h.book(tenant, { productCode: product.code, interestCalculation: 'daily', termPeriods });
  const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: inr('10000000'), valueDate: START });
  expect(res.json().status).toBe('confirmed');
  return loanId;
}

async function expectBooksBalanced(tenant: string, asOf: string): Promise<void> {
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
  const api = await call('GET', `/v1/ledger/trial-balance?asOf=${asOf}&currency=INR`, tenant);
  expect(api.statusCode).toBe(200);
  expect(api.json().totals.debit).toEqual(api.json().totals.credit);
  const rec = await call('GET', `/v1/ledger/reconciliation?asOf=${asOf}`, tenant);
  expect(rec.statusCode).toBe(200);
  expect(rec.json().differences).toEqual([]);
}

/** Applies one step to a loan: a repayment (its reference is the payment's) or the reversal of one. */
async function apply(tenant: string, loanId: string, c: Case, step: string, txIds: Map<string, string>): Promise<void> {
  if (step.startsWith('x:')) {
    const res = await call('POST', `/v1/loans/${loanId}/transactions/${txIds.get(step.slice(2))}/reversal`, tenant, { reason: 'property: reversed' });
    expect(res.statusCode, res.body).toBe(201);
    return;
  }
  const p = c.payments.find((x) => x.ref === step)!;
  const res = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, { amount: inr(p.amountMinor), valueDate: addDays(START, p.day), channel: 'upi', reference: p.ref });
  expect(res.statusCode, res.body).toBe(201);
  txIds.set(p.ref, res.json().id);
}

/** What must not depend on arrival order, with transaction ids replaced by references. */
async function finalView(tenant: string, loanId: string) {
  const loan = (await call('GET', `/v1/loans/${loanId}`, tenant)).json();
  const history = (await call('GET', `/v1/loans/${loanId}/delinquency-history`, tenant)).json().items;
  const txs = (await call('GET', `/v1/loans/${loanId}/transactions?limit=100`, tenant)).json().items as { id: string; kind: string; reference: string | null; targetId?: string; allocation: unknown }[];
  // A reversed repayment keeps the split it had when it was reversed (history, so order-dependent); every live one must agree.
  const reversed = new Set(txs.filter((t) => t.kind === 'reversal').map((t) => t.targetId));
  const allocations = Object.fromEntries(txs.filter((t) => t.kind === 'repayment' && !reversed.has(t.id)).map((t) => [t.reference, t.allocation]));
  const books = (await h.pool.query<{ account: string; net: string }>(
    `SELECT logical_account AS account, sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END)::text AS net
     FROM journal_lines WHERE loan_id = $1 GROUP BY 1 HAVING sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) <> 0 ORDER BY 1`, [loanId])).rows;
  return { status: loan.status, balances: loan.balances, delinquency: loan.delinquency, accrualStatus: loan.accrualStatus, history, allocations, books };
}

describe('arrival order', () => {
  it('never changes where a loan ends, and the books balance after every step', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const tenant = newTenant('order');
        expect((await call('PUT', '/v1/business-date', tenant, { date: START })).statusCode).toBe(200);
        expect((await call('POST', '/v1/products', tenant, PRODUCT)).statusCode).toBe(201);
        const [shuffled, sorted] = [await disbursedLoan(tenant), await disbursedLoan(tenant)];
        const horizon = addDays(START, HORIZON_DAYS);
        expect((await call('PUT', '/v1/business-date', tenant, { date: horizon })).statusCode).toBe(200);
        for (const [loanId, order] of [[shuffled, c.arrival], [sorted, valueDateOrder(c)]] as const) {
          const txIds = new Map<string, string>();
          for (const step of order) {
            await apply(tenant, loanId, c, step, txIds);
            await expectBooksBalanced(tenant, horizon);
          }
        }
        expect(await finalView(tenant, shuffled)).toEqual(await finalView(tenant, sorted));
      }),
      { numRuns: Number(process.env.ORDER_PROPERTY_RUNS ?? 12), seed: process.env.ORDER_PROPERTY_SEED ? Number(process.env.ORDER_PROPERTY_SEED) : undefined, endOnFailure: true },
    );
  });

  it('a repayment replayed with its Idempotency-Key after the loan moved on changes nothing', async () => {
    const tenant = newTenant('order');
    await call('PUT', '/v1/business-date', tenant, { date: START });
    await call('POST', '/v1/products', tenant, PRODUCT);
    const loanId = await disbursedLoan(tenant);
    await call('PUT', '/v1/business-date', tenant, { date: addDays(START, 90) });
    const key = `order-${randomUUID()}`;
    const body = { amount: inr('1500000'), valueDate: addDays(START, 60), channel: 'upi', reference: 'late' };
    const first = await h.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/repayments`, headers: { ...h.auth(['partner'], tenant), 'idempotency-key': key }, payload: body });
    await call('POST', `/v1/loans/${loanId}/repayments`, tenant, { ...body, valueDate: addDays(START, 30), reference: 'earlier' });
    const before = await finalView(tenant, loanId);
    const again = await h.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/repayments`, headers: { ...h.auth(['partner'], tenant), 'idempotency-key': key }, payload: body });
    expect(again.json().id).toBe(first.json().id);
    expect(await finalView(tenant, loanId)).toEqual(before);
    await expectBooksBalanced(tenant, addDays(START, 90));
  });

  // Over more than a year, so the loan has an engine checkpoint (December end) and the replays of payments
  // dated after it arriving late resume from it, diffing against the books the previous replay left.
  it('a long loan resumed from its checkpoints ends where the value-date order ends, books balanced at every step', { timeout: 600_000 }, async () => {
    const LONG = { ...PRODUCT, code: 'ORDER-LONG', chargeOffDpd: 720 };
    const horizonDays = 430; // 2027-03-11
    const monthly = fc.record({ offset: fc.integer({ min: -4, max: 12 }), extraMinor: fc.bigInt({ min: 0n, max: 200_000n }), reversed: fc.boolean() });
    const longCase = fc.array(monthly, { minLength: 14, maxLength: 14 }).chain((months) => {
      const payments = months.map((m, i) => ({ ref: `p${i}`, day: Math.min(31 * (i + 1) + m.offset - (i === 13 ? 12 : 0), horizonDays), amountMinor: 480_000n + m.extraMinor, reversed: m.reversed && i % 4 === 1 }));
      const steps = payments.flatMap((p) => (p.reversed ? [p.ref, `x:${p.ref}`] : [p.ref]));
      return fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }).map((order) => {
        const arrival = order.filter((x) => !x.startsWith('x:'));
        for (const x of order.filter((y) => y.startsWith('x:'))) arrival.splice(arrival.indexOf(x.slice(2)) + 1 + Math.floor(arrival.length / 3), 0, x);
        return { payments, arrival };
      });
    });
    let resumed = false;
    await fc.assert(
      fc.asyncProperty(longCase, async (c) => {
        const tenant = newTenant('order-long');
        expect((await call('PUT', '/v1/business-date', tenant, { date: START })).statusCode).toBe(200);
        expect((await call('POST', '/v1/products', tenant, LONG)).statusCode).toBe(201);
        const [shuffled, sorted] = [await disbursedLoan(tenant, LONG, 24), await disbursedLoan(tenant, LONG, 24)];
        const horizon = addDays(START, horizonDays);
        expect((await call('PUT', '/v1/business-date', tenant, { date: horizon })).statusCode).toBe(200);
        for (const [loanId, order] of [[shuffled, c.arrival], [sorted, valueDateOrder(c)]] as const) {
          const txIds = new Map<string, string>();
          for (const step of order) {
            const p = c.payments.find((x) => x.ref === step.replace('x:', ''))!;
            if (!step.startsWith('x:') && processCheckpoints.before(loanId, parseIsoDate(addDays(START, p.day))) !== undefined) resumed = true;
            await apply(tenant, loanId, c, step, txIds);
            await expectBooksBalanced(tenant, horizon);
          }
        }
        expect(await finalView(tenant, shuffled)).toEqual(await finalView(tenant, sorted));
      }),
      { numRuns: 2, endOnFailure: true },
    );
    expect(resumed).toBe(true);
  });
});
