import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitChecksOverHttp, eventually, infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';
import { bureauSandbox } from '../sandboxes/bureau-sandbox/src/control.js';
import { esignSandbox } from '../sandboxes/esign-sandbox/src/control.js';
import { kycSandbox } from '../sandboxes/kyc-sandbox/src/control.js';
import { nachSandbox } from '../sandboxes/nach-sandbox/src/control.js';
import { startPayoutSandbox, stopPayoutSandbox } from '../sandboxes/payout-sandbox/src/control.js';

// Origination end to end over both services as their own processes, with every vendor a sandbox of this run:
// a tenant's policy written by one admin and approved by another; an applicant checked (KYC, bureau, sanctions …),
// approved by policy, offered, shown the Key Fact Statement, accepting it with consent, signing the agreement
// (e-sign sandbox calling back) and registering a NACH e-mandate (the processor calling back) — only then does
// LoanApproved leave the LOS, and the LMS books the loan on the accepted offer's terms with that mandate. One
// applicant is declined with reasons and a notice, one referred and decided by maker and checker, an old decision
// replays to its answer after the policy changed, and a top-up is declined because the LMS says the borrower is
// 45 days past due.
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-origination-system-secret-0123456789';
const now = Math.floor(Date.now() / 1000);
const tenant = `orig-${runId}`;
type Role = 'partner' | 'operator' | 'approver' | 'admin';
const token = (roles: Role[], who: string) => signToken(secret, { subject: `${who}@${tenant}`, tenantId: tenant, roles }, 3_600, now);
const headers = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
const partner = headers(token(['partner'], 'partner'));
const operator = headers(token(['operator'], 'omar'));
const approver = headers(token(['approver'], 'bea'));
const adminA = headers(token(['admin'], 'ana'));
const adminB = headers(token(['admin'], 'ben'));
const key = () => ({ 'idempotency-key': `orig-${randomUUID()}` });
const PORTS = {
  los: await testPort('ORIGINATION_TEST_LOS_PORT'), lms: await testPort('ORIGINATION_TEST_LMS_PORT'), kyc: await testPort('ORIGINATION_TEST_KYC_PORT'),
  bureau: await testPort('ORIGINATION_TEST_BUREAU_PORT'), esign: await testPort('ORIGINATION_TEST_ESIGN_PORT'), nach: await testPort('ORIGINATION_TEST_NACH_PORT'),
  payouts: await testPort('ORIGINATION_TEST_PAYOUTS_PORT'),
};
const files = (name: string, p: number) => ({ port: p, pidFile: join(tmpdir(), `${name}-${runId}.pid`), logFile: join(tmpdir(), `${name}-${runId}.log`) });
const kycFiles = files('kyc-sandbox', PORTS.kyc);
const bureauFiles = files('bureau-sandbox', PORTS.bureau);
const esignFiles = files('esign-sandbox', PORTS.esign);
const nachFiles = files('nach-sandbox', PORTS.nach);
const payoutFiles = files('payout-sandbox', PORTS.payouts);

