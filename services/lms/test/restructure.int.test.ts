import { randomUUID } from 'node:crypto';
import { topics } from '@lendstack/contracts';
import { createKafka, createLogger, createProducer, startOutboxRelay } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import { productInputSchema } from '../src/modules/products/domain/product.js';
import { rbiClassification, usDelinquency } from '../src/modules/reports/adapters/pg-reports.queries.js';
import { createEodRun, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { inr, newTenant, startHarness, trialBalance, type Harness } from './servicing-harness.js';

// Restructuring with maker ≠ checker over the real Postgres (and Kafka for the event): the proposal's preview
// is the schedule approval puts in force, the maker cannot approve, a transaction since the proposal makes it
// stale, the capitalised arrears move through the ledger, the old schedule is kept, and a backdated repayment
// before the effective date is refused.
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

type Roles = Parameters<Harness['auth']>[0];
const MAKER: Roles = ['operator', 'approver']; // subject operator-user: may propose, and has a checker's role too
const CHECKER: Roles = ['admin']; // subject admin-user
const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Roles, payload?: object, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth(roles, tenant), ...headers }, ...(payload ? { payload } : {}) });
const setDate = (tenant: string, date: string) => call('PUT', '/v1/business-date', tenant, ['admin'], { date });
const repay = (tenant: string, loanId: string, amount: string, valueDate: string, reference: string) =>
  call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr(amount), valueDate, channel: 'upi', reference });
const propose = (tenant: string, loanId: string, body: object, headers: Record<string, string> = {}) => call('POST', `/v1/loans/${loanId}/restructure`, tenant, MAKER, body, headers);
const decide = (tenant: string, loanId: string, proposalId: string, decision: 'approve' | 'reject', roles: Roles = CHECKER, body: object = {}) =>
  call('POST', `/v1/loans/${loanId}/restructure/${proposalId}/${decision}`, tenant, roles, body);
const schedule = async (tenant: string, loanId: string) =>
  ((await call('GET', `/v1/loans/${loanId}/schedule`, tenant, ['partner'])).json().installments as { number: number; dueDate: string; principal: { amount: string }; interest: { amount: string }; total: { amount: string } }[])
    .map((i) => [i.number, i.dueDate, i.principal.amount, i.interest.amount, i.total.amount]);
