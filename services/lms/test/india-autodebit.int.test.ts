/**
 * India auto-debit end to end: NACH e-mandates registered, amended and cancelled through the LMS's routes at the
 * REAL nach-sandbox process (a NACH processor's mandate and ach_debit API and a UPI AutoPay PSP's API, on port
 * 3720), INR instalments presented as NACH debits ahead of their charge date and as UPI AutoPay executions after
 * a pre-debit notification, the processor's responses read back and applied to loans over the REAL database:
 * repayments posted (and reversed) through the servicing use case exactly once, returns and failures decided by
 * their own rail's rules (NPCI Circular 274 codes, UPI response codes).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpServer, createLogger, createMetrics } from '@lendstack/platform';
import { eventually, testPort } from '@lendstack/testing';
import { nachSandbox } from '@lendstack/testing/nach-sandbox';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { presentmentsOfLoan } from '../src/modules/autodebit/adapters/autodebit.repository.js';
import { createProcessorApiClient } from '../src/modules/autodebit/adapters/processor-api.client.js';
import { mandateByUmrn } from '../src/modules/autodebit/adapters/mandates.repository.js';
import { mandateRoutes } from '../src/modules/autodebit/adapters/mandates.routes.js';
import { createNachCollectionRail } from '../src/modules/autodebit/adapters/nach-collection-rail.adapter.js';
import { createUpiAutopayRail } from '../src/modules/autodebit/adapters/upi-autopay-rail.adapter.js';
import type { CollectionRailPort } from '../src/modules/autodebit/ports.js';
import { applyResultDocument, collectResults, repaymentKeyOf, reversalKeyOf, type ApplyResultsDeps } from '../src/modules/autodebit/use-cases/apply-results.js';
import { presentDue } from '../src/modules/autodebit/use-cases/present-batch.js';
import { scheduleInstallmentDebit } from '../src/modules/autodebit/use-cases/schedule-debit.js';
import { newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

const PORT = await testPort();
const BASE = `http://127.0.0.1:${PORT}`;
const API_KEY = 'lendstack-nach-sandbox-api-key';
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `nach-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `nach-sandbox-${PORT}.log`) };

let h: Harness;
let app: FastifyInstance;
let nach: ReturnType<typeof createNachCollectionRail>;
let upi: ReturnType<typeof createUpiAutopayRail>;
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const deps = (): ApplyResultsDeps => ({ servicing: h.deps });
const present = (rail: CollectionRailPort, upTo: string, now: string) => presentDue({ pool: h.pool, rail, newId: randomUUID, maxPerFile: 500 }, upTo, new Date(now));
const sandbox = async (method: 'GET' | 'POST', path: string, body?: object, key?: string) => {
  const res = await fetch(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(key ? { 'idempotency-key': key } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const setPspClock = (now: string) => sandbox('POST', '/sandbox/clock', { now });

beforeAll(async () => {
  h = await startHarness();
  await nachSandbox.stop(sandboxFiles);
  await nachSandbox.start({ port: PORT, ...sandboxFiles, env: { NACH_SANDBOX_RESPONSE_DELAY_MS: '50', NACH_SANDBOX_LATE_RETURN_DELAY_MS: '600', UPI_SANDBOX_EXECUTE_DELAY_MS: '50', LOG_LEVEL: 'warn' } });
  const client = (name: string) => createProcessorApiClient({ name, baseUrl: BASE, apiKey: API_KEY, timeoutMs: 5_000, maxAttempts: 3, retryBaseDelayMs: 20 });
  nach = createNachCollectionRail({ client: client('NACH processor'), mandateOf: (umrn) => mandateByUmrn(h.pool, 'in-nach', umrn) });
  upi = createUpiAutopayRail({ client: client('UPI PSP'), mandateOf: (umn) => mandateByUmrn(h.pool, 'upi-autopay', umn) });
  app = await createHttpServer({ logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }), metrics: createMetrics('lendstack-lms-test'), serviceName: 'lendstack-lms', title: 'test', description: 'test', version: '1.0.0' });
  await app.register(mandateRoutes, { pool: h.pool, mandatePorts: { 'in-nach': nach, 'upi-autopay': upi }, newId: randomUUID, authSecret: loadConfig({}).AUTH_TOKEN_SECRET });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await nachSandbox.stop(sandboxFiles);
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object, key?: string) => h.app.inject({ method, url, headers: { ...h.auth(['admin', 'operator'], tenant), ...(key ? { 'idempotency-key': key } : {}) }, ...(payload ? { payload } : {}) });
const mandateCall = (url: string, tenant: string, payload: object, key?: string) => app.inject({ method: 'POST', url, headers: { ...h.auth(['operator'], tenant), ...(key ? { 'idempotency-key': key } : {}) }, payload });

/** An INR loan of ₹1,00,000 disbursed 1 Jan 2026, its business date then 31 Mar 2026 (settlements in Feb post at once). */
async function inrLoan(tenant: string): Promise<string> {
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-01' })).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: inr('10000000'), valueDate: '2026-01-01' });
  expect(res.statusCode, res.body).toBe(202);
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-03-31' })).statusCode).toBe(200);
  return loanId;
}

