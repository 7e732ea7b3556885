import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { eventually, testPort } from '@lendstack/testing';
import { nachSandbox } from '@lendstack/testing/nach-sandbox';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OriginationStep } from '../src/modules/applications/use-cases/complete-origination.js';
import { loadConfig } from '../src/config.js';
import { originationMandateOf, signedWebhookHeader } from '../src/modules/mandates/index.js';
import { makeOffers } from '../src/modules/offers/domain/offers.js';
import { applicationBody, startLosTestServer, uniqueTenant, type LosTestServer } from './support/los-test-server.js';

// Repayment mandates of an accepted offer over the REAL Postgres, against the nach-sandbox this file starts on a
// port of its own: NACH e-mandates (the borrower authenticates at the sandbox's bank page; its signed webhook
// reaches the LOS over a socket) and Stripe-style US ACH authorisations. The completion step is a recorder that
// checks it runs inside the activating transaction. Offer acceptance is another module's: the fixture records an
// accepted offer directly (offer priced by the offers domain, consent with IP and user agent).
const PORT = await testPort('MANDATE_TEST_SANDBOX_PORT');
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `nach-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `nach-sandbox-${PORT}.log`) };
const SANDBOX = `http://127.0.0.1:${PORT}`;
const config = loadConfig({});
const steps: (OriginationStep & { sawActive: boolean; forLoanApproved: Awaited<ReturnType<typeof originationMandateOf>> })[] = [];
let los: LosTestServer;

beforeAll(async () => {
  los = await startLosTestServer('los-int-md', {
    worker: false,
    mandates: {
      nachBaseUrl: SANDBOX, stripeBaseUrl: `${SANDBOX}/stripe`,
      stepDone: async (c, step) => {
        const { rows } = await c.query("SELECT 1 FROM application_mandates WHERE application_id = $1 AND checks_run = $2 AND status = 'active'", [step.applicationId, step.checksRun]);
        steps.push({ ...step, sawActive: rows.length === 1, forLoanApproved: await originationMandateOf(c, step.applicationId, step.checksRun) });
      },
    },
  });
  await los.app.listen({ host: '127.0.0.1', port: 0 });
  const losUrl = `http://127.0.0.1:${(los.app.server.address() as AddressInfo).port}`;
  await nachSandbox.stop(sandboxFiles);
  await nachSandbox.start({ port: PORT, ...sandboxFiles, env: { NACH_WEBHOOK_URL: `${losUrl}/v1/mandate-webhooks/nach-emandate`, STRIPE_WEBHOOK_URL: `${losUrl}/v1/mandate-webhooks/stripe`, LOG_LEVEL: 'warn' } });
}, 120_000);
afterAll(async () => {
  await nachSandbox.stop(sandboxFiles);
  await los?.close();
});

const partner = (tenantId: string) => los.auth(['partner'], tenantId);
const register = (tenantId: string, id: string, payload: object, key = `md-${randomUUID()}`) =>
  los.app.inject({ method: 'POST', url: `/v1/applications/${id}/mandate`, headers: { ...partner(tenantId), 'idempotency-key': key }, payload });
const mandateOf = async (tenantId: string, id: string) => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/mandate`, headers: partner(tenantId) })).json<Record<string, any>>();
const settled = (tenantId: string, id: string) => eventually(async () => {
  const m = await mandateOf(tenantId, id);
  return m.status === 'pending' ? undefined : m;
}, { timeoutMs: 15_000, intervalMs: 100, what: `mandate of ${id} to settle` });
const trail = async (tenantId: string, id: string) => (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/audit-trail`, headers: los.auth(['operator'], tenantId) })).json<{ items: { action: string; actor: string; detail: any }[] }>().items;
const stepsOf = (id: string) => steps.filter((s) => s.applicationId === id);

