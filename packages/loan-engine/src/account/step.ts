// The day step: everything that happens to a loan on one business day, in a fixed order.
// replayAccount and advanceAccount are both folds of this one function (see account.ts).
import { allocatePayment, type OutstandingInstallment } from '../allocation/allocate.js';
import type { DayNumber } from '../dates/local-date.js';
import { divRound } from '../math/rounding.js';
import type { Book } from './book.js';
import { endOfDay, markSettled, recordDelinquency } from './end-of-day.js';
import { isTopUp, payoffNow, settleInFull } from './foreclosure.js';
import { DayLabels, effect, line, pair, type PairCache } from './postings.js';
import { reageAt } from './reage.js';
import { restructureAt } from './restructure.js';
import type { AppliedEvent, CashEvent, Rules } from './rules.js';
import type { DelinquencyPoint, Effect, LifecycleEvent, PaymentAllocation, PostingLine, ScheduledInstallment } from './types.js';

export interface Output {
  readonly effects: Effect[];
  readonly events: LifecycleEvent[];
  readonly allocations: PaymentAllocation[];
  readonly history: DelinquencyPoint[];
}

export interface StepContext {
  readonly book: Book;
  readonly schedule: readonly ScheduledInstallment[];
  readonly rules: Rules;
  readonly indexOf: ReadonlyMap<number, number>;
  readonly labels: DayLabels;
  readonly pairs: PairCache;
  readonly out: Output;
}

/**
 * Day d, in this order: disbursements; interest accrual for the day; installments falling due
 * (fees recognised, excess applied); repayments in event order; then end of day (overdue, late
 * fees, penal interest, then restructures and foreclosures, then DPD and classes, accrual status, charge-off (at chargeOffDpd or
 * by the day's write-off event), closure).
 */
export function stepDay(ctx: StepContext, d: DayNumber, events: readonly AppliedEvent[], from: number, to: number): void {
  const b = ctx.book;
  for (let k = from; k < to; k += 1) {
    const e = events[k] as AppliedEvent;
    if (e.kind === 'disbursement') disburse(ctx, d, e);
  }
  if (b.status === 'active') {
    accrue(ctx, d);
    if (fallDue(ctx, d) && b.m.excess > 0n) applyExcess(ctx, d);
  }
  for (let k = from; k < to; k += 1) {
    const e = events[k] as AppliedEvent;
    if (e.kind === 'repayment') repay(ctx, d, e);
    else if (e.kind === 'prepayment') prepay(ctx, d, e);
    else if (e.kind === 're-age' && b.status === 'active') reageAt(ctx, d, e);
  }
  let foreclosures: CashEvent[] | undefined;
  for (let k = from; k < to; k += 1) {
    const e = events[k] as AppliedEvent;
    if (e.kind === 'foreclosure') (foreclosures ??= []).push(e);
  }
  let writeOff: Extract<AppliedEvent, { kind: 'write-off' }> | undefined;
  for (let k = from; k < to && writeOff === undefined; k += 1) {
    const e = events[k] as AppliedEvent;
    if (e.kind === 'write-off') writeOff = e;
  }
  let restructures: Extract<AppliedEvent, { kind: 'restructure' }>[] | undefined;
  for (let k = from; k < to; k += 1) {
    const e = events[k] as AppliedEvent;
    if (e.kind === 'restructure') (restructures ??= []).push(e);
  }
  // The day's restructure settles (capitalises) what is due before its foreclosures and the classification.
  const settle = foreclosures === undefined && restructures === undefined ? undefined : () => {
    restructures?.forEach((e) => restructureAt(ctx, d, e));
    foreclosures?.forEach((e) => foreclose(ctx, d, e));
  };
  if (b.status === 'active') endOfDay(ctx, d, settle, writeOff);
  else foreclosures?.forEach((e) => foreclose(ctx, d, e));
  b.asOf = d;
}

/**
 * A foreclosure at the end of day d (after the day's penalties): it closes the loan when it covers the
 * payoff; otherwise (or on a loan no longer active) its money is taken as a repayment, and a short
 * foreclosure announces that the loan is open (LoanReopened: it closed the loan before a backdated change).
 */
