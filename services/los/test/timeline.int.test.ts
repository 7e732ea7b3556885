import { randomUUID } from 'node:crypto';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgAuditChainReader, verifyAuditChain } from '../src/modules/audit/index.js';
import { createPrismaBookingFeedbackStore } from '../src/modules/applications/adapters/prisma-booking-feedback.store.js';
import { createPrisma } from '../src/platform/prisma.js';
import { audit, inTransaction } from '../src/modules/review/adapters/pg-review.repository.js';
import { DEMO_APPROVAL_LIMITS, DEMO_CREDITOR } from '../src/modules/review/index.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// GET /v1/applications/{id}/timeline over the REAL Postgres after the checks workflow on the REAL Temporal
// (credit profiles by family name, underwriting-fixtures.ts: Sharma is approved by policy, Thinfile referred).
// The agreement's signature and the mandate are written as their modules write them (audit entries
// agreement-signed and mandate-registered in a transaction of their own): the timeline reads them from there.
let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-tl', { runners: controlledRunners });
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
  await los.reviews.seed(los.tenantId, { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR });
}, 60_000);
afterAll(async () => {
  await los?.close();
});

type Role = 'admin' | 'approver' | 'operator' | 'partner';
const as = (subject: string, roles: Role[], tenantId = los.tenantId) => ({ authorization: `Bearer ${signToken(los.secret, { subject, tenantId, roles }, 300, Math.floor(Date.now() / 1000))}` });
const key = () => ({ 'idempotency-key': `tl-${randomUUID()}` });
const post = (url: string, who: Record<string, string>, payload: unknown = {}) => los.app.inject({ method: 'POST', url, headers: { ...who, ...key() }, payload: payload as object, remoteAddress: '203.0.113.7' });
const get = (url: string, who = as('omar', ['operator'])) => los.app.inject({ method: 'GET', url, headers: who });
const consents = [{ name: 'kfs-acknowledged', version: 'kfs-ack-2026.12', granted: true }, { name: 'e-sign-consent', version: 'esign-2026.12', granted: true }];