/** An application in a tenant of its own (no checks run for it) with an accepted offer on its request's terms. */
async function offerAccepted(options: { accountNumber?: string; usd?: boolean } = {}): Promise<{ tenantId: string; id: string; installment: { amount: string; currency: string; scale: number }; maturity: string }> {
  const tenantId = uniqueTenant('mandx');
  const body = applicationBody(options.accountNumber ? { accountNumber: options.accountNumber } : {});
  const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });
  const payload = options.usd
    ? { ...body, applicant: { ...body.applicant, address: { line1: '500 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' }, nationalId: { type: 'SSN', value: `9${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` }, bankAccount: { holderName: 'Jane Doe', accountNumber: options.accountNumber ?? '000123456789', bankCode: '110000000' } }, loan: { ...body.loan, productCode: 'US-PL-12', principal: usd('1200000'), fees: [] } }
    : body;
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: partner(tenantId), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  const { rows } = await los.pool.query<{ checks_run: number; loan_request: any }>('SELECT checks_run, loan_request FROM applications WHERE id = $1', [id]);
  const { checks_run: run, loan_request: terms } = rows[0]!;
  const made = makeOffers(terms, { band: 'A', annualRatePercent: terms.annualRatePercent, maxPrincipalMinor: Number(terms.principal.amount), maxTermPeriods: terms.termPeriods }, randomUUID, new Date());
  if (!made.ok) throw new Error(made.error.reason);
  const offer = made.offers[0]!;
  await los.pool.query("UPDATE applications SET status = 'offer-accepted' WHERE id = $1", [id]);
  await los.pool.query('INSERT INTO application_offers (id, tenant_id, application_id, checks_run, label, band, terms, pricing, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
    [offer.id, tenantId, id, run, offer.label, offer.band, JSON.stringify(offer.terms), JSON.stringify(offer.pricing), offer.expiresAt, offer.createdAt]);
  await los.pool.query(`INSERT INTO offer_acceptances (application_id, checks_run, tenant_id, offer_id, kfs_reference, kfs_version, kfs_sha256, accepted_by, accepted_at, ip, user_agent, consents)
     VALUES ($1, $2, $3, $4, $5, 'kfs-v1', $6, 'borrower', now(), '203.0.113.7', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', '[]')`, [id, run, tenantId, offer.id, `KFS-${id.slice(0, 8)}`, 'a'.repeat(64)]);
  const schedule = (await import('@lendstack/contracts')).checkBookable(offer.terms);
  if (!schedule.ok) throw new Error(schedule.reason);
  return { tenantId, id, installment: offer.pricing.installment!, maturity: schedule.schedule.installments.at(-1)!.dueDate };
}

const webhook = (vendor: string, body: string, signature: string | undefined) =>
  los.app.inject({ method: 'POST', url: `/v1/mandate-webhooks/${vendor}`, headers: { 'content-type': 'application/json', ...(signature ? { [vendor === 'stripe' ? 'stripe-signature' : 'x-nach-signature']: signature } : {}) }, payload: body });
const now = () => Math.floor(Date.now() / 1000);

