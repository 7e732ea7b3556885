/**
 * ACH auto-debit end to end: presentments of USD instalments written as NACHA debit files, sent to the REAL ACH
 * sandbox process (an ODFI file API on a free port, whose receiving banks answer by account-number pattern), its
 * return/NOC files and settlements read back and applied to loans over the REAL database, repayments posted and
 * reversed through the servicing use case exactly once.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNachaFile } from '@lendstack/nacha';
import { eventually, testPort } from '@lendstack/testing';
import { startAchSandbox, stopAchSandbox } from '@lendstack/testing/ach-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutodebitActivities } from '../src/modules/autodebit/activities/autodebit.activities.js';
import { createAchCollectionRail } from '../src/modules/autodebit/adapters/ach-collection-rail.adapter.js';
import { presentmentsOfLoan } from '../src/modules/autodebit/adapters/autodebit.repository.js';
import type { CollectionRailPort } from '../src/modules/autodebit/ports.js';
import { applyResultDocument, collectResults, refuseDocument, repaymentKeyOf, reversalKeyOf, type ApplyResultsDeps } from '../src/modules/autodebit/use-cases/apply-results.js';
import { presentDue } from '../src/modules/autodebit/use-cases/present-batch.js';
import { enrolDebitAccount, scheduleInstallmentDebit } from '../src/modules/autodebit/use-cases/schedule-debit.js';
import { readAchResultFile } from '../src/modules/autodebit/domain/ach-results.js';
import { derivedAccountResolver } from '../src/modules/payouts/adapters/ach-account.resolver.js';
import { createAchBankClient } from '../src/modules/payouts/adapters/ach-bank.client.js';
import { newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

const SANDBOX_PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `ach-sandbox-${SANDBOX_PORT}.pid`), logFile: join(cache, 'logs', `ach-sandbox-${SANDBOX_PORT}.log`) };
const ORIGINATOR = { companyName: 'LENDSTACK', companyId: '1234567890', odfiRouting: '231380104', odfiName: 'LENDSTACK', destinationRouting: '231380104', destinationName: 'SANDBOX ODFI', entryDescription: 'LOAN PYMT' };

let h: Harness;
let rail: CollectionRailPort;
/** Every file the LMS uploaded, as sent (the real client, recorded on the way). */
const uploaded: string[] = [];
const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });

beforeAll(async () => {
  h = await startHarness();
  await stopAchSandbox(sandboxFiles);
  await startAchSandbox({ port: SANDBOX_PORT, ...sandboxFiles, env: { ACH_SANDBOX_SETTLE_DELAY_MS: '50', ACH_SANDBOX_LATE_RETURN_DELAY_MS: '1500', LOG_LEVEL: 'warn' } });
  const bank = createAchBankClient({ baseUrl: `http://127.0.0.1:${SANDBOX_PORT}`, apiKey: 'lendstack-ach-sandbox-api-key', timeoutMs: 5_000, maxAttempts: 3, retryBaseDelayMs: 20 });
  rail = createAchCollectionRail({ originator: ORIGINATOR, resolveAccount: derivedAccountResolver, bank: { ...bank, upload: async (text, key) => { uploaded.push(text); return bank.upload(text, key); } } });
});

afterAll(async () => {
  await stopAchSandbox(sandboxFiles);
  await h?.close();
});

const deps = (over: Partial<ApplyResultsDeps> = {}): ApplyResultsDeps => ({ servicing: h.deps, ...over });
const presentDeps = () => ({ pool: h.pool, rail, newId: randomUUID, maxPerFile: 500 });
const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, payload?: object) => h.app.inject({ method, url, headers: h.auth(['admin', 'operator'], tenant), ...(payload ? { payload } : {}) });

