// End of day: overdue, late fees, penal interest, DPD and classes, accrual status, charge-off, closure.
import type { DayNumber } from '../dates/local-date.js';
import { divRound } from '../math/rounding.js';
import { NO_DAY, type Book } from './book.js';
import { effect, pair } from './postings.js';
import type { AppliedEvent, Rules } from './rules.js';
import type { StepContext } from './step.js';
import type { PostingLine, RbiClass, ScheduledInstallment } from './types.js';

/**
 * `settle` (the day's foreclosures) runs after the day's penalties, before the classification; `writeOff`
 * (the day's write-off event) charges the loan off after it, whatever its dpd.
 */
export function endOfDay(ctx: StepContext, d: DayNumber, settle?: () => void, writeOff?: Extract<AppliedEvent, { kind: 'write-off' }>): void {
  const b = ctx.book;
  advanceOldestUnpaid(ctx);
  overdueCharges(ctx, d);
  if (settle !== undefined) {
    settle();
    advanceOldestUnpaid(ctx);
  }
  recordDelinquency(ctx, d);
  accrualStatus(ctx, d);
  // A foreclosure closed the loan (and announced it).
  if (b.status !== 'active') return;
  if (writeOff !== undefined || b.dpd >= ctx.rules.chargeOffDpd) chargeOff(ctx, d, writeOff);
  else if (b.dueCount === ctx.schedule.length && b.oldestUnsettled === b.dueCount && b.principalOutstanding() === 0n) {
    b.status = 'closed';
    b.closedOn = d;
    ctx.out.events.push({ key: `closed:${ctx.labels.of(d)}`, date: d, kind: 'LoanClosed' });
  }
}

function advanceOldestUnpaid(ctx: StepContext): void {
  const b = ctx.book;
  while (b.oldestUnpaid < b.dueCount && unpaidScheduled(ctx, b.oldestUnpaid) === 0n) b.oldestUnpaid += 1;
}

function unpaidScheduled(ctx: StepContext, i: number): bigint {
  const b = ctx.book;
  const s = ctx.schedule[i] as ScheduledInstallment;
  return s.principalMinor - (b.paidP[i] as bigint) + s.interestMinor - (b.paidI[i] as bigint) + s.feesMinor - (b.paidF[i] as bigint);
}

/** Marks due installments that are now fully paid (penalties included) and moves the pointer. */
export function markSettled(ctx: StepContext, d: DayNumber): void {
  const b = ctx.book;
  for (let i = b.oldestUnsettled; i < b.dueCount; i += 1) {
    if ((b.paidOn[i] as number) !== NO_DAY) continue;
    if (unpaidScheduled(ctx, i) !== 0n || b.pen[i] !== b.penPaid[i]) continue;
    b.paidOn[i] = d;
    const n = (ctx.schedule[i] as ScheduledInstallment).number;
    ctx.out.events.push({ key: `installment-paid:${n}:${ctx.labels.of(d)}`, date: d, kind: 'InstallmentPaid', installment: n });
  }
  while (b.oldestUnsettled < b.dueCount && (b.paidOn[b.oldestUnsettled] as number) !== NO_DAY) b.oldestUnsettled += 1;
}

/**
 * Past-due installments with principal, interest or fees unpaid: overdue from the day after the
 * due date; once days overdue exceed graceDays, the late fee (on the first such day) and penal
 * interest on unpaid principal (every such day; cumulative exact amount rounded half-up).
 */
function overdueCharges(ctx: StepContext, d: DayNumber): void {
  const b = ctx.book;
  const { graceDays, penalRate } = ctx.rules;
  let penal = 0n;
  for (let i = b.oldestUnpaid; i < b.dueCount; i += 1) {
    const s = ctx.schedule[i] as ScheduledInstallment;
    if (s.dueDate >= d) break;
    const unpaid = unpaidScheduled(ctx, i);
    if (unpaid === 0n) continue;
    if ((b.overdueOn[i] as number) === NO_DAY) {
      b.overdueOn[i] = d;
      ctx.out.events.push({ key: `installment-overdue:${s.number}`, date: d, kind: 'InstallmentOverdue', installment: s.number });
    }
    const daysOverdue = d - s.dueDate;
    if (daysOverdue <= graceDays) continue;
    if (daysOverdue === graceDays + 1) chargeLateFee(ctx, d, i, unpaid);
    const unpaidPrincipal = s.principalMinor - (b.paidP[i] as bigint);
    if (penalRate !== undefined && unpaidPrincipal > 0n) {
      b.penalCum[i] = (b.penalCum[i] as bigint) + unpaidPrincipal * penalRate.n;
      const cumulative = divRound(b.penalCum[i] as bigint, penalRate.d * 365n, 'half-up');
      const amount = cumulative - ((b.pen[i] as bigint) - (b.lateFee[i] as bigint));
      b.pen[i] = (b.pen[i] as bigint) + amount;
      penal += amount;
    }
  }
  if (penal === 0n) return;
  b.m.penCharged += penal;
  const accruing = b.accrual === 'accruing';
  if (accruing) b.m.penaltiesReceivable += penal;
  else b.m.penaltiesSuspended += penal;
  const lines = accruing
    ? ctx.pairs.lines('penalties-receivable', 'penalty-income', penal)
    : ctx.pairs.lines('memo-penalties-receivable', 'memo-penalties-suspense', penal);
  ctx.out.effects.push(effect(`penal:${ctx.labels.of(d)}`, d, 'penal-interest', lines));
}

