import { createHash, randomUUID } from 'node:crypto';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfjsPdfReader } from '../src/modules/documents/index.js';
import { ECOA_NOTICE } from '../src/modules/review/domain/adverse-action-notice.js';
import { DEMO_CREDITOR } from '../src/modules/review/index.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// Maker-checker review, approvals resting on policy, the decision audit trail and adverse-action notices,
// over the REAL Postgres after the checks workflow on the REAL Temporal; credit profiles by family name
// (underwriting-fixtures.ts): Thinfile is referred, Lowscore declined, Sharma approved.
let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-rv', { runners: controlledRunners });
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
  // Approvers up to INR 5,50,000; admins up to INR 5,00,00,000; operators none.
  await los.reviews.seed(los.tenantId, { limits: [{ role: 'approver', currency: 'INR', maxPrincipalMinor: 55_000_000n }, { role: 'admin', currency: 'INR', maxPrincipalMinor: 5_000_000_000n }], creditor: DEMO_CREDITOR });
}, 60_000);
afterAll(async () => {
  await los?.close();
});

type Role = 'admin' | 'approver' | 'operator' | 'partner';
const as = (subject: string, roles: Role[]) => ({ authorization: `Bearer ${signToken(los.secret, { subject, tenantId: los.tenantId, roles }, 300, Math.floor(Date.now() / 1000))}` });
const key = () => ({ 'idempotency-key': `rv-${randomUUID()}` });
const post = (url: string, who: Record<string, string>, payload: unknown = {}, idem: Record<string, string> = key()) => los.app.inject({ method: 'POST', url, headers: { ...who, ...idem }, payload: payload as object });
const get = (url: string, who = as('omar', ['operator'])) => los.app.inject({ method: 'GET', url, headers: who });
const statusOf = async (id: string) => (await get(`/v1/applications/${id}`)).json<{ status: string; loanId: string | null; decision: { by: string; reason?: string } | null }>();

async function decided(family: string, principalMinor = '50000000'): Promise<string> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) }, loan: { ...body.loan, principal: inr(principalMinor) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  for (let i = 0; i < 600; i += 1) {
    if (['policy-approved', 'referred', 'declined'].includes((await statusOf(id)).status)) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`application ${id} was not decided`);
}
const queue = async (query = '') => (await get(`/v1/review-queue${query}`)).json<{ items: { applicationId: string; stage: string; kind: string }[]; nextCursor: string | null }>();
const actions = async (id: string) => (await get(`/v1/applications/${id}/audit-trail`)).json<{ items: { action: string; actor: string; detail: any }[] }>().items;
const noticeText = async (id: string) => {
  const res = await get(`/v1/applications/${id}/adverse-action-notice`, los.auth(['partner']));
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['x-content-sha256']).toBe(createHash('sha256').update(res.rawPayload).digest('hex'));
  const read = await createPdfjsPdfReader().read(res.rawPayload);
  if (!read.ok || read.via !== 'text-layer') throw new Error(`notice not readable: ${JSON.stringify(read)}`);
  return read.text.replace(/\s+/g, ' ');
};

