import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@lendstack/platform';
import { DEMO_PRODUCTS } from '../src/modules/products/domain/demo-products.js';
import {
  addDays, expectBooksHold, expectProblem, netByAccount, productBook, SEEDED_CODES, SHAPES, startSystem, type Installment, type ProductBook, type SystemHarness,
} from './support/servicing-system.js';

// Every servicing action on every seeded product (PL-12, BNPL-4, PAYDAY-30, SME-TL), over the real Postgres and
// ledger, each product published in a tenant of its own through POST /v1/products as the seed defines it: a
// repayment, a backdated one, its reversal, a statement (JSON, CSV, PDF), a service request, a payoff quote and
// foreclosure, partial prepayment (both options), restructure (maker ≠ checker) and a prepayment after it, top-up,
// write-off with a recovery and its undo, the end of day's charge-off at a product's own DPD, re-age and its undo.
// After each: every journal entry balances, the sub-ledger reconciles with the GL, the loan's balances are its
// ledger positions and never negative, each installment is the sum of its parts (and the schedule's principal what
// the action leaves), the action's events are on the outbox, and the RBI, US and trial-balance reports tie to the
// ledger. Where the product's rules exclude an action, its documented problem+json.
let sys: SystemHarness;
beforeAll(async () => { sys = await startSystem(); });
afterAll(async () => { await sys?.close(); });

const D0 = '2026-01-05';
const MAKER: Role[] = ['operator', 'approver'];
const CHECKER: Role[] = ['admin'];
const ALLOCATED = ['principal', 'interest', 'fees', 'penalties', 'excess', 'recovery', 'prepaymentCharge'] as const;
const allocated = (allocation: Record<string, { amount: string } | undefined>) => ALLOCATED.reduce((s, k) => s + BigInt(allocation[k]?.amount ?? '0'), 0n);
const amount = (m: { amount: string }) => BigInt(m.amount);
const principalOf = (code: string) => SHAPES[code]!.principalMinor;
const DEMO_CHARGE_OFF: Readonly<Record<string, number | undefined>> = Object.fromEntries(DEMO_PRODUCTS.map((p) => [p.code, p.chargeOffDpd]));

