/**
 * USD disbursements over ACH, end to end through the LMS HTTP API over a socket, the REAL database and ledger,
 * and the REAL ACH sandbox process (packages/testing/sandboxes/ach-sandbox) on a free port, whose signed
 * webhooks reach POST /v1/payout-webhooks/ach. INR disbursements go through the same router to their own rail.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { eventually, infrastructure, testPort } from '@lendstack/testing';
import { startAchSandbox, stopAchSandbox } from '@lendstack/testing/ach-sandbox';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPgLedgerQueries } from '../src/modules/ledger/adapters/pg-ledger.queries.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import { derivedAccountResolver } from '../src/modules/payouts/adapters/ach-account.resolver.js';
import { createAchBankClient } from '../src/modules/payouts/adapters/ach-bank.client.js';
import { createAchPayoutAdapter, type AchPayoutAdapter } from '../src/modules/payouts/adapters/ach-payout.adapter.js';
import { startAchWindows } from '../src/modules/payouts/adapters/ach-window.runner.js';
import { createCurrencyPayoutRouter } from '../src/modules/payouts/adapters/currency-payout.router.js';
import type { PayoutPort } from '../src/modules/payouts/ports.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import { payoutOutcomeHandler, type DisbursementDeps } from '../src/modules/servicing/use-cases/disbursements.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

const SANDBOX_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `ach-sandbox-${SANDBOX_PORT}.pid`), logFile: join(cache, 'logs', `ach-sandbox-${SANDBOX_PORT}.log`) };
const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`;
/** The ODFI's per-entry exposure limit in this sandbox: $1,500.00. */
const LIMIT_CENTS = 150_000;

/** The INR rail here pays at once (the RazorpayX adapter has its own tests against its sandbox). */
const inrRail: PayoutPort = {
  submit: async (r) => ({ providerPayoutId: `pout_${r.payoutId.slice(0, 8)}`, status: 'processed' }),
  status: async () => ({ error: 'not-found' }),
  verifyWebhook: () => ({ error: 'malformed', detail: 'not used' }),
};

let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let ach: AchPayoutAdapter;
let windows: ReturnType<typeof startAchWindows>;
let secret: string;
let deps: DisbursementDeps;
/** While set, the LMS answers the ODFI's webhooks with 500 (the LMS down): they are lost after the sandbox's attempts. */
let refuseWebhooks = false;
const logger = createLogger({ service: 'lendstack-lms-test', level: 'silent' });