function foreclose(ctx: StepContext, d: DayNumber, e: CashEvent): void {
  const b = ctx.book;
  const payoff = b.status === 'active' ? payoffNow(ctx) : undefined;
  if (payoff !== undefined && e.amountMinor >= payoff.total) {
    settleInFull(ctx, d, e, payoff);
    return;
  }
  repay(ctx, d, e);
  const posted = ctx.out.effects.pop() as Effect;
  // A top-up's money came from the new loan's disbursement, not from a collection.
  const lines = isTopUp(e) ? posted.lines.map((l) => (l.account === 'collection-clearing' ? { ...l, account: 'disbursement-clearing' as const } : l)) : posted.lines;
  ctx.out.effects.push(effect(`foreclosure:${e.id}`, d, 'foreclosure', lines));
  const allocation = ctx.out.allocations.pop() as PaymentAllocation;
  ctx.out.allocations.push({ ...allocation, kind: 'foreclosure' });
  if (payoff === undefined) return;
  b.foreclosure = { id: e.id, date: d, amountMinor: e.amountMinor, payoffMinor: payoff.total, outcome: 'short' };
  const shortfallMinor = payoff.total - e.amountMinor;
  ctx.out.events.push({ key: `reopened:${e.id}:${shortfallMinor}`, date: d, kind: 'LoanReopened', foreclosureId: e.id, shortfallMinor });
}

function disburse(ctx: StepContext, d: DayNumber, e: CashEvent): void {
  const b = ctx.book;
  b.m.disbursed += e.amountMinor;
  const lines: PostingLine[] = [];
  pair(lines, 'loan-portfolio', 'disbursement-clearing', e.amountMinor);
  ctx.out.effects.push(effect(`disbursement:${e.id}`, d, 'disbursement', lines));
  if (b.status === 'pending-disbursement') {
    b.status = 'active';
    b.firstDisbursementDate = d;
    recordDelinquency(ctx, d, true);
  }
}

/** Scheduled interest accrual: floor(I × elapsed / n) through day d; the due date takes the residual. */
function accrue(ctx: StepContext, d: DayNumber): void {
  const b = ctx.book;
  const k = b.dueCount;
  const inst = ctx.schedule[k];
  if (inst === undefined || inst.interestMinor === 0n) return;
  const start = k === 0 ? (b.firstDisbursementDate as number) : (ctx.schedule[k - 1] as ScheduledInstallment).dueDate;
  const days = inst.dueDate - start;
  const elapsed = d - start;
  const cumulative = elapsed >= days ? inst.interestMinor : scaledFloor(inst.interestMinor, elapsed, days);
  const amount = cumulative - b.m.accruedInPeriod;
  if (amount === 0n) return;
  b.m.accruedInPeriod = cumulative;
  let lines;
  if (b.accrual === 'accruing') {
    b.m.interestReceivable += amount;
    lines = ctx.pairs.lines('interest-receivable', 'interest-income', amount);
  } else {
    b.m.interestSuspended += amount;
    lines = ctx.pairs.lines('memo-interest-receivable', 'memo-interest-suspense', amount);
  }
  ctx.out.effects.push(effect(`accrual:${ctx.labels.of(d)}`, d, 'interest-accrual', lines));
}

/**
 * Below this, I × elapsed (elapsed ≤ days < 2^13) is an exact double under 2^53, and the quotient
 * (≤ I < 2^40) is rounded by at most 2^-13 < 1/days, less than its distance to the next integer
 * unless it is one: so Math.floor of the double quotient is the exact floor.
 */
const SAFE_INTEREST = 2n ** 40n;

/** floor(I × elapsed / days), in doubles when that is exact (the common case), else in bigint. */
function scaledFloor(interest: bigint, elapsed: number, days: number): bigint {
  if (interest < SAFE_INTEREST && days < 8192) return BigInt(Math.floor((Number(interest) * elapsed) / days));
  return (interest * BigInt(elapsed)) / BigInt(days);
}