describe.each(SEEDED_CODES)('servicing %s', (code) => {
  const reAged = code === 'PL-12' || code === 'SME-TL';
  const reamortised = code === 'PL-12' || code === 'SME-TL';

  describe('repayments, a statement, a service request, then foreclosure (one loan)', () => {
    let b: ProductBook;
    let loanId: string;
    let due1: { dueDate: string; total: bigint };
    let backdatedId: string;
    let today: string;
    beforeAll(async () => {
      b = await productBook(sys, code);
      loanId = await b.disbursedLoan(D0);
      due1 = (await b.schedule(loanId))[0]!;
    });

    it('repayment: half of installment 1 on its due date is allocated in full', async () => {
      await b.setDate(due1.dueDate);
      const half = due1.total / 2n;
      const res = await b.repay(loanId, half, due1.dueDate);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ kind: 'repayment', status: 'posted', amount: b.money(half) });
      expect(allocated(res.json().allocation)).toBe(half);
      expect(await b.outboxTypes(loanId)).toEqual(expect.arrayContaining(['LoanDisbursed', 'RepaymentReceived']));
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: due1.dueDate, schedulePrincipal: { [loanId]: principalOf(code) } });
    });

    it('backdated repayment: the rest of installment 1, booked 10 days late with its due date, replays the loan back to current', async () => {
      today = addDays(due1.dueDate, 10);
      await b.endOfDay(today);
      const late = await b.loan(loanId);
      expect([late.asOf, late.delinquency.dpd]).toEqual([today, 10]);
      const res = await b.repay(loanId, due1.total - due1.total / 2n, due1.dueDate);
      expect(res.statusCode, res.body).toBe(201);
      backdatedId = res.json().id;
      const after = await b.loan(loanId);
      expect([after.delinquency.dpd, after.balances.penalties.amount, after.balances.totalDueNow.amount]).toEqual([0, '0', '0']);
      const [first] = await b.schedule(loanId);
      expect(first).toMatchObject({ number: 1, status: 'paid' });
      if (code === 'PAYDAY-30') {
        expect(after.servicingStatus).toBe('closed'); // its one installment paid: repaid in full
        expect((await b.outboxPayloads(loanId, 'LoanClosed')).length).toBe(1);
      }
      expect(await b.outboxTypes(loanId)).toEqual(expect.arrayContaining(['InstallmentDue', 'InstallmentPaid']));
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: today, schedulePrincipal: { [loanId]: principalOf(code) } });
    });

    it('reversal: reversing the backdated repayment puts the loan back 10 days past due', async () => {
      const res = await b.reverse(loanId, backdatedId);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ kind: 'reversal', targetId: backdatedId, valueDate: today });
      const after = await b.loan(loanId);
      expect([after.servicingStatus, after.delinquency.dpd]).toEqual(['active', 10]);
      expect(amount(after.balances.totalDueNow)).toBeGreaterThan(0n);
      if (code === 'PL-12') expect(amount(after.balances.penalties)).toBeGreaterThan(0n); // the late fee after its 3 grace days, and penal interest
      expect((await b.outboxPayloads(loanId, 'TransactionReversed')).map((p) => p.reversedTransactionId)).toEqual([backdatedId]);
      expectProblem(await b.reverse(loanId, backdatedId), 409, 'already-reversed', '/params/txId');
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: today, schedulePrincipal: { [loanId]: principalOf(code) } });
    });

    it('statement: JSON opens and closes on the ledger, CSV and PDF carry the same balances', async () => {
      const url = `/v1/loans/${loanId}/statement?from=${D0}&to=${today}`;
      const res = await b.extraCall('GET', url, ['partner']);
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s.openingBalance.total.amount).toBe('0');
      let running = 0n;
      for (const t of s.transactions) { running += amount(t.amount); expect(t.balance.amount).toBe(running.toString()); }
      expect(running.toString()).toBe(s.closingBalance.total.amount);
      const net = await netByAccount(sys.h, loanId);
      const loan = await b.loan(loanId);
      expect([s.closingBalance.principal.amount, s.closingBalance.excess.amount]).toEqual([String(net['loan-portfolio'] ?? 0n), loan.balances.excess.amount]);
      expect(s.closingBalance.principal.amount).toBe(loan.balances.principalOutstanding.amount);
      expect(s.transactions.map((t: { description: string }) => t.description)).toEqual(expect.arrayContaining(['Disbursement', 'Repayment', 'Reversal: repayment']));
      const csv = await b.extraCall('GET', `${url}&format=csv`, ['partner']);
      expect([csv.statusCode, csv.headers['content-type']]).toEqual([200, expect.stringContaining('text/csv')]);
      const lines = csv.body.trim().split('\n');
      expect(lines[0]).toBe('date,kind,description,amount,principal,interest,fees,penalties,excess,balance,currency');
      const shown = (Number(BigInt(s.closingBalance.total.amount)) / 100).toFixed(2);
      expect(lines.at(-1)).toMatch(new RegExp(`^${today},closing,Closing balance,.*,${shown.replace('.', '\\.')},${b.currency}$`));
      const pdf = await b.extraCall('GET', `${url}&format=pdf`, ['partner']);
      expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
      const text = await pdfText(pdf.rawPayload);
      expect(text).toContain('Loan account statement');
      expect(text).toContain(`Loan ${loanId}`);
      expect(text).toContain(`Total outstanding ${b.currency} ${Number(shown).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      expectProblem(await b.extraCall('GET', `/v1/loans/${loanId}/statement?from=${today}&to=${D0}`, ['partner']), 422, '', '/query/from');
    });

    it('service request: a foreclosure request opened, worked and resolved, each change audited', async () => {
      const opened = await b.extraCall('POST', `/v1/loans/${loanId}/service-requests`, ['operator'], { type: 'foreclosure-request', summary: 'Borrower asks to close the loan', note: 'called in' });
      expect(opened.statusCode, opened.body).toBe(201);
      const id = opened.json().id as string;
      expect((await b.extraCall('POST', `/v1/service-requests/${id}/transitions`, ['operator'], { to: 'in-progress', note: 'quote sent' })).json().status).toBe('in-progress');
      expectProblem(await b.extraCall('POST', `/v1/service-requests/${id}/transitions`, ['operator'], { to: 'open' }), 409, '', '/to');
      expect((await b.extraCall('POST', `/v1/service-requests/${id}/transitions`, ['operator'], { to: 'resolved', note: 'foreclosed' })).json().status).toBe('resolved');
      const audit = await sys.h.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq`, [b.tenant, `service-request/${id}`]);
      expect(audit.rows.map((r) => r.action)).toEqual(['service-request.opened', 'service-request.transitioned', 'service-request.transitioned']);
    });

    it('payoff quote and foreclosure: the quote\'s parts make its total; paying it closes the loan with zero balances', async () => {
      expectProblem(await b.call('POST', `/v1/loans/${loanId}/payoff-quotes`, ['operator'], { asOf: addDays(today, -1) }), 422, 'as-of-before-business-date', '/asOf');
      const res = await b.call('POST', `/v1/loans/${loanId}/payoff-quotes`, ['operator'], { asOf: today });
      expect(res.statusCode, res.body).toBe(201);
      const q = res.json();
      const p = q.parts as Record<'principal' | 'interest' | 'fees' | 'penalties' | 'prepaymentCharge' | 'excess', { amount: string }>;
      expect(amount(q.total)).toBe(amount(p.principal) + amount(p.interest) + amount(p.fees) + amount(p.penalties) + amount(p.prepaymentCharge) - amount(p.excess));
      expect(q.validUntil).toBe(today);
      expect(p.principal.amount).toBe((await b.loan(loanId)).balances.principalOutstanding.amount);
      expectProblem(await b.call('POST', `/v1/loans/${loanId}/prepayments`, ['operator'], { amount: b.money(amount(q.total)), valueDate: today, option: 'reduce-term' }), 422, 'prepayment-with-arrears', '/valueDate');
      expectProblem(await b.call('POST', `/v1/loans/${loanId}/foreclosure`, ['operator'], { amount: b.money(amount(q.total) - 1n), valueDate: today }), 422, 'foreclosure-short', '/amount');
      const fc = await b.call('POST', `/v1/loans/${loanId}/foreclosure`, ['operator'], { amount: b.money(amount(q.total)), valueDate: today });
      expect(fc.statusCode, fc.body).toBe(201);
      const after = await b.loan(loanId);
      expect(after.servicingStatus).toBe('closed');
      for (const k of ['principalOutstanding', 'interestAccrued', 'fees', 'penalties', 'excess', 'totalDueNow'] as const) expect(after.balances[k].amount, k).toBe('0');
      expect((await b.outboxPayloads(loanId, 'LoanClosed')).at(-1)).toMatchObject({ reason: 'foreclosed', closedOn: today });
      expectProblem(await b.call('POST', `/v1/loans/${loanId}/write-off`, ['operator'], { valueDate: today, reason: 'x' }), 409, 'loan-closed', '/params/id');
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: today });
    });
  });

  it(reamortised ? 'partial prepayment: reduce-installment, then (equal-installment only) reduce-term; each schedule exact, the old kept' : 'partial prepayment is refused: the schedule method cannot be re-amortised (422 prepayment-not-supported)', async () => {
    const b = await productBook(sys, code);
    const loanId = await b.disbursedLoan(D0);
    const before = await b.schedule(loanId);
    // After installment 1 is paid on its due date; the payday loan's one installment is not yet due ten days in.
    const on = code === 'PAYDAY-30' ? addDays(D0, 10) : before[0]!.dueDate;
    await b.setDate(on);
    if (code !== 'PAYDAY-30') expect((await b.repay(loanId, before[0]!.total, on)).statusCode).toBe(201);
    const outstanding = principalOf(code) - (code === 'PAYDAY-30' ? 0n : before[0]!.principal);
    const prepay = (amt: bigint, option: string) => b.call('POST', `/v1/loans/${loanId}/prepayments`, ['operator'], { amount: b.money(amt), valueDate: on, option });
    expectProblem(await prepay(outstanding, 'reduce-installment'), 422, 'prepayment-exceeds-balance', '/amount');
    const x = outstanding / 5n;
    if (!reamortised) {
      expectProblem(await prepay(x, 'reduce-installment'), 422, 'prepayment-not-supported', '/option');
      expectProblem(await prepay(x, 'reduce-term'), 422, 'prepayment-not-supported', '/option');
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) } });
      return;
    }
    const one = await prepay(x, 'reduce-installment');
    expect(one.statusCode, one.body).toBe(201);
    expect(one.json()).toMatchObject({ kind: 'prepayment', reason: 'reduce-installment', allocation: { principal: b.money(x) } });
    const charge = amount(one.json().allocation.prepaymentCharge);
    // 2 % (PL) / 3 % (SME) of the principal prepaid, half up.
    expect(charge).toBe((x * BigInt(Number(b.product.prepaymentCharge!.percentOfPrincipal) * 100) + 5_000n) / 10_000n);
    const reduced = await b.schedule(loanId);
    expect([reduced.length, reduced.at(-1)!.dueDate]).toEqual([before.length, before.at(-1)!.dueDate]);
    expect(reduced[1]!.total).toBeLessThan(before[1]!.total);
    expect((await b.outboxPayloads(loanId, 'PrepaymentApplied')).map((p) => p.option)).toEqual(['reduce-installment']);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) - x } });
    if (code === 'SME-TL') {
      expectProblem(await prepay(x, 'reduce-term'), 422, 'prepayment-not-supported', '/option'); // reduce-term needs an equal-installment loan
      return;
    }
    const two = await prepay(x, 'reduce-term');
    expect(two.statusCode, two.body).toBe(201);
    const shorter = await b.schedule(loanId);
    expect(shorter.length).toBeLessThan(reduced.length);
    expect(shorter.slice(1, -1).every((i) => i.total === reduced[1]!.total)).toBe(true); // the installment kept
    const versions = (await b.call('GET', `/v1/loans/${loanId}/schedule-versions`, ['partner'])).json().items;
    expect(versions.map((v: { reason: string }) => v.reason.replace(/prepayment \S+/, 'prepayment'))).toEqual([
      `prepayment (reduce-term) on ${on}`, `prepayment (reduce-installment) on ${on}`,
    ]);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) - 2n * x } });
  });

  it(reamortised ? 'restructure: the maker proposes, the checker (not the maker) approves; arrears capitalised, reported restructured' : 'restructure is refused: the schedule method cannot be re-amortised (422 restructure-not-supported)', async () => {
    const b = await productBook(sys, code);
    const loanId = await b.disbursedLoan(D0);
    const s = await b.schedule(loanId);
    const k = Math.min(3, s.length);
    const effective = s[k - 1]!.dueDate;
    if (k > 1) {
      await b.setDate(s[0]!.dueDate);
      expect((await b.repay(loanId, s[0]!.total, s[0]!.dueDate)).statusCode).toBe(201);
    }
    await b.setDate(effective);
    const ask = { annualRatePercent: b.product.annualRatePercent.min, installments: 6, moratoriumInstallments: 1, capitaliseArrears: true, effectiveDate: effective, note: 'hardship' };
    const proposed = await b.call('POST', `/v1/loans/${loanId}/restructure`, MAKER, ask);
    if (!reamortised) {
      expectProblem(proposed, 422, 'restructure-not-supported', '/params/id');
      return;
    }
    expect(proposed.statusCode, proposed.body).toBe(201);
    const p = proposed.json();
    expectProblem(await b.call('POST', `/v1/loans/${loanId}/restructure/${p.id}/approve`, MAKER, {}), 403, 'checker-is-maker', '/params/proposalId');
    const approved = await b.call('POST', `/v1/loans/${loanId}/restructure/${p.id}/approve`, CHECKER, {});
    expect(approved.statusCode, approved.body).toBe(200);
    const loan = await b.loan(loanId);
    expect(loan).toMatchObject({ restructured: true, restructuredOn: effective, delinquency: { dpd: 0 } });
    expect([loan.balances.principalOutstanding, loan.balances.totalDueNow.amount]).toEqual([p.preview.principal, '0']);
    const after = await b.schedule(loanId);
    expect(after.filter((i) => i.number > k).reduce((sum, i) => sum + i.principal, 0n)).toBe(amount(p.preview.principal)); // the new schedule amortises the new principal
    expect(after.filter((i) => i.number > k)).toHaveLength(6);
    expect((await b.outboxPayloads(loanId, 'LoanRestructured')).map((e) => e.proposalId)).toEqual([p.id]);
    const rbi = (await b.call('GET', `/v1/reports/rbi-asset-classification?asOf=${effective}`, ['operator'])).json().currencies[0].totals;
    expect([rbi.restructuredLoans, rbi.restructuredPrincipal.amount]).toEqual([1, p.preview.principal.amount]);
    expect((await b.call('GET', `/v1/reports/us-delinquency?asOf=${effective}`, ['operator'])).json().currencies[0].totals.modifiedLoans).toBe(1);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: effective });
    // The restructured schedule serviced on: its first installment paid when due, then principal paid ahead re-amortises the rest.
    const next = after.find((i) => i.number === k + 1)!;
    await b.setDate(next.dueDate);
    expect((await b.repay(loanId, next.total, next.dueDate)).statusCode).toBe(201);
    const ahead = amount((await b.loan(loanId)).balances.principalOutstanding) / 4n;
    const pp = await b.call('POST', `/v1/loans/${loanId}/prepayments`, ['operator'], { amount: b.money(ahead), valueDate: next.dueDate, option: 'reduce-installment' });
    expect(pp.statusCode, pp.body).toBe(201);
    const rest = (await b.schedule(loanId)).filter((i) => i.number > k + 1);
    const left = await b.loan(loanId);
    expect([rest.length, rest.reduce((sum, i) => sum + i.principal, 0n), left.balances.totalDueNow.amount]).toEqual([5, amount(left.balances.principalOutstanding), '0']);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: next.dueDate });
  });

  it('top-up: a new loan pays the old one off with its quote of the day (closed, reason top-up), both on the books', async () => {
    const b = await productBook(sys, code);
    const min = BigInt(b.product.principal.min.amount);
    const oldId = await b.disbursedLoan(D0, { principalMinor: min });
    const on = '2026-01-21';
    await b.setDate(on);
    const quote = await b.call('POST', `/v1/loans/${oldId}/payoff-quotes`, ['operator'], { asOf: on });
    expect(quote.statusCode, quote.body).toBe(201);
    const payoff = amount(quote.json().total);
    const newPrincipal = payoff * 3n;
    const newId = await b.disbursedLoan(on, { principalMinor: newPrincipal }, { topUpOfLoanId: oldId } as object);
    const old = await b.loan(oldId);
    expect([old.servicingStatus, old.balances.principalOutstanding.amount, old.balances.totalDueNow.amount]).toEqual(['closed', '0', '0']);
    expect(old['toppedUpBy']).toMatchObject({ loanId: newId, state: 'settled', payoff: { amount: payoff.toString() } });
    expect((await b.outboxPayloads(oldId, 'LoanClosed')).map((e) => e.reason)).toEqual(['top-up']);
    expect((await b.loan(newId)).balances.principalOutstanding.amount).toBe(newPrincipal.toString());
    await expectBooksHold(b, sys.h, { loans: [oldId, newId], asOf: on, schedulePrincipal: { [newId]: newPrincipal } });
    await b.setDate(addDays(on, 1));
    expectProblem(await b.repay(oldId, 100n, addDays(on, 1)), 409, 'loan-closed', '/params/id');
  });

  it('charge-off by write-off (accelerated), a recovery on the written-off loan, and the undo that clears every entry it made', async () => {
    const b = await productBook(sys, code);
    const loanId = await b.disbursedLoan(D0);
    const on = '2026-01-15';
    await b.setDate(on);
    const scheduled = await b.schedule(loanId);
    const w = await b.call('POST', `/v1/loans/${loanId}/write-off`, ['operator'], { valueDate: on, reason: 'Borrower unreachable, fraud suspected', accelerate: true });
    expect(w.statusCode, w.body).toBe(201);
    expect(w.json()).toMatchObject({ status: 'charged-off', chargedOffOn: on, principalWrittenOff: b.money(principalOf(code)), accelerated: true });
    expect((await b.outboxPayloads(loanId, 'LoanChargedOff')).length).toBe(1);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) } });
    const us = (await b.call('GET', `/v1/reports/us-delinquency?asOf=${on}`, ['operator'])).json().currencies[0];
    expect(us.chargeOffs).toMatchObject({ loans: 1, amount: b.money(principalOf(code)) });

    const later = '2026-01-20';
    await b.setDate(later);
    const recovered = principalOf(code) / 10n;
    const paid = await b.repay(loanId, recovered, later);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json().allocation).toMatchObject({ recovery: b.money(recovered), principal: b.money(0n) });
    expect((await b.call('GET', `/v1/reports/us-delinquency?asOf=${later}`, ['operator'])).json().currencies[0].recoveries).toMatchObject({ loans: 1, amount: b.money(recovered) });
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: later });

    const undo = await b.call('POST', `/v1/loans/${loanId}/write-off/undo`, ['operator'], { reason: 'written off in error' });
    expect(undo.statusCode, undo.body).toBe(201);
    const back = await b.loan(loanId);
    expect([back.servicingStatus, back.balances.principalWrittenOff.amount, back.balances.recovered.amount, back.chargedOffOn]).toEqual(['active', '0', '0', null]);
    // The acceleration undone: the same installments, and those not due by the undo's date not due.
    const parts = (list: Installment[]) => list.map((i) => [i.number, i.dueDate, i.principal, i.interest, i.fees]);
    const undone = await b.schedule(loanId);
    expect(parts(undone)).toEqual(parts(scheduled));
    expect(undone.filter((i) => i.dueDate > later)).toEqual(scheduled.filter((i) => i.dueDate > later));
    expect((await b.outboxPayloads(loanId, 'TransactionReversed')).map((e) => e.reversedEffectKey)).toEqual([`write-off:${w.json().transaction.id}`]);
    expectProblem(await b.call('POST', `/v1/loans/${loanId}/write-off/undo`, ['operator'], { reason: 'again' }), 409, 'no-write-off', '/params/id');
    const net = await netByAccount(sys.h, loanId);
    expect([net['write-off-expense'] ?? 0n, net['recovery-income'] ?? 0n]).toEqual([0n, 0n]);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: later, schedulePrincipal: { [loanId]: principalOf(code) } });
  });

  it(reAged ? 're-age: the arrears of a delinquent loan move to the end (dpd 0); the undo, while latest, gives them back'
    : code === 'BNPL-4' ? 're-age is refused: only monthly loans are re-aged (422 re-age-not-supported)' : 're-age is refused: the account is under 9 months old (422 re-age-account-age)', async () => {
    const b = await productBook(sys, code);
    const loanId = await b.disbursedLoan(D0, code === 'PL-12' ? { termPeriods: 12 } : {});
    const s = await b.schedule(loanId);
    const reAge = (valueDate: string) => b.call('POST', `/v1/loans/${loanId}/re-age`, ['operator'], { valueDate, reason: 'Borrower back to regular payments' });
    const undo = () => b.call('POST', `/v1/loans/${loanId}/re-age/undo`, ['operator'], { reason: 'entered in error' });
    if (!reAged) {
      const on = addDays(s[0]!.dueDate, 5);
      await b.setDate(on);
      expect((await b.repay(loanId, 100n, on)).statusCode).toBe(201);
      if (code === 'BNPL-4') expectProblem(await reAge(on), 422, 're-age-not-supported', '/params/id');
      else expectProblem(await reAge(on), 422, 're-age-account-age', '/valueDate');
      expectProblem(await undo(), 409, 'no-re-age', '/params/id');
      await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on });
      return;
    }
    // Installments 1–4 paid when due, none in June and July, then one installment's amount in each of Aug, Sep, Oct.
    const pays = [[0, 0], [1, 1], [2, 2], [3, 3], [6, 4], [7, 5], [8, 6]] as const;
    for (const [month, n] of pays) {
      const date = s[month]!.dueDate;
      await b.setDate(date);
      expect((await b.repay(loanId, s[n]!.total, date)).statusCode).toBe(201);
    }
    const on = addDays(s[8]!.dueDate, 5);
    await b.endOfDay(on);
    expectProblem(await undo(), 409, 'no-re-age', '/params/id');
    const before = await b.loan(loanId);
    const unmoved = await b.schedule(loanId);
    expect(before.delinquency.dpd).toBeGreaterThan(0);
    const res = await reAge(on);
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    const after = await b.loan(loanId);
    expect([after.delinquency.dpd, after.balances.principalDue.amount, after.balances.interestDue.amount]).toEqual([0, '0', '0']);
    expect(after.balances.principalOutstanding).toEqual(before.balances.principalOutstanding);
    const moved = await b.schedule(loanId);
    expect(moved.length).toBe(s.length + r.appended.length);
    expect(moved.slice(s.length).map((i) => i.number)).toEqual(r.appended.map((a: { number: number }) => a.number));
    expect(await b.outboxTypes(loanId)).toContain('DelinquencyChanged');
    // The installments in arrears count what moved as settled; the appended ones carry it: the schedule's principal is the loan's plus what moved.
    expect(r.moved.principal.amount).toBe(r.appended.reduce((sum: bigint, a: { principal: { amount: string } }) => sum + amount(a.principal), 0n).toString());
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) + amount(r.moved.principal) } });
    expectProblem(await b.repay(loanId, 1000n, addDays(on, -1)), 422, 'before-re-age', '/valueDate');
    const u = await undo();
    expect(u.statusCode, u.body).toBe(201);
    const back = await b.loan(loanId);
    expect([back.delinquency.dpd, back.balances.principalDue, back.balances.interestDue]).toEqual([before.delinquency.dpd, before.balances.principalDue, before.balances.interestDue]);
    expect(await b.schedule(loanId)).toEqual(unmoved);
    expect((await b.outboxPayloads(loanId, 'TransactionReversed')).map((e) => e.reversedEffectKey)).toEqual([`re-age:${r.transaction.id}`]);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: principalOf(code) } });
  });
});

