import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLosTestServer, type LosTestServer } from './support/los-test-server.js';

let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-quotes');
});
afterAll(async () => {
  await los?.close();
});

const terms = (overrides: Record<string, unknown> = {}) => ({
  principal: '12000',
  currency: 'USD',
  annualRatePercent: '12',
  termPeriods: 12,
  frequency: 'monthly',
  method: 'equal-installment',
  interestCalculation: 'per-period',
  dayCount: '30/360',
  disbursementDate: '2026-01-15',
  ...overrides,
});
const quote = (body: unknown, headers: Record<string, string> = los.auth(['partner'])) =>
  los.app.inject({ method: 'POST', url: '/v1/quotes', headers, payload: body as object });
const toCents = (amount: string) => BigInt(amount.replace('.', ''));
type Problem = { status: number; type: string; errors?: { pointer: string; detail: string }[] };

describe('POST /v1/quotes', () => {
  it('quotes 12 monthly installments whose principal sums to the loan, with totals and an APR', async () => {
    const res = await quote(terms());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ installments: { number: number; principal: string; balanceAfter: string; dueDate: string }[]; totals: Record<string, string>; apr: string; currency: string }>();
    expect(body.installments).toHaveLength(12);
    expect(body.installments.reduce((sum, i) => sum + toCents(i.principal), 0n)).toBe(1_200_000n);
    expect(body.installments.at(-1)).toMatchObject({ number: 12, balanceAfter: '0.00', dueDate: '2027-01-15' });
    expect(body.totals).toMatchObject({ principal: '12000.00', fees: '0.00' });
    // 12 % nominal, no fees: the APR is the nominal rate, give or take the installment's rounding to the cent.
    expect(body.apr).toMatch(/^\d+\.\d{4}$/);
    expect(Math.abs(Number(body.apr) - 12)).toBeLessThan(0.001);
    expect(body.currency).toBe('USD');
  });

  it('is open to operators too, and a repeated request returns the same quote', async () => {
    const first = await quote(terms({ fees: [{ name: 'Processing', amount: '120', timing: 'upfront' }] }), los.auth(['operator']));
    const second = await quote(terms({ fees: [{ name: 'Processing', amount: '120', timing: 'upfront' }] }));
    expect(first.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(Number(first.json().apr)).toBeGreaterThan(12);
  });

  it.each([
    ['a negative principal', { principal: '-1000' }, '/principal'],
    ['an unknown frequency', { frequency: 'fortnightly' }, '/frequency'],
    ['a missing currency', { currency: undefined }, '/currency'],
    ['termPeriods 0', { termPeriods: 0 }, '/termPeriods'],
    ['a fractional termPeriods', { termPeriods: 12.5 }, '/termPeriods'],
    ['a bad rounding mode', { rounding: { mode: 'bankers' } }, '/rounding/mode'],
    ['a fee amount that is a number', { fees: [{ name: 'x', amount: 12, timing: 'upfront' }] }, '/fees/0/amount'],
    ['an impossible date (the documented pattern has only real dates)', { disbursementDate: '2026-02-30' }, '/disbursementDate'],
  ])('refuses %s with 400 naming the field', async (_name, overrides, pointer) => {
    const res = await quote(terms(overrides));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json<Problem>().errors?.map((e) => e.pointer)).toContain(pointer);
  });

  // 422: the documented shape, a rule no schema can state (the 400/422 rule).
  it.each([
    ['more decimals than the currency has', { principal: '100.001' }, '/principal'],
  ])('refuses %s with 422 naming the field', async (_name, overrides, pointer) => {
    const res = await quote(terms(overrides));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json<Problem>()).toMatchObject({ type: expect.stringContaining('validation-error') });
    expect(res.json<Problem>().errors?.map((e) => e.pointer)).toContain(pointer);
  });

  it('refuses an unknown property (a misspelt optional field) instead of ignoring it', async () => {
    const res = await quote({ ...terms(), firstDuedate: '2026-02-01' });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.some((e) => e.detail.includes('firstDuedate'))).toBe(true);
  });

  it('refuses absurdly large quotes with 422 naming the field', async () => {
    const tooMany = await quote(terms({ termPeriods: 1200, frequency: 'weekly' }));
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooMany.json<Problem>()).toMatchObject({ type: expect.stringContaining('quote-too-large'), errors: [{ pointer: '/termPeriods' }] });
    const tooLong = await quote(terms({ termPeriods: 400, frequency: 'quarterly' }));
    expect(tooLong.statusCode).toBe(422);
  });

  it('answers 4xx naming the field, not 500, to terms the engine cannot schedule', async () => {
    const farFuture = await quote(terms({ disbursementDate: '9999-01-01' }));
    expect(farFuture.statusCode).toBe(400); // outside the documented date pattern
    expect(farFuture.json<Problem>().errors?.map((e) => e.pointer)).toContain('/disbursementDate');
    const holidays = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 1, 1) + i * 86_400_000).toISOString().slice(0, 10));
    const res = await quote(terms({ businessDays: { convention: 'following', holidays } }));
    expect(res.statusCode).toBe(422); // a year with no business day: a rule no schema states
    expect(res.json<Problem>().errors?.map((e) => e.pointer)).toContain('/businessDays/holidays');
  });

  it('answers 401 without a token or with a bad one', async () => {
    expect((await quote(terms(), {})).statusCode).toBe(401);
    expect((await quote(terms(), { authorization: 'Bearer x.y.z' })).statusCode).toBe(401);
  });

  it('answers 400 problem+json to a body that is not JSON', async () => {
    const res = await los.app.inject({ method: 'POST', url: '/v1/quotes', headers: { ...los.auth(['partner']), 'content-type': 'application/json' }, payload: '{"principal":' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('is documented in the OpenAPI document with its request schema and responses', async () => {
    const doc = (await los.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = doc.paths['/v1/quotes'].post;
    const schema = op.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['principal', 'currency', 'termPeriods', 'frequency', 'method', 'disbursementDate']));
    expect(schema.properties.frequency.enum).toContain('semi-monthly');
    expect(schema.properties.termPeriods.maximum).toBe(600);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '422']));
    expect(op.responses['200'].description).toBeTruthy();
  });
});