describe('maker-checker review of referrals', () => {
  it('a referral waits in the queue; an operator recommends, a second person with the approver role decides, then it is approved', async () => {
    const id = await decided('Thinfile');
    expect((await statusOf(id)).status).toBe('referred');
    expect((await queue()).items.find((r) => r.applicationId === id)).toMatchObject({ stage: 'awaiting-recommendation', kind: 'referral', principal: { amount: '50000000', currency: 'INR', scale: 2 } });
    expect((await queue('?stage=awaiting-decision')).items.map((r) => r.applicationId)).not.toContain(id);

    const early = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'approve', comment: 'looks fine' });
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toMatch(/no-recommendation$/);
    expect((await post(`/v1/applications/${id}/recommendation`, as('pat', ['partner']), { recommendation: 'approve', comment: 'x'.repeat(5) })).statusCode).toBe(403);
    const missing = await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'maybe' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: any) => e.pointer)).toEqual(expect.arrayContaining(['/recommendation', '/comment']));

    const k = key();
    const rec = await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator', 'approver']), { recommendation: 'approve', comment: 'Salary credits seen for 14 months' }, k);
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json()).toMatchObject({ stage: 'awaiting-decision', recommendation: { by: 'omar', recommendation: 'approve' } });
    const replay = await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator', 'approver']), { recommendation: 'approve', comment: 'Salary credits seen for 14 months' }, k);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(rec.json());
    expect((await post(`/v1/applications/${id}/recommendation`, as('olga', ['operator']), { recommendation: 'decline', comment: 'disagree' })).statusCode).toBe(409);
    expect((await queue('?stage=awaiting-decision')).items.map((r) => r.applicationId)).toContain(id);

    const own = await post(`/v1/applications/${id}/decision`, as('omar', ['operator', 'approver']), { decision: 'approve', comment: 'my own' });
    expect(own.statusCode).toBe(403);
    expect(own.json().type).toMatch(/checker-is-maker$/);
    // The table refuses a checker who is the maker even if the code did not.
    await expect(los.pool.query("UPDATE application_reviews SET decided_by = recommended_by, decision = 'approve', decided_at = now() WHERE application_id = $1", [id])).rejects.toMatchObject({ code: '23514' });

    const checker = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'approve', comment: 'Agree: income verified, thin file only' });
    expect(checker.statusCode, checker.body).toBe(200);
    expect(checker.json()).toMatchObject({ stage: 'decided', applicationStatus: 'policy-approved', decision: { by: 'bea', role: 'approver', decision: 'approve' } });
    expect((await statusOf(id)).status).toBe('policy-approved');
    expect((await queue()).items.map((r) => r.applicationId)).not.toContain(id);
    expect((await post(`/v1/applications/${id}/decision`, as('cai', ['admin']), { decision: 'decline', comment: 'late', reasons: ['Insufficient credit history'] })).statusCode).toBe(409);

    // Passed policy through the checker: it goes on to its offers and origination, not to an operator's click.
    const byHand = await post(`/v1/applications/${id}/approve`, as('omar', ['operator']), {});
    expect(byHand.statusCode, byHand.body).toBe(409);
    expect(byHand.json()).toMatchObject({ type: expect.stringMatching(/needs-override$/), currentStatus: 'policy-approved' });

    const trail = await actions(id);
    expect(trail.map((e) => e.action)).toEqual(['automated-decision', 'recommendation', 'checker-decision']);
    expect(trail[0]).toMatchObject({ actor: 'lendstack:underwriting', detail: { outcome: 'refer', applied: 'referred' } });
    expect(trail[2]).toMatchObject({ actor: 'bea', detail: { role: 'approver' } });
    // Append-only: the table refuses to change history.
    await expect(los.pool.query("UPDATE decision_audit SET actor = 'someone-else' WHERE application_id = $1", [id])).rejects.toThrow(/append-only/);
    await expect(los.pool.query('DELETE FROM decision_audit WHERE application_id = $1', [id])).rejects.toThrow(/append-only/);
  }, 120_000);

  it('an approver cannot approve above the limit of their role; an admin can', async () => {
    const id = await decided('Thinfile', '60000000');
    expect((await statusOf(id)).status).toBe('referred');
    expect((await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'approve', comment: 'Strong income' })).statusCode).toBe(201);
    const above = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'approve', comment: 'looks fine' });
    expect(above.statusCode).toBe(403);
    expect(above.json()).toMatchObject({ type: expect.stringMatching(/above-approval-limit$/), errors: [{ pointer: '/loanRequest/principal/amount' }] });
    expect((await post(`/v1/applications/${id}/decision`, as('ana', ['admin']), { decision: 'approve', comment: 'Within my limit' })).statusCode).toBe(200);
    expect((await actions(id)).at(-1)).toMatchObject({ action: 'checker-decision', actor: 'ana', detail: { role: 'admin', approvalLimitMinor: '5000000000' } });
  }, 120_000);

  it('a checker declining a referral states the reasons, and the notice carries them (no score disclosure for a thin file)', async () => {
    const id = await decided('Thinfile');
    expect((await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'decline', comment: 'No history to lend on' })).statusCode).toBe(201);
    const noReasons = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'decline', comment: 'agree' });
    expect(noReasons.statusCode).toBe(400);
    expect(noReasons.json().errors).toEqual([{ pointer: '/reasons', detail: expect.any(String) }]);
    const declined = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'decline', comment: 'agree', reasons: ['Insufficient credit history', 'Length of employment'] });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(await statusOf(id)).toMatchObject({ status: 'declined', decision: { by: 'bea', reason: 'Insufficient credit history; Length of employment' } });
    const text = await noticeText(id);
    expect(text).toContain('Lendstack Demo Finance Ltd.');
    expect(text).toContain('1. Insufficient credit history');
    expect(text).toContain('2. Length of employment');
    expect(text).toContain('Decided by credit review.');
    expect(text).not.toContain('Your credit score');
    expect((await actions(id)).map((e) => e.action)).toEqual(['automated-decision', 'recommendation', 'checker-decision', 'adverse-action-notice']);
  }, 120_000);

  it('pages the queue by keyset', async () => {
    await Promise.all([decided('Thinfile'), decided('Thinfile')]);
    const first = await queue('?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await queue(`?limit=1&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.applicationId).not.toBe(first.items[0]!.applicationId);
    expect((await get('/v1/review-queue?cursor=')).statusCode).toBe(400);
    // Another tenant sees none of it.
    const other = await los.app.inject({ method: 'GET', url: '/v1/review-queue', headers: los.auth(['operator'], `los-int-rv-other-${randomUUID().slice(0, 6)}`) });
    expect(other.json().items).toEqual([]);
  }, 120_000);
});