const usd = (amount: string | bigint) => ({ amount: amount.toString(), currency: 'USD', scale: 2 });
const auth = (roles: Role[], tenantId: string) => ({ authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 600, Math.floor(Date.now() / 1000))}` });
const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Role[], payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { ...auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const tenantOf = () => `ach-${randomUUID().slice(0, 8)}`;
const sandbox = async () => (await (await fetch(`${sandboxUrl}/sandbox/state`)).json()) as { files: { id: string; status: string; idempotencyKey: string; error?: object; entries: { traceNumber: string; status: string }[] }[] };
const armFaults = (faults: object) => fetch(`${sandboxUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
const entryOf = async (payoutId: string) => (await pool.query('SELECT status, trace_number, file_id, return_code, returned_after_settlement, change_code, change_corrected_data FROM ach_entries WHERE payout_id = $1', [payoutId])).rows[0];
const trialBalanced = async (tenant: string) => {
  const res = await call('GET', '/v1/ledger/trial-balance?asOf=2026-12-31&currency=USD', tenant, ['operator']);
  expect(res.statusCode).toBe(200);
  const tb = res.json();
  expect(tb.totals.debit).toEqual(tb.totals.credit);
  return tb;
};

/** A USD pay-in-4 loan (BNPL: 4 fortnightly zero-interest instalments) paying out to the given account. */
async function bookUsd(tenant: string, account: { bankCode?: string; masked?: string } = {}, principal = '100000', currency = 'USD'): Promise<string> {
  const money = (amount: string) => ({ amount, currency, scale: 2 });
  const bankAccount = { holderName: 'Jordan Lee', accountNumberMasked: account.masked ?? 'XXXXXX4321', accountToken: `tok_${randomUUID().replace(/-/g, '')}`, bankCode: account.bankCode ?? '021000021' };
  const event = sampleLoanApprovedV1({
    tenantId: tenant,
    borrower: { bankAccount, address: { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' }, contact: { email: 'jordan@example.com', phone: '+15125550100' } },
    loan: {
      productCode: currency === 'USD' ? 'BNPL-4' : 'PL-INR', principal: money(principal), annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', interestCalculation: 'per-period', dayCount: '30/360',
      expectedDisbursementDate: '2026-01-05', firstDueDate: undefined, fees: [], disbursementAccount: bankAccount,
    },
  });
  const booked = bookLoanAccount(event, engineScheduleCalculator(event));
  if (!booked.ok) throw new Error(booked.reason);
  await createPgLoanBookingStore(pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
  expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-01-05' })).statusCode).toBe(200);
  return booked.account.id;
}

const disburse = (tenant: string, loanId: string, amount = '100000', key = randomUUID()) =>
  call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: usd(amount), valueDate: '2026-01-05' }, { 'idempotency-key': key });
const transaction = async (tenant: string, loanId: string, id: string) => ((await call('GET', `/v1/loans/${loanId}/transactions`, tenant, ['partner'])).json().items as any[]).find((t) => t.id === id);
const settled = (tenant: string, loanId: string, id: string, status: 'confirmed' | 'failed') =>
  eventually(async () => { const t = await transaction(tenant, loanId, id); return t?.status === status ? t : undefined; }, { timeoutMs: 20_000, what: `disbursement ${id} ${status}` });

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl, ACH_BASE_URL: sandboxUrl });
  secret = config.AUTH_TOKEN_SECRET;
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 10 });
  prisma = createPrisma(pool);
  ach = createAchPayoutAdapter({
    pool, bank: createAchBankClient({ baseUrl: sandboxUrl, apiKey: config.ACH_API_KEY, timeoutMs: 5_000, maxAttempts: 3, retryBaseDelayMs: 20 }), resolveAccount: derivedAccountResolver,
    odfi: { routing: config.ACH_ODFI_ROUTING, name: config.ACH_ODFI_NAME }, company: { id: config.ACH_COMPANY_ID, name: config.ACH_COMPANY_NAME, entryDescription: config.ACH_ENTRY_DESCRIPTION },
    maxEntriesPerFile: 100, webhookSecret: config.ACH_WEBHOOK_SECRET, webhookMaxAgeSeconds: 600, now: () => new Date(), newId: randomUUID, logger,
  });
  const payouts = createCurrencyPayoutRouter({ INR: inrRail, USD: ach }, { defaultCurrency: 'INR', providerPrefixes: { USD: 'ach_' } });
  deps = { pool, ledger: createPgLedger(), payouts, now: () => new Date(), today: () => '2026-01-05', newId: randomUUID, onOutbox: () => undefined };
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger, metrics: createMetrics('lendstack-lms-ach-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret, servicing: createServicingReader(pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {}, businessDate: { pool, authSecret: secret, today: deps.today }, ledger: { queries: createPgLedgerQueries(pool), authSecret: secret },
    servicing: { ...deps, authSecret: secret },
    achWebhook: {
      handle: async (raw, headers) => {
        if (refuseWebhooks) throw new Error('LMS down');
        return ach.handleNotification(raw, headers);
      },
      onOutcome: payoutOutcomeHandler(deps),
    },
  });
  const lmsUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  // Windows are run by hand (runOnce) so a test knows which payouts share a file.
  windows = startAchWindows(ach, { windowMs: 3_600_000, onOutcome: payoutOutcomeHandler(deps), logger });
  await stopAchSandbox(sandboxFiles);
  await startAchSandbox({
    port: SANDBOX_PORT, ...sandboxFiles,
    env: { ACH_WEBHOOK_URL: `${lmsUrl}/v1/payout-webhooks/ach`, ACH_SANDBOX_SETTLE_DELAY_MS: '100', ACH_SANDBOX_LATE_RETURN_DELAY_MS: '300', ACH_SANDBOX_MAX_ENTRY_CENTS: String(LIMIT_CENTS), ACH_SANDBOX_WEBHOOK_MAX_ATTEMPTS: '2', LOG_LEVEL: 'warn' },
  });
});