describe('NACH e-mandate', () => {
  it('registers pending with the defaults, the borrower authenticates, the signed webhook makes it active once and completes the step once', async () => {
    const a = await offerAccepted();
    const key = `md-${randomUUID()}`;
    const res = await register(a.tenantId, a.id, { rail: 'nach', authentication: 'debit_card' }, key);
    expect(res.statusCode, res.body).toBe(201);
    const pending = res.json();
    const expectedMax = ((BigInt(a.installment.amount) * 3n + 199n) / 200n) * 100n;
    expect(pending).toMatchObject({ rail: 'nach', status: 'pending', mandateReference: null, frequency: 'monthly', vendor: 'nach-emandate', validFrom: new Date().toISOString().slice(0, 10), maxAmount: { amount: expectedMax.toString(), currency: 'INR', scale: 2 } });
    expect(BigInt(pending.maxAmount.amount) * 2n >= BigInt(a.installment.amount) * 3n).toBe(true);
    expect(pending.validUntil).toBe(`${Number(a.maturity.slice(0, 4)) + 1}${a.maturity.slice(4)}`);
    expect(pending.authenticationUrl).toBe(`${SANDBOX}/emandate/${pending.vendorMandateId}/authenticate`);
    // The same request again answers the same mandate; another request while it is live is refused.
    const replay = await register(a.tenantId, a.id, { rail: 'nach', authentication: 'debit_card' }, key);
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json().id]).toEqual([201, 'true', pending.id]);
    expect((await register(a.tenantId, a.id, { rail: 'nach' })).json()).toMatchObject({ status: 409, type: expect.stringMatching(/mandate-exists$/) });
    const atProcessor = (await (await fetch(`${SANDBOX}/v1/mandates/${pending.vendorMandateId}`, { headers: { authorization: `Bearer ${config.NACH_API_KEY}` } })).json()) as Record<string, unknown>;
    expect(atProcessor).toMatchObject({ reference: pending.id, status: 'pending_authentication', debtor_agent_code: 'HDFC0001234', amount_maximum: expectedMax.toString(), final_collection_date: pending.validUntil, authentication_mode: 'debit_card' });
    expect(steps.filter((s) => s.applicationId === a.id)).toEqual([]);

    // The borrower authenticates at their bank; NPCI's UMRN comes back through the processor's webhook.
    expect((await fetch(pending.authenticationUrl, { method: 'POST' })).status).toBe(200);
    const active = await settled(a.tenantId, a.id);
    expect(active).toMatchObject({ id: pending.id, status: 'active', mandateReference: expect.stringMatching(/^SBOX\d{16}$/), authenticationUrl: null, activatedAt: expect.any(String) });
    expect(stepsOf(a.id)).toEqual([{ tenantId: a.tenantId, applicationId: a.id, checksRun: expect.any(Number), actor: 'mandate:nach', at: expect.any(Date), sawActive: true, forLoanApproved: expect.anything() }]);
    // What the completion step can put on LoanApproved's bank account, within the contract.
    const forLoanApproved = stepsOf(a.id)[0]!.forLoanApproved!;
    expect(forLoanApproved).toEqual({ mandateReference: active.mandateReference, mandate: { rail: 'in-nach', maxAmount: pending.maxAmount, frequency: 'monthly', validFrom: pending.validFrom, validUntil: pending.validUntil } });
    const event = sampleLoanApprovedV1({ borrower: { bankAccount: { holderName: 'Priya Sharma', accountNumberMasked: 'XXXX4321', accountToken: 'tok_acct_8f3a2c91', bankCode: 'HDFC0001234', ...forLoanApproved } } });
    expect(event.payload.borrower.bankAccount.mandate?.rail).toBe('in-nach');
    const entries = (await trail(a.tenantId, a.id)).filter((e) => e.action.startsWith('mandate-'));
    expect(entries.map((e) => [e.action, e.actor])).toEqual([['mandate-requested', expect.stringMatching(/^partner-/)], ['mandate-registered', 'mandate:nach']]);
    expect(entries[1]!.detail).toMatchObject({ mandateReference: active.mandateReference, maxAmount: pending.maxAmount, validUntil: pending.validUntil });

    // A replayed delivery (signed again, in time) changes nothing; stale, forged and unsigned ones are refused.
    const replayed = JSON.stringify({ id: 'EVreplay', object: 'event', type: 'mandate.active', created: now(), data: { object: { id: pending.vendorMandateId } } });
    const again = await webhook('nach-emandate', replayed, signedWebhookHeader(replayed, config.NACH_WEBHOOK_SECRET, now()));
    expect([again.statusCode, again.json()]).toEqual([200, { received: true, event: 'mandate.active', status: 'active', changed: false }]);
    const stale = await webhook('nach-emandate', replayed, signedWebhookHeader(replayed, config.NACH_WEBHOOK_SECRET, now() - 3_600));
    expect([stale.statusCode, stale.json().errors]).toEqual([422, [{ pointer: '/header/x-nach-signature', detail: expect.stringMatching(/at most 300 s/) }]]);
    expect((await webhook('nach-emandate', replayed, signedWebhookHeader(replayed, 'not-the-secret', now()))).statusCode).toBe(401);
    expect((await webhook('nach-emandate', replayed, undefined)).json().errors).toEqual([{ pointer: '/header/x-nach-signature', detail: expect.any(String) }]);
    const unknown = JSON.stringify({ id: 'EVx', type: 'mandate.active', created: now(), data: { object: { id: 'MDnever' } } });
    expect((await webhook('nach-emandate', unknown, signedWebhookHeader(unknown, config.NACH_WEBHOOK_SECRET, now()))).statusCode).toBe(404);
    expect(stepsOf(a.id)).toHaveLength(1);
  }, 60_000);

  it('the debtor bank rejects it with the NPCI reason; nothing completes, and a new registration may follow', async () => {
    const a = await offerAccepted({ accountNumber: '5010012347705' });
    const pending = (await register(a.tenantId, a.id, { rail: 'nach' })).json();
    expect(pending.status).toBe('pending');
    expect((await fetch(pending.authenticationUrl, { method: 'POST' })).status).toBe(200);
    expect(await settled(a.tenantId, a.id)).toMatchObject({ id: pending.id, status: 'rejected', mandateReference: null, reasonCode: 'AP05', reason: 'No such account' });
    expect((await trail(a.tenantId, a.id)).filter((e) => e.action.startsWith('mandate-')).map((e) => e.action)).toEqual(['mandate-requested', 'mandate-rejected']);
    expect(stepsOf(a.id)).toEqual([]);
    const next = await register(a.tenantId, a.id, { rail: 'nach', maxAmount: { amount: a.installment.amount, currency: 'INR', scale: 2 } });
    expect(next.statusCode, next.body).toBe(201);
    expect(next.json()).toMatchObject({ status: 'pending', maxAmount: a.installment });
    expect(next.json().id).not.toBe(pending.id);
  }, 60_000);

  it('refuses terms that could not collect the loan, the wrong rail, an application without an accepted offer and bad requests, naming the field', async () => {
    const a = await offerAccepted();
    const refused = async (payload: object, status = 422) => {
      const res = await register(a.tenantId, a.id, payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      return res.json().errors?.map((e: { pointer: string }) => e.pointer);
    };
    const below = (BigInt(a.installment.amount) - 1n).toString();
    expect(await refused({ rail: 'nach', maxAmount: { amount: below, currency: 'INR', scale: 2 } })).toEqual(['/maxAmount']);
    expect(await refused({ rail: 'nach', maxAmount: { amount: '99999999', currency: 'USD', scale: 2 } })).toEqual(['/maxAmount']);
    expect(await refused({ rail: 'nach', validUntil: a.maturity.replace(/-\d\d$/, '-01') })).toEqual(['/validUntil']);
    expect(await refused({ rail: 'nach', frequency: 'yearly' })).toEqual(['/frequency']);
    expect(await refused({ rail: 'ach' })).toEqual(['/rail']);
    expect(await refused({ rail: 'upi' })).toEqual(['/rail']);
    expect(await refused({ rail: 'nach', maxAmount: { amount: '-5', currency: 'INR', scale: 2 } }, 400)).toEqual(['/maxAmount/amount']);
    expect(await refused({ rail: 'nach', colour: 'blue' }, 400)).toEqual(['/colour']);
    const noKey = await los.app.inject({ method: 'POST', url: `/v1/applications/${a.id}/mandate`, headers: partner(a.tenantId), payload: { rail: 'nach' } });
    expect(noKey.statusCode).toBe(400);
    // Nothing was registered by any of them.
    expect((await los.app.inject({ method: 'GET', url: `/v1/applications/${a.id}/mandate`, headers: partner(a.tenantId) })).statusCode).toBe(404);
    const submitted = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: partner(a.tenantId), payload: applicationBody() });
    const notAccepted = await register(a.tenantId, submitted.json().id, { rail: 'nach' });
    expect(notAccepted.json()).toMatchObject({ status: 409, type: expect.stringMatching(/not-offer-accepted$/), currentStatus: 'submitted' });
    expect((await register(a.tenantId, randomUUID(), { rail: 'nach' })).statusCode).toBe(404);
  }, 60_000);
});