const nachBody = (accountNumber: string, over: object = {}) => ({
  rail: 'in-nach', account: { accountNumber, bankCode: 'HDFC0001234', holderName: 'Asha Verma' },
  mandate: { maxAmount: inr('5000000'), frequency: 'monthly', category: 'loan-instalment', validFrom: '2026-01-15', validUntil: '2027-12-31', ...over },
});
async function withNachMandate(tenant: string, accountNumber: string): Promise<{ loanId: string; mandate: Record<string, unknown> }> {
  const loanId = await inrLoan(tenant);
  const res = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody(accountNumber), `reg-${randomUUID()}`);
  expect(res.statusCode, res.body).toBe(201);
  return { loanId, mandate: res.json() };
}
const schedule = async (tenant: string, loanId: string, dueDate: string, installmentNumber = 1, amountMinor = 1_200_000n) => {
  const r = await scheduleInstallmentDebit(h, { tenantId: tenant, loanId, installmentNumber, amount: { amountMinor, currency: 'INR', scale: 2 }, dueDate });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.presentment;
};
const postedWithKey = async (key: string) => Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE idempotency_key = $1`, [key])).rows[0].count);
/** Collects until the loan's presentment `attempt` has left batched/presented (and, for `status`, reached it). */
const answered = (rail: CollectionRailPort, tenant: string, loanId: string, attempt: number, status?: string) => eventually(async () => {
  // Stamped a few days after the February charge dates: NACH looks for late returns on debits settled within 10 days of it.
  await collectResults(deps(), rail, '2026-02-12');
  const p = (await presentmentsOfLoan(h.pool, tenant, loanId)).find((x) => x.attempt === attempt);
  return p && !['batched', 'presented'].includes(p.status) && (!status || p.status === status) ? p : undefined;
}, { timeoutMs: 15_000, intervalMs: 100, what: `presentment ${attempt} of ${loanId} answered` });
/** The instant `hh:mm` IST on `date`. */
const ist = (date: string, hh: number, mm = 0) => new Date(Date.parse(`${date}T00:00:00Z`) - 330 * 60_000 + (hh * 60 + mm) * 60_000).toISOString();

describe('NACH mandates through the LMS', () => {
  it('registers an e-mandate at the processor (UMRN stored, the loan\'s debit authorisation), once per Idempotency-Key; refuses ADHO and a reused key naming the field', async () => {
    const tenant = newTenant('nach');
    const loanId = await inrLoan(tenant);
    const key = `reg-${randomUUID()}`;
    const first = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100012345678'), key);
    expect(first.statusCode, first.body).toBe(201);
    const m = first.json();
    expect(m).toMatchObject({ rail: 'in-nach', status: 'active', accountNumberMasked: 'XXXX5678', maxAmount: inr('5000000'), frequency: 'monthly' });
    expect(m.umrn).toMatch(/^SBOX\d{16}$/);
    const again = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100012345678'), key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(m);
    const state = await sandbox('GET', '/sandbox/state');
    expect((state.body.mandates as { reference: string }[]).filter((x) => x.reference === m.id)).toHaveLength(1);
    const reused = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100099999999'), key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().errors[0].pointer).toBe('/header/idempotency-key');
    const adho = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100012345678', { frequency: 'as-presented' }), `reg-${randomUUID()}`);
    expect(adho.statusCode).toBe(422);
    expect(adho.json()).toMatchObject({ errors: [{ pointer: '/mandate/frequency', detail: expect.stringMatching(/ADHO/) }] });
    const noKey = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100012345678'));
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().errors[0].pointer).toBe('/header/idempotency-key');
    const account = (await h.pool.query(`SELECT rail, authorisation_id, status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).rows[0];
    expect(account).toEqual({ rail: 'in-nach', authorisation_id: m.umrn, status: 'active' });
  });

  it('stores a bank\'s APxx rejection; amends an active mandate at the processor; cancels only with confirmation and an accepted risk on a live loan, irreversibly', async () => {
    const tenant = newTenant('nach');
    const loanId = await inrLoan(tenant);
    const rejected = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, nachBody('50100000007705'), `reg-${randomUUID()}`);
    expect(rejected.statusCode).toBe(201);
    expect(rejected.json()).toMatchObject({ status: 'rejected', umrn: null, statusReason: 'AP05: No such account' });
    const { mandate } = await withNachMandate(tenant, '50100012340001');
    const url = `/v1/loans/${loanId}/mandates/${String(mandate.id)}`;
    // withNachMandate booked another loan: the mandate belongs to that one.
    expect((await mandateCall(`${url}/amend`, tenant, { maxAmount: inr('6000000') }, `amd-${randomUUID()}`)).statusCode).toBe(404);
    const own = (await h.pool.query(`SELECT loan_id FROM autodebit_mandates WHERE id = $1`, [mandate.id])).rows[0].loan_id as string;
    const mine = `/v1/loans/${own}/mandates/${String(mandate.id)}`;
    const amended = await mandateCall(`${mine}/amend`, tenant, { maxAmount: inr('6000000') }, `amd-${randomUUID()}`);
    expect(amended.statusCode, amended.body).toBe(200);
    expect(amended.json()).toMatchObject({ maxAmount: inr('6000000'), umrn: mandate.umrn });
    const atProcessor = (await sandbox('GET', '/sandbox/state')).body.mandates as { umrn: string; amount_maximum: string }[];
    expect(atProcessor.find((x) => x.umrn === mandate.umrn)?.amount_maximum).toBe('6000000');
    const live = await mandateCall(`${mine}/cancel`, tenant, { confirmedBy: 'ops-lead' }, `cxl-${randomUUID()}`);
    expect(live.statusCode).toBe(422);
    expect(live.json().errors[0].pointer).toBe('/alternativeAuthorisationId');
    const cancelled = await mandateCall(`${mine}/cancel`, tenant, { confirmedBy: 'ops-lead', riskAccepted: true }, `cxl-${randomUUID()}`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect((await mandateCall(`${mine}/cancel`, tenant, { confirmedBy: 'ops-lead', riskAccepted: true }, `cxl-${randomUUID()}`)).statusCode).toBe(409);
    expect((await h.pool.query(`SELECT status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, own])).rows[0].status).toBe('revoked');
    const listed = await app.inject({ method: 'GET', url: `/v1/loans/${own}/mandates`, headers: h.auth(['operator'], tenant) });
    expect(listed.json().items.map((x: { status: string }) => x.status)).toEqual(['cancelled']);
  });
});

describe('NACH debits', () => {
  it('presents a debit ahead of its charge date; the confirmation posts one repayment; a duplicate response posts nothing more', async () => {
    const tenant = newTenant('nach');
    const { loanId } = await withNachMandate(tenant, '50100012345678');
    // Due Sunday 1 Feb 2026: NACH charges it on Monday 2 Feb.
    const p = await schedule(tenant, loanId, '2026-02-01');
    expect(p).toMatchObject({ effectiveDate: '2026-02-02', rail: 'in-nach' });
    // Presented on Saturday 31 Jan at 06:00 IST (two days ahead).
    const report = await present(nach, '2026-01-31', ist('2026-01-31', 6));
    expect(report.files.find((f) => f.status === 'accepted')).toBeDefined();
    const settled = await answered(nach, tenant, loanId, 1);
    expect(settled).toMatchObject({ status: 'settled', settlementDate: '2026-02-02', action: { kind: 'post-repayment', valueDate: '2026-02-02' } });
    expect(settled.reference).toMatch(/^LSN\d{12}$/);
    const debit = ((await sandbox('GET', '/sandbox/state')).body.debits as { reference: string; charge_date: string; mandate: string }[]).find((d) => d.reference === settled.reference);
    expect(debit).toMatchObject({ charge_date: '2026-02-02' });
    const tx = (await h.pool.query(`SELECT kind, amount_minor::text, channel, value_date::text FROM loan_transactions WHERE idempotency_key = $1`, [repaymentKeyOf(p.presentmentId)])).rows;
    expect(tx).toEqual([{ kind: 'repayment', amount_minor: '1200000', channel: 'nach', value_date: '2026-02-02' }]);
    // The same confirmation again under another document id: recorded duplicate, nothing posted.
    const dup = await applyResultDocument(deps(), { documentId: `nach:replayed:${randomUUID()}`, rail: 'in-nach', receivedOn: '2026-03-31', results: [{ kind: 'settled', reference: settled.reference!, settlementDate: '2026-02-02' }] });
    expect(dup.outcomes).toEqual([expect.objectContaining({ outcome: 'duplicate' })]);
    await collectResults(deps(), nach, '2026-03-31');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('re-presents a 04 (balance insufficient) a few NACH business days later, three presentments in all, then stops for an operator', async () => {
    const tenant = newTenant('nach');
    const { loanId } = await withNachMandate(tenant, '50100012340004');
    await schedule(tenant, loanId, '2026-02-02');
    await present(nach, '2026-01-31', ist('2026-01-31', 6));
    const first = await answered(nach, tenant, loanId, 1);
    // Returned 04 on 3 Feb (T+1); re-presented three NACH business days later, Friday 6 Feb.
    expect(first).toMatchObject({ status: 'returned', returnCode: '04', action: { kind: 'retry-at', date: '2026-02-06', attempt: 2 } });
    await present(nach, '2026-02-05', ist('2026-02-05', 6));
    const second = await answered(nach, tenant, loanId, 2);
    expect(second).toMatchObject({ status: 'returned', returnCode: '04', effectiveDate: '2026-02-06', action: { kind: 'retry-at', attempt: 3 } });
    const third = (await presentmentsOfLoan(h.pool, tenant, loanId)).find((x) => x.attempt === 3)!;
    await present(nach, third.effectiveDate, ist(third.effectiveDate, 6));
    expect(await answered(nach, tenant, loanId, 3)).toMatchObject({ status: 'returned', action: { kind: 'stop-manual-review', reason: expect.stringMatching(/exhausted/) } });
    expect((await presentmentsOfLoan(h.pool, tenant, loanId)).map((x) => x.attempt)).toEqual([1, 2, 3]);
    expect(await postedWithKey(repaymentKeyOf(first.presentmentId))).toBe(0);
  });

  it('a mandate-level return (61 mandate cancelled) revokes the authorisation: no further debit is scheduled on it', async () => {
    const tenant = newTenant('nach');
    const { loanId } = await withNachMandate(tenant, '50100012340061');
    await schedule(tenant, loanId, '2026-02-02');
    await present(nach, '2026-01-31', ist('2026-01-31', 6));
    expect(await answered(nach, tenant, loanId, 1)).toMatchObject({ status: 'returned', returnCode: '61', action: { kind: 'stop-revoke-authorisation' } });
    expect((await h.pool.query(`SELECT status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).rows[0].status).toBe('revoked');
    const next = await scheduleInstallmentDebit(h, { tenantId: tenant, loanId, installmentNumber: 2, amount: { amountMinor: 1_200_000n, currency: 'INR', scale: 2 }, dueDate: '2026-03-02' });
    expect(next).toMatchObject({ ok: false, error: { code: 'debit-account-stopped' } });
  });

  it('a late return after the confirmation reverses the posted repayment once and re-presents', async () => {
    const tenant = newTenant('nach');
    const { loanId } = await withNachMandate(tenant, '50100012340104');
    const p = await schedule(tenant, loanId, '2026-02-02');
    await present(nach, '2026-01-31', ist('2026-01-31', 6));
    await answered(nach, tenant, loanId, 1, 'settled');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    const returned = await answered(nach, tenant, loanId, 1, 'returned');
    expect(returned).toMatchObject({ returnCode: '04', action: { kind: 'retry-at', attempt: 2, reversePosted: true } });
    await collectResults(deps(), nach, '2026-03-31');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    expect(await postedWithKey(reversalKeyOf(p.presentmentId))).toBe(1);
  });

  it('refuses a debit outside the presentation window alone, records a malformed response (code 99) with its field and rule, and a response for a debit never sent as unknown-entry', async () => {
    const tenant = newTenant('nach');
    const { loanId } = await withNachMandate(tenant, '50100012340099');
    const p = await schedule(tenant, loanId, '2026-02-02');
    const late = await schedule(tenant, loanId, '2026-01-30', 2);
    // 31 Jan: the first is two days ahead; the second's charge date (Friday 30 Jan) has passed.
    await present(nach, '2026-01-31', ist('2026-01-31', 6));
    const stored = await presentmentsOfLoan(h.pool, tenant, loanId);
    expect(stored.find((x) => x.presentmentId === late.presentmentId)).toMatchObject({ status: 'rejected', action: { kind: 'stop-manual-review', reason: expect.stringMatching(/presentation-too-late/) } });
    const sent = stored.find((x) => x.presentmentId === p.presentmentId)!;
    expect(sent.status).toBe('presented');
    const file = (await h.pool.query(`SELECT rail_batch_id FROM autodebit_files WHERE id = $1`, [sent.fileId])).rows[0].rail_batch_id as string;
    // A debit in our batch that we never sent (another system's, or a processor's mistake), on an unknown UMRN: NPCI rejects it 21.
    expect((await sandbox('POST', '/v1/ach_debits', { mandate: 'SBOX0000000000000000', amount: '100', charge_date: '2026-02-02', reference: 'LSN999999999999', batch: file }, `stray-${randomUUID().slice(0, 8)}`)).status).toBe(201);
    const reports: Awaited<ReturnType<typeof collectResults>> = [];
    await eventually(async () => {
      reports.push(...(await collectResults(deps(), nach, '2026-02-12')));
      return reports.some((x) => x.status === 'refused') && reports.some((x) => x.outcomes.some((o) => o.outcome === 'unknown-entry')) ? true : undefined;
    }, { timeoutMs: 15_000, intervalMs: 100, what: 'the malformed response and the stray debit' });
    expect(reports.find((x) => x.outcomes.some((o) => o.outcome === 'unknown-entry'))!.outcomes[0]).toMatchObject({ reference: 'LSN999999999999', outcome: 'unknown-entry' });
    const refusal = (await h.pool.query(`SELECT d.refusal FROM autodebit_result_documents d WHERE d.status = 'refused' AND d.refusal->>'rule' = 'npci-reason-code' AND d.document_id LIKE 'nach:%'`)).rows.map((r) => r.refusal);
    expect(refusal).toContainEqual(expect.objectContaining({ field: 'response_code', rule: 'npci-reason-code', detail: expect.stringMatching(/99/) }));
    expect((await presentmentsOfLoan(h.pool, tenant, loanId)).find((x) => x.presentmentId === p.presentmentId)!.status).toBe('presented');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(0);
  });
});