describe('automated declines: the adverse-action notice, and overrides', () => {
  it('a policy decline has a PDF notice with the creditor, the reasons, the ECOA notice and the score disclosure', async () => {
    const id = await decided('Lowscore');
    const app = await statusOf(id);
    expect(app.status).toBe('declined');
    const decision = (await get(`/v1/applications/${id}/decision`)).json<{ reasons: string[]; features: { bureauScore: { value: number } } }>();
    const text = await noticeText(id);
    expect(text).toContain('Notice of Action Taken');
    expect(text).toContain(`${DEMO_CREDITOR.legalName} ${DEMO_CREDITOR.address}`);
    expect(text).toContain('We have declined your application for credit: PL-12M, INR 500,000.00.');
    decision.reasons.forEach((r, i) => expect(text).toContain(`${i + 1}. ${r}`));
    expect(decision.reasons.length).toBeLessThanOrEqual(4);
    expect(text).toContain(ECOA_NOTICE.replace(/\s+/g, ' '));
    expect(text).toContain(`${DEMO_CREDITOR.agencyName} ${DEMO_CREDITOR.agencyAddress}`);
    expect(text).toContain(`Your credit score: ${decision.features.bureauScore.value}`);
    expect(text).toContain('Scores range from a low of 300 to a high of 900.');
    expect(text).toContain('Key factors that adversely affected your credit score:');
    expect(text).toContain(`Consumer reporting agency: ${DEMO_CREDITOR.bureauName}`);
    expect(text).toContain('Date: 2026-11-30');
    expect((await get(`/v1/applications/${randomUUID()}/adverse-action-notice`)).statusCode).toBe(404);
  }, 120_000);

  it('approving a policy decline is an override: recommended by an operator, decided by an admin with a reason', async () => {
    const id = await decided('Lowscore');
    const plain = await post(`/v1/applications/${id}/approve`, as('omar', ['operator']), {});
    expect(plain.statusCode).toBe(409);
    expect(plain.json()).toMatchObject({ type: expect.stringMatching(/needs-override$/), errors: [{ pointer: '/overrideReason' }] });
    expect((await post(`/v1/applications/${id}/approve`, as('omar', ['operator']), { overrideReason: 'I know this customer well' })).statusCode).toBe(403);

    const wrong = await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'decline', comment: 'agree with policy' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ pointer: '/recommendation', detail: expect.any(String) }]);
    const rec = await post(`/v1/applications/${id}/recommendation`, as('omar', ['operator']), { recommendation: 'approve', comment: 'Delinquency was a bank error, letter on file' });
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json()).toMatchObject({ kind: 'override', stage: 'awaiting-decision' });
    expect((await queue('?kind=override')).items.map((r) => r.applicationId)).toContain(id);

    const approver = await post(`/v1/applications/${id}/decision`, as('bea', ['approver']), { decision: 'approve', comment: 'looks fine', overrideReason: 'Bank error letter verified' });
    expect(approver.statusCode).toBe(403);
    expect(approver.json().type).toMatch(/override-needs-admin$/);
    const noReason = await post(`/v1/applications/${id}/decision`, as('ana', ['admin']), { decision: 'approve', comment: 'looks fine' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors).toEqual([{ pointer: '/overrideReason', detail: expect.any(String) }]);
    const ok = await post(`/v1/applications/${id}/decision`, as('ana', ['admin']), { decision: 'approve', comment: 'Verified with the bank', overrideReason: 'Reported 60 DPD was a bank error, corrected by letter' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await statusOf(id)).status).toBe('policy-approved');
    expect((await actions(id)).map((e) => e.action)).toEqual(['automated-decision', 'adverse-action-notice', 'recommendation', 'override-approved']);
    expect((await actions(id)).at(-1)).toMatchObject({ actor: 'ana', detail: { overrideReason: 'Reported 60 DPD was a bank error, corrected by letter', maker: 'omar' } });
  }, 120_000);

  it('an admin may override a policy decline on the approve route with a reason, recorded as an override', async () => {
    const id = await decided('Lowscore');
    const res = await post(`/v1/applications/${id}/approve`, as('ana', ['admin']), { overrideReason: 'Board-approved exception for staff loans' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'approved', decision: { by: 'ana', reason: 'override: Board-approved exception for staff loans' } });
    expect((await actions(id)).at(-1)).toMatchObject({ action: 'override-approved', actor: 'ana', detail: { basis: 'override', from: 'declined' } });
  }, 120_000);

  it('an application that passed policy is not approved by an operator’s click; an admin may override, and the trail says so', async () => {
    const id = await decided('Sharma');
    expect((await statusOf(id)).status).toBe('policy-approved');
    const res = await post(`/v1/applications/${id}/approve`, as('omar', ['operator']), {});
    expect(res.statusCode, res.body).toBe(409);
    const override = await post(`/v1/applications/${id}/approve`, as('ana', ['admin']), { overrideReason: 'Branch signed the paper agreement and mandate' });
    expect(override.statusCode, override.body).toBe(200);
    expect((await actions(id)).map((e) => [e.action, e.detail.basis ?? e.detail.outcome])).toEqual([['automated-decision', 'approve'], ['override-approved', 'override']]);
  }, 120_000);
});

