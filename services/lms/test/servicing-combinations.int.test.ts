import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@lendstack/platform';
import { addDays, expectBooksHold, expectProblem, productBook, SEEDED_CODES, SHAPES, startSystem, type ProductBook, type SystemHarness } from './support/servicing-system.js';

// The combinations users of older systems report as broken, on each seeded product where they apply (the others'
// documented refusals are in servicing-system.int.test.ts and below): a backdated repayment before a restructure,
// a reversal after a top-up, a prepayment in a non-accrual period, and foreclosure on the day an installment falls
// due. Over the real Postgres and ledger; after each step the books hold (expectBooksHold).
let sys: SystemHarness;
beforeAll(async () => { sys = await startSystem(); });
afterAll(async () => { await sys?.close(); });

const D0 = '2026-01-05';
const MAKER: Role[] = ['operator', 'approver'];
const CHECKER: Role[] = ['admin'];
const REAMORTISED = ['PL-12', 'SME-TL'];
const amount = (m: { amount: string }) => BigInt(m.amount);
const counts = async (tenant: string) => (await sys.h.pool.query<{ t: string; j: string; o: string }>(
  `SELECT (SELECT count(*) FROM loan_transactions WHERE tenant_id = $1)::text AS t, (SELECT count(*) FROM journal_entries WHERE tenant_id = $1)::text AS j,
          (SELECT count(*) FROM outbox o WHERE o.value->>'tenantId' = $1)::text AS o`, [tenant])).rows[0]!;
const prepay = (b: ProductBook, loanId: string, amt: bigint, valueDate: string, option = 'reduce-installment') =>
  b.call('POST', `/v1/loans/${loanId}/prepayments`, ['operator'], { amount: b.money(amt), valueDate, option });

describe('a backdated repayment before a restructure', () => {
  it.each(REAMORTISED)('%s: a repayment, a reversal and a prepayment dated on or before the effective date are 422 before-restructure, nothing written; one after it is applied', async (code) => {
    const b = await productBook(sys, code, 'cmb');
    const loanId = await b.disbursedLoan(D0);
    const s = await b.schedule(loanId);
    await b.setDate(s[0]!.dueDate);
    const emi1 = await b.repay(loanId, s[0]!.total, s[0]!.dueDate, 'emi-1');
    expect(emi1.statusCode).toBe(201);
    const effective = s[2]!.dueDate; // installment 2 unpaid: 1 month in arrears
    await b.setDate(effective);
    const p = await b.call('POST', `/v1/loans/${loanId}/restructure`, MAKER, { annualRatePercent: b.product.annualRatePercent.min, installments: 6, moratoriumInstallments: 0, capitaliseArrears: true, effectiveDate: effective });
    expect(p.statusCode, p.body).toBe(201);
    expect((await b.call('POST', `/v1/loans/${loanId}/restructure/${p.json().id}/approve`, CHECKER, {})).statusCode).toBe(200);
    const today = addDays(effective, 5);
    await b.setDate(today);
    const before = await counts(b.tenant);
    const restructured = await b.loan(loanId);
    // Installment 2, in fact paid on its due date: the restructure capitalised it, so it can no longer land there.
    expectProblem(await b.repay(loanId, s[1]!.total, s[1]!.dueDate, 'emi-2-late'), 422, 'before-restructure', '/valueDate');
    expectProblem(await b.repay(loanId, 100n, effective, 'on-the-day'), 422, 'before-restructure', '/valueDate');
    const reversal = await b.reverse(loanId, emi1.json().id);
    expect([reversal.statusCode, reversal.json().type]).toEqual([422, expect.stringContaining('before-restructure')]);
    expectProblem(await prepay(b, loanId, 100_000n, effective), 422, 'before-restructure', '/valueDate');
    expect(await counts(b.tenant)).toEqual(before);
    expect((await b.loan(loanId)).balances).toEqual(restructured.balances);
    const after = await b.repay(loanId, 100_000n, today, 'after');
    expect(after.statusCode, after.body).toBe(201);
    expect(after.json().allocation).toMatchObject({ excess: b.money(100_000n) }); // nothing due until the next installment
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: today });
  });
});