/** Installments due on day d become due: scheduled fees are recognised. True when any fell due. */
function fallDue(ctx: StepContext, d: DayNumber): boolean {
  const b = ctx.book;
  const start = b.dueCount;
  for (let inst = ctx.schedule[b.dueCount]; inst !== undefined && inst.dueDate <= d; inst = ctx.schedule[b.dueCount]) {
    b.m.dueP += inst.principalMinor;
    b.m.dueI += inst.interestMinor;
    b.m.dueF += inst.feesMinor;
    if (inst.feesMinor > 0n) {
      b.m.feesReceivable += inst.feesMinor;
      const lines: PostingLine[] = [];
      pair(lines, 'fees-receivable', 'fee-income', inst.feesMinor);
      ctx.out.effects.push(effect(`fee-due:${inst.number}`, d, 'fee-due', lines));
    }
    ctx.out.events.push({ key: `installment-due:${inst.number}`, date: d, kind: 'InstallmentDue', installment: inst.number });
    b.dueCount += 1;
    b.m.accruedInPeriod = 0n;
  }
  if (b.dueCount === start) return false;
  markSettled(ctx, d);
  return true;
}

function repay(ctx: StepContext, d: DayNumber, e: CashEvent): void {
  const b = ctx.book;
  const lines: PostingLine[] = [];
  if (b.status === 'charged-off') {
    b.m.recovered += e.amountMinor;
    pair(lines, 'collection-clearing', 'recovery-income', e.amountMinor);
    ctx.out.effects.push(effect(`repayment:${e.id}`, d, 'recovery', lines));
    ctx.out.allocations.push(emptyAllocation(e.id, d, 'recovery', e.amountMinor, 0n, e.amountMinor));
    return;
  }
  line(lines, 'collection-clearing', 'debit', e.amountMinor);
  const allocation = b.status === 'active' ? allocate(ctx, d, e.amountMinor, e.id, 'repayment', lines) : undefined;
  const excess = allocation === undefined ? e.amountMinor : allocation.excessMinor;
  b.m.excess += excess;
  line(lines, 'excess-liability', 'credit', excess);
  ctx.out.effects.push(effect(`repayment:${e.id}`, d, 'repayment', lines));
  ctx.out.allocations.push(allocation ?? emptyAllocation(e.id, d, 'repayment', e.amountMinor, e.amountMinor, 0n));
}

/**
 * Principal paid ahead, the product's prepayment charge on top (round half-even of amount × rate, plus the
 * fixed part; fee income). The schedule the fold runs on is already the re-amortised one. On a loan no longer
 * active the money is excess (closed) or a recovery (charged off), like a repayment.
 */
function prepay(ctx: StepContext, d: DayNumber, e: CashEvent): void {
  const b = ctx.book;
  if (b.status !== 'active') {
    repay(ctx, d, e);
    return;
  }
  const principal = e.amountMinor < b.principalOutstanding() ? e.amountMinor : b.principalOutstanding();
  const c = ctx.rules.prepaymentCharge;
  const charge = c === undefined ? 0n : divRound(e.amountMinor * c.rate.n, c.rate.d, 'half-even') + c.fixedMinor;
  const excess = e.amountMinor - principal;
  const lines: PostingLine[] = [];
  line(lines, 'collection-clearing', 'debit', e.amountMinor + charge);
  line(lines, 'loan-portfolio', 'credit', principal);
  line(lines, 'fee-income', 'credit', charge);
  line(lines, 'excess-liability', 'credit', excess);
  b.m.principalPaid += principal;
  // The re-amortised schedule no longer carries the principal paid ahead, so it never falls due: count it as
  // due and paid at once, else the due principal (due − paid) would stay short by it (negative) for good.
  b.m.dueP += principal;
  b.m.excess += excess;
  ctx.out.effects.push(effect(`prepayment:${e.id}`, d, 'prepayment', lines));
  const byComponent = { penalties: 0n, fees: 0n, interest: 0n, principal };
  ctx.out.allocations.push({
    source: e.id, date: d, kind: 'prepayment', amountMinor: e.amountMinor + charge, installments: [], byComponent, excessMinor: excess, recoveryMinor: 0n, prepaymentChargeMinor: charge,
  });
}

/** Excess held from earlier payments pays what fell due today, with the product's strategy. */
function applyExcess(ctx: StepContext, d: DayNumber): void {
  const b = ctx.book;
  const lines: PostingLine[] = [];
  const available = b.m.excess;
  const allocation = allocate(ctx, d, available, `excess:${ctx.labels.of(d)}`, 'excess-applied', lines);
  const used = available - allocation.excessMinor;
  if (used === 0n) return;
  b.m.excess -= used;
  lines.unshift({ account: 'excess-liability', side: 'debit', amountMinor: used });
  ctx.out.effects.push(effect(`excess-applied:${ctx.labels.of(d)}`, d, 'excess-applied', lines));
  ctx.out.allocations.push({ ...allocation, amountMinor: used, excessMinor: 0n });
}

