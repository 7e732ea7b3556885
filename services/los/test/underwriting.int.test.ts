import { randomUUID } from 'node:crypto';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// Underwriting over the REAL Postgres, after the checks workflow on the REAL Temporal: the LOS's own-data
// checks run as in production; KYC, OCR, income and the bureau answer by the applicant's family name
// (underwriting-fixtures.ts PROFILES), so each case is a known credit profile. The vendor checks against
// their sandboxes are in checks-vendors.int.test.ts.
let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-uw', { runners: controlledRunners });
  // The tenant's policy for the test product, as main.ts seeds tenant demo's.
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
}, 60_000);
afterAll(async () => {
  await los?.close();
});

const as = (subject: string, roles: ('admin' | 'operator' | 'partner')[]) =>
  ({ authorization: `Bearer ${signToken(los.secret, { subject, tenantId: los.tenantId, roles }, 300, Math.floor(Date.now() / 1000))}` });
const key = () => ({ 'idempotency-key': `uw-${randomUUID()}` });

async function checkedApplication(family: string): Promise<string> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  // The decision is computed by the checks workflow right after it concludes the checks.
  for (let i = 0; i < 600; i += 1) {
    const res = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/decision`, headers: los.auth(['partner']) });
    if (res.statusCode === 200) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`application ${id} was not decided within 60 s`);
}
const evaluate = (id: string) => los.app.inject({ method: 'POST', url: `/v1/applications/${id}/decision/evaluate`, headers: { ...los.auth(['operator']), ...key() } });
const statusOf = async (id: string) => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}`, headers: los.auth(['partner']) })).json<{ status: string; decision: { by: string; reason?: string } | null }>();
const decisionOf = async (id: string) => {
  const res = await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/decision`, headers: los.auth(['partner']) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<any>();
};

describe('automated decisions over the stored check results', () => {
  let cleanId: string;

  it('auto-approves a clean applicant, with every rule passed, the score, its points and the offer band stored', async () => {
    cleanId = await checkedApplication('Sharma');
    const d = await decisionOf(cleanId);
    expect(d).toMatchObject({ outcome: 'approve', reasons: [], checksRun: 1, policy: { version: 1 }, modelVersion: expect.stringMatching(/^scorecard-/) });
    expect(d.rules.every((r: any) => r.outcome === 'pass')).toBe(true);
    expect(d.rules.find((r: any) => r.id === 'age-range').saw).toEqual({ ageYears: expect.any(Number) });
    expect(d.score.value).toBe(d.score.attributes.reduce((s: number, a: any) => s + a.points, 0));
    expect(d.score.value).toBeGreaterThanOrEqual(580);
    expect(d.offer).toMatchObject({ band: expect.any(String), maxTermPeriods: 60 });
    expect(d.features.bureauScore).toMatchObject({ value: 790, source: 'check:bureau#r1 evidence.features.score' });
    // The decision drives the application: passed policy, awaiting its offer.
    expect((await statusOf(cleanId)).status).toBe('policy-approved');
    // Evaluating it again (an operator's button) returns the stored decision.
    const again = await evaluate(cleanId);
    expect(again.statusCode).toBe(200);
    expect(again.json().decidedAt).toBe(d.decidedAt);
  });

  it('declines a low score with at most four adverse-action reasons in plain words', async () => {
    const id = await checkedApplication('Lowscore');
    const d = await decisionOf(id);
    expect(d.outcome).toBe('decline');
    expect(d.score.value).toBeLessThan(540);
    expect(d.reasons.length).toBeGreaterThanOrEqual(2);
    expect(d.reasons.length).toBeLessThanOrEqual(4);
    expect(d.reasons).toContain('Credit bureau score below the product’s minimum of 650');
    expect(d.offer).toBeNull();
    expect(await statusOf(id)).toMatchObject({ status: 'declined', decision: { by: 'lendstack:underwriting', reason: d.reasons.join('; ') } });
  });

  it('refers a thin file with a strong income', async () => {
    const id = await checkedApplication('Thinfile');
    const d = await decisionOf(id);
    expect(d.outcome).toBe('refer');
    expect(d.rules.find((r: any) => r.id === 'bureau-score')).toMatchObject({ outcome: 'refer', missing: true, saw: { bureauScore: null } });
    expect((await statusOf(id)).status).toBe('referred');
  });

  it('a policy change needs a second admin; once approved it decides new applications, and the old decision replays to its answer', async () => {
    const list = await los.app.inject({ method: 'GET', url: '/v1/policies', headers: as('ana', ['admin']) });
    const current = list.json<{ items: any[] }>().items.find((p) => p.productCode === 'PL-12M');
    expect(current).toMatchObject({ version: 1, status: 'approved', seeded: true });
    const stricter = structuredClone(current.document);
    stricter.eligibility.find((r: any) => r.id === 'bureau-score').test = '>= 800';

    const draft = await los.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...as('ana', ['admin']), ...key() }, payload: { productCode: 'PL-12M', effectiveFrom: new Date(Date.now() - 1000).toISOString(), document: stricter } });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ version: 2, status: 'draft', createdBy: 'ana', approvedBy: null });
    const approveUrl = `/v1/policies/${draft.json().policyId}/versions/2/approve`;

    // A draft decides nothing: a new applicant is still approved under version 1.
    const before = await checkedApplication('Sharma');
    expect(await decisionOf(before)).toMatchObject({ outcome: 'approve', policy: { version: 1 } });

    const own = await los.app.inject({ method: 'POST', url: approveUrl, headers: { ...as('ana', ['admin']), ...key() } });
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ type: expect.stringMatching(/maker-cannot-approve$/) });
    const operator = await los.app.inject({ method: 'POST', url: approveUrl, headers: { ...as('omar', ['operator']), ...key() } });
    expect(operator.statusCode).toBe(403);
    const approveKey = key();
    const approved = await los.app.inject({ method: 'POST', url: approveUrl, headers: { ...as('bea', ['admin']), ...approveKey } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ version: 2, status: 'approved', createdBy: 'ana', approvedBy: 'bea' });
    const replayedApproval = await los.app.inject({ method: 'POST', url: approveUrl, headers: { ...as('bea', ['admin']), ...approveKey } });
    expect(replayedApproval.headers['idempotent-replayed']).toBe('true');
    expect((await los.app.inject({ method: 'POST', url: approveUrl, headers: { ...as('cai', ['admin']), ...key() } })).statusCode).toBe(409);

    const after = await checkedApplication('Sharma');
    const d = await decisionOf(after);
    expect(d).toMatchObject({ outcome: 'decline', policy: { version: 2 }, reasons: ['Credit bureau score below the product’s minimum of 650'] });

    // The first applicant's decision, replayed against version 1 and the inputs it recorded, is still an approval.
    const replay = await los.app.inject({ method: 'GET', url: `/v1/applications/${cleanId}/decision/replay`, headers: los.auth(['operator']) });
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json()).toMatchObject({ same: true, original: { outcome: 'approve' }, replayed: { outcome: 'approve' } });
  }, 60_000);

  it('refuses a bad policy with problem+json naming the field, and writes nothing', async () => {
    const countVersions = async () => Number((await los.pool.query('SELECT count(*) AS n FROM underwriting_policy_versions WHERE tenant_id = $1', [los.tenantId])).rows[0].n);
    const versions = await countVersions();
    const doc = defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 1, maxTermPeriods: 1, minRatePercent: '10', maxRatePercent: '20' });
    (doc.eligibility[0] as { feature: string }).feature = 'shoeSize';
    doc.eligibility[1]!.test = '>= (';
    const res = await los.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...as('ana', ['admin']), ...key() }, payload: { productCode: 'PL-12M', effectiveFrom: new Date().toISOString(), document: doc } });
    expect(res.statusCode).toBe(422); // the shape is a policy's; its rules refuse it
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors.map((e: any) => e.pointer)).toEqual(['/body/document/eligibility/0/feature', '/body/document/eligibility/1/test']);
    const notParsed = await los.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...as('ana', ['admin']), ...key() }, payload: { productCode: 'PL-12M', effectiveFrom: new Date().toISOString(), document: { eligibility: 'everyone' } } });
    expect(notParsed.statusCode).toBe(400);
    expect(notParsed.json().errors.map((e: any) => e.pointer)).toContain('/body/document/eligibility');
    const notAdmin = await los.app.inject({ method: 'POST', url: '/v1/policies', headers: { ...as('omar', ['operator']), ...key() }, payload: { productCode: 'PL-12M', effectiveFrom: new Date().toISOString(), document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 1, maxTermPeriods: 1, minRatePercent: '10', maxRatePercent: '20' }) } });
    expect(notAdmin.statusCode).toBe(403);
    expect(await countVersions()).toBe(versions);
  });

  it('leaves an application of a product without a policy undecided, and says why when asked', async () => {
    const body = applicationBody();
    const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload: { ...body, loan: { ...body.loan, productCode: 'NO-POLICY' } } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    await los.awaitChecks(id, 'checks-complete');
    const evaluated = await evaluate(id);
    expect(evaluated.statusCode).toBe(409);
    expect(evaluated.json()).toMatchObject({ type: expect.stringMatching(/no-policy$/), errors: [{ pointer: '/loanRequest/productCode' }] });
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/decision`, headers: los.auth(['partner']) })).statusCode).toBe(404);
  });

  it('does not decide an application it does not know', async () => {
    const res = await los.app.inject({ method: 'POST', url: `/v1/applications/${randomUUID()}/decision/evaluate`, headers: { ...los.auth(['operator']), ...key() } });
    expect(res.statusCode).toBe(404);
  });
});
