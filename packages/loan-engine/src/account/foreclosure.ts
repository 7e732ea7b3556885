// Foreclosure: the loan paid off at the end of a day, every balance settled in one posting.
import type { DayNumber } from '../dates/local-date.js';
import { divRound } from '../math/rounding.js';
import { NO_DAY } from './book.js';
import { markSettled } from './end-of-day.js';
import { effect, line, pair } from './postings.js';
import type { CashEvent } from './rules.js';
import type { StepContext } from './step.js';
import type { AllocationLine, MoneyEvent, PostingLine, ScheduledInstallment } from './types.js';

/** What closes the account now (the same figures as a payoff quote at the end of the day). */
export interface ForeclosurePayoff {
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly penalties: bigint;
  readonly charge: bigint;
  /** principal + interest + fees + penalties + charge. */
  readonly gross: bigint;
  /** gross − excess held, at least 0. */
  readonly total: bigint;
}

export function payoffNow(ctx: StepContext): ForeclosurePayoff {
  const b = ctx.book;
  const m = b.m;
  const principal = b.principalOutstanding();
  const c = ctx.rules.prepaymentCharge;
  const charge = c === undefined || principal === 0n ? 0n : divRound(principal * c.rate.n, c.rate.d, 'half-even') + c.fixedMinor;
  const interest = m.interestReceivable + m.interestSuspended;
  const fees = m.feesReceivable;
  const penalties = m.penCharged - m.penPaid;
  const gross = principal + interest + fees + penalties + charge;
  return { principal, interest, fees, penalties, charge, gross, total: gross > m.excess ? gross - m.excess : 0n };
}

/**
 * Settles everything `payoff` names with the foreclosure's money (plus the excess held, if the money alone
 * is short of the gross): principal (due or not), accrued interest (suspended interest becomes income, cash
 * basis), fees, penalties and the prepayment charge (fee income); a surplus is kept as excess. Every
 * installment is marked paid and the loan closes. The caller has checked amount ≥ payoff.total.
 */
export function settleInFull(ctx: StepContext, d: DayNumber, e: CashEvent, payoff: ForeclosurePayoff): void {
  const b = ctx.book;
  const m = b.m;
  const lines: PostingLine[] = [];
  const surplus = e.amountMinor >= payoff.gross ? e.amountMinor - payoff.gross : 0n;
  const excessUsed = payoff.gross > e.amountMinor ? payoff.gross - e.amountMinor : 0n;
  const topUp = isTopUp(e);
  line(lines, topUp ? 'disbursement-clearing' : 'collection-clearing', 'debit', e.amountMinor);
  line(lines, 'excess-liability', 'debit', excessUsed);
  line(lines, 'loan-portfolio', 'credit', payoff.principal);
  line(lines, 'interest-receivable', 'credit', m.interestReceivable);
  line(lines, 'interest-income', 'credit', m.interestSuspended);
  line(lines, 'fees-receivable', 'credit', m.feesReceivable);
  line(lines, 'penalties-receivable', 'credit', m.penaltiesReceivable);
  line(lines, 'penalty-income', 'credit', m.penaltiesSuspended);
  line(lines, 'fee-income', 'credit', payoff.charge);
  line(lines, 'excess-liability', 'credit', surplus);
  pair(lines, 'memo-interest-suspense', 'memo-interest-receivable', m.interestSuspended);
  pair(lines, 'memo-penalties-suspense', 'memo-penalties-receivable', m.penaltiesSuspended);
  const installments = payInstallments(ctx, d, payoff.principal);
  ctx.out.effects.push(effect(`foreclosure:${e.id}`, d, 'foreclosure', lines));
  m.principalPaid += payoff.principal;
  m.paidI += payoff.interest;
  m.paidF += payoff.fees;
  m.penPaid += payoff.penalties;
  // Everything is settled: what "fell due" is what was paid, so nothing shows as due.
  [m.dueP, m.dueI, m.dueF] = [m.principalPaid, m.paidI, m.paidF];
  m.interestReceivable = m.interestSuspended = m.feesReceivable = m.penaltiesReceivable = m.penaltiesSuspended = m.accruedInPeriod = 0n;
  m.excess = m.excess + e.amountMinor - payoff.gross;
  markSettled(ctx, d);
  b.status = 'closed';
  b.closedOn = d;
  b.foreclosure = { id: e.id, date: d, amountMinor: e.amountMinor, payoffMinor: payoff.total, outcome: 'closed' };
  // The payoff is in the key: a closure that a backdated change reopened and another closes again (at another
  // payoff) is a new event, announced again; replaying the same history gives the same key.
  const reason = topUp ? 'top-up' : 'foreclosed';
  ctx.out.events.push({ key: `closed:${ctx.labels.of(d)}:${topUp ? 'top-up' : 'foreclosure'}:${payoff.total}`, date: d, kind: 'LoanClosed', reason });
  const byComponent = { principal: payoff.principal, interest: payoff.interest, fees: payoff.fees, penalties: payoff.penalties };
  ctx.out.allocations.push({
    source: e.id, date: d, kind: 'foreclosure', amountMinor: e.amountMinor, installments, byComponent,
    excessMinor: surplus, recoveryMinor: 0n, prepaymentChargeMinor: payoff.charge, excessUsedMinor: excessUsed,
  });
}

/** A foreclosure paid from a top-up loan's disbursement (see MoneyEvent). */
export const isTopUp = (e: MoneyEvent): boolean => e.kind === 'foreclosure' && e.fundedBy === 'top-up';

/**
 * Pays every unpaid installment in full on the books: what is unpaid of the due ones, the principal of those
 * not due (the principal outstanding, spread in schedule order; what exceeds the schedule goes to the last)
 * and, on the installment whose period is running, the interest accrued in it. Installments not yet due are
 * marked paid on `d` here; markSettled marks the due ones (and announces them).
 */
function payInstallments(ctx: StepContext, d: DayNumber, principalOutstanding: bigint): AllocationLine[] {
  const b = ctx.book;
  const out: AllocationLine[] = [];
  let left = principalOutstanding;
  for (let i = b.oldestUnsettled; i < ctx.schedule.length; i += 1) {
    if ((b.paidOn[i] as number) !== NO_DAY) continue;
    const s = ctx.schedule[i] as ScheduledInstallment;
    const due = i < b.dueCount;
    const last = i === ctx.schedule.length - 1;
    const scheduled = s.principalMinor - (b.paidP[i] as bigint);
    const principal = last ? left : scheduled < left ? scheduled : left;
    const interest = due ? s.interestMinor - (b.paidI[i] as bigint) : i === b.dueCount ? b.m.accruedInPeriod : 0n;
    const fees = due ? s.feesMinor - (b.paidF[i] as bigint) : 0n;
    const penalties = (b.pen[i] as bigint) - (b.penPaid[i] as bigint);
    left -= principal;
    b.paidP[i] = (b.paidP[i] as bigint) + principal;
    b.paidI[i] = (b.paidI[i] as bigint) + interest;
    b.paidF[i] = (b.paidF[i] as bigint) + fees;
    b.penPaid[i] = (b.penPaid[i] as bigint) + penalties;
    if (!due) b.paidOn[i] = d;
    if (principal + interest + fees + penalties > 0n) out.push({ installment: s.number, principal, interest, fees, penalties });
  }
  return out;
}
