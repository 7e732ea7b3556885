import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// POST /v1/loans/{id}/re-age and …/re-age/undo over the real Postgres: the arrears of two missed installments
// move to two installments appended after the 24th (their principal and interest as scheduled), DPD is 0, the
// moved interest leaves income; the product rule's limits are refused by name; nothing can land before a
// standing re-age; the undo (only while latest) gives the schedule, arrears and DPD back; books balanced and
// reconciled after each step.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const repay = (tenant: string, loanId: string, amount: bigint, valueDate: string) =>
  call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference: `r-${valueDate}` });
const reAge = (tenant: string, loanId: string, valueDate: string, headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/re-age`, tenant, ['operator'], { valueDate, reason: 'Borrower back to regular payments after job loss' }, headers);
const undo = (tenant: string, loanId: string) => call('POST', `/v1/loans/${loanId}/re-age/undo`, tenant, ['operator'], { reason: 'entered in error' });
const loan = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
type Inst = { number: number; dueDate: string; principalMinor: bigint; interestMinor: bigint };
const schedule = async (loanId: string): Promise<Inst[]> => (await h.pool.query<{ number: number; d: string; p: string; i: string }>(
  `SELECT number, to_char(due_date, 'YYYY-MM-DD') AS d, principal_minor::text AS p, interest_minor::text AS i FROM installments WHERE loan_id = $1 ORDER BY number`, [loanId])).rows
  .map((r) => ({ number: r.number, dueDate: r.d, principalMinor: BigInt(r.p), interestMinor: BigInt(r.i) }));

async function balancedAndReconciled(tenant: string, asOf: string): Promise<void> {
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
  expect((await call('GET', `/v1/ledger/reconciliation?asOf=${asOf}`, tenant, ['operator'])).json()).toMatchObject({ asOf, loansCompared: 1, differenceCount: 0 });
}

/**
 * INR 1,00,000.00 at 12 % over 24 months, disbursed 2026-01-05 (installments on the 5th from 2026-02-05), on a
 * product without late fees or penal interest. Installments 1–4 paid when due, none on Jun 5 and Jul 5, then
 * three monthly payments of one installment each (Aug 5, Sep 5, Oct 5): each pays the oldest (5, 6, 7), so 8 and
 * 9 (due Sep 5 and Oct 5) are in arrears: 30 days past due on 2026-10-05, 35 on 2026-10-10.
 */
async function delinquentLoan(tenant: string): Promise<{ loanId: string; rows: Inst[] }> {
  await setDate(tenant, '2026-01-05');
  const product = {
    code: 'RA-TL', name: 'Re-age term loan', currency: 'INR', principal: { min: inr('100000'), max: inr('100000000') }, termPeriods: { min: 1, max: 36 },
    annualRatePercent: { min: '0', max: '30' }, frequency: 'monthly', scheduleMethod: 'equal-installment', dayCount: '30/360', interestCalculation: 'per-period',
    graceDays: 0, nonAccrualDpd: 90, chargeOffDpd: 120,
  };
  expect((await call('POST', '/v1/products', tenant, ['admin'], product)).statusCode).toBe(201);
  const loanId = await h.book(tenant, { productCode: 'RA-TL', termPeriods: 24 });
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  const rows = await schedule(loanId);
  expect(rows).toHaveLength(24);
  const total = (n: number) => rows[n - 1]!.principalMinor + rows[n - 1]!.interestMinor;
  for (const [n, date] of [[1, '2026-02-05'], [2, '2026-03-05'], [3, '2026-04-05'], [4, '2026-05-05'], [5, '2026-08-05'], [6, '2026-09-05'], [7, '2026-10-05']] as const) {
    await setDate(tenant, date);
    expect((await repay(tenant, loanId, total(n), date)).statusCode).toBe(201);
  }
  await setDate(tenant, '2026-10-10');
  const before = await loan(tenant, loanId);
  expect(before.delinquency.dpd).toBe(30);
  return { loanId, rows };
}

describe('re-age', () => {
  it('moves the arrears of installments 8 and 9 to installments 25 and 26, dpd 0, the moved interest out of income; the undo gives everything back', async () => {
    const tenant = newTenant('ra');
    const { loanId, rows } = await delinquentLoan(tenant);
    const [i9, i10, next] = [rows[7]!, rows[8]!, rows[9]!];
    // Installment 10's interest accrued Oct 5–10: 5 of 31 days.
    const accrued = (next.interestMinor * 5n) / 31n;
    const before = await loan(tenant, loanId);
    expect(before.balances.principalDue).toMatchObject(inr(i9.principalMinor + i10.principalMinor));
    expect(before.balances.interestDue).toMatchObject(inr(i9.interestMinor + i10.interestMinor));
    const key = { 'idempotency-key': randomUUID() };
    const res = await reAge(tenant, loanId, '2026-10-10', key);
    expect(res.statusCode).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({
      transaction: { kind: 're-age', valueDate: '2026-10-10', amount: null }, dpd: 0,
      moved: { principal: inr(i9.principalMinor + i10.principalMinor), interest: inr(i9.interestMinor + i10.interestMinor), fees: inr('0') },
      appended: [
        { number: 25, dueDate: '2028-02-05', principal: inr(i9.principalMinor), interest: inr(i9.interestMinor) },
        { number: 26, dueDate: '2028-03-05', principal: inr(i10.principalMinor), interest: inr(i10.interestMinor) },
      ],
    });
    const again = await reAge(tenant, loanId, '2026-10-10', key);
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().transaction.id]).toEqual([201, 'true', r.transaction.id]);
    const after = await loan(tenant, loanId);
    expect([after.delinquency.dpd, after.balances.principalDue.amount, after.balances.interestDue.amount]).toEqual([0, '0', '0']);
    expect(after.balances.principalOutstanding).toEqual(before.balances.principalOutstanding);
    expect(after.balances.interestAccrued).toMatchObject(inr(accrued));
    const entry = await h.pool.query<{ a: string; s: string; n: string }>(
      `SELECT l.logical_account AS a, l.side AS s, l.amount_minor::text AS n FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE e.loan_id = $1 AND e.effect_key = $2 ORDER BY l.side DESC`,
      [loanId, `re-age:${r.transaction.id}`]);
    expect(entry.rows).toEqual([{ a: 'interest-income', s: 'debit', n: String(i9.interestMinor + i10.interestMinor) }, { a: 'interest-receivable', s: 'credit', n: String(i9.interestMinor + i10.interestMinor) }]);
    expect((await schedule(loanId)).map((i) => i.number)).toEqual(Array.from({ length: 26 }, (_, k) => k + 1));
    const versions = (await call('GET', `/v1/loans/${loanId}/schedule-versions`, tenant, ['partner'])).json().items;
    expect(versions[0]).toMatchObject({ version: r.scheduleVersion, reason: `re-age ${r.transaction.id} on 2026-10-10` });
    expect(versions[0].installments).toHaveLength(24);
    const changed = await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'DelinquencyChanged' ORDER BY seq DESC LIMIT 1`, [loanId]);
    expect(changed.rows[0].p).toMatchObject({ dpd: 0, usBucket: 'current', businessDate: '2026-10-10' });
    await balancedAndReconciled(tenant, '2026-10-10');

    // Nothing can land on or before it while it stands.
    const backdated = await repay(tenant, loanId, 1000n, '2026-10-09');
    expect([backdated.statusCode, backdated.json().errors[0].pointer]).toEqual([422, '/valueDate']);

    const u = await undo(tenant, loanId);
    expect(u.statusCode).toBe(201);
    expect(u.json()).toMatchObject({ reversal: { kind: 'reversal', targetId: r.transaction.id }, dpd: 35 });
    const back = await loan(tenant, loanId);
    expect([back.delinquency.dpd, back.balances.principalDue, back.balances.interestDue, back.balances.interestAccrued.amount]).toEqual([35, before.balances.principalDue, before.balances.interestDue, String(i9.interestMinor + i10.interestMinor + accrued)]);
    expect(await schedule(loanId)).toHaveLength(24);
    const reversed = await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'TransactionReversed'`, [loanId]);
    expect(reversed.rows.map((x) => x.p)).toEqual([expect.objectContaining({ reversedEffectKey: `re-age:${r.transaction.id}`, amount: inr(i9.principalMinor + i10.principalMinor + i9.interestMinor + i10.interestMinor) })]);
    const audit = await h.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq`, [tenant, `loan/${loanId}`]);
    expect(audit.rows.map((x) => x.action)).toEqual(['loan.re-aged', 'loan.re-age-undone']);
    await balancedAndReconciled(tenant, '2026-10-10');
  });

  it('refuses by rule: a current loan, under 9 months old, without 3 consecutive minimum payments; the undo only while latest', async () => {
    const tenant = newTenant('ra');
    const { loanId, rows } = await delinquentLoan(tenant);
    const young = await reAge(tenant, loanId, '2026-10-04');
    expect([young.statusCode, young.json().errors[0].pointer]).toEqual([422, '/valueDate']);
    expect(young.json().type).toMatch(/re-age-not-latest|re-age-account-age/);
    const ok = await reAge(tenant, loanId, '2026-10-10');
    expect(ok.statusCode).toBe(201);
    const current = await reAge(tenant, loanId, '2026-10-10');
    expect([current.statusCode, current.json().type]).toEqual([422, expect.stringContaining('re-age-current')]);
    await setDate(tenant, '2026-10-12');
    expect((await repay(tenant, loanId, rows[10]!.principalMinor, '2026-10-12')).statusCode).toBe(201);
    const notLatest = await undo(tenant, loanId);
    expect([notLatest.statusCode, notLatest.json().type, notLatest.json().errors[0].pointer]).toEqual([422, expect.stringContaining('re-age-not-latest'), '/params/id']);
    await balancedAndReconciled(tenant, '2026-10-12');

    // Under 9 months: a loan with nothing paid by 2026-04-10.
    const other = newTenant('ra');
    await setDate(other, '2026-01-05');
    const product = { code: 'RA-TL', name: 'Re-age term loan', currency: 'INR', principal: { min: inr('100000'), max: inr('100000000') }, termPeriods: { min: 1, max: 36 }, annualRatePercent: { min: '0', max: '30' }, frequency: 'monthly', scheduleMethod: 'equal-installment', dayCount: '30/360', interestCalculation: 'per-period', graceDays: 0 };
    expect((await call('POST', '/v1/products', other, ['admin'], product)).statusCode).toBe(201);
    const y = await h.book(other, { productCode: 'RA-TL', termPeriods: 24 });
    expect((await call('POST', `/v1/loans/${y}/disbursements`, other, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
    await setDate(other, '2026-04-10');
    const tooYoung = await reAge(other, y, '2026-04-10');
    expect([tooYoung.statusCode, tooYoung.json().type, tooYoung.json().errors[0].pointer]).toEqual([422, expect.stringContaining('re-age-account-age'), '/valueDate']);
    // Installments 1–7 paid (the last on Aug 5), nothing since: on 2026-11-10 (10 months old) no 3 consecutive minimum payments.
    const ys = await schedule(y);
    for (const [n, date] of [[1, '2026-02-05'], [2, '2026-03-05'], [3, '2026-04-05'], [4, '2026-05-05'], [5, '2026-06-05'], [6, '2026-07-05'], [7, '2026-08-05']] as const) {
      if (date > '2026-04-10') await setDate(other, date);
      expect((await repay(other, y, ys[n - 1]!.principalMinor + ys[n - 1]!.interestMinor, date)).statusCode).toBe(201);
    }
    await setDate(other, '2026-11-10');
    const unpaid = await reAge(other, y, '2026-11-10');
    expect([unpaid.statusCode, unpaid.json().type]).toEqual([422, expect.stringContaining('re-age-payments')]);
    expect((await undo(other, y)).statusCode).toBe(409);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/v1/loans/{id}/re-age', '/v1/loans/{id}/re-age/undo']) {
      expect(Object.keys(doc.paths[path].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
    }
    expect(doc.paths['/v1/loans/{id}/re-age'].post.requestBody.content['application/json'].schema.required).toEqual(['valueDate', 'reason']);
  });
});
