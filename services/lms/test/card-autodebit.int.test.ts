/**
 * Card-on-file auto-debit end to end: cards tokenised at the REAL card sandbox process (a card processor's
 * stored-credential payment API, on a free port), instalments presented as merchant-initiated recurring payments,
 * authorisations and declines read back and applied over the REAL database: one repayment per authorisation,
 * declines decided by card-rules.ts (Visa category 1 never retried, Mastercard advice codes), a code no network
 * defines refused.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, testPort } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardOnFileRail } from '../src/modules/autodebit/adapters/card-on-file-rail.adapter.js';
import { presentmentsOfLoan } from '../src/modules/autodebit/adapters/autodebit.repository.js';
import { createProcessorApiClient } from '../src/modules/autodebit/adapters/processor-api.client.js';
import type { CollectionRailPort } from '../src/modules/autodebit/ports.js';
import { collectResults, repaymentKeyOf } from '../src/modules/autodebit/use-cases/apply-results.js';
import { presentDue } from '../src/modules/autodebit/use-cases/present-batch.js';
import { enrolDebitAccount, scheduleInstallmentDebit } from '../src/modules/autodebit/use-cases/schedule-debit.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

const PORT = await testPort();
const BASE = `http://127.0.0.1:${PORT}`;
const API_KEY = 'lendstack-card-sandbox-api-key';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cache = join(process.env.LENDSTACK_CACHE || join(root, '.cache'), `card-sandbox-${PORT}`);
const cli = (command: 'start' | 'stop') => execFileSync('pnpm', ['-s', 'exec', 'tsx', 'packages/testing/sandboxes/card-sandbox/src/cli.ts', command], {
  cwd: root, env: { ...process.env, LENDSTACK_CACHE: cache, CARD_SANDBOX_PORT: String(PORT), LOG_LEVEL: 'warn' }, stdio: 'pipe',
});

let h: Harness;
let rail: CollectionRailPort;
const api = async (method: 'GET' | 'POST', path: string, body?: object, key?: string) => {
  const res = await fetch(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(key ? { 'idempotency-key': key } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  h = await startHarness();
  cli('stop');
  cli('start');
  rail = createCardOnFileRail({ client: createProcessorApiClient({ name: 'card processor', baseUrl: BASE, apiKey: API_KEY, timeoutMs: 5_000, maxAttempts: 3, retryBaseDelayMs: 20 }) });
});

afterAll(async () => {
  cli('stop');
  await h?.close();
});

const call = (method: 'POST' | 'PUT', url: string, tenant: string, payload: object) => h.app.inject({ method, url, headers: h.auth(['admin', 'operator'], tenant), payload });

/** An INR loan disbursed 1 Jan 2026 whose debit account is the card `number`, tokenised at the processor. */
async function cardLoan(tenant: string, number: string): Promise<{ loanId: string; pm: string }> {
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-01' })).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: { amount: '10000000', currency: 'INR', scale: 2 }, valueDate: '2026-01-01' })).statusCode).toBe(202);
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-03-31' })).statusCode).toBe(200);
  const pm = await api('POST', '/v1/payment_methods', { number, exp_month: 12, exp_year: 2029, holder_name: 'Asha Verma' }, `pm-${randomUUID()}`);
  expect(pm.status).toBe(201);
  expect(pm.body).not.toHaveProperty('number');
  await enrolDebitAccount(h, { tenantId: tenant, loanId, rail: 'card-on-file', account: { accountToken: String(pm.body.id), bankCode: String(pm.body.brand), accountType: 'checking', holderName: 'Asha Verma', accountNumberMasked: `XXXX${String(pm.body.last4)}`, authorisationId: String(pm.body.id) } });
  return { loanId, pm: String(pm.body.id) };
}
const schedule = async (tenant: string, loanId: string, dueDate: string) => {
  const r = await scheduleInstallmentDebit(h, { tenantId: tenant, loanId, installmentNumber: 1, amount: { amountMinor: 1_200_000n, currency: 'INR', scale: 2 }, dueDate });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.presentment;
};
const present = (upTo: string) => presentDue({ pool: h.pool, rail, newId: randomUUID, maxPerFile: 500 }, upTo, new Date());
const answered = (tenant: string, loanId: string, attempt: number) => eventually(async () => {
  await collectResults({ servicing: h.deps }, rail, '2026-03-31');
  const p = (await presentmentsOfLoan(h.pool, tenant, loanId)).find((x) => x.attempt === attempt);
  return p && !['batched', 'presented'].includes(p.status) ? p : undefined;
}, { timeoutMs: 10_000, intervalMs: 100, what: `presentment ${attempt} answered` });