describe('UPI AutoPay', () => {
  async function withUpiMandate(tenant: string, vpa: string): Promise<{ loanId: string; processorId: string }> {
    const loanId = await inrLoan(tenant);
    const res = await mandateCall(`/v1/loans/${loanId}/mandates`, tenant, { rail: 'upi-autopay', account: { bankCode: vpa, holderName: 'Ravi Kumar' }, mandate: { maxAmount: inr('1500000'), frequency: 'monthly', validFrom: '2026-01-15' } }, `reg-${randomUUID()}`);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ rail: 'upi-autopay', status: 'active', umrn: expect.stringMatching(/@sbox$/) });
    const processorId = (await h.pool.query(`SELECT processor_id FROM autodebit_mandates WHERE id = $1`, [res.json().id])).rows[0].processor_id as string;
    return { loanId, processorId };
  }

  it('sends the pre-debit notification at least 24 h ahead, outside peak hours; the execution posts one repayment', async () => {
    const tenant = newTenant('upi');
    const { loanId } = await withUpiMandate(tenant, 'asha@sbox');
    const p = await schedule(tenant, loanId, '2026-02-02');
    const now = ist('2026-01-31', 7);
    await setPspClock(now);
    await present(upi, '2026-01-31', now);
    const execution = ((await sandbox('GET', '/sandbox/state')).body.executions as { reference: string; notified_at: string; execute_at: string }[]).at(-1)!;
    // Notified 07:00 IST on 31 Jan; executes at the due date's IST midnight (more than 24 h later, not peak).
    expect(execution.execute_at).toBe(ist('2026-02-02', 0));
    expect(Date.parse(execution.execute_at) - Date.parse(execution.notified_at)).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(await answered(upi, tenant, loanId, 1)).toMatchObject({ status: 'settled', settlementDate: '2026-02-02' });
    await collectResults(deps(), upi, '2026-03-31');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    // A debit due today cannot be notified 24 h ahead: refused alone, with the rule.
    const tooSoon = await schedule(tenant, loanId, '2026-02-02', 2);
    const late = ist('2026-02-02', 8);
    await setPspClock(late);
    await present(upi, '2026-02-02', late);
    expect((await presentmentsOfLoan(h.pool, tenant, loanId)).find((x) => x.presentmentId === tooSoon.presentmentId)).toMatchObject({ status: 'rejected', action: { reason: expect.stringMatching(/pre-debit-notice/) } });
  });

  it('retries a Z9 (insufficient funds) two days later; a mandate the payer revoked stops it and revokes the authorisation', async () => {
    const tenant = newTenant('upi');
    const { loanId, processorId } = await withUpiMandate(tenant, 'ravi.Z9@sbox');
    await schedule(tenant, loanId, '2026-02-02');
    await setPspClock(ist('2026-01-31', 7));
    await present(upi, '2026-01-31', ist('2026-01-31', 7));
    expect(await answered(upi, tenant, loanId, 1)).toMatchObject({ status: 'returned', returnCode: 'Z9', action: { kind: 'retry-at', date: '2026-02-04', attempt: 2 } });
    // The payer revokes the mandate in their UPI app before the retry executes.
    expect((await sandbox('POST', `/sandbox/upi/mandates/${processorId}/revoke`)).status).toBe(200);
    await setPspClock(ist('2026-02-02', 7));
    await present(upi, '2026-02-02', ist('2026-02-02', 7));
    expect(await answered(upi, tenant, loanId, 2)).toMatchObject({ status: 'returned', returnCode: 'MANDATE-REVOKED', action: { kind: 'stop-revoke-authorisation' } });
    expect((await h.pool.query(`SELECT status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).rows[0].status).toBe('revoked');
  });
});