let infra: Infrastructure;
let los: ServiceProcess;
let lms: ServiceProcess;

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; raw: Buffer; headers: Headers }> {
  const res = await fetch(url, init);
  const raw = Buffer.from(await res.arrayBuffer());
  let body: unknown = raw.toString();
  try {
    body = JSON.parse(raw.toString());
  } catch { /* keep the text */ }
  return { status: res.status, body, raw, headers: res.headers };
}
const losCall = (path: string, init: RequestInit = {}) => call(`${los.url}${path}`, init);
const lmsCall = (path: string, init: RequestInit = {}) => call(`${lms.url}${path}`, init);
const post = (path: string, who: Record<string, string>, body: unknown = {}) => losCall(path, { method: 'POST', headers: { ...who, ...key() }, body: JSON.stringify(body) });
const sandboxPost = (base: string, path: string, body: unknown = {}) => call(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const today = new Date().toISOString().slice(0, 10);
const day = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The PL-12 product of contracts' fixtures: the LMS publishes it, the LOS reads it from Kafka. */
function product() {
  const file = fileURLToPath(new URL('../../contracts/fixtures/product-published.v1/accept/personal-loan-inr-equal-installment.json', import.meta.url));
  const { version: _v, effectiveAt: _e, ...definition } = (JSON.parse(readFileSync(file, 'utf8')) as { payload: Record<string, any> }).payload;
  return definition;
}

/**
 * An Indian salaried applicant of this run: the bureau sandbox answers by the PAN's last four digits (9001 thin
 * file, 9006 a charge-off, else clean); the rest of the PAN, the contacts and the account are this run's own,
 * so the duplicate checks see no other test's applicants.
 */
const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
const people = new Map<string, { pan: string; phone: string; account: string }>();
function application(family: string, panDigits: string, extra: Record<string, unknown> = {}) {
  const person = people.get(family) ?? { pan: `${letters(3)}P${family[0]!.toUpperCase()}${panDigits}${letters(1)}`, phone: `+919${digits(9)}`, account: `5001${digits(8)}` };
  people.set(family, person);
  return {
    applicant: {
      name: { given: 'Meera', family }, contact: { email: `${family.toLowerCase()}.${runId}@example.in`, phone: person.phone },
      address: { line1: '5 Residency Road', city: 'Bengaluru', region: 'KA', postalCode: '560025', country: 'IN' },
      dateOfBirth: '1990-05-17',
      nationalId: { type: 'PAN', value: person.pan },
      bankAccount: { holderName: `Meera ${family}`, accountNumber: person.account, bankCode: 'HDFC0000001' },
    },
    employment: { employerName: 'Infosys', monthlyNetIncome: { amount: '15000000', currency: 'INR', scale: 2 } },
    loan: {
      productCode: 'PL-12', principal: { amount: '30000000', currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: day(today, 2),
      fees: [{ code: 'PF', name: 'Processing fee', amount: { amount: '600000', currency: 'INR', scale: 2 }, timing: 'upfront' }],
    },
    ...extra,
  };
}

async function submitted(body: unknown): Promise<string> {
  const res = await post('/v1/applications', partner, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}
/** The application once the automated decision moved it (policy-approved, referred or declined). */
async function decided(id: string): Promise<{ status: string; [k: string]: unknown }> {
  await awaitChecksOverHttp(los.url, operator.authorization, id, { timeoutMs: 90_000 });
  return eventually(async () => {
    const app = (await losCall(`/v1/applications/${id}`, { headers: operator })).body;
    return ['policy-approved', 'referred', 'declined'].includes(app.status) ? app : undefined;
  }, { timeoutMs: 60_000, what: `the automated decision of ${id}` });
}

beforeAll(async () => {
  infra = await infrastructure();
  await Promise.all([kycSandbox.stop(kycFiles), bureauSandbox.stop(bureauFiles), esignSandbox.stop(esignFiles), nachSandbox.stop(nachFiles), stopPayoutSandbox(payoutFiles)]);
  await Promise.all([
    kycSandbox.start({ ...kycFiles, env: { KYC_WEBHOOK_URL: `http://127.0.0.1:${PORTS.los}/v1/kyc-webhooks/onfido` } }),
    bureauSandbox.start(bureauFiles),
    esignSandbox.start({ ...esignFiles, env: { ESIGN_CONNECT_URL: `http://127.0.0.1:${PORTS.los}/v1/webhooks/esign/docusign` } }),
    nachSandbox.start({ ...nachFiles, env: { NACH_WEBHOOK_URL: `http://127.0.0.1:${PORTS.los}/v1/mandate-webhooks/nach-emandate` } }),
    startPayoutSandbox({ ...payoutFiles, env: { PAYOUT_WEBHOOK_URL: `http://127.0.0.1:${PORTS.lms}/v1/payout-webhooks/razorpayx`, PAYOUT_SANDBOX_DELAY_MS: '100' } }),
  ]);
  const kyc = `http://127.0.0.1:${PORTS.kyc}`;
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '' };
  [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, {
      ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CONSUMER_GROUP: `los-orig-${runId}`, LOS_CHECKS_TENANT_PREFIX: tenant,
      ONFIDO_BASE_URL: `${kyc}/v3.6`, PAN_BASE_URL: kyc, UIDAI_OFFLINE_EKYC_URL: `${kyc}/uidai/offline-ekyc`, BUREAU_BASE_URL: `http://127.0.0.1:${PORTS.bureau}`,
      DOCUSIGN_BASE_URL: `http://127.0.0.1:${PORTS.esign}/restapi`, ESTAMP_BASE_URL: `http://127.0.0.1:${PORTS.esign}/estamp/v1`, NACH_BASE_URL: `http://127.0.0.1:${PORTS.nach}`,
      STRIPE_BASE_URL: `http://127.0.0.1:${PORTS.nach}/stripe`,
    }),
    startServiceProcess('lms', PORTS.lms, {
      ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, LMS_CONSUMER_GROUP: `lms-orig-${runId}`,
      LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collections-orig-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenant, PAYOUT_BASE_URL: `http://127.0.0.1:${PORTS.payouts}`,
      NACH_BASE_URL: `http://127.0.0.1:${PORTS.nach}`,
      // Debits are not this test's business: the runner's first round is a day away.
      LMS_AUTODEBIT_INTERVAL_MS: '86400000',
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([los?.stop(), lms?.stop()]);
  await Promise.all([kycSandbox.stop(kycFiles), bureauSandbox.stop(bureauFiles), esignSandbox.stop(esignFiles), nachSandbox.stop(nachFiles), stopPayoutSandbox(payoutFiles)]);
  await infra?.stop();
});

describe('origination, from policy to a booked loan', () => {
  let firstDecision: string;
  let approvedLoanId: string;

  it('the product is published and the tenant’s policy is written by one admin and approved by another', async () => {
    const published = await lmsCall('/v1/products', { method: 'POST', headers: adminA, body: JSON.stringify(product()) });
    expect([200, 201], JSON.stringify(published.body)).toContain(published.status);
    expect((await lmsCall('/v1/business-date', { method: 'PUT', headers: adminA, body: JSON.stringify({ date: today }) })).status).toBe(200);
    // The lender named on the KFS and the notices.
    const demoAdminToken = headers(signToken(secret, { subject: 'admin@demo', tenantId: 'demo', roles: ['admin'] }, 3_600, now));
    const creditor = (await losCall('/v1/creditor-profile', { headers: demoAdminToken })).body;
    expect((await losCall('/v1/creditor-profile', { method: 'PUT', headers: adminA, body: JSON.stringify(creditor) })).status).toBeLessThan(300);
    // Approvers decide referrals up to INR 10,00,000.
    const limit = await losCall('/v1/approval-limits/approver/INR', { method: 'PUT', headers: adminA, body: JSON.stringify({ maxPrincipal: { amount: '100000000', currency: 'INR', scale: 2 } }) });
    expect(limit.status, JSON.stringify(limit.body)).toBeLessThan(300);
    // The demo tenant's seeded PL-12 policy, less the payslip rule (these applicants upload none).
    const demo = (await losCall('/v1/policies', { headers: demoAdminToken })).body.items.find((v: any) => v.productCode === 'PL-12' && v.status === 'approved');
    expect(demo, 'the LOS seeds a PL-12 policy for tenant demo').toBeDefined();
    // The score cut-offs sit lower than the demo's, so the clean applicant's approval does not hang on where this
    // run's random PAN puts the bureau score (the thin file is still referred, the charge-off still declined, by rules).
    const document = { ...demo.document, eligibility: demo.document.eligibility.filter((r: any) => r.id !== 'income-verified'), scorecard: { declineBelow: 450, approveAtOrAbove: 500 } };
    const draft = await post('/v1/policies', adminA, { productCode: 'PL-12', effectiveFrom: new Date(Date.now() - 60_000).toISOString(), document });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const approveUrl = `/v1/policies/${draft.body.policyId}/versions/${draft.body.version}/approve`;
    expect((await post(approveUrl, adminA)).status, 'the maker cannot approve').toBe(403);
    const approved = await post(approveUrl, adminB);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', createdBy: `ana@${tenant}`, approvedBy: `ben@${tenant}` });
    // The LOS learns the catalogue from Kafka: a term outside the product is refused once it has.
    await eventually(async () => {
      const refused = await post('/v1/applications', partner, application('Probe', '1234', { loan: { ...application('Probe', '1234').loan, termPeriods: 600 } }));
      return refused.status === 422 ? refused : undefined;
    }, { timeoutMs: 60_000, what: 'the LOS to read the catalogue' });
  }, 240_000);

  it('a clean applicant: policy → offer → KFS → consent → signature → mandate → LoanApproved → a loan at the LMS', async () => {
    const id = await submitted(application('Iyer', '4821'));
    firstDecision = id;
    expect((await decided(id)).status).toBe('policy-approved');
    // An operator's click approves nothing that passed policy: origination does.
    expect((await post(`/v1/applications/${id}/approve`, operator)).status).toBe(409);

    const offers = await post(`/v1/applications/${id}/offers`, operator);
    expect(offers.status, JSON.stringify(offers.body)).toBe(201);
    const offer = offers.body.items[0];
    const kfs = await losCall(`/v1/applications/${id}/kfs?format=json&offerId=${offer.id}`, { headers: partner });
    expect(kfs.status, JSON.stringify(kfs.body)).toBe(200);
    expect(kfs.body.apr ?? kfs.body.content?.apr).toBeDefined();
    const accept = (sha256: string) => losCall(`/v1/applications/${id}/offers/${offer.id}/accept`, {
      method: 'POST', headers: { ...partner, ...key(), 'user-agent': 'LendstackPartnerApp/2.1' },
      body: JSON.stringify({ kfsReference: kfs.body.reference, kfsSha256: sha256, consents: [{ name: 'kfs-acknowledged', version: kfs.body.version, granted: true }, { name: 'e-sign-consent', version: 'esign-2026.12', granted: true }] }),
    });
    expect((await accept('0'.repeat(64))).status, 'a KFS the applicant was not shown').toBe(422);
    const accepted = await accept(kfs.body.sha256);
    expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
    expect((await losCall(`/v1/applications/${id}`, { headers: operator })).body.status).toBe('offer-accepted');

    // The agreement: generated, eStamped, sent; the signer signs in the sandbox, which calls the LOS back.
    const agreement = await post(`/v1/applications/${id}/agreement`, operator);
    expect(agreement.status, JSON.stringify(agreement.body)).toBe(201);
    const envelopeId = agreement.body.envelopeId as string;
    expect((await sandboxPost(`http://127.0.0.1:${PORTS.esign}`, `/sandbox/envelopes/${envelopeId}/view`, { ip: '203.0.113.7' })).status).toBeLessThan(300);
    expect((await sandboxPost(`http://127.0.0.1:${PORTS.esign}`, `/sandbox/envelopes/${envelopeId}/sign`, { ip: '203.0.113.7' })).status).toBeLessThan(300);
    await eventually(async () => ((await losCall(`/v1/applications/${id}/agreement?format=json`, { headers: operator })).body.status === 'signed' ? true : undefined), { timeoutMs: 30_000, what: 'the signature' });
    // Signed but no mandate yet: not approved.
    expect((await losCall(`/v1/applications/${id}`, { headers: operator })).body.status).toBe('offer-accepted');

    const mandate = await post(`/v1/applications/${id}/mandate`, partner, { rail: 'nach', authentication: 'net_banking' });
    expect(mandate.status, JSON.stringify(mandate.body)).toBe(201);
    expect(mandate.body).toMatchObject({ status: 'pending', rail: 'nach' });
    // The borrower authenticates at their bank; the processor's signed webhook tells the LOS.
    expect((await call(mandate.body.authenticationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    const approved = await eventually(async () => {
      const app = (await losCall(`/v1/applications/${id}`, { headers: operator })).body;
      return app.status === 'approved' ? app : undefined;
    }, { timeoutMs: 30_000, what: 'approval once the mandate is active' });
    approvedLoanId = approved.loanId;

    // The LMS books the loan on the accepted offer's terms, with the mandate the LOS registered.
    const loan = await eventually(async () => {
      const r = await lmsCall(`/v1/loans/${approvedLoanId}`, { headers: operator });
      return r.status === 200 ? r.body : undefined;
    }, { timeoutMs: 60_000, what: 'the LMS to book the loan' });
    expect(loan).toMatchObject({ id: approvedLoanId, principal: offer.principal, termPeriods: offer.termPeriods, annualRatePercent: offer.annualRatePercent });
    const active = (await losCall(`/v1/applications/${id}/mandate`, { headers: operator })).body;
    expect(active).toMatchObject({ status: 'active', mandateReference: expect.any(String) });
    expect(loan.borrower.bankAccount.mandateReference).toBe(active.mandateReference);
    // …booked as the loan's debit authorisation on its terms, not registered at the processor again.
    const debitMandates = (await lmsCall(`/v1/loans/${approvedLoanId}/mandates`, { headers: operator })).body.items;
    expect(debitMandates).toEqual([expect.objectContaining({ rail: 'in-nach', status: 'active', umrn: active.mandateReference, maxAmount: active.maxAmount, frequency: active.frequency, validFrom: active.validFrom })]);

    const timeline = (await losCall(`/v1/applications/${id}/timeline?limit=100`, { headers: operator })).body.items.map((e: any) => e.kind);
    for (const kind of ['offer-accepted', 'agreement-signed', 'mandate-registered', 'loan-approved']) expect(timeline.join(' '), kind).toContain(kind);
  }, 300_000);

  it('an applicant with a charge-off is declined with reasons and an adverse-action notice', async () => {
    const id = await submitted(application('Rao', '9006'));
    const app = await decided(id);
    expect(app.status).toBe('declined');
    const decision = (await losCall(`/v1/applications/${id}/decision`, { headers: operator })).body;
    expect(decision.reasons.join(' ')).toMatch(/charge-off/i);
    const notice = await losCall(`/v1/applications/${id}/adverse-action-notice`, { headers: partner });
    expect(notice.status).toBe(200);
    expect(notice.headers.get('content-type')).toBe('application/pdf');
    expect(notice.raw.subarray(0, 5).toString()).toBe('%PDF-');
  }, 180_000);

  it('a thin file is referred and decided by a maker and a different checker', async () => {
    const id = await submitted(application('Das', '9001'));
    expect((await decided(id)).status).toBe('referred');
    expect((await losCall('/v1/review-queue', { headers: operator })).body.items.map((r: any) => r.applicationId)).toContain(id);
    const recommended = await post(`/v1/applications/${id}/recommendation`, operator, { recommendation: 'approve', comment: 'Salaried at a listed employer; thin file only' });
    expect(recommended.status, JSON.stringify(recommended.body)).toBeLessThan(300);
    const checker = await post(`/v1/applications/${id}/decision`, approver, { decision: 'approve', comment: 'Agree with the maker' });
    expect(checker.status, JSON.stringify(checker.body)).toBe(200);
    expect(checker.body).toMatchObject({ applicationStatus: 'policy-approved' });
  }, 180_000);

  it('after a policy change approved by a second admin, the first decision replays to its original answer', async () => {
    const current = (await losCall('/v1/policies', { headers: adminA })).body.items.filter((v: any) => v.productCode === 'PL-12').at(-1);
    const stricter = { ...current.document, eligibility: current.document.eligibility.map((r: any) => (r.id === 'bureau-score' ? { ...r, test: '>= 900' } : r)) };
    const draft = await post('/v1/policies', adminB, { productCode: 'PL-12', effectiveFrom: new Date().toISOString(), document: stricter });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect((await post(`/v1/policies/${draft.body.policyId}/versions/${draft.body.version}/approve`, adminA)).status).toBe(200);
    const replay = await losCall(`/v1/applications/${firstDecision}/decision/replay`, { headers: operator });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({ same: true, original: { outcome: 'approve' }, replayed: { outcome: 'approve' } });
  }, 120_000);

  it('a top-up is declined while the LMS says the borrower is 45 days past due', async () => {
    // Disburse the loan, then let the first installment go 45 days unpaid at the LMS.
    const loan = (await lmsCall(`/v1/loans/${approvedLoanId}`, { headers: operator })).body;
    const disbursed = await lmsCall(`/v1/loans/${approvedLoanId}/disbursements`, { method: 'POST', headers: { ...operator, ...key() }, body: JSON.stringify({ amount: { amount: loan.principal.amount, currency: loan.principal.currency, scale: loan.principal.scale }, valueDate: today }) });
    expect([201, 202], JSON.stringify(disbursed.body)).toContain(disbursed.status);
    await eventually(async () => ((await lmsCall(`/v1/loans/${approvedLoanId}`, { headers: operator })).body.status === 'active' ? true : undefined), { timeoutMs: 60_000, what: 'the disbursement' });
    const firstDue = (await lmsCall(`/v1/loans/${approvedLoanId}/schedule`, { headers: operator })).body.installments[0].dueDate as string;
    const run = await lmsCall('/v1/end-of-day-runs', { method: 'POST', headers: adminA, body: JSON.stringify({ to: day(firstDue, 45) }) });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    await eventually(async () => {
      const r = (await lmsCall(`/v1/end-of-day-runs/${run.body.id}`, { headers: adminA })).body;
      if (r.status === 'failed') throw new Error(JSON.stringify(r));
      return r.status === 'completed' ? r : undefined;
    }, { timeoutMs: 180_000, intervalMs: 250, what: 'end of day to 45 DPD' });
    expect((await lmsCall(`/v1/loans/${approvedLoanId}`, { headers: operator })).body.delinquency).toMatchObject({ dpd: 45, rbiClass: 'SMA-1' });

    // The LOS hears it on the lifecycle topic; the borrower's top-up is declined with that reason.
    await eventually(async () => {
      const id = await submitted({ ...application('Iyer', '4821'), topUpOf: approvedLoanId });
      const app = await decided(id);
      return app.status === 'declined' ? id : undefined;
    }, { timeoutMs: 90_000, intervalMs: 2_000, what: 'the top-up to be declined' }).then(async (id) => {
      const decision = (await losCall(`/v1/applications/${id}/decision`, { headers: operator })).body;
      expect(decision.reasons.join(' ')).toMatch(/delinquent on an existing loan with us/i);
    });
  }, 420_000);
});