const netByAccount = async (loanId: string) => Object.fromEntries((await h.pool.query<{ a: string; n: string }>(
  `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId])).rows.map((r) => [r.a, BigInt(r.n)]));

/**
 * INR 1,00,000.00 at 12 % (1 % a month, 30/360) over 6 months, disbursed 2026-01-05 on the seeded PL-12
 * product (grace 3 days, late fee 2 % of the installment unpaid, penal 24 % a year actual/365 on overdue
 * principal): EMI 17,254.84. Installment 1 is paid on its due date; installment 2 (due 2026-03-05: interest
 * 837.45, principal 16,417.39) never is. The business date is 2026-04-05, installment 3's due date (interest
 * 673.28, principal 16,581.56).
 */
async function loanInArrears(tenant: string): Promise<string> {
  const definition = productInputSchema.parse(DEMO_PRODUCTS.find((p) => p.code === 'PL-12'));
  await h.pool.query(`INSERT INTO products (tenant_id, code, id, latest_version) VALUES ($1, 'TEST-PL', $2, 1)`, [tenant, randomUUID()]);
  await h.pool.query(
    `INSERT INTO product_versions (tenant_id, code, version, definition, definition_hash, effective_at, created_by) VALUES ($1, 'TEST-PL', 1, $2, 'test', now(), 'test')`, [tenant, JSON.stringify(definition)]);
  await setDate(tenant, '2026-01-05');
  const loanId = await h.book(tenant);
  expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
  await setDate(tenant, '2026-02-05');
  expect((await repay(tenant, loanId, '1725484', '2026-02-05', 'emi-1')).statusCode).toBe(201);
  await setDate(tenant, '2026-04-05');
  return loanId;
}

/**
 * At the end of 2026-04-05 with capitalisation: principal 83,745.16 outstanding (16,417.39 + 16,581.56 of it due);
 * interest due 837.45 + 673.28 = 1,510.73; penalties on installment 2: late fee 2 % of 17,254.84 = 345.10 (day 4
 * overdue, 2026-03-09) and penal interest on 16,417.39 for days 4..31 overdue (28 days): 16,417.39 × 0.24 × 28 / 365
 * = 302.26 (half-up of 302.2598…) — 647.36. New principal 83,745.16 + 1,510.73 + 647.36 = 85,903.25, at 9 % (0.75 %
 * a month) over 6 installments, the first interest only: 85,903.25 × 0.0075 = 644.27; then EMI
 * 85,903.25 × 0.0075 / (1 − 1.0075^−5) = 17,569.14 (half-even of 17,569.140189…), interest 0.75 % of each balance.
 */
const ASK = { annualRatePercent: '9', installments: 6, moratoriumInstallments: 1, capitaliseArrears: true, effectiveDate: '2026-04-05', note: 'hardship: job loss' };
const NEW_INSTALLMENTS = [
  [4, '2026-05-05', '0', '64427', '64427'],
  [5, '2026-06-05', '1692487', '64427', '1756914'],
  [6, '2026-07-05', '1705180', '51734', '1756914'],
  [7, '2026-08-05', '1717969', '38945', '1756914'],
  [8, '2026-09-05', '1730854', '26060', '1756914'],
  [9, '2026-10-05', '1743835', '13079', '1756914'],
];

describe('restructure (maker ≠ checker)', () => {
  it('the preview is the schedule approval puts in force; the maker cannot approve; arrears capitalised through the ledger; old schedule kept; audited', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const before = await schedule(tenant, loanId);
    const res = await propose(tenant, loanId, ASK, { 'idempotency-key': `rs-${tenant}` });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ status: 'proposed', effectiveDate: '2026-04-05', proposedBy: 'operator-user', decidedBy: null, preview: { principal: inr('8590325'), keptInstallments: 3 } });
    expect(p.preview.capitalised).toMatchObject({ principal: inr('3299895'), interest: inr('151073'), fees: inr('0'), penalties: inr('64736') });
    const preview = p.preview.installments.map((i: { number: number; dueDate: string; principal: { amount: string }; interest: { amount: string }; total: { amount: string } }) => [i.number, i.dueDate, i.principal.amount, i.interest.amount, i.total.amount]);
    expect(preview).toEqual(NEW_INSTALLMENTS);
    // Proposing changes nothing on the loan; the same key returns the same proposal.
    expect(await schedule(tenant, loanId)).toEqual(before);
    const again = await propose(tenant, loanId, ASK, { 'idempotency-key': `rs-${tenant}` });
    expect(again.json().id).toBe(p.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // It is in the checkers' queue.
    const queue = (await call('GET', '/v1/restructure-proposals', tenant, CHECKER)).json();
    // An operator without a checker's role cannot decide at all.
    expect((await decide(tenant, loanId, p.id, 'approve', ['operator'])).statusCode).toBe(403);
    expect(queue.items.map((q: { id: string }) => q.id)).toEqual([p.id]);

    // The maker cannot approve their own proposal.
    const own = await decide(tenant, loanId, p.id, 'approve', MAKER);
    expect(own.statusCode).toBe(403);
    expect(own.headers['content-type']).toContain('application/problem+json');
    expect(own.json()).toMatchObject({ type: expect.stringContaining('checker-is-maker'), errors: [{ pointer: '/params/proposalId' }] });

    const approved = await decide(tenant, loanId, p.id, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: 'admin-user', transactionId: expect.any(String) });
    // A decided proposal cannot be decided again.
    expect((await decide(tenant, loanId, p.id, 'reject')).statusCode).toBe(409);

    // The schedule in force: installments 1–3 as they were, then exactly the preview.
    expect(await schedule(tenant, loanId)).toEqual([...before.slice(0, 3), ...NEW_INSTALLMENTS]);
    const versions = (await call('GET', `/v1/loans/${loanId}/schedule-versions`, tenant, ['partner'])).json();
    expect(versions.items[0].reason).toBe(`restructure ${p.id} effective 2026-04-05`);
    expect(versions.items[0].installments.map((i: { principalMinor: string }) => i.principalMinor)).toEqual(before.map((b) => b[2]));

    // The loan: flagged, nothing due, principal outstanding the new principal.
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan).toMatchObject({ restructured: true, restructuredOn: '2026-04-05', delinquency: { dpd: 0 } });
    expect(loan.balances.principalOutstanding).toMatchObject(inr('8590325'));
    expect(loan.balances.totalDueNow).toMatchObject(inr('0'));
    // Ledger: interest and penalties moved from their receivables into loan-portfolio; every journal balanced.
    const net = await netByAccount(loanId);
    expect(net['loan-portfolio']).toBe(8_590_325n);
    expect(net['interest-receivable'] ?? 0n).toBe(0n);
    expect(net['penalties-receivable'] ?? 0n).toBe(0n);
    const capitalisation = await h.pool.query<{ a: string; side: string; n: string }>(
      `SELECT l.logical_account AS a, l.side, l.amount_minor::text AS n FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
       WHERE l.loan_id = $1 AND e.effect_key LIKE 'restructure:%' ORDER BY l.side DESC, l.logical_account`, [loanId]);
    expect(capitalisation.rows).toEqual([
      { a: 'loan-portfolio', side: 'debit', n: '215809' },
      { a: 'interest-receivable', side: 'credit', n: '151073' },
      { a: 'penalties-receivable', side: 'credit', n: '64736' },
    ]);
    const unbalanced = await h.pool.query(
      `SELECT entry_id FROM journal_lines WHERE loan_id = $1 GROUP BY entry_id HAVING sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END) <> 0`, [loanId]);
    expect(unbalanced.rowCount).toBe(0);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
    // LoanRestructured on the outbox; both decisions and the proposal in the audit log.
    const event = (await h.pool.query(`SELECT value->'payload' AS p FROM outbox WHERE key = $1 AND value->>'type' = 'LoanRestructured'`, [loanId])).rows.map((r) => r.p);
    expect(event).toEqual([expect.objectContaining({ proposalId: p.id, principal: inr('8590325'), scheduleVersion: versions.items[0].version, proposedBy: 'operator-user', approvedBy: 'admin-user',
      capitalised: { interest: inr('151073'), fees: inr('0'), penalties: inr('64736'), principalRescheduled: inr('3299895') }, nextInstallment: { installmentNumber: 4, dueDate: '2026-05-05', total: inr('64427') }, maturityDate: '2026-10-05' })]);
    const audit = await h.pool.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq`, [tenant, `restructure-proposal/${p.id}`]);
    expect(audit.rows).toEqual([{ action: 'restructure.proposed', actor: 'operator-user' }, { action: 'restructure.approved', actor: 'admin-user' }]);
    // The RBI report counts it as restructured, its totals still the ledger's.
    expect(await rbiClassification(h.pool, tenant, '2026-04-05')).toEqual([{ currency: 'INR', scale: 2, cls: 'standard', loans: 1, principalMinor: 8_590_325n, restructuredLoans: 1, restructuredPrincipalMinor: 8_590_325n }]);
    // As of the day before it took effect, the account was not yet restructured (SMA-0 then: installment 2 was 30 days overdue).
    expect(await rbiClassification(h.pool, tenant, '2026-04-04')).toEqual([expect.objectContaining({ restructuredLoans: 0, restructuredPrincipalMinor: 0n })]);
    // The US report flags it as modified for a borrower in financial difficulty, in its band, from the effective date on; both CSVs carry the flag.
    expect((await usDelinquency(h.pool, tenant, '2026-04-05', '2026-01-01')).bands).toEqual([{ currency: 'INR', scale: 2, band: 'current', loans: 1, principalMinor: 8_590_325n, modifiedLoans: 1, modifiedPrincipalMinor: 8_590_325n }]);
    expect((await usDelinquency(h.pool, tenant, '2026-04-04', '2026-01-01')).bands).toEqual([expect.objectContaining({ band: '30-89', modifiedLoans: 0, modifiedPrincipalMinor: 0n })]);
    const us = (await call('GET', '/v1/reports/us-delinquency?asOf=2026-04-05', tenant, ['operator'])).json().currencies[0];
    expect(us.accruing.current).toEqual({ loans: 1, principal: inr('8590325'), modifiedLoans: 1, modifiedPrincipal: inr('8590325') });
    expect(us.totals).toMatchObject({ modifiedLoans: 1, modifiedPrincipal: inr('8590325') });
    const usCsv = (await call('GET', '/v1/reports/us-delinquency?asOf=2026-04-05&format=csv', tenant, ['operator'])).body.split('\r\n');
    expect(usCsv[0]).toBe('as_of,from,currency,scale,measure,loans,amount_minor,modified_loans,modified_amount_minor');
    expect(usCsv).toContain('2026-04-05,2026-01-01,INR,2,accruing-current,1,8590325,1,8590325');
    const rbiCsv = (await call('GET', '/v1/reports/rbi-asset-classification?asOf=2026-04-05&format=csv', tenant, ['operator'])).body.split('\r\n');
    expect(rbiCsv[0]).toBe('as_of,currency,scale,class,loans,principal_minor,provision_bps,provision_minor,restructured_loans,restructured_principal_minor');
    expect(rbiCsv).toContain('2026-04-05,INR,2,standard,1,8590325,40,34361,1,8590325');
  });

  it('a backdated repayment before the effective date is refused (422 before-restructure); one after it is applied to the new schedule', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const p = (await propose(tenant, loanId, ASK)).json();
    expect((await decide(tenant, loanId, p.id, 'approve')).statusCode).toBe(200);
    await setDate(tenant, '2026-04-10');
    const backdated = await repay(tenant, loanId, '1725484', '2026-04-01', 'emi-2-late');
    expect(backdated.statusCode).toBe(422);
    expect(backdated.json()).toMatchObject({ type: expect.stringContaining('before-restructure'), errors: [{ pointer: '/valueDate' }] });
    expect((await repay(tenant, loanId, '1725484', '2026-04-05', 'emi-2-on-the-day')).statusCode).toBe(422);
    const after = await repay(tenant, loanId, '64427', '2026-04-10', 'early');
    expect(after.statusCode).toBe(201);
    // Nothing is due until 2026-05-05: the money is held as excess, applied to installment 4 when it falls due.
    expect(after.json().allocation).toMatchObject({ principal: inr('0'), interest: inr('0'), excess: inr('64427') });
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.balances.principalOutstanding).toMatchObject(inr('8590325'));
    expect(loan.balances.excess).toMatchObject(inr('64427'));
    // Reversing it (dated after the restructure) replays across the restructure: back to the restructured position.
    const reversal = await call('POST', `/v1/loans/${loanId}/transactions/${after.json().id}/reversal`, tenant, ['operator'], { reason: 'bounced' });
    expect(reversal.statusCode).toBe(201);
    const back = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(back.balances).toMatchObject({ principalOutstanding: inr('8590325'), excess: inr('0'), totalDueNow: inr('0') });
    expect((await netByAccount(loanId))['loan-portfolio']).toBe(8_590_325n);
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('a transaction since the proposal makes it stale (409); a rejection changes nothing and is audited', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const p = (await propose(tenant, loanId, ASK)).json();
    expect((await repay(tenant, loanId, '100000', '2026-04-05', 'part')).statusCode).toBe(201);
    const stale = await decide(tenant, loanId, p.id, 'approve');
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ type: expect.stringContaining('proposal-stale'), errors: [{ pointer: '/params/proposalId' }] });
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json()).toMatchObject({ restructured: false });
    const rejected = await decide(tenant, loanId, p.id, 'reject', CHECKER, { note: 'borrower paid part' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', decidedBy: 'admin-user', decisionNote: 'borrower paid part', transactionId: null });
    const audit = await h.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq`, [tenant, `restructure-proposal/${p.id}`]);
    expect(audit.rows.map((r) => r.action)).toEqual(['restructure.proposed', 'restructure.rejected']);
    // Bad input: an effective date that is not a due date, before the business date, a moratorium as long as the term.
    for (const [body, pointer] of [[{ ...ASK, effectiveDate: '2026-04-20' }, '/effectiveDate'], [{ ...ASK, effectiveDate: '2026-03-05' }, '/effectiveDate'], [{ ...ASK, moratoriumInstallments: 6 }, '/moratoriumInstallments']] as const) {
      const r = await propose(tenant, loanId, body);
      expect(r.statusCode).toBe(422);
      expect(r.json().errors[0].pointer).toBe(pointer);
    }
    expect((await propose(tenant, loanId, { ...ASK, annualRatePercent: '9%' })).statusCode).toBe(400);
  });

  it('without capitalisation the arrears stay due on the old installments; the new schedule amortises the principal not yet due', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const p = (await propose(tenant, loanId, { ...ASK, capitaliseArrears: false, moratoriumInstallments: 0 })).json();
    // 83,745.16 − 32,998.95 due = 50,746.21, the scheduled balance after installment 3.
    expect(p.preview).toMatchObject({ principal: inr('5074621'), capitalised: { interest: inr('0'), penalties: inr('0') } });
    expect((await decide(tenant, loanId, p.id, 'approve')).statusCode).toBe(200);
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan.balances.principalOutstanding).toMatchObject(inr('8374516'));
    expect(loan.delinquency.dpd).toBe(31);
    const net = await netByAccount(loanId);
    expect(net['loan-portfolio']).toBe(8_374_516n);
  });

  it('a proposal for a later due date is approved on that date (409 before), after end of day reached it; the books then hold the capitalisation', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const p = (await propose(tenant, loanId, { ...ASK, effectiveDate: '2026-05-05' })).json();
    expect(p.preview.keptInstallments).toBe(4);
    const early = await decide(tenant, loanId, p.id, 'approve');
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ type: expect.stringContaining('proposal-not-effective') });
    const run = await createEodRun({ ...h.deps, newId: randomUUID }, { tenantId: tenant, to: '2026-05-05', actor: 'test', requestHash: 'eod' });
    if (!run.ok) throw new Error(run.detail);
    expect((await runEndOfDay(h.deps, run.run.id)).status).toBe('completed');
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json().delinquency.dpd).toBe(61);
    // End of day is no transaction: the proposal is still the loan's position on its date.
    expect((await decide(tenant, loanId, p.id, 'approve')).statusCode).toBe(200);
    const loan = (await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json();
    expect(loan).toMatchObject({ asOf: '2026-05-05', delinquency: { dpd: 0 }, balances: { principalOutstanding: p.preview.principal, totalDueNow: inr('0') } });
    const net = await netByAccount(loanId);
    expect(net['loan-portfolio']).toBe(BigInt(p.preview.principal.amount));
    expect(net['interest-receivable'] ?? 0n).toBe(0n);
    expect(net['penalties-receivable'] ?? 0n).toBe(0n);
    const capitalised = BigInt(p.preview.capitalised.interest.amount) + BigInt(p.preview.capitalised.fees.amount) + BigInt(p.preview.capitalised.penalties.amount);
    const posted = await h.pool.query<{ n: string }>(`SELECT l.amount_minor::text AS n FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE l.loan_id = $1 AND e.effect_key LIKE 'restructure:%' AND l.logical_account = 'loan-portfolio'`, [loanId]);
    expect(posted.rows.map((r) => BigInt(r.n))).toEqual([capitalised]);
    // And end of day goes on from it on the new schedule.
    const next = await createEodRun({ ...h.deps, newId: randomUUID }, { tenantId: tenant, to: '2026-05-06', actor: 'test', requestHash: 'eod2' });
    if (!next.ok) throw new Error(next.detail);
    expect((await runEndOfDay(h.deps, next.run.id)).status).toBe('completed');
    expect((await call('GET', `/v1/loans/${loanId}`, tenant, ['partner'])).json()).toMatchObject({ asOf: '2026-05-06', delinquency: { dpd: 0 }, balances: { principalOutstanding: p.preview.principal } });
    const tb = await trialBalance(h.pool, tenant);
    expect(tb.debit).toBe(tb.credit);
  });

  it('LoanRestructured reaches the loan-lifecycle topic on the real Kafka through the outbox relay', async () => {
    const tenant = newTenant('rs');
    const loanId = await loanInArrears(tenant);
    const p = (await propose(tenant, loanId, ASK)).json();
    expect((await decide(tenant, loanId, p.id, 'approve')).statusCode).toBe(200);
    const logger = createLogger({ service: 'lms-restructure-test', level: 'silent' });
    const kafka = createKafka({ brokers: (await infrastructure()).kafkaBrokers, clientId: 'lms-restructure-test', logger });
    const producer = await createProducer(kafka);
    const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
    const relay = startOutboxRelay({ pool: h.pool, producer, logger, lockId: 383_071, topicPrefix: prefix });
    const consumer = kafka.consumer({ groupId: `lms-restructure-test-${randomUUID()}` });
    const seen: { type: string; payload: { proposalId?: string } }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}${topics.loanLifecycle.name}`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== loanId || !message.value) return;
          seen.push(JSON.parse(message.value.toString()) as (typeof seen)[number]);
        },
      });
      relay.wake();
      const event = await eventually(async () => seen.find((e) => e.type === 'LoanRestructured'), { timeoutMs: 60_000, what: 'LoanRestructured on Kafka' });
      expect(event.payload.proposalId).toBe(p.id);
    } finally {
      await consumer.disconnect();
      await relay.stop();
      await producer.disconnect();
    }
  }, 90_000);

  it('is in the OpenAPI document with its problem responses', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/loans/{id}/restructure'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
    expect(Object.keys(doc.paths['/v1/loans/{id}/restructure/{proposalId}/approve'].post.responses)).toEqual(expect.arrayContaining(['200', '403', '409']));
    expect(doc.paths['/v1/restructure-proposals'].get).toBeDefined();
  });
});