afterAll(async () => {
  await windows?.stop();
  await stopAchSandbox(sandboxFiles);
  await app?.close();
  await prisma?.$disconnect();
  await pool?.end();
});

describe('USD disbursement over ACH', () => {
  it('a BNPL loan is queued, sent in a NACHA file, settled by the ODFI and confirmed: portfolio posted, trial balance zero', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant);
    const res = await disburse(tenant, loanId);
    expect(res.statusCode).toBe(202);
    const tx = res.json();
    expect(tx).toMatchObject({ kind: 'disbursement', status: 'pending', amount: usd('100000') });
    expect(await entryOf(tx.id)).toMatchObject({ status: 'queued', trace_number: null });
    await windows.runOnce();
    const entry = await entryOf(tx.id);
    expect(entry).toMatchObject({ status: 'submitted', trace_number: expect.stringMatching(/^23138010\d{7}$/) });
    const file = (await sandbox()).files.find((f) => f.idempotencyKey === entry.file_id)!;
    expect(file).toMatchObject({ status: 'accepted', entries: [{ traceNumber: entry.trace_number }] });
    await settled(tenant, loanId, tx.id, 'confirmed');
    expect(await entryOf(tx.id)).toMatchObject({ status: 'settled' });
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan).toMatchObject({ status: 'active', disbursementDate: '2026-01-05' });
    expect(loan.balances.principalOutstanding).toMatchObject(usd('100000'));
    const tb = await trialBalanced(tenant);
    expect(tb.totals.debit.amount).not.toBe('0');
  });

  it('an R03 return (account ending 0003) fails the disbursement with the code and reason; the loan stays pending', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant, { masked: 'XXXXXX0003' });
    const tx = (await disburse(tenant, loanId)).json();
    await windows.runOnce();
    const failed = await settled(tenant, loanId, tx.id, 'failed');
    expect(failed.failureReason).toBe('payout failed: ACH_RETURN_R03: R03 No account / unable to locate account');
    expect(await entryOf(tx.id)).toMatchObject({ status: 'returned', return_code: 'R03', returned_after_settlement: false });
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.status).toBe('pending-disbursement');
    expect(loan.balances.principalOutstanding.amount).toBe('0');
    await trialBalanced(tenant);
    // The principal is free again: a disbursement to a corrected account may follow.
    expect((await disburse(tenant, loanId)).statusCode).toBe(202);
  });

  it('a retried request is the same disbursement and one entry; a lost acknowledgement is resent as the same file', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant);
    const key = randomUUID();
    const first = (await disburse(tenant, loanId, '100000', key)).json();
    const again = await disburse(tenant, loanId, '100000', key);
    expect(again.json().id).toBe(first.id);
    expect((await pool.query('SELECT count(*)::int AS n FROM ach_entries WHERE loan_id = $1', [loanId])).rows[0].n).toBe(1);
    // The ODFI takes the file but the answer is lost: the client retries with the same key and bytes.
    await armFaults({ after: 1 });
    await windows.runOnce();
    const entry = await entryOf(first.id);
    expect(entry.status).toBe('submitted');
    expect((await sandbox()).files.filter((f) => f.idempotencyKey === entry.file_id)).toHaveLength(1);
    await settled(tenant, loanId, first.id, 'confirmed');
    // The ODFI unreachable for a whole window: the file stays built and goes, unchanged, in the next one.
    const second = await bookUsd(tenant);
    const tx2 = (await disburse(tenant, second)).json();
    await armFaults({ before: 3 });
    await expect(windows.runOnce()).rejects.toThrow(/after 3 attempt/);
    const built = await entryOf(tx2.id);
    expect(built.status).toBe('batched');
    await windows.runOnce();
    expect(await entryOf(tx2.id)).toMatchObject({ status: 'submitted', file_id: built.file_id, trace_number: built.trace_number });
    await settled(tenant, second, tx2.id, 'confirmed');
  });

  it('a file the ODFI rejects is a clear failure of the entry it names; the others in that file go in the next window', async () => {
    const tenant = tenantOf();
    const big = await bookUsd(tenant, {}, '160000');
    const small = await bookUsd(tenant);
    const over = (await disburse(tenant, big, '160000')).json();
    const fine = (await disburse(tenant, small)).json();
    await windows.runOnce();
    const failed = await settled(tenant, big, over.id, 'failed');
    expect(failed.failureReason).toMatch(/^payout failed: ACH_FILE_REJECTED: ACH file rejected by the ODFI: record \d, amount, rule exposure-limit: 160000 cents is above/);
    const rejectedFile = (await sandbox()).files.find((f) => f.status === 'rejected' && (f.error as any)?.rule === 'exposure-limit');
    expect(rejectedFile).toBeDefined();
    // The same window sent the rest again, in a file of their own.
    const overEntry = await entryOf(over.id);
    expect(overEntry).toMatchObject({ status: 'rejected', file_id: rejectedFile!.idempotencyKey });
    expect((await entryOf(fine.id)).file_id).not.toBe(overEntry.file_id);
    await settled(tenant, small, fine.id, 'confirmed');
    const loan = (await call('GET', `/v1/loans/${big}`, tenant, ['partner'])).json();
    expect(loan.status).toBe('pending-disbursement');
    await trialBalanced(tenant);
  });

  it('a notification of change (C01) is recorded on the entry; the credit itself settles', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant, { bankCode: '121000358' });
    const tx = (await disburse(tenant, loanId)).json();
    await windows.runOnce();
    await settled(tenant, loanId, tx.id, 'confirmed');
    const entry = await eventually(async () => { const e = await entryOf(tx.id); return e.change_code ? e : undefined; }, { what: 'the NOC' });
    expect(entry).toMatchObject({ status: 'settled', change_code: 'C01', change_corrected_data: expect.stringMatching(/^\d{12}$/) });
  });

  it('a late return (R03 after settlement, account ending 0103) reverses the confirmed disbursement: contra-entries, loan pending again, TransactionReversed', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant, { masked: 'XXXXXX0103' });
    const tx = (await disburse(tenant, loanId)).json();
    await windows.runOnce();
    await settled(tenant, loanId, tx.id, 'confirmed');
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json().balances.principalOutstanding.amount).toBe('100000');
    const reversed = await settled(tenant, loanId, tx.id, 'failed');
    expect(reversed.failureReason).toBe('payout reversed: ACH_RETURN_R03: R03 No account / unable to locate account');
    expect(await entryOf(tx.id)).toMatchObject({ status: 'returned', return_code: 'R03', returned_after_settlement: true });
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.status).toBe('pending-disbursement');
    expect(loan.balances.principalOutstanding.amount).toBe('0');
    // The portfolio went up on confirmation and back down by contra-entries; nothing was deleted.
    const portfolio = await pool.query<{ d: string; c: string }>(
      `SELECT coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0)::text AS d, coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0)::text AS c FROM journal_lines WHERE loan_id = $1 AND logical_account = 'loan-portfolio'`, [loanId]);
    expect(portfolio.rows[0]).toEqual({ d: '100000', c: '100000' });
    await trialBalanced(tenant);
    const events = (await pool.query(`SELECT value FROM outbox WHERE key = $1 ORDER BY seq`, [loanId])).rows.map((r) => r.value);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['LoanDisbursed', 'TransactionReversed']));
    expect(events.find((e) => e.type === 'TransactionReversed').payload).toMatchObject({ reversedTransactionId: tx.id, reversedEffectKey: `disbursement:${tx.id}`, amount: { amount: '100000', currency: 'USD', scale: 2 } });
    // A redelivered return changes nothing more; the principal can be disbursed again.
    await payoutOutcomeHandler(deps)({ eventId: 'again', payoutId: tx.id, status: 'reversed', failureReason: 'ACH_RETURN_R03' });
    expect((await pool.query(`SELECT count(*)::int AS n FROM outbox WHERE key = $1 AND value->>'type' = 'TransactionReversed'`, [loanId])).rows[0].n).toBe(1);
    expect((await disburse(tenant, loanId)).statusCode).toBe(202);
  });

  it('webhooks lost while the LMS was down: reconciling with the ODFI confirms a settled entry and reverses a late return', async () => {
    const tenant = tenantOf();
    const plain = await bookUsd(tenant);
    const late = await bookUsd(tenant, { masked: 'XXXXXX0103' });
    refuseWebhooks = true;
    const a = (await disburse(tenant, plain)).json();
    const b = (await disburse(tenant, late)).json();
    try {
      await windows.runOnce();
      const fileId = (await entryOf(a.id)).file_id;
      // The sandbox settles, returns the late one, tries each webhook twice and gives up.
      await eventually(async () => {
        const state = await (await fetch(`${sandboxUrl}/sandbox/state`)).json() as { files: { idempotencyKey: string; entries: { status: string }[] }[]; deliveries: { attempts: number; delivered: boolean }[] };
        const file = state.files.find((f) => f.idempotencyKey === fileId);
        const undelivered = state.deliveries.filter((d) => !d.delivered && d.attempts < 2);
        return file?.entries.every((e) => e.status !== 'pending') && file.entries.some((e) => e.status === 'returned') && undelivered.length === 0 ? true : undefined;
      }, { timeoutMs: 15_000, what: 'the sandbox to settle and drop its webhooks' });
      await new Promise((r) => setTimeout(r, 300));
      expect((await transaction(tenant, plain, a.id)).status).toBe('pending');
    } finally {
      refuseWebhooks = false;
    }
    // Files of earlier runs of this test on the same database may be open too: ask about all of them.
    const outcomes = await windows.reconcileOnce(0, 1_000);
    expect(outcomes.filter((x) => x.payoutId === b.id).map((x) => x.status)).toEqual(['processed', 'reversed']);
    expect((await transaction(tenant, plain, a.id)).status).toBe('confirmed');
    expect(await transaction(tenant, late, b.id)).toMatchObject({ status: 'failed', failureReason: 'payout reversed: ACH_RETURN_R03: R03 No account / unable to locate account' });
    expect(await entryOf(b.id)).toMatchObject({ status: 'returned', returned_after_settlement: true });
    await trialBalanced(tenant);
    // Nothing left to ask about the reversed one; asking again changes nothing.
    await windows.reconcileOnce(0, 1_000);
    expect((await transaction(tenant, plain, a.id)).status).toBe('confirmed');
  });

  it('a RazorpayX payout reversed after it was processed reverses the INR disbursement the same way', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant, { bankCode: 'HDFC0001234' }, '1000000', 'INR');
    const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: { amount: '1000000', currency: 'INR', scale: 2 }, valueDate: '2026-01-05' }, { 'idempotency-key': randomUUID() });
    expect(res.json()).toMatchObject({ status: 'confirmed' });
    await payoutOutcomeHandler(deps)({ eventId: 'evt_reversed', payoutId: res.json().id, status: 'reversed', failureReason: 'BENEFICIARY_BANK_REJECTED', failureDetail: 'Payout rejected by beneficiary bank. Please contact beneficiary bank' });
    expect(await transaction(tenant, loanId, res.json().id)).toMatchObject({ status: 'failed', failureReason: 'payout reversed: BENEFICIARY_BANK_REJECTED: Payout rejected by beneficiary bank. Please contact beneficiary bank' });
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan).toMatchObject({ status: 'pending-disbursement' });
    expect(loan.balances.principalOutstanding.amount).toBe('0');
    const tb = (await call('GET', '/v1/ledger/trial-balance?asOf=2026-12-31&currency=INR', tenant, ['operator'])).json();
    expect(tb.totals.debit).toEqual(tb.totals.credit);
  });

  it('a payout returned after a repayment was posted: acknowledged as a payout-exception request, applied by the operator once the repayment is reversed', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant, { bankCode: 'HDFC0001234' }, '1000000', 'INR');
    const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
    const paid = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('1000000'), valueDate: '2026-01-05' }, { 'idempotency-key': randomUUID() });
    expect(paid.json()).toMatchObject({ status: 'confirmed' });
    const txId = paid.json().id as string;
    const repayment = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('50000'), valueDate: '2026-01-05', channel: 'upi', reference: 'first' });
    expect(repayment.statusCode).toBe(201);
    const exceptions = async () => (await pool.query<{ id: string; status: string; summary: string; created_by: string }>(
      `SELECT id::text, status, summary, created_by FROM service_requests WHERE tenant_id = $1 AND loan_id = $2 AND type = 'payout-exception'`, [tenant, loanId])).rows;

    // The rail returns the payout (twice: it redelivers). The engine refuses to undo a disbursement repayments came
    // after; the webhook is acknowledged all the same (no throw, so no 500 and no day of redeliveries) and one request is opened.
    const returned = { eventId: 'evt_returned', payoutId: txId, status: 'reversed' as const, failureReason: 'BENEFICIARY_BANK_REJECTED' };
    await payoutOutcomeHandler(deps)(returned);
    await payoutOutcomeHandler(deps)({ ...returned, eventId: 'evt_returned_again' });
    const opened = await exceptions();
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ status: 'open', created_by: 'system:payouts' });
    expect(opened[0]!.summary).toContain(`Payout reversed for disbursement ${txId}`);
    expect((await transaction(tenant, loanId, txId)).status).toBe('confirmed');

    // Applying it by hand is refused while the repayment stands, naming the disbursement; nothing changes.
    const early = await call('POST', `/v1/loans/${loanId}/disbursements/${txId}/return`, tenant, ['operator'], { reason: 'bank returned the credit' });
    expect([early.statusCode, early.json().type, early.json().errors[0].pointer]).toEqual([422, expect.stringContaining('engine-refused'), '/params/txId']);
    expect((await transaction(tenant, loanId, txId)).status).toBe('confirmed');
    // A partner may not; another loan's disbursement id is not found.
    expect((await call('POST', `/v1/loans/${loanId}/disbursements/${txId}/return`, tenant, ['partner'], { reason: 'x' })).statusCode).toBe(403);
    const other = await call('POST', `/v1/loans/${loanId}/disbursements/${randomUUID()}/return`, tenant, ['operator'], { reason: 'x' });
    expect([other.statusCode, other.json().errors[0].pointer]).toEqual([404, '/params/txId']);

    // The operator reverses the repayment, then applies the return: the loan is back to pending disbursement, the
    // request resolved, the action audited, the ledger balanced; applying it again answers the same.
    expect((await call('POST', `/v1/loans/${loanId}/transactions/${repayment.json().id}/reversal`, tenant, ['operator'], { reason: 'the borrower never received the money' })).statusCode).toBe(201);
    const applied = await call('POST', `/v1/loans/${loanId}/disbursements/${txId}/return`, tenant, ['operator'], { reason: 'bank returned the credit' });
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({ id: txId, status: 'failed', failureReason: 'payout returned: bank returned the credit' });
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json()).toMatchObject({ status: 'pending-disbursement' });
    expect((await exceptions()).map((e) => e.status)).toEqual(['resolved']);
    const audit = await pool.query(`SELECT actor, detail FROM audit_log WHERE tenant_id = $1 AND action = 'loan.disbursement-returned'`, [tenant]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor: 'operator-user', detail: { after: { transactionId: txId, status: 'failed' } } });
    const tb = (await call('GET', '/v1/ledger/trial-balance?asOf=2026-12-31&currency=INR', tenant, ['operator'])).json();
    expect(tb.totals.debit).toEqual(tb.totals.credit);
    const again = await call('POST', `/v1/loans/${loanId}/disbursements/${txId}/return`, tenant, ['operator'], { reason: 'bank returned the credit' });
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().status]).toEqual([200, 'true', 'failed']);
    expect(await pool.query(`SELECT 1 FROM audit_log WHERE tenant_id = $1 AND action = 'loan.disbursement-returned'`, [tenant]).then((r) => r.rowCount)).toBe(1);
  });

  it('a return applied by hand to a payout still pending at the rail is refused (409): its outcome settles it', async () => {
    const tenant = tenantOf();
    const loanId = await bookUsd(tenant);
    const res = await disburse(tenant, loanId);
    expect(res.json()).toMatchObject({ status: 'pending' });
    const refused = await call('POST', `/v1/loans/${loanId}/disbursements/${res.json().id}/return`, tenant, ['operator'], { reason: 'x' });
    expect([refused.statusCode, refused.json().type, refused.json().errors[0].pointer]).toEqual([409, expect.stringContaining('payout-pending'), '/params/txId']);
    expect((await transaction(tenant, loanId, res.json().id)).status).toBe('pending');
    // Settled here, so no queued entry is left for another test's file.
    await windows.runOnce();
    await settled(tenant, loanId, res.json().id, 'confirmed');
  });

  it('refuses a webhook with a bad signature (401) and changes nothing', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'file.settled', createdAt: new Date().toISOString(), data: { fileId: 'file_x', settlementDate: '2026-01-06', traceNumbers: [] } });
    const res = await app.inject({ method: 'POST', url: '/v1/payout-webhooks/ach', headers: { 'content-type': 'application/json', 'x-ach-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }, payload: body });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('routes by currency: an INR disbursement never reaches the ODFI; an unknown currency is refused', async () => {
    const router = createCurrencyPayoutRouter({ INR: inrRail, USD: ach }, { defaultCurrency: 'INR' });
    const payoutId = randomUUID();
    const inrAnswer = await router.submit({ payoutId, tenantId: 't', loanId: 'l', amount: { amountMinor: 100n, currency: 'INR', scale: 2 }, beneficiary: { accountToken: 'tok_abcdefgh', bankCode: 'HDFC0001234', holderName: 'A' }, narration: 'x' });
    expect(inrAnswer).toMatchObject({ status: 'processed', providerPayoutId: expect.stringMatching(/^pout_/) });
    expect(await entryOf(payoutId)).toBeUndefined();
    expect(await router.submit({ payoutId, tenantId: 't', loanId: 'l', amount: { amountMinor: 100n, currency: 'EUR', scale: 2 }, beneficiary: { accountToken: 'tok_abcdefgh', bankCode: 'x', holderName: 'A' }, narration: 'x' })).toMatchObject({ error: { code: 'unsupported-currency', field: 'amount' } });
    expect(await ach.submit({ payoutId, tenantId: 't', loanId: 'l', amount: { amountMinor: 100n, currency: 'USD', scale: 2 }, beneficiary: { accountToken: 'tok_abcdefgh', bankCode: '021000022', holderName: 'A' }, narration: 'x' })).toMatchObject({ error: { code: 'invalid-request', field: 'beneficiary.bankCode' } });
  });
});