// Products that charge off at a DPD of their own (the others at the engine's default, long after these tests' dates).
describe.each(SEEDED_CODES.filter((c) => DEMO_CHARGE_OFF[c] !== undefined))('charge-off on %s', (code) => {
  it('charged off by end of day at the product\'s chargeOffDpd: no write-off to undo (409 no-write-off); payments are recoveries', async () => {
    const b = await productBook(sys, code);
    const loanId = await b.disbursedLoan(D0);
    const s = await b.schedule(loanId);
    const on = addDays(s[0]!.dueDate, DEMO_CHARGE_OFF[code]! + 2);
    await b.endOfDay(on);
    const off = await b.loan(loanId);
    expect([off.servicingStatus, off.chargedOffOn]).toEqual(['charged-off', addDays(s[0]!.dueDate, DEMO_CHARGE_OFF[code]!)]);
    expect((await b.outboxPayloads(loanId, 'LoanChargedOff')).length).toBe(1);
    expectProblem(await b.call('POST', `/v1/loans/${loanId}/write-off/undo`, ['operator'], { reason: 'x' }), 409, 'no-write-off', '/params/id');
    const r = await b.repay(loanId, 1_000n, on);
    expect([r.statusCode, r.json().allocation.recovery.amount]).toEqual([201, '1000']);
    const us = (await b.call('GET', `/v1/reports/us-delinquency?asOf=${on}`, ['operator'])).json().currencies[0];
    expect([us.chargeOffs.amount.amount, us.recoveries.amount.amount]).toEqual([principalOf(code).toString(), '1000']);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on });
  });
});

async function pdfText(bytes: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= doc.numPages; p += 1) {
    const content = await (await doc.getPage(p)).getTextContent();
    parts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  await doc.destroy();
  return parts.join('\n').replace(/\s+/g, ' ');
}
