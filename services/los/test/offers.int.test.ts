import { randomUUID } from 'node:crypto';
import { scheduleRequestFor } from '@lendstack/contracts';
import { schedule } from '@lendstack/loan-engine';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPROVAL_LIMITS, DEMO_CREDITOR } from '../src/modules/review/index.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// Offers for an application that passed policy, priced by the loan engine, over the REAL Postgres after
// the checks workflow on the REAL Temporal (credit profiles by family name, underwriting-fixtures.ts).
let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-of', { runners: controlledRunners });
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
  await los.reviews.seed(los.tenantId, { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR });
}, 60_000);
afterAll(async () => {
  await los?.close();
});

const partner = () => ({ authorization: `Bearer ${signToken(los.secret, { subject: 'partner-app', tenantId: los.tenantId, roles: ['partner'] }, 300, Math.floor(Date.now() / 1000))}` });
const key = () => ({ 'idempotency-key': `of-${randomUUID()}` });
const makeOffers = (id: string, idem = key()) => los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers`, headers: { ...partner(), ...idem } });

async function decided(family: string): Promise<string> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  for (let i = 0; i < 600; i += 1) {
    const status = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: partner() })).json<{ status: string }>().status;
    if (status !== 'checks-complete') return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`application ${id} was not decided`);
}

describe('offers', () => {
  it('a policy-approved application gets offers at its band rate, priced exactly as the engine schedules them, once', async () => {
    const id = await decided('Sharma');
    const decision = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/decision`, headers: partner() })).json<{ offer: { band: string; annualRatePercent: string; maxTermPeriods: number } }>();
    const k = key();
    const res = await makeOffers(id, k);
    expect(res.statusCode, res.body).toBe(201);
    const { items } = res.json<{ items: any[] }>();
    expect(items.map((o) => [o.label, o.termPeriods, o.annualRatePercent, o.band])).toEqual([
      ['requested', 12, decision.offer.annualRatePercent, decision.offer.band],
      ['longer-term', decision.offer.maxTermPeriods, decision.offer.annualRatePercent, decision.offer.band],
    ]);
    for (const o of items) {
      const engine = schedule(scheduleRequestFor({ ...applicationBody().loan, scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', principal: o.principal, termPeriods: o.termPeriods, annualRatePercent: o.annualRatePercent, fees: o.fees, expectedDisbursementDate: o.expectedDisbursementDate } as never));
      expect(o.apr).toBe(engine.apr);
      expect(o.totals.payable.amount).toBe(engine.totals.payable.replace('.', ''));
      expect(o.principal).toEqual({ amount: '50000000', currency: 'INR', scale: 2 });
    }
    // Asked again (a retry with the same key, or a new request): the same offers.
    const replay = await makeOffers(id, k);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const reused = await makeOffers(randomUUID(), k);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().errors).toEqual([{ pointer: '/header/idempotency-key', detail: expect.any(String) }]);
    const again = await makeOffers(id);
    expect(again.statusCode).toBe(200);
    expect(again.json().items.map((o: any) => o.id)).toEqual(items.map((o) => o.id));
    const listed = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/offers`, headers: partner() });
    expect(listed.json().items.map((o: any) => o.id)).toEqual(items.map((o) => o.id));
    const trail = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/audit-trail`, headers: los.auth(['operator']) })).json<{ items: { action: string }[] }>().items;
    expect(trail.map((e) => e.action)).toEqual(['automated-decision', 'offers-made']);
  }, 120_000);

  it('refuses offers for an application that did not pass policy, an unknown one, and a request without Idempotency-Key', async () => {
    const id = await decided('Thinfile');
    const res = await makeOffers(id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ type: expect.stringMatching(/not-approved$/), currentStatus: 'referred' });
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/offers`, headers: partner() })).json().items).toEqual([]);
    expect((await makeOffers(randomUUID())).statusCode).toBe(404);
    expect((await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers`, headers: partner() })).statusCode).toBe(400);
  }, 120_000);
});