function chargeLateFee(ctx: StepContext, d: DayNumber, i: number, unpaid: bigint): void {
  const { lateFee, lateFeeRate } = ctx.rules;
  if (lateFee === undefined) return;
  let fee = lateFee.kind === 'flat' ? lateFee.amountMinor : divRound(unpaid * (lateFeeRate?.n ?? 0n), lateFeeRate?.d ?? 1n, 'half-up');
  if (lateFee.kind === 'percent' && lateFee.capMinor !== undefined && fee > lateFee.capMinor) fee = lateFee.capMinor;
  if (fee === 0n) return;
  const b = ctx.book;
  b.lateFee[i] = fee;
  b.pen[i] = (b.pen[i] as bigint) + fee;
  const lines: PostingLine[] = [];
  chargePenalty(b, lines, fee);
  ctx.out.effects.push(effect(`late-fee:${(ctx.schedule[i] as ScheduledInstallment).number}`, d, 'late-fee', lines));
}

/** Penalties go to income while accruing, to the memorandum accounts while non-accrual. */
function chargePenalty(b: Book, lines: PostingLine[], amount: bigint): void {
  b.m.penCharged += amount;
  if (b.accrual === 'accruing') {
    b.m.penaltiesReceivable += amount;
    pair(lines, 'penalties-receivable', 'penalty-income', amount);
  } else {
    b.m.penaltiesSuspended += amount;
    pair(lines, 'memo-penalties-receivable', 'memo-penalties-suspense', amount);
  }
}

export function bucketIndex(rules: Rules, dpd: number): number {
  if (dpd <= rules.graceDays) return 0;
  let k = 0;
  while (k < rules.bucketBounds.length && (rules.bucketBounds[k] as number) <= dpd) k += 1;
  return k;
}

export function rbiClassOf(dpd: number): RbiClass {
  return dpd === 0 ? 'standard' : dpd <= 30 ? 'SMA-0' : dpd <= 60 ? 'SMA-1' : dpd <= 90 ? 'SMA-2' : 'NPA';
}

/** DPD, bucket and RBI class at end of day d; a change point when any of anchor, bucket, class moves. */
export function recordDelinquency(ctx: StepContext, d: DayNumber, force = false): void {
  const b = ctx.book;
  const s = ctx.schedule[b.oldestUnpaid];
  const anchor = b.oldestUnpaid < b.dueCount && s !== undefined && s.dueDate < d ? s.dueDate : null;
  const dpd = anchor === null ? 0 : d - anchor;
  const bucket = bucketIndex(ctx.rules, dpd);
  // An NPA is upgraded only when all arrears are paid (RBI IRAC circular, para 10): sticky until dpd 0.
  const rbi = b.rbi === 'NPA' && dpd > 0 ? 'NPA' : rbiClassOf(dpd);
  const classChanged = bucket !== b.bucket || rbi !== b.rbi;
  const changed = force || classChanged || anchor !== b.anchor;
  if (rbi === 'NPA' && b.rbi !== 'NPA') b.npaSince = d;
  if (rbi !== 'NPA') b.npaSince = null;
  b.dpd = dpd;
  b.anchor = anchor;
  b.bucket = bucket;
  b.rbi = rbi;
  if (!changed) return;
  const usBucket = ctx.rules.bucketLabels[bucket] as string;
  ctx.out.history.push({ date: d, dpd, oldestUnpaidDueDate: anchor, usBucket, rbiClass: rbi, npaSince: b.npaSince });
  if (classChanged) ctx.out.events.push({ key: `delinquency:${ctx.labels.of(d)}`, date: d, kind: 'DelinquencyChanged', dpd, usBucket, rbiClass: rbi });
}

/**
 * Non-accrual at dpd ≥ nonAccrualDpd: unpaid interest and penalties leave income for the
 * memorandum accounts. Back to accruing at dpd 0: what is still in the memorandum returns.
 */