/** A USD loan of $1,000.00 in 4 fortnightly instalments of $250.00 (due 19 Jan, 2 Feb, …), disbursed 5 Jan, debiting an account ending `lastFour`. */
async function debitLoan(tenant: string, lastFour: string): Promise<string> {
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-05' })).statusCode).toBe(200);
  const loanId = await h.book(tenant, { productCode: 'BNPL-4', principal: usd('100000'), annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', expectedDisbursementDate: '2026-01-05' });
  const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, { amount: usd('100000'), valueDate: '2026-01-05' });
  expect(res.statusCode, res.body).toBe(202);
  await enrolDebitAccount(h, { tenantId: tenant, loanId, rail: 'us-ach', account: { accountToken: `tok_${randomUUID().replace(/-/g, '')}`, bankCode: '021000021', accountType: 'checking', holderName: 'Jordan Lee', accountNumberMasked: `XXXXXX${lastFour}`, authorisationId: `auth-${loanId.slice(0, 8)}`, achSecCode: 'WEB' } });
  expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-02-27' })).statusCode).toBe(200);
  return loanId;
}

const schedule = async (tenant: string, loanId: string, installmentNumber = 1, dueDate = '2026-01-19') => {
  const r = await scheduleInstallmentDebit(h, { tenantId: tenant, loanId, installmentNumber, amount: { amountMinor: 25_000n, currency: 'USD', scale: 2 }, dueDate });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.presentment;
};
const postedWithKey = async (key: string) => Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE idempotency_key = $1`, [key])).rows[0].count);
/** This loan's entries in an uploaded file (the file holds every tenant's due debits), with their batch's SEC code and description. */
const entriesOf = (text: string, loanId: string) => {
  const parsed = parseNachaFile(text);
  if (!parsed.ok) throw new Error(`unparsable upload: ${JSON.stringify(parsed.issue)}`);
  const id = loanId.replace(/-/g, '').slice(0, 15).toUpperCase();
  return parsed.file.batches.flatMap((b) => b.entries.filter((e) => e.individualId === id).map((e) => ({ sec: b.secCode, description: b.entryDescription, ...e })));
};
/** Collects until every presentment of the loans has left `batched`/`presented`. */
const settleAll = async (loans: string[], d: ApplyResultsDeps = deps(), receivedOn = '2026-01-22') => eventually(async () => {
  await collectResults(d, rail, receivedOn);
  const open = (await h.pool.query(`SELECT count(*) FROM autodebit_presentments WHERE loan_id = ANY($1::text[]) AND status IN ('batched', 'presented')`, [loans])).rows[0].count;
  return Number(open) === 0 ? true : undefined;
}, { timeoutMs: 20_000, intervalMs: 150, what: 'every presentment answered' });

describe('ACH auto-debit', () => {
  it('a settled debit posts one repayment through servicing; applying the results again posts nothing more', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '4321');
    const p = await schedule(tenant, loanId);
    // Due on Martin Luther King Jr. Day (a Federal Reserve holiday): the debit settles the next banking day.
    expect(p).toMatchObject({ status: 'scheduled', effectiveDate: '2026-01-20', attempt: 1 });
    expect((await schedule(tenant, loanId)).presentmentId).toBe(p.presentmentId);
    const report = await presentDue(presentDeps(), '2026-01-20', new Date());
    expect(report.files).toEqual([expect.objectContaining({ status: 'accepted', entries: 1 })]);
    await settleAll([loanId]);
    const [stored] = await presentmentsOfLoan(h.pool, tenant, loanId);
    expect(stored).toMatchObject({ status: 'settled', settlementDate: '2026-01-20', action: { kind: 'post-repayment', valueDate: '2026-01-20' } });
    await collectResults(deps(), rail, '2026-01-21');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    const tx = (await h.pool.query(`SELECT kind, status, amount_minor::text, channel, reference, value_date::text FROM loan_transactions WHERE idempotency_key = $1`, [repaymentKeyOf(p.presentmentId)])).rows[0];
    expect(tx).toEqual({ kind: 'repayment', status: 'posted', amount_minor: '25000', channel: 'ach', reference: stored!.reference, value_date: '2026-01-20' });
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('a settlement after the loan\'s business date waits: reported pending, posted once the business date reaches it', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '5555');
    const p = await schedule(tenant, loanId);
    expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-10' })).statusCode).toBe(200);
    await presentDue(presentDeps(), '2026-01-20', new Date());
    const pending = await eventually(async () => {
      const reports = await collectResults(deps(), rail, '2026-01-22');
      return reports.find((r) => r.status === 'pending' && r.outcomes[0]!.detail!.includes(p.presentmentId));
    }, { timeoutMs: 10_000, what: 'the settlement reported pending' });
    expect(pending.outcomes[0]!.detail).toMatch(/business date/);
    expect((await presentmentsOfLoan(h.pool, tenant, loanId))[0]!.status).toBe('presented');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(0);
    expect((await call('PUT', '/v1/business-date', tenant, { date: '2026-01-20' })).statusCode).toBe(200);
    await settleAll([loanId]);
    expect((await presentmentsOfLoan(h.pool, tenant, loanId))[0]!.status).toBe('settled');
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
  });

  it('an ODFI that cannot be reached leaves the file built; the next run resends the same bytes under the same key, and it is one file', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '6666');
    await schedule(tenant, loanId);
    const faults = (body: object) => fetch(`http://127.0.0.1:${SANDBOX_PORT}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await faults({ status: 503, before: 3 });
    const sentBefore = uploaded.length;
    const down = await presentDue(presentDeps(), '2026-01-20', new Date());
    expect(down.files).toEqual([expect.objectContaining({ status: 'built' })]);
    const [batched] = await presentmentsOfLoan(h.pool, tenant, loanId);
    expect(batched).toMatchObject({ status: 'batched' });
    // The acknowledgement of the resend is lost once too: the client's retry under the same key gets the first one.
    await faults({ status: 503, after: 1 });
    const up = await presentDue(presentDeps(), '2026-01-20', new Date());
    expect(up.files[0]).toMatchObject({ fileId: down.files[0]!.fileId, status: 'accepted' });
    // Both runs sent the same bytes (each run's client tried up to 3 times under the same key).
    expect(uploaded.slice(sentBefore)).toHaveLength(2);
    expect(uploaded[sentBefore]).toBe(uploaded[sentBefore + 1]);
    const state = (await (await fetch(`http://127.0.0.1:${SANDBOX_PORT}/sandbox/state`)).json()) as { files: { idempotencyKey: string; status: string }[] };
    expect(state.files.filter((f) => f.idempotencyKey === down.files[0]!.fileId).map((f) => f.status)).toEqual(['accepted']);
    expect((await presentmentsOfLoan(h.pool, tenant, loanId))[0]).toMatchObject({ status: 'presented', reference: batched!.reference });
  });

  it('R01 is re-presented in RETRY PYMT batches at most twice, then stops for review; nothing is posted', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '0001');
    await schedule(tenant, loanId);
    for (let round = 1; round <= 3; round += 1) {
      const report = await presentDue(presentDeps(), '2026-12-31', new Date());
      expect(report.files.filter((f) => f.status === 'accepted')).toHaveLength(1);
      // This loan's entry is in a WEB batch, a RETRY PYMT one from the second attempt on.
      const mine = entriesOf(uploaded.at(-1)!, loanId).map((e) => [e.sec, e.description, e.transactionCode, e.amountCents]);
      expect(mine).toEqual([['WEB', round === 1 ? 'LOAN PYMT' : 'RETRY PYMT', 27, 25_000n]]);
      await settleAll([loanId]);
    }
    const attempts = await presentmentsOfLoan(h.pool, tenant, loanId);
    expect(attempts.map((a) => [a.attempt, a.status, a.returnCode, a.action?.kind])).toEqual([[1, 'returned', 'R01', 'retry-at'], [2, 'returned', 'R01', 'retry-at'], [3, 'returned', 'R01', 'stop-manual-review']]);
    // Returned R01 on Thursday 22 January: re-presented on Monday 26 January, within 180 days of the original's 20 January.
    expect(attempts[1]).toMatchObject({ effectiveDate: '2026-01-26', originalPresentmentId: attempts[0]!.presentmentId, originalSettlementDate: '2026-01-20' });
    expect((await presentDue(presentDeps(), '2026-12-31', new Date())).files).toEqual([]);
    expect(Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment'`, [loanId])).rows[0].count)).toBe(0);
  });

  it('R02 asks for new account data and R07 revokes the authorisation: further debits are refused until re-enrolment', async () => {
    const tenant = newTenant('adb');
    const closed = await debitLoan(tenant, '0002');
    const revoked = await debitLoan(tenant, '0007');
    await schedule(tenant, closed);
    await schedule(tenant, revoked);
    await presentDue(presentDeps(), '2026-01-20', new Date());
    await settleAll([closed, revoked]);
    expect((await presentmentsOfLoan(h.pool, tenant, closed)).map((p) => [p.status, p.returnCode, p.action?.kind])).toEqual([['returned', 'R02', 'stop-new-account-data']]);
    expect((await presentmentsOfLoan(h.pool, tenant, revoked)).map((p) => [p.status, p.returnCode, p.action?.kind])).toEqual([['returned', 'R07', 'stop-revoke-authorisation']]);
    const accounts = await h.pool.query(`SELECT loan_id, status FROM autodebit_accounts WHERE tenant_id = $1 ORDER BY status`, [tenant]);
    expect(accounts.rows.map((r) => r.status)).toEqual(['needs-account-data', 'revoked']);
    const refused = await scheduleInstallmentDebit(h, { tenantId: tenant, loanId: revoked, installmentNumber: 2, amount: { amountMinor: 25_000n, currency: 'USD', scale: 2 }, dueDate: '2026-02-02' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'debit-account-stopped', field: '/loanId' } });
    // The collections workflow's activity says so without retrying.
    const activities = createAutodebitActivities({ ...deps(), rail, newId: randomUUID, maxPerFile: 500 });
    await expect(activities.scheduleAutoDebit({ tenantId: tenant, loanId: closed, installmentNumber: 2, amountMinor: '25000', currency: 'USD', scale: 2, dueDate: '2026-02-02' })).rejects.toMatchObject({ nonRetryable: true, type: 'debit-account-stopped' });
    expect((await activities.presentmentsOf({ tenantId: tenant, loanId: closed }))).toEqual([{ installmentNumber: 1, attempt: 1, status: 'returned', returnCode: 'R02', action: 'stop-new-account-data' }]);
  });

  it('a NOC C01 corrects the stored account number and the next debit goes to it', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '9801');
    await schedule(tenant, loanId);
    await presentDue(presentDeps(), '2026-01-20', new Date());
    const sentNumber = entriesOf(uploaded.at(-1)!, loanId)[0]!.accountNumber;
    await settleAll([loanId]);
    const corrected = `${sentNumber.slice(0, -1)}${(Number(sentNumber.slice(-1)) + 1) % 10}`;
    await eventually(async () => {
      await collectResults(deps(), rail, '2026-01-20');
      const row = (await h.pool.query(`SELECT account_number_override, changes FROM autodebit_accounts WHERE loan_id = $1`, [loanId])).rows[0];
      return row.account_number_override ? row : undefined;
    }, { timeoutMs: 10_000, what: 'the NOC applied' }).then((row) => {
      expect(row.account_number_override).toBe(corrected);
      expect(row.changes).toEqual([expect.objectContaining({ code: 'C01', fields: ['accountNumber'] })]);
    });
    await schedule(tenant, loanId, 2, '2026-02-02');
    await presentDue(presentDeps(), '2026-02-02', new Date());
    expect(entriesOf(uploaded.at(-1)!, loanId).map((e) => e.accountNumber)).toEqual([corrected]);
  });

  it('a return after settlement reverses the posted repayment once, and the R01 is re-presented', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '0101');
    const p = await schedule(tenant, loanId);
    await presentDue(presentDeps(), '2026-01-20', new Date());
    await settleAll([loanId]);
    expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    await eventually(async () => {
      await collectResults(deps(), rail, '2026-01-21');
      const [first] = await presentmentsOfLoan(h.pool, tenant, loanId);
      return first!.status === 'returned' ? first : undefined;
    }, { timeoutMs: 10_000, what: 'the late return' });
    await collectResults(deps(), rail, '2026-01-21');
    expect(await postedWithKey(reversalKeyOf(p.presentmentId))).toBe(1);
    const attempts = await presentmentsOfLoan(h.pool, tenant, loanId);
    expect(attempts.map((a) => [a.attempt, a.status, a.action?.kind])).toEqual([[1, 'returned', 'retry-at'], [2, 'scheduled', undefined]]);
    expect(attempts[0]!.reversalTxId).toBeDefined();
    const reversal = (await h.pool.query(`SELECT kind, target_id FROM loan_transactions WHERE idempotency_key = $1`, [reversalKeyOf(p.presentmentId)])).rows[0];
    expect(reversal).toEqual({ kind: 'reversal', target_id: attempts[0]!.repaymentTxId });
  });

  it('a process killed between posting and marking leaves each presentment posted once when the results are applied again', async () => {
    const tenant = newTenant('adb');
    const loans = [await debitLoan(tenant, '1111'), await debitLoan(tenant, '2222'), await debitLoan(tenant, '3333')];
    const ps = [];
    for (const l of loans) ps.push(await schedule(tenant, l));
    await presentDue(presentDeps(), '2026-01-20', new Date());
    let crashes = 0;
    const crashing = deps({ afterPosting: () => { if (crashes++ === 1) throw new Error('killed after posting the second repayment'); } });
    await eventually(async () => {
      try {
        await collectResults(crashing, rail, '2026-01-20');
        return undefined;
      } catch (error) {
        return (error as Error).message.includes('killed') ? true : undefined;
      }
    }, { timeoutMs: 10_000, what: 'the crash mid-document' });
    await settleAll(loans);
    await settleAll(loans);
    for (const p of ps) expect(await postedWithKey(repaymentKeyOf(p.presentmentId))).toBe(1);
    const docs = await h.pool.query(`SELECT status FROM autodebit_result_documents d WHERE EXISTS (SELECT 1 FROM autodebit_results r WHERE r.document_id = d.document_id AND r.presentment_id = ANY($1::text[]))`, [ps.map((p) => p.presentmentId)]);
    expect(docs.rows.map((r) => r.status)).toEqual(['applied']);
  });

  it('refuses a malformed return file whole and records a duplicate return and one for an entry never sent, posting nothing', async () => {
    const tenant = newTenant('adb');
    const loanId = await debitLoan(tenant, '0003');
    await schedule(tenant, loanId);
    await presentDue(presentDeps(), '2026-01-20', new Date());
    await settleAll([loanId]);
    const [listed] = (await createAchBankClient({ baseUrl: `http://127.0.0.1:${SANDBOX_PORT}`, apiKey: 'lendstack-ach-sandbox-api-key', timeoutMs: 5_000, maxAttempts: 1 }).listReturnFiles()).slice(-1);
    const text = (await createAchBankClient({ baseUrl: `http://127.0.0.1:${SANDBOX_PORT}`, apiKey: 'lendstack-ach-sandbox-api-key', timeoutMs: 5_000, maxAttempts: 1 }).returnFile(listed!.id))!;
    // The same return again under another document id: recorded duplicate.
    const again = readAchResultFile(`${listed!.id}-again-${tenant}`, text, '2026-01-21');
    if (!again.ok) throw new Error(JSON.stringify(again.unreadable));
    const dup = await applyResultDocument(deps(), again.document);
    expect(dup.outcomes.find((o) => o.outcome !== 'unknown-entry')).toMatchObject({ outcome: 'duplicate' });
    // A return for a trace number we never sent.
    const never = text.replace(/(799R03)(\d{15})/, (_m, a: string) => `${a}231380109999999`);
    const strange = readAchResultFile(`never-${tenant}`, never, '2026-01-21');
    if (!strange.ok) throw new Error(JSON.stringify(strange.unreadable));
    const report = await applyResultDocument(deps(), strange.document);
    expect(report.outcomes.find((o) => o.reference === '231380109999999')).toMatchObject({ outcome: 'unknown-entry' });
    expect((await applyResultDocument(deps(), strange.document)).status).toBe('already-applied');
    // Bad entry hash: refused whole, with the record and rule kept.
    const broken = text.split('\n').map((l) => (l.startsWith('8') ? `${l.slice(0, 10)}0000000001${l.slice(20)}` : l)).join('\n');
    const bad = readAchResultFile(`broken-${tenant}`, broken, '2026-01-21');
    expect(bad.ok).toBe(false);
    if (!bad.ok) await refuseDocument(deps(), bad.unreadable, 'us-ach', '2026-01-21');
    const refused = (await h.pool.query(`SELECT status, refusal FROM autodebit_result_documents WHERE document_id = $1`, [`broken-${tenant}`])).rows[0];
    expect(refused).toMatchObject({ status: 'refused', refusal: { field: 'entryHash', rule: 'batch-entry-hash' } });
    expect(Number((await h.pool.query(`SELECT count(*) FROM loan_transactions WHERE loan_id = $1 AND kind IN ('repayment', 'reversal')`, [loanId])).rows[0].count)).toBe(0);
    expect((await presentmentsOfLoan(h.pool, tenant, loanId)).map((p) => [p.status, p.returnCode])).toEqual([['returned', 'R03']]);
  });
});