describe('a manual decline by an operator: its adverse-action notice', () => {
  it('names the operator’s reason first, then the further reasons, with the score disclosure of the automated decision; a repeat adds nothing', async () => {
    const id = await decided('Sharma');
    expect((await statusOf(id)).status).toBe('policy-approved');
    const five = await post(`/v1/applications/${id}/decline`, as('omar', ['operator']), { reason: 'Employment could not be verified', reasons: ['Income insufficient for amount of credit requested', 'Length of residence', 'Temporary residence', 'Unable to verify credit references'] });
    expect(five.statusCode).toBe(400);
    expect(five.json().errors).toEqual([{ pointer: '/reasons', detail: expect.any(String) }]);
    expect((await post(`/v1/applications/${id}/decline`, as('omar', ['operator']), { reasons: ['Length of residence'] })).json().errors).toEqual([{ pointer: '/reason', detail: expect.any(String) }]);
    expect((await get(`/v1/applications/${id}/adverse-action-notice`)).statusCode).toBe(404);

    const body = { reason: 'Employment could not be verified', reasons: ['Income insufficient for amount of credit requested', 'Employment could not be verified'] };
    const res = await post(`/v1/applications/${id}/decline`, as('omar', ['operator']), body);
    expect(res.statusCode, res.body).toBe(200);
    expect(await statusOf(id)).toMatchObject({ status: 'declined', decision: { by: 'omar', reason: 'Employment could not be verified' } });
    const decision = (await get(`/v1/applications/${id}/decision`)).json<{ features: { bureauScore: { value: number } } }>();
    const text = await noticeText(id);
    expect(text).toContain('1. Employment could not be verified 2. Income insufficient for amount of credit requested');
    expect(text).not.toContain('3. ');
    expect(text).toContain('Decided by credit review.');
    expect(text).toContain(`${DEMO_CREDITOR.legalName} ${DEMO_CREDITOR.address}`);
    expect(text).toContain(ECOA_NOTICE.replace(/\s+/g, ' '));
    expect(text).toContain(`Your credit score: ${decision.features.bureauScore.value}`);
    const first = await get(`/v1/applications/${id}/adverse-action-notice`);

    expect((await post(`/v1/applications/${id}/decline`, as('olga', ['operator']), { reason: 'Another reason' })).statusCode).toBe(200);
    expect((await get(`/v1/applications/${id}/adverse-action-notice`)).headers['x-content-sha256']).toBe(first.headers['x-content-sha256']);
    const trail = await actions(id);
    expect(trail.map((e) => e.action)).toEqual(['automated-decision', 'manual-decline', 'adverse-action-notice']);
    expect(trail[1]).toMatchObject({ actor: 'omar', detail: { from: 'policy-approved', reason: body.reason, reasons: ['Employment could not be verified', 'Income insufficient for amount of credit requested'] } });
    expect(trail[2]).toMatchObject({ actor: 'omar', detail: { sha256: first.headers['x-content-sha256'], reasons: ['Employment could not be verified', 'Income insufficient for amount of credit requested'] } });
    const rows = await los.pool.query('SELECT count(*)::int AS n FROM adverse_action_notices WHERE application_id = $1', [id]);
    expect(rows.rows[0].n).toBe(1);
  }, 120_000);

  it('a referral declined on the decline route keeps the old body contract (reason only) and gets its notice, without a score for a thin file', async () => {
    const id = await decided('Thinfile');
    const res = await post(`/v1/applications/${id}/decline`, as('omar', ['operator']), { reason: 'Insufficient credit history' });
    expect(res.statusCode, res.body).toBe(200);
    const text = await noticeText(id);
    expect(text).toContain('1. Insufficient credit history');
    expect(text).not.toContain('2. ');
    expect(text).not.toContain('Your credit score');
  }, 120_000);
});

