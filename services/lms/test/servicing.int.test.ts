import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// Repayments, reversals and disbursements through the HTTP API over the real Postgres and the real
// ledger. The engine's own tests prove the arithmetic; these prove the LMS keeps its books with it.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const repay = (tenant: string, loanId: string, amount: string | bigint, valueDate: string, headers: Record<string, string> = {}) =>
  call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference: `ref-${randomUUID().slice(0, 8)}` }, headers);
const loanOf = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
const scheduleOf = async (tenant: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, tenant, ['partner'])).json().installments as { number: number; dueDate: string; status: string; principal: { amount: string }; interest: { amount: string }; total: { amount: string }; paid?: { amount: string }; paidOn?: string | null }[];
const balanced = async (tenant: string) => {
  const tb = await trialBalance(h.pool, tenant);
  expect(tb.debit).toBe(tb.credit);
  return tb;
};
const counts = async (tenant: string) => (await h.pool.query<{ t: string; j: string; o: string }>(
  `SELECT (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS j,
          (SELECT count(*) FROM outbox o WHERE o.value->>'tenantId' = $1)::text AS o`, [tenant])).rows[0]!;

/** A loan of INR 1,00,000.00 at 12 % over 6 months, disbursed on 2026-01-05 (the schedule re-anchors on it). */
async function disbursedLoan(tenant: string): Promise<string> {
  expect((await setDate(tenant, '2026-01-05')).statusCode).toBe(200);
  const loanId = await h.book(tenant);
  const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' });
  expect(res.statusCode).toBe(202);
  expect(res.json()).toMatchObject({ kind: 'disbursement', status: 'confirmed', amount: inr('10000000') });
  return loanId;
}