interface Item { at: string; kind: string; actor: string; summary: string; detail: any; chain: { seq: string; hash: string } | null }
const timeline = async (id: string, query = '') => {
  const res = await get(`/v1/applications/${id}/timeline${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: Item[]; nextCursor: string | null }>();
};

async function decided(family: string): Promise<string> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: as('partner-app', ['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  for (let i = 0; i < 600 && (await get(`/v1/applications/${id}`)).json<{ status: string }>().status === 'checks-complete'; i += 1) await new Promise((r) => setTimeout(r, 100));
  return id;
}

/** Submission to booking: policy approval, offers, the KFS accepted with consent, signature, mandate, approval, LoanApproved, the LMS's refusal. */
async function wholeStory(): Promise<{ id: string; loanId: string }> {
  const id = await decided('Sharma');
  const made = await post(`/v1/applications/${id}/offers`, as('partner-app', ['partner']));
  expect(made.statusCode, made.body).toBe(201);
  const offer = made.json<{ items: { id: string }[] }>().items[0]!;
  const kfs = (await get(`/v1/applications/${id}/kfs`, as('partner-app', ['partner']))).json<{ reference: string; sha256: string }>();
  const accepted = await post(`/v1/applications/${id}/offers/${offer.id}/accept`, { ...as('partner-app', ['partner']), 'user-agent': 'Mozilla/5.0 (timeline test)' }, { kfsReference: kfs.reference, kfsSha256: kfs.sha256, consents });
  expect(accepted.statusCode, accepted.body).toBe(201);
  await inTransaction(los.pool, (c) => audit(c, { tenantId: los.tenantId, applicationId: id, checksRun: 1, action: 'agreement-signed', actor: 'esign:docusign', at: new Date(), detail: { documentSha256: 'ab'.repeat(32), envelopeId: randomUUID() } }));
  await inTransaction(los.pool, (c) => audit(c, { tenantId: los.tenantId, applicationId: id, checksRun: 1, action: 'mandate-registered', actor: 'mandate:nach', at: new Date(), detail: { mandateReference: 'NACH-TL-0001', maxAmount: inr('5000000') } }));
  const approved = await post(`/v1/applications/${id}/approve`, as('ada', ['admin']), { overrideReason: 'Signed and mandated; approving by hand for the test' });
  expect(approved.statusCode, approved.body).toBe(200);
  const loanId = approved.json<{ loanId: string }>().loanId;
  const eventId = randomUUID();
  const feedback = createPrismaBookingFeedbackStore(createPrisma(los.pool));
  expect(await feedback.recordBookingFailures([{ eventId, tenantId: los.tenantId, loanId, apply: true, failure: { code: 'product-not-found', reason: 'PL-12M is not in the LMS catalogue', at: new Date().toISOString(), eventId } }])).toBe(1);
  return { id, loanId };
}

describe('the application timeline', () => {
  it('tells the whole story in time order, each audited step with its chain seq and hash', async () => {
    const { id, loanId } = await wholeStory();
    const { items, nextCursor } = await timeline(id, '?limit=100');
    expect(nextCursor).toBeNull();
    const ats = items.map((i) => Date.parse(i.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));

    const story = items.filter((i) => !['check-started', 'check-completed', 'event'].includes(i.kind)).map((i) => i.kind);
    expect(story).toEqual(['submitted', 'automated-decision', 'offers-made', 'offer-accepted', 'agreement-signed', 'mandate-registered', 'override-approved', 'booking-rejected']);
    const checks = items.filter((i) => i.kind === 'check-completed');
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.every((c) => c.detail.status === 'completed' && c.summary.includes('check completed'))).toBe(true);
    expect(items.filter((i) => i.kind === 'check-started').length).toBe(checks.length);
    const decision = items.find((i) => i.kind === 'automated-decision')!;
    expect(decision.detail).toMatchObject({ outcome: 'approve', checksRun: 1, scorecard: { score: expect.any(Number), pd: expect.any(Number) } });
    expect(decision.detail.rules.length).toBeGreaterThan(3);
    expect(decision.detail.rules.every((r: any) => typeof r.id === 'string' && ['pass', 'refer', 'decline'].includes(r.outcome))).toBe(true);
    expect(decision.summary).toMatch(/^Automated decision: approve \(score \d+, policy v1\); rules \d+ pass/);
    const acceptance = items.find((i) => i.kind === 'offer-accepted')!;
    expect(acceptance).toMatchObject({ actor: 'partner-app', detail: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (timeline test)', consents } });
    expect(acceptance.summary).toContain('with consent to kfs-acknowledged, e-sign-consent');

    // Audited items carry their link; the rest do not.
    const { rows: links } = await los.pool.query<{ seq: string; hash: string }>(
      "SELECT c.seq::text, c.hash FROM decision_audit d JOIN audit_chain c ON c.source = 'decision' AND c.source_id = d.id WHERE d.application_id = $1 ORDER BY d.id", [id]);
    expect(items.filter((i) => i.chain).map((i) => i.chain)).toEqual(links);
    expect(items.filter((i) => ['submitted', 'check-completed', 'event', 'booking-rejected'].includes(i.kind)).every((i) => i.chain === null)).toBe(true);

    // LoanApproved left through the outbox after the approval, the LMS's refusal came back after it.
    const events = items.filter((i) => i.kind === 'event').map((i) => i.detail.type);
    expect(events).toEqual(expect.arrayContaining(['ApplicationSubmitted', 'ApplicationChecksCompleted', 'LoanApproved']));
    const at = (kind: string, type?: string) => items.findIndex((i) => i.kind === kind && (!type || i.detail.type === type));
    expect(at('event', 'LoanApproved')).toBeGreaterThan(at('override-approved'));
    expect(items.find((i) => i.detail.type === 'LoanApproved')!.detail.key).toBe(loanId);
    expect(items.at(-1)).toMatchObject({ kind: 'booking-rejected', actor: 'lendstack:lms', summary: 'The LMS refused to book the loan: product-not-found (PL-12M is not in the LMS catalogue)' });

    const verified = await verifyAuditChain(createPgAuditChainReader(los.pool), { tenantId: los.tenantId, pageSize: 100 });
    expect(verified).toMatchObject({ tenants: 1, broken: 0 });

    // Keyset pages of 4 give the same items, none twice.
    const paged: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = await timeline(id, `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(items);
  });

  it('shows maker-checker review: the recommendation and the checker’s decision', async () => {
    const id = await decided('Thinfile');
    expect((await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'approve', comment: 'Stable salary, thin file' })).statusCode).toBe(201);
    expect((await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'approve', comment: 'Agreed' })).statusCode).toBe(200);
    const items = (await timeline(id)).items.filter((i) => i.chain);
    expect(items.map((i) => [i.kind, i.actor, i.summary])).toEqual([
      ['automated-decision', 'lendstack:underwriting', expect.stringMatching(/^Automated decision: refer/)],
      ['recommendation', 'omar', 'omar recommended approve (maker): Stable salary, thin file'],
      ['checker-decision', 'bea', 'bea decided approve (checker): Agreed'],
    ]);
    expect(items.map((i) => Number(i.chain!.seq))).toEqual([...items.map((i) => Number(i.chain!.seq))].sort((a, b) => a - b));
  });

  it('is the tenant’s own and staff’s only: another tenant and an unknown id get 404, a partner 403, a cursor never issued 422', async () => {
    const id = await decided('Sharma');
    expect((await get(`/v1/applications/${id}/timeline`, as('eve', ['operator'], 'another-tenant'))).statusCode).toBe(404);
    expect((await get(`/v1/applications/${randomUUID()}/timeline`)).statusCode).toBe(404);
    expect((await get(`/v1/applications/${id}/timeline`, as('partner-app', ['partner']))).statusCode).toBe(403);
    const bad = await get(`/v1/applications/${id}/timeline?cursor=nope`);
    expect([bad.statusCode, bad.json().errors]).toEqual([422, [{ pointer: '/query/cursor', detail: expect.any(String) }]]);
  });
});