describe('a reversal after a top-up', () => {
  it.each(SEEDED_CODES)('%s: reversing a repayment the payoff counted reopens the old loan with the shortfall; a foreclosure of the shortfall closes it again; the top-up loan is untouched', async (code) => {
    const b = await productBook(sys, code, 'cmb');
    const min = BigInt(b.product.principal.min.amount);
    const oldId = await b.disbursedLoan(D0, { principalMinor: min });
    const paidOn = addDays(D0, 5);
    await b.setDate(paidOn);
    const early = await b.repay(oldId, min / 10n, paidOn, 'early');
    expect(early.statusCode).toBe(201);
    const on = '2026-01-21';
    await b.setDate(on);
    const payoff = amount((await b.call('POST', `/v1/loans/${oldId}/payoff-quotes`, ['operator'], { asOf: on })).json().total);
    const newId = await b.disbursedLoan(on, { principalMinor: payoff * 3n }, { topUpOfLoanId: oldId } as object);
    expect((await b.loan(oldId)).servicingStatus).toBe('closed');
    await expectBooksHold(b, sys.h, { loans: [oldId, newId], asOf: on });

    const next = addDays(on, 1);
    await b.setDate(next);
    const reversed = await b.reverse(oldId, early.json().id, 'payment bounced');
    expect(reversed.statusCode, reversed.body).toBe(201);
    const reopened = await b.loan(oldId);
    expect([reopened.servicingStatus, reopened.foreclosure?.outcome]).toEqual(['active', 'short']);
    const [event] = await b.outboxPayloads(oldId, 'LoanReopened');
    const shortfall = amount(event!.shortfall as { amount: string });
    expect(shortfall).toBeGreaterThanOrEqual(min / 10n);
    const fresh = await b.loan(newId);
    expect([fresh.servicingStatus, fresh.balances.principalOutstanding.amount]).toEqual(['active', (payoff * 3n).toString()]);
    await expectBooksHold(b, sys.h, { loans: [oldId, newId], asOf: next, schedulePrincipal: { [newId]: payoff * 3n } });

    const quote = await b.call('POST', `/v1/loans/${oldId}/payoff-quotes`, ['operator'], { asOf: next });
    expect(quote.statusCode, quote.body).toBe(201);
    expect(amount(quote.json().total)).toBeGreaterThanOrEqual(shortfall);
    const fc = await b.call('POST', `/v1/loans/${oldId}/foreclosure`, ['operator'], { amount: b.money(amount(quote.json().total)), valueDate: next });
    expect(fc.statusCode, fc.body).toBe(201);
    const closed = await b.loan(oldId);
    expect([closed.servicingStatus, closed.balances.principalOutstanding.amount, closed.balances.totalDueNow.amount, closed.balances.excess.amount]).toEqual(['closed', '0', '0', '0']);
    await expectBooksHold(b, sys.h, { loans: [oldId, newId], asOf: next });
  });
});

describe('a prepayment in a non-accrual period', () => {
  it.each(SEEDED_CODES)('%s: refused while arrears stand (422 prepayment-with-arrears); once they are paid, a prepayment that day re-amortises (equal-installment, equal-principal) and the suspended interest is settled', async (code) => {
    const b = await productBook(sys, code, 'cmb');
    const loanId = await b.disbursedLoan(D0);
    const s = await b.schedule(loanId);
    const on = addDays(s[0]!.dueDate, (b.product.nonAccrualDpd ?? 90) + 5);
    await b.endOfDay(on);
    const npa = await b.loan(loanId);
    expect([npa.asOf, npa.accrualStatus]).toEqual([on, 'non-accrual']);
    if (SHAPES[code]!.annualRatePercent !== '0') expect(amount(npa.balances.interestSuspended)).toBeGreaterThan(0n);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on });
    expectProblem(await prepay(b, loanId, 10_000n, on), 422, 'prepayment-with-arrears', '/valueDate');
    if (!REAMORTISED.includes(code)) return; // every installment of these is due by now: nothing is left to prepay ahead

    const arrears = amount(npa.balances.totalDueNow);
    const paid = await b.repay(loanId, arrears, on, 'arrears');
    expect(paid.statusCode, paid.body).toBe(201);
    const current = await b.loan(loanId);
    expect([current.delinquency.dpd, current.balances.totalDueNow.amount]).toEqual([0, '0']);
    const principalPaid = amount(paid.json().allocation.principal);
    const x = (SHAPES[code]!.principalMinor - principalPaid) / 4n;
    const res = await prepay(b, loanId, x, on);
    expect(res.statusCode, res.body).toBe(201);
    expect((await b.outboxPayloads(loanId, 'PrepaymentApplied')).map((p) => p.principalPrepaid)).toEqual([b.money(x)]);
    const after = await b.loan(loanId);
    expect(after.balances.principalOutstanding.amount).toBe((SHAPES[code]!.principalMinor - principalPaid - x).toString());
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: on, schedulePrincipal: { [loanId]: SHAPES[code]!.principalMinor - x } });

    // The next end of day finds the loan current: accruing again, nothing suspended, no longer an NPA.
    await b.endOfDay(addDays(on, 1));
    const next = await b.loan(loanId);
    expect([next.accrualStatus, next.balances.interestSuspended.amount, next.delinquency.dpd, next.delinquency.rbiClass]).toEqual(['accruing', '0', 0, 'standard']);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: addDays(on, 1), schedulePrincipal: { [loanId]: SHAPES[code]!.principalMinor - x } });
  });
});