/**
 * Splits `amount` over the due installments with allocatePayment (overpayment kept as credit:
 * nothing not yet due is paid), books the parts and adds their credit lines. The remainder is
 * returned as `excessMinor` for the caller to book.
 */
function allocate(
  ctx: StepContext,
  d: DayNumber,
  amount: bigint,
  source: string,
  kind: 'repayment' | 'excess-applied',
  lines: PostingLine[],
): PaymentAllocation {
  const b = ctx.book;
  const result = allocatePayment({ paymentMinor: amount, paymentDate: d, installments: outstanding(ctx), strategy: ctx.rules.strategy, overpayment: 'credit' });
  const paid = result.byComponent;
  for (const a of result.installments) {
    const i = ctx.indexOf.get(a.number) as number;
    b.paidP[i] = (b.paidP[i] as bigint) + a.principal;
    b.paidI[i] = (b.paidI[i] as bigint) + a.interest;
    b.paidF[i] = (b.paidF[i] as bigint) + a.fees;
    b.penPaid[i] = (b.penPaid[i] as bigint) + a.penalties;
  }
  b.m.principalPaid += paid.principal;
  b.m.paidI += paid.interest;
  b.m.paidF += paid.fees;
  b.m.penPaid += paid.penalties;
  b.m.feesReceivable -= paid.fees;
  line(lines, 'loan-portfolio', 'credit', paid.principal);
  line(lines, 'fees-receivable', 'credit', paid.fees);
  if (b.accrual === 'accruing') {
    b.m.interestReceivable -= paid.interest;
    b.m.penaltiesReceivable -= paid.penalties;
    line(lines, 'interest-receivable', 'credit', paid.interest);
    line(lines, 'penalties-receivable', 'credit', paid.penalties);
  } else {
    // Cash basis: what is paid while non-accrual becomes income and leaves the memorandum.
    b.m.interestSuspended -= paid.interest;
    b.m.penaltiesSuspended -= paid.penalties;
    line(lines, 'interest-income', 'credit', paid.interest);
    line(lines, 'penalty-income', 'credit', paid.penalties);
    pair(lines, 'memo-interest-suspense', 'memo-interest-receivable', paid.interest);
    pair(lines, 'memo-penalties-suspense', 'memo-penalties-receivable', paid.penalties);
  }
  markSettled(ctx, d);
  return {
    source,
    date: d,
    kind,
    amountMinor: amount,
    installments: result.installments.map((a) => ({ installment: a.number, principal: a.principal, interest: a.interest, fees: a.fees, penalties: a.penalties })),
    byComponent: paid,
    excessMinor: result.creditBalance,
    recoveryMinor: 0n,
  };
}

/** What is owed on the due installments not yet fully paid (the oldest-unsettled pointer onwards). */
function outstanding(ctx: StepContext): OutstandingInstallment[] {
  const b = ctx.book;
  const list: OutstandingInstallment[] = [];
  for (let i = b.oldestUnsettled; i < b.dueCount; i += 1) {
    const s = ctx.schedule[i] as ScheduledInstallment;
    const principal = s.principalMinor - (b.paidP[i] as bigint);
    const interest = s.interestMinor - (b.paidI[i] as bigint);
    const fees = s.feesMinor - (b.paidF[i] as bigint);
    const penalties = (b.pen[i] as bigint) - (b.penPaid[i] as bigint);
    if (principal + interest + fees + penalties > 0n) list.push({ number: s.number, dueDate: s.dueDate, principal, interest, fees, penalties });
  }
  return list;
}

function emptyAllocation(
  source: string,
  d: DayNumber,
  kind: PaymentAllocation['kind'],
  amount: bigint,
  excess: bigint,
  recovery: bigint,
): PaymentAllocation {
  const byComponent = { penalties: 0n, fees: 0n, interest: 0n, principal: 0n };
  return { source, date: d, kind, amountMinor: amount, installments: [], byComponent, excessMinor: excess, recoveryMinor: recovery };
}