describe('admin settings: approval limits and the creditor profile', () => {
  const tenant = () => `los-int-rv-set-${randomUUID().slice(0, 8)}`;
  const call = (method: 'GET' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) => los.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const audited = async (t: string) => (await los.pool.query('SELECT setting, setting_key, actor, previous, current FROM review_settings_audit WHERE tenant_id = $1 ORDER BY id', [t])).rows;

  it('an admin sets and replaces a limit (audited, before and after); a repeat changes nothing; the new limit governs checker decisions', async () => {
    const t = tenant();
    const admin = los.auth(['admin'], t);
    expect((await call('GET', '/v1/approval-limits', los.auth(['approver'], t))).json()).toEqual({ items: [] });
    const usd = (amount: string) => ({ maxPrincipal: { amount, currency: 'USD', scale: 2 } });
    expect((await call('PUT', '/v1/approval-limits/approver/USD', los.auth(['approver'], t), usd('100000'))).statusCode).toBe(403);

    const created = await call('PUT', '/v1/approval-limits/approver/USD', admin, usd('100000'));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ role: 'approver', currency: 'USD', maxPrincipal: { amount: '100000', currency: 'USD', scale: 2 } });
    const replaced = await call('PUT', '/v1/approval-limits/approver/USD', admin, usd('250000'));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers['setting-changed']).toBe('true');
    const again = await call('PUT', '/v1/approval-limits/approver/USD', admin, usd('250000'));
    expect(again.statusCode).toBe(200);
    expect(again.headers['setting-changed']).toBe('false');
    expect((await call('PUT', '/v1/approval-limits/admin/INR', admin, { maxPrincipal: { amount: '5000000000', currency: 'INR', scale: 2 } })).statusCode).toBe(201);
    expect((await call('GET', '/v1/approval-limits', los.auth(['operator'], t))).json().items.map((l: any) => [l.role, l.currency, l.maxPrincipal.amount])).toEqual([['admin', 'INR', '5000000000'], ['approver', 'USD', '250000']]);
    expect(await los.reviews.approvalLimit(t, ['approver'], 'USD')).toBe(250000n);

    expect(await audited(t)).toEqual([
      { setting: 'approval-limit', setting_key: 'approver/USD', actor: expect.any(String), previous: null, current: { role: 'approver', currency: 'USD', maxPrincipalMinor: '100000' } },
      { setting: 'approval-limit', setting_key: 'approver/USD', actor: expect.any(String), previous: { role: 'approver', currency: 'USD', maxPrincipalMinor: '100000' }, current: { role: 'approver', currency: 'USD', maxPrincipalMinor: '250000' } },
      { setting: 'approval-limit', setting_key: 'admin/INR', actor: expect.any(String), previous: null, current: { role: 'admin', currency: 'INR', maxPrincipalMinor: '5000000000' } },
    ]);
    await expect(los.pool.query('DELETE FROM review_settings_audit WHERE tenant_id = $1', [t])).rejects.toThrow(/append-only/);
  });

  it('refuses bad limits with problem+json naming the field', async () => {
    const admin = los.auth(['admin'], tenant());
    const pointers = async (url: string, payload: unknown, status = 400) => {
      const res = await call('PUT', url, admin, payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      return res.json().errors.map((e: { pointer: string }) => e.pointer);
    };
    expect(await pointers('/v1/approval-limits/checker/USD', { maxPrincipal: { amount: '1', currency: 'USD', scale: 2 } })).toEqual(['/params/role']);
    expect(await pointers('/v1/approval-limits/approver/XYZ', { maxPrincipal: { amount: '1', currency: 'USD', scale: 2 } })).toEqual(['/params/currency']);
    expect(await pointers('/v1/approval-limits/approver/USD', { maxPrincipal: { amount: '1', currency: 'INR', scale: 2 } }, 422)).toEqual(['/maxPrincipal/currency']);
    expect(await pointers('/v1/approval-limits/approver/USD', { maxPrincipal: { amount: '-5', currency: 'USD', scale: 2 } })).toEqual(['/maxPrincipal/amount']);
    expect(await pointers('/v1/approval-limits/approver/USD', { maxPrincipal: { amount: '5', currency: 'USD', scale: 3 } })).toEqual(['/maxPrincipal/scale']);
    expect(await pointers('/v1/approval-limits/approver/USD', { maxPrincipal: { amount: '5', currency: 'USD', scale: 2 }, note: 'x' })).toEqual(['/note']);
  });

  it('an admin replaces the creditor profile (audited), which is what notices read; bad profiles are refused naming the field', async () => {
    const t = tenant();
    const admin = los.auth(['admin'], t);
    expect((await call('GET', '/v1/creditor-profile', los.auth(['operator'], t))).statusCode).toBe(404);
    const profile = { ...DEMO_CREDITOR, legalName: 'Acme Consumer Credit LLC', address: '500 Market St, San Francisco, CA 94105, US', agencyName: 'Federal Trade Commission', agencyAddress: '600 Pennsylvania Ave NW, Washington, DC 20580' };
    expect((await call('PUT', '/v1/creditor-profile', los.auth(['approver'], t), profile)).statusCode).toBe(403);
    expect((await call('PUT', '/v1/creditor-profile', admin, profile)).statusCode).toBe(201);
    const same = await call('PUT', '/v1/creditor-profile', admin, profile);
    expect([same.statusCode, same.headers['setting-changed']]).toEqual([200, 'false']);
    const moved = { ...profile, address: '1 Ferry Building, San Francisco, CA 94111, US' };
    expect((await call('PUT', '/v1/creditor-profile', admin, moved)).headers['setting-changed']).toBe('true');
    expect((await call('GET', '/v1/creditor-profile', los.auth(['operator'], t))).json()).toEqual(moved);
    expect(await los.reviews.creditor(t)).toEqual(moved);
    expect((await audited(t)).map((r) => [r.setting, r.previous?.address ?? null, r.current.address])).toEqual([['creditor-profile', null, profile.address], ['creditor-profile', profile.address, moved.address]]);

    const bad = await call('PUT', '/v1/creditor-profile', admin, { ...moved, legalName: '  ', bureauPhone: undefined, fax: '1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/bureauPhone', '/fax', '/legalName']);
    const range = await call('PUT', '/v1/creditor-profile', admin, { ...moved, scoreMin: 900, scoreMax: 300 });
    expect([range.statusCode, range.json().errors]).toEqual([422, [{ pointer: '/scoreMax', detail: 'scoreMax must be greater than scoreMin' }]]);
    expect((await call('GET', '/v1/creditor-profile', los.auth(['operator'], t))).json()).toEqual(moved);
  });
});