describe('disbursement', () => {
  it('pays out to the borrower, re-anchors the schedule on the value date, and posts the portfolio', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const schedule = await scheduleOf(tenant, loanId);
    expect(schedule.map((i) => i.dueDate)).toEqual(['2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05', '2026-06-05', '2026-07-05']);
    const versions = await h.pool.query('SELECT version, to_char(anchor_date, \'YYYY-MM-DD\') AS anchor FROM schedule_versions WHERE loan_id = $1', [loanId]);
    expect(versions.rows).toEqual([{ version: 1, anchor: '2026-01-01' }]);
    const loan = await loanOf(tenant, loanId);
    expect(loan).toMatchObject({ status: 'active', disbursementDate: '2026-01-05', accrualStatus: 'accruing', delinquency: { dpd: 0, bucket: 'current', rbiClass: 'standard' } });
    expect(loan.balances.principalOutstanding).toMatchObject(inr('10000000'));
    await balanced(tenant);
    const outbox = await h.pool.query(`SELECT value->>'type' AS type FROM outbox WHERE key = $1 ORDER BY seq`, [loanId]);
    expect(outbox.rows.map((r) => r.type)).toContain('LoanDisbursed');
  });

  it('refuses more than the approved principal, naming /amount/amount, and writes nothing', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const before = await counts(tenant);
    const res = await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('1'), valueDate: '2026-01-05' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ pointer: '/amount/amount', detail: expect.stringContaining('at most 0') }]);
    expect(await counts(tenant)).toEqual(before);
  });

  it('a failed payout leaves the loan pending and says why', async () => {
    const failing = await startHarness({ ...(await import('./servicing-harness.js')).instantPayouts, submit: async () => ({ providerPayoutId: 'pout_x', status: 'failed', failureReason: 'INVALID_ACCOUNT' }) });
    try {
      const tenant = newTenant('svc');
      await failing.app.inject({ method: 'PUT', url: '/v1/business-date', headers: failing.auth(['admin'], tenant), payload: { date: '2026-01-05' } });
      const loanId = await failing.book(tenant);
      const res = await failing.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/disbursements`, headers: failing.auth(['operator'], tenant), payload: { amount: inr('10000000'), valueDate: '2026-01-05' } });
      expect(res.json()).toMatchObject({ status: 'failed', failureReason: 'payout failed: INVALID_ACCOUNT' });
      const loan = (await failing.app.inject({ url: `/v1/loans/${loanId}`, headers: failing.auth(['partner'], tenant) })).json();
      expect(loan.status).toBe('pending-disbursement');
      expect(loan.balances.principalOutstanding.amount).toBe('0');
    } finally {
      await failing.close();
    }
  });
});

describe('repayments', () => {
  it('posts a balanced journal and the balances the allocation implies', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const [first] = await scheduleOf(tenant, loanId);
    await setDate(tenant, '2026-02-05');
    const res = await repay(tenant, loanId, first!.total.amount, '2026-02-05');
    expect(res.statusCode).toBe(201);
    const tx = res.json();
    expect(tx).toMatchObject({ kind: 'repayment', status: 'posted', valueDate: '2026-02-05', channel: 'upi', amount: inr(first!.total.amount) });
    expect(tx.allocation).toMatchObject({ principal: inr(first!.principal.amount), interest: inr(first!.interest.amount), excess: inr('0') });
    const loan = await loanOf(tenant, loanId);
    expect(loan.balances.principalOutstanding.amount).toBe((10000000n - BigInt(first!.principal.amount)).toString());
    expect(loan.balances.totalDueNow.amount).toBe('0');
    expect(loan.delinquency).toMatchObject({ dpd: 0, bucket: 'current' });
    await balanced(tenant);
    // The ledger's portfolio account agrees with the state.
    const portfolio = await h.pool.query<{ n: string }>(`SELECT sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 AND logical_account = 'loan-portfolio'`, [loanId]);
    expect(portfolio.rows[0]!.n).toBe(loan.balances.principalOutstanding.amount);
    const balances = await h.pool.query('SELECT principal_outstanding::text AS p FROM loan_balances WHERE loan_id = $1', [loanId]);
    expect(balances.rows[0].p).toBe(loan.balances.principalOutstanding.amount);
    const list = (await call('GET', `/v1/loans/${loanId}/transactions?limit=1`, tenant, ['partner'])).json();
    expect(list.items.map((t: { id: string }) => t.id)).toEqual([tx.id]);
    const next = (await call('GET', `/v1/loans/${loanId}/transactions?limit=1&cursor=${list.nextCursor}`, tenant, ['partner'])).json();
    expect(next.items.map((t: { kind: string }) => t.kind)).toEqual(['disbursement']);
    expect(next.nextCursor).toBeNull();
  });

  it('serialises 50 concurrent repayments on one loan: every one posted, the balances add up', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-02-05');
    const results = await Promise.all(Array.from({ length: 50 }, () => repay(tenant, loanId, '10000', '2026-02-05')));
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const loan = await loanOf(tenant, loanId);
    const [first] = await scheduleOf(tenant, loanId);
    // 50 × 100.00 = 5,000.00 against installment 1 (1,000.00 interest first, then principal).
    expect(BigInt(loan.balances.principalOutstanding.amount)).toBe(10000000n - (500000n - BigInt(first!.interest.amount)));
    const sums = await h.pool.query<{ n: string; total: string }>(`SELECT count(*)::text AS n, sum((allocation->>'amount')::bigint)::text AS total FROM loan_transactions WHERE loan_id = $1 AND kind = 'repayment'`, [loanId]);
    expect(sums.rows[0]).toEqual({ n: '50', total: '500000' });
    await balanced(tenant);
  });

  it('a backdated repayment and a reversal replay the loan: contra-entries plus new entries, books balanced after every step', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const schedule = await scheduleOf(tenant, loanId);
    await setDate(tenant, '2026-03-20');
    // Installment 1 is late (DPD counts from 2026-02-05).
    let loan = await loanOf(tenant, loanId);
    expect(loan.delinquency.dpd).toBe(0); // nothing ran end of day yet: the state is as of the last change
    const late = await repay(tenant, loanId, '100', '2026-03-20');
    expect(late.statusCode).toBe(201);
    loan = await loanOf(tenant, loanId);
    expect(loan.delinquency).toMatchObject({ dpd: 43, rbiClass: 'SMA-1' });
    await balanced(tenant);
    // Backdated: installment 1 was in fact paid on its due date.
    const backdated = await repay(tenant, loanId, schedule[0]!.total.amount, '2026-02-05');
    expect(backdated.statusCode).toBe(201);
    loan = await loanOf(tenant, loanId);
    expect(loan.delinquency).toMatchObject({ dpd: 15, bucket: '1-29', rbiClass: 'SMA-0' }); // installment 2 (due 2026-03-05) is now the oldest unpaid
    await balanced(tenant);
    const history = (await call('GET', `/v1/loans/${loanId}/delinquency-history`, tenant, ['partner'])).json();
    expect(history.items.map((p: { fromDate: string }) => p.fromDate)).not.toContain('2026-02-06');
    // Reverse the backdated payment: back to 43 DPD, as if it never happened.
    const reversal = await call('POST', `/v1/loans/${loanId}/transactions/${backdated.json().id}/reversal`, tenant, ['operator'], { reason: 'cheque bounced' });
    expect(reversal.statusCode).toBe(201);
    expect(reversal.json()).toMatchObject({ kind: 'reversal', targetId: backdated.json().id, valueDate: '2026-03-20' });
    loan = await loanOf(tenant, loanId);
    expect(loan.delinquency).toMatchObject({ dpd: 43, rbiClass: 'SMA-1' });
    // The reversed repayment's entry has its contra-entry; nothing was updated in place.
    const contra = await h.pool.query<{ key: string }>('SELECT r.effect_key AS key FROM journal_entries r JOIN journal_entries e ON e.id = r.reverses WHERE r.loan_id = $1', [loanId]);
    expect(contra.rows.map((r) => r.key)).toContain(`reversal:repayment:${backdated.json().id}`);
    await balanced(tenant);
    const types = (await h.pool.query(`SELECT value->>'type' AS type FROM outbox WHERE key = $1`, [loanId])).rows.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['RepaymentReceived', 'TransactionReversed', 'InstallmentDue', 'InstallmentOverdue', 'DelinquencyChanged']));
    // Reversing it again is refused, naming the transaction.
    const again = await call('POST', `/v1/loans/${loanId}/transactions/${backdated.json().id}/reversal`, tenant, ['operator'], { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors).toEqual([{ pointer: '/params/txId', detail: 'The transaction is already reversed.' }]);
  });

  it('the schedule shows each installment as serviced: status, what was paid towards it and when', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    expect((await scheduleOf(tenant, loanId))[0]).toMatchObject({ status: 'not-due', paid: inr('0'), paidOn: null });
    const first = (await scheduleOf(tenant, loanId))[0]!;
    await setDate(tenant, first.dueDate);
    expect((await repay(tenant, loanId, first.total.amount, first.dueDate)).statusCode).toBe(201);
    const [one, two] = await scheduleOf(tenant, loanId);
    expect(one).toMatchObject({ number: 1, status: 'paid', paid: first.total, paidOn: first.dueDate });
    expect(two).toMatchObject({ number: 2, status: 'not-due', paid: inr('0'), paidOn: null });
  });

  it('a transaction or schedule written behind the LMS (SQL) is replayed by the next request, not the inputs the last replay kept', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const schedule = await scheduleOf(tenant, loanId);
    await setDate(tenant, '2026-02-05');
    expect((await repay(tenant, loanId, '100', '2026-02-05')).statusCode).toBe(201);
    const version = async () => (await h.pool.query<{ v: number }>('SELECT version AS v FROM loan_servicing WHERE loan_id = $1', [loanId])).rows[0]!.v;
    const before = await version();
    // Installment 1 paid in full by a transaction this process never saw (an import, another writer).
    await h.pool.query(
      `INSERT INTO loan_transactions (id, tenant_id, loan_id, kind, value_date, amount_minor, currency, scale, channel, reference, status, request_hash, created_by)
       VALUES (gen_random_uuid(), $1, $2, 'repayment', '2026-02-05', $3::bigint, 'INR', 2, 'upi', 'sql-1', 'posted', 'sql', 'sql')`,
      [tenant, loanId, schedule[0]!.total.amount]);
    expect(await version()).toBe(before + 1);
    expect((await repay(tenant, loanId, '100', '2026-02-05')).statusCode).toBe(201);
    // The replay took it in: it has an allocation, and installment 1 is no longer unpaid.
    const sql = (await h.pool.query<{ allocation: { principal: string } | null }>(`SELECT allocation FROM loan_transactions WHERE loan_id = $1 AND reference = 'sql-1'`, [loanId])).rows[0]!;
    expect(sql.allocation).not.toBeNull();
    expect(BigInt(sql.allocation!.principal)).toBeGreaterThan(0n);
    expect((await loanOf(tenant, loanId)).delinquency.oldestUnpaidDueDate).not.toBe(schedule[0]!.dueDate);
    await balanced(tenant);
    // The schedule likewise: any write of it moves the version.
    const now = await version();
    await h.pool.query('UPDATE installments SET fees_minor = fees_minor WHERE loan_id = $1', [loanId]);
    expect(await version()).toBe(now + 1);
  });

  it('Idempotency-Key: the same request returns the first result, another body is 422, nothing posted twice', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    await setDate(tenant, '2026-02-05');
    const key = { 'idempotency-key': `rep-${randomUUID()}` };
    const body = { amount: inr('50000'), valueDate: '2026-02-05', channel: 'upi', reference: 'UTR-1' };
    const first = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], body, key);
    const before = await counts(tenant);
    const replay = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], body, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const other = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { ...body, reference: 'UTR-2' }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toEqual([{ pointer: '/header/idempotency-key', detail: 'already used with another request' }]);
    expect(await counts(tenant)).toEqual(before);
  });

  it('every refusal names its field and writes nothing', async () => {
    const tenant = newTenant('svc');
    const loanId = await disbursedLoan(tenant);
    const pending = await h.book(tenant);
    await setDate(tenant, '2026-02-05');
    const before = await counts(tenant);
    const cases: [Promise<Awaited<ReturnType<typeof call>>>, number, string][] = [
      [repay(tenant, 'no-such-loan', '100', '2026-02-05'), 404, '/params/id'],
      [repay(tenant, pending, '100', '2026-02-05'), 409, '/params/id'],
      [call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: { amount: '100', currency: 'USD', scale: 2 }, valueDate: '2026-02-05', channel: 'upi', reference: 'r' }), 400, '/amount/currency'],
      [call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: { amount: '100', currency: 'INR', scale: 3 }, valueDate: '2026-02-05', channel: 'upi', reference: 'r' }), 400, '/amount'],
      [repay(tenant, loanId, '100', '2026-02-06'), 422, '/valueDate'],
      [repay(tenant, loanId, '100', '2026-01-01'), 422, '/valueDate'],
      [call('POST', `/v1/loans/${loanId}/transactions/${randomUUID()}/reversal`, tenant, ['operator'], { reason: 'x' }), 404, '/params/txId'],
      [call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('100'), valueDate: '2026-02-05', channel: 'carrier-pigeon', reference: 'r' }), 400, '/channel'],
    ];
    for (const [pending_, status, pointer] of cases) {
      const res = await pending_;
      expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/problem\+json/) });
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer).some((p: string) => p.startsWith(pointer))).toBe(true);
    }
    const disbursement = (await h.pool.query(`SELECT id FROM loan_transactions WHERE loan_id = $1 AND kind = 'disbursement'`, [loanId])).rows[0].id;
    const notReversible = await call('POST', `/v1/loans/${loanId}/transactions/${disbursement}/reversal`, tenant, ['operator'], { reason: 'x' });
    expect(notReversible.statusCode).toBe(409);
    expect(notReversible.json().errors[0].pointer).toBe('/params/txId');
    const forbidden = await call('POST', `/v1/loans/${loanId}/transactions/${disbursement}/reversal`, tenant, ['partner'], { reason: 'x' });
    expect(forbidden.statusCode).toBe(403);
    expect(await counts(tenant)).toEqual(before);
  });
});

describe('business date', () => {
  it('starts at the first use, is set by an admin, and refuses a date with activity after it (409 /date)', async () => {
    const tenant = newTenant('svc');
    expect((await call('GET', '/v1/business-date', tenant, ['partner'])).json()).toEqual({ tenantId: tenant, date: '2026-01-01' });
    expect((await call('PUT', '/v1/business-date', tenant, ['operator'], { date: '2026-01-05' })).statusCode).toBe(403);
    const loanId = await disbursedLoan(tenant);
    expect(loanId).toBeTruthy();
    const back = await setDate(tenant, '2026-01-04');
    expect(back.statusCode).toBe(409);
    expect(back.json().errors[0].pointer).toBe('/date');
    expect((await setDate(tenant, '2026-01-10')).json()).toEqual({ tenantId: tenant, date: '2026-01-10', previous: '2026-01-05' });
  });
});

describe('recoveries', () => {
  /** A loan of a product that charges off at 10 DPD, charged off by the replay of a payment dated after it. */
  async function chargedOffLoan(tenant: string): Promise<string> {
    await setDate(tenant, '2026-01-05');
    const product = {
      code: 'FAST-CO', name: 'Fast charge-off', currency: 'INR', principal: { min: inr('100000'), max: inr('100000000') }, termPeriods: { min: 1, max: 36 },
      annualRatePercent: { min: '0', max: '30' }, frequency: 'monthly', scheduleMethod: 'equal-installment', dayCount: '30/360', interestCalculation: 'per-period',
      graceDays: 0, nonAccrualDpd: 5, chargeOffDpd: 10,
    };
    expect((await call('POST', '/v1/products', tenant, ['admin'], product)).statusCode).toBe(201);
    const loanId = await h.book(tenant, { productCode: 'FAST-CO' });
    expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).json().status).toBe('confirmed');
    await setDate(tenant, '2026-03-20');
    // Money received on 2026-03-01, after the charge-off on 2026-02-15: already a recovery.
    expect((await repay(tenant, loanId, '100', '2026-03-01')).statusCode).toBe(201);
    const loan = await loanOf(tenant, loanId);
    expect(loan.status).toBe('charged-off');
    return loanId;
  }
  const recover = (tenant: string, loanId: string, amount: string, valueDate: string, roles: Parameters<Harness['auth']>[0] = ['operator'], headers: Record<string, string> = {}) =>
    call('POST', `/v1/loans/${loanId}/recoveries`, tenant, roles, { amount: inr(amount), valueDate, channel: 'bank-transfer', reference: `rec-${valueDate}-${amount}` }, headers);

  it('posts money collected after charge-off to recoveries income, balanced; a repayment is a recovery too, refused dated before the charge-off', async () => {
    const tenant = newTenant('rec');
    const loanId = await chargedOffLoan(tenant);
    const before = await loanOf(tenant, loanId);
    const refused = await repay(tenant, loanId, '250000', '2026-02-14');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0]).toEqual({ pointer: '/valueDate', detail: 'must be on or after the charge-off date 2026-02-15' });
    const res = await recover(tenant, loanId, '250000', '2026-03-10', ['operator'], { 'idempotency-key': `rec-key-${loanId}` });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'repayment', amount: inr('250000'), allocation: { recovery: { amount: '250000' }, principal: { amount: '0' }, interest: { amount: '0' } } });
    const after = await loanOf(tenant, loanId);
    expect(BigInt(after.balances.recovered.amount) - BigInt(before.balances.recovered.amount)).toBe(250000n);
    expect(after.balances.principalOutstanding).toEqual(before.balances.principalOutstanding);
    expect(after.status).toBe('charged-off');
    await balanced(tenant);
    const income = await h.pool.query<{ net: string }>(
      `SELECT coalesce(sum(CASE WHEN side = 'credit' THEN amount_minor ELSE -amount_minor END), 0)::text AS net FROM journal_lines WHERE loan_id = $1 AND logical_account = 'recovery-income'`, [loanId]);
    expect(BigInt(income.rows[0]!.net)).toBe(250100n);
    const again = await recover(tenant, loanId, '250000', '2026-03-10', ['operator'], { 'idempotency-key': `rec-key-${loanId}` });
    expect(again.json().id).toBe(res.json().id);
    const outbox = await h.pool.query(`SELECT value->'payload'->'allocation' AS a FROM outbox WHERE key = $1 AND value->>'type' = 'RepaymentReceived' AND value->>'causationId' = $2`, [loanId, res.json().id]);
    expect(outbox.rows).toHaveLength(1);
    // A reversal of the recovery takes it back out of income.
    expect((await call('POST', `/v1/loans/${loanId}/transactions/${res.json().id}/reversal`, tenant, ['operator'], { reason: 'cheque bounced' })).statusCode).toBe(201);
    expect((await loanOf(tenant, loanId)).balances.recovered).toEqual(before.balances.recovered);
    await balanced(tenant);
  });

  it('refuses a recovery on a loan that is not charged off, dated before the charge-off or after the business date, or by a partner', async () => {
    const tenant = newTenant('rec');
    const active = await disbursedLoan(tenant);
    const notChargedOff = await recover(tenant, active, '1000', '2026-01-05');
    expect(notChargedOff.statusCode).toBe(409);
    expect(notChargedOff.json().errors).toEqual([{ pointer: '/params/id', detail: expect.stringContaining('recoveries are for charged-off loans') }]);
    const other = newTenant('rec');
    const loanId = await chargedOffLoan(other);
    const before = await counts(other);
    const early = await recover(other, loanId, '1000', '2026-02-01');
    expect(early.statusCode).toBe(422);
    expect(early.json().errors).toEqual([{ pointer: '/valueDate', detail: 'must be on or after the charge-off date 2026-02-15' }]);
    const late = await recover(other, loanId, '1000', '2026-03-21');
    expect(late.statusCode).toBe(422);
    expect(late.json().errors[0].pointer).toBe('/valueDate');
    expect((await recover(other, loanId, '1000', '2026-03-10', ['partner'])).statusCode).toBe(403);
    expect(await counts(other)).toEqual(before);
  });
});