describe('card-on-file auto-debit', () => {
  it('an authorised merchant-initiated payment posts one repayment (channel card)', async () => {
    const tenant = newTenant('card');
    const { loanId } = await cardLoan(tenant, '4111111111090000');
    const p = await schedule(tenant, loanId, '2026-02-02');
    await present('2026-02-02');
    expect(await answered(tenant, loanId, 1)).toMatchObject({ status: 'settled', settlementDate: '2026-02-02' });
    await collectResults({ servicing: h.deps }, rail, '2026-03-31');
    const tx = (await h.pool.query(`SELECT amount_minor::text, channel FROM loan_transactions WHERE idempotency_key = $1`, [repaymentKeyOf(p.presentmentId)])).rows;
    expect(tx).toEqual([{ amount_minor: '1200000', channel: 'card' }]);
  });

  it('Visa 46 (closed account) is never retried: a new card is needed', async () => {
    const tenant = newTenant('card');
    const { loanId } = await cardLoan(tenant, '4111111111054600');
    await schedule(tenant, loanId, '2026-02-02');
    await present('2026-02-02');
    expect(await answered(tenant, loanId, 1)).toMatchObject({ status: 'returned', returnCode: '46', action: { kind: 'stop-new-account-data' } });
    expect((await h.pool.query(`SELECT status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).rows[0].status).toBe('needs-account-data');
  });

  it('Mastercard 51 with advice 25 is retried a day later; after the cardholder revokes the authorisation, advice 21 stops and revokes', async () => {
    const tenant = newTenant('card');
    const { loanId, pm } = await cardLoan(tenant, '5555555555095125');
    await schedule(tenant, loanId, '2026-02-02');
    await present('2026-02-02');
    expect(await answered(tenant, loanId, 1)).toMatchObject({ returnCode: '51/25', action: { kind: 'retry-at', date: '2026-02-03', attempt: 2 } });
    expect((await api('POST', `/sandbox/payment_methods/${pm}/revoke`)).status).toBe(200);
    await present('2026-02-03');
    expect(await answered(tenant, loanId, 2)).toMatchObject({ returnCode: '05/21', action: { kind: 'stop-revoke-authorisation' } });
    expect((await h.pool.query(`SELECT status FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).rows[0].status).toBe('revoked');
  });

  it('a decline code no network defines is refused as unreadable, naming the field; nothing is posted', async () => {
    const tenant = newTenant('card');
    const { loanId } = await cardLoan(tenant, '4111111111039999');
    const p = await schedule(tenant, loanId, '2026-02-02');
    await present('2026-02-02');
    const refused = await eventually(async () => (await collectResults({ servicing: h.deps }, rail, '2026-03-31')).find((r) => r.status === 'refused'), { timeoutMs: 10_000, what: 'the unreadable decline refused' });
    const stored = (await h.pool.query(`SELECT refusal FROM autodebit_result_documents WHERE document_id = $1`, [refused.documentId])).rows[0].refusal;
    expect(stored).toMatchObject({ field: 'response_code', rule: 'card-decline-code', detail: expect.stringMatching(/99/) });
    expect((await presentmentsOfLoan(h.pool, tenant, loanId))[0]!.status).toBe('presented');
    expect(Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE idempotency_key = $1`, [repaymentKeyOf(p.presentmentId)])).rows[0].count)).toBe(0);
  });
});