describe('US ACH debit authorisation', () => {
  const stripe = async (path: string) => (await fetch(`${SANDBOX}/stripe/v1${path}`, { headers: { authorization: `Bearer ${config.STRIPE_API_KEY}` } })).json() as Promise<Record<string, any>>;
  const verify = (setupIntent: string, code: string) =>
    fetch(`${SANDBOX}/stripe/v1/setup_intents/${setupIntent}/verify_microdeposits`, { method: 'POST', headers: { authorization: `Bearer ${config.STRIPE_API_KEY}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `descriptor_code=${code}` });

  it('records the consumer\'s online acceptance (IP, user agent) with the authorisation; microdeposit verification makes it active', async () => {
    const a = await offerAccepted({ usd: true });
    const res = await register(a.tenantId, a.id, { rail: 'ach' });
    expect(res.statusCode, res.body).toBe(201);
    const pending = res.json();
    expect(pending).toMatchObject({ rail: 'ach', vendor: 'stripe', status: 'pending', vendorMandateId: expect.stringMatching(/^mandate_/), vendorSetupId: expect.stringMatching(/^seti_/), authenticationUrl: expect.stringContaining('/stripe/hosted/microdeposits/'), maxAmount: { currency: 'USD', scale: 2 } });
    const mandate = await stripe(`/mandates/${pending.vendorMandateId}`);
    expect(mandate).toMatchObject({ status: 'pending', type: 'multi_use', customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' } } });
    expect((await stripe(`/setup_intents/${pending.vendorSetupId}`)).metadata).toMatchObject({ lendstack_mandate_id: pending.id, application_id: a.id, max_amount: `${pending.maxAmount.amount} USD`, frequency: 'monthly', valid_until: pending.validUntil });

    expect((await verify(pending.vendorSetupId, 'XX00XX')).status).toBe(400);
    expect((await mandateOf(a.tenantId, a.id)).status).toBe('pending');
    expect((await verify(pending.vendorSetupId, 'SM11AA')).status).toBe(200);
    expect(await settled(a.tenantId, a.id)).toMatchObject({ status: 'active', mandateReference: pending.vendorMandateId });
    expect(stepsOf(a.id)).toEqual([expect.objectContaining({ actor: 'mandate:ach', sawActive: true })]);
    const succeeded = JSON.stringify({ id: 'evt_replay', object: 'event', type: 'setup_intent.succeeded', created: now(), data: { object: { id: pending.vendorSetupId, object: 'setup_intent', mandate: pending.vendorMandateId } } });
    expect((await webhook('stripe', succeeded, signedWebhookHeader(succeeded, config.STRIPE_WEBHOOK_SECRET, now()))).json()).toMatchObject({ changed: false, status: 'active' });
    expect(stepsOf(a.id)).toHaveLength(1);
  }, 60_000);

  it('a verification that fails rejects it with the processor\'s reason', async () => {
    const a = await offerAccepted({ usd: true, accountNumber: '000111111116' });
    const pending = (await register(a.tenantId, a.id, { rail: 'ach' })).json();
    expect((await verify(pending.vendorSetupId, 'SM11AA')).status).toBe(400);
    expect(await settled(a.tenantId, a.id)).toMatchObject({ status: 'rejected', reasonCode: 'payment_method_microdeposit_failed' });
    expect(stepsOf(a.id)).toEqual([]);
  }, 60_000);
});
