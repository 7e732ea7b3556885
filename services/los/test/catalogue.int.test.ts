import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProductPublishedV1 } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationBody, startLosTestServer, uniqueTenant, type LosTestServer } from './support/los-test-server.js';

// The LOS holds a tenant with products to its catalogue (as read from lendstack.servicing.products).
const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../packages/contracts/fixtures/product-published.v1/accept/${name}`, import.meta.url)), 'utf8')) as ProductPublishedV1;
const personalLoan = fixture('personal-loan-inr-equal-installment.json').payload;

let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-cat');
});
afterAll(async () => {
  await los?.close();
});

async function publish(tenantId: string, version: number, overrides: Partial<typeof personalLoan> = {}) {
  const { version: _v, effectiveAt, ...definition } = { ...personalLoan, ...overrides };
  await los.catalogue.upsert([{ tenantId, code: definition.code, version, definition, effectiveAt: new Date(effectiveAt) }]);
}
const submit = (tenantId: string, loan: Record<string, unknown>) => {
  const body = applicationBody();
  return los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner'], tenantId), payload: { ...body, loan: { ...body.loan, fees: [], productCode: personalLoan.code, annualRatePercent: '14', ...loan } } });
};
const pointers = (body: string) => ((JSON.parse(body) as { errors?: { pointer: string }[] }).errors ?? []).map((e) => e.pointer);

describe('submission against the product catalogue', () => {
  it('accepts terms the product allows', async () => {
    const tenant = uniqueTenant('cat-ok');
    await publish(tenant, 1);
    const res = await submit(tenant, {});
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses an unknown product code with 422 naming /loan/productCode', async () => {
    const tenant = uniqueTenant('cat-unknown');
    await publish(tenant, 1);
    const res = await submit(tenant, { productCode: 'NO-SUCH' });
    expect(res.statusCode, res.body).toBe(422);
    expect(pointers(res.body)).toEqual(['/loan/productCode']);
  });

  it('refuses terms outside the product, naming each field', async () => {
    const tenant = uniqueTenant('cat-terms');
    await publish(tenant, 1);
    const res = await submit(tenant, { principal: { amount: '1', currency: 'INR', scale: 2 }, termPeriods: 600, annualRatePercent: '99', frequency: 'weekly' });
    expect(res.statusCode, res.body).toBe(422);
    expect(pointers(res.body).sort()).toEqual(['/loan/annualRatePercent', '/loan/frequency', '/loan/principal/amount', '/loan/termPeriods']);
    const currency = await submit(tenant, { principal: { amount: '5000000', currency: 'USD', scale: 2 } });
    expect(pointers(currency.body)).toEqual(['/loan/principal/currency']);
  });

  it('keeps the latest version: an older message never overwrites a newer one', async () => {
    const tenant = uniqueTenant('cat-version');
    await publish(tenant, 2, { termPeriods: { min: 6, max: 12 } });
    await publish(tenant, 1, { termPeriods: { min: 6, max: 60 } });
    expect((await submit(tenant, { termPeriods: 24 })).statusCode).toBe(422);
    await publish(tenant, 3, { termPeriods: { min: 6, max: 60 } });
    expect((await submit(tenant, { termPeriods: 24 })).statusCode).toBe(201);
  });

  it('does not check a tenant that has published no product yet', async () => {
    const res = await submit(uniqueTenant('cat-none'), { productCode: 'ANYTHING' });
    expect(res.statusCode, res.body).toBe(201);
  });
});