describe('foreclosure on the day an installment falls due', () => {
  it.each(SEEDED_CODES)('%s: the quote of that day carries the installment\'s whole interest and fees; paying it closes the loan, the installment announced paid', async (code) => {
    const b = await productBook(sys, code, 'cmb');
    const loanId = await b.disbursedLoan(D0);
    const s = await b.schedule(loanId);
    if (s.length > 1) {
      await b.setDate(s[0]!.dueDate);
      expect((await b.repay(loanId, s[0]!.total, s[0]!.dueDate)).statusCode).toBe(201);
    }
    const due = s[s.length > 1 ? 1 : 0]!;
    // Quoted the day before for the due date, then paid on it: the same amount.
    await b.setDate(addDays(due.dueDate, -1));
    const ahead = await b.call('POST', `/v1/loans/${loanId}/payoff-quotes`, ['operator'], { asOf: due.dueDate });
    expect(ahead.statusCode, ahead.body).toBe(201);
    await b.setDate(due.dueDate);
    const quote = await b.call('POST', `/v1/loans/${loanId}/payoff-quotes`, ['operator'], { asOf: due.dueDate });
    expect(quote.statusCode, quote.body).toBe(201);
    const q = quote.json();
    expect(q.total).toEqual(ahead.json().total);
    const outstanding = SHAPES[code]!.principalMinor - (s.length > 1 ? s[0]!.principal : 0n);
    expect([amount(q.parts.principal), amount(q.parts.interest), amount(q.parts.fees), amount(q.parts.penalties)]).toEqual([outstanding, due.interest, due.fees, 0n]);
    const charge = b.product.prepaymentCharge ? (outstanding * BigInt(Number(b.product.prepaymentCharge.percentOfPrincipal) * 100) + 5_000n) / 10_000n : 0n;
    expect(amount(q.parts.prepaymentCharge)).toBe(charge);
    const res = await b.call('POST', `/v1/loans/${loanId}/foreclosure`, ['operator'], { amount: b.money(amount(q.total)), valueDate: due.dueDate });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().allocation.installments.find((i: { number: number }) => i.number === due.number)).toMatchObject({ interest: b.money(due.interest) });
    const after = await b.loan(loanId);
    expect([after.servicingStatus, after.balances.principalOutstanding.amount, after.balances.totalDueNow.amount, after.balances.excess.amount]).toEqual(['closed', '0', '0', '0']);
    expect((await b.schedule(loanId)).find((i) => i.number === due.number)?.status).toBe('paid');
    expect(await b.outboxTypes(loanId)).toEqual(expect.arrayContaining(['InstallmentDue', 'InstallmentPaid', 'LoanClosed']));
    expect((await b.outboxPayloads(loanId, 'LoanClosed')).map((e) => [e.reason, e.closedOn])).toEqual([['foreclosed', due.dueDate]]);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: due.dueDate });
    // End of day of that date finds nothing more to do: still closed, the books unchanged.
    await b.endOfDay(addDays(due.dueDate, 1));
    expect((await b.loan(loanId)).servicingStatus).toBe('closed');
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: addDays(due.dueDate, 1) });
  });

  it.each(SEEDED_CODES)('%s, after that day\'s end of day ran (installment 1 due, unpaid): the quote of that day closes the loan; later days change nothing', async (code) => {
    const b = await productBook(sys, code, 'cmb');
    const loanId = await b.disbursedLoan(D0);
    const [first] = await b.schedule(loanId);
    await b.endOfDay(first!.dueDate);
    expect((await b.loan(loanId)).balances.totalDueNow.amount).toBe(first!.total.toString());
    const q = (await b.call('POST', `/v1/loans/${loanId}/payoff-quotes`, ['operator'], { asOf: first!.dueDate })).json();
    expect([amount(q.parts.principal), amount(q.parts.interest), amount(q.parts.fees), amount(q.parts.penalties)]).toEqual([SHAPES[code]!.principalMinor, first!.interest, first!.fees, 0n]);
    const res = await b.call('POST', `/v1/loans/${loanId}/foreclosure`, ['operator'], { amount: b.money(amount(q.total)), valueDate: first!.dueDate });
    expect(res.statusCode, res.body).toBe(201);
    expect((await b.loan(loanId)).servicingStatus).toBe('closed');
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: first!.dueDate });
    await b.endOfDay(addDays(first!.dueDate, 3));
    const later = await b.loan(loanId);
    expect([later.servicingStatus, later.balances.totalDueNow.amount, later.balances.penalties.amount]).toEqual(['closed', '0', '0']);
    await expectBooksHold(b, sys.h, { loans: [loanId], asOf: addDays(first!.dueDate, 3) });
  });
});