function accrualStatus(ctx: StepContext, d: DayNumber): void {
  const b = ctx.book;
  const m = b.m;
  const lines: PostingLine[] = [];
  if (b.accrual === 'accruing' && b.dpd >= ctx.rules.nonAccrualDpd) {
    const [interest, penalties] = [m.interestReceivable, m.penaltiesReceivable];
    pair(lines, 'interest-income', 'interest-receivable', interest);
    pair(lines, 'memo-interest-receivable', 'memo-interest-suspense', interest);
    pair(lines, 'penalty-income', 'penalties-receivable', penalties);
    pair(lines, 'memo-penalties-receivable', 'memo-penalties-suspense', penalties);
    [m.interestReceivable, m.interestSuspended, m.penaltiesReceivable, m.penaltiesSuspended] = [0n, m.interestSuspended + interest, 0n, m.penaltiesSuspended + penalties];
    b.accrual = 'non-accrual';
  } else if (b.accrual === 'non-accrual' && b.dpd === 0) {
    const [interest, penalties] = [m.interestSuspended, m.penaltiesSuspended];
    pair(lines, 'interest-receivable', 'interest-income', interest);
    pair(lines, 'memo-interest-suspense', 'memo-interest-receivable', interest);
    pair(lines, 'penalties-receivable', 'penalty-income', penalties);
    pair(lines, 'memo-penalties-suspense', 'memo-penalties-receivable', penalties);
    [m.interestReceivable, m.interestSuspended, m.penaltiesReceivable, m.penaltiesSuspended] = [m.interestReceivable + interest, 0n, m.penaltiesReceivable + penalties, 0n];
    b.accrual = 'accruing';
  } else {
    return;
  }
  const label = ctx.labels.of(d);
  const kind = b.accrual === 'accruing' ? 'accrual-resumed' : 'non-accrual';
  if (lines.length > 0) ctx.out.effects.push(effect(`${kind}:${label}`, d, kind, lines));
  ctx.out.events.push({ key: `accrual-status:${label}`, date: d, kind: 'AccrualStatusChanged', accrualStatus: b.accrual });
}

/**
 * Principal written off; receivable interest, fees and penalties reversed; memorandum cleared. By a write-off
 * event: its own effect and event keys (write-off:<id>, written-off:<id>), and with `accelerate` the
 * installments not yet due fall due on d.
 */
function chargeOff(ctx: StepContext, d: DayNumber, writeOff?: Extract<AppliedEvent, { kind: 'write-off' }>): void {
  const b = ctx.book;
  const m = b.m;
  const lines: PostingLine[] = [];
  const acceleratedPrincipalMinor = writeOff?.accelerate === true ? accelerate(ctx) : 0n;
  const principal = b.principalOutstanding();
  pair(lines, 'write-off-expense', 'loan-portfolio', principal);
  pair(lines, 'interest-income', 'interest-receivable', m.interestReceivable);
  pair(lines, 'fee-income', 'fees-receivable', m.feesReceivable);
  pair(lines, 'penalty-income', 'penalties-receivable', m.penaltiesReceivable);
  pair(lines, 'memo-interest-suspense', 'memo-interest-receivable', m.interestSuspended);
  pair(lines, 'memo-penalties-suspense', 'memo-penalties-receivable', m.penaltiesSuspended);
  m.principalWrittenOff += principal;
  m.interestReceivable = m.feesReceivable = m.penaltiesReceivable = m.interestSuspended = m.penaltiesSuspended = 0n;
  b.status = 'charged-off';
  b.chargedOffOn = d;
  const label = ctx.labels.of(d);
  if (writeOff === undefined) {
    if (lines.length > 0) ctx.out.effects.push(effect(`charge-off:${label}`, d, 'charge-off', lines));
    ctx.out.events.push({ key: `charged-off:${label}`, date: d, kind: 'LoanChargedOff' });
    return;
  }
  const accelerated = writeOff.accelerate;
  b.writeOff = { id: writeOff.id, date: d, accelerated, acceleratedPrincipalMinor };
  if (lines.length > 0) ctx.out.effects.push(effect(`write-off:${writeOff.id}`, d, 'charge-off', lines));
  ctx.out.events.push({ key: `written-off:${writeOff.id}`, date: d, kind: 'LoanChargedOff', writeOffId: writeOff.id, accelerated, acceleratedPrincipalMinor });
}

/**
 * Maturity accelerated: every installment not yet due falls due now (its scheduled principal, which the
 * charge-off writes off with the rest; the interest of periods not yet begun is never accrued). Returns that principal.
 */
function accelerate(ctx: StepContext): bigint {
  const b = ctx.book;
  let principal = 0n;
  for (let i = b.dueCount; i < ctx.schedule.length; i += 1) principal += (ctx.schedule[i] as ScheduledInstallment).principalMinor - (b.paidP[i] as bigint);
  b.dueCount = ctx.schedule.length;
  return principal;
}
