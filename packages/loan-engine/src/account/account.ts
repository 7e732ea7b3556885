// replayAccount and advanceAccount: both are the day step folded over days, so they cannot disagree.
import type { DayNumber } from '../dates/local-date.js';
import { ok, type Result } from '../servicing/result.js';
import { Book, NO_DAY } from './book.js';
import { Checkpoint, eventKey, foldedSame, isCheckpointDay, termsKey } from './checkpoint.js';
import { DayLabels, PairCache } from './postings.js';
import { applicableEvents, normaliseProduct, validateSchedule, type AppliedEvent } from './rules.js';
import { stepDay, type Output, type StepContext } from './step.js';
import type {
  AccountBalances,
  AccountCheckpoint,
  AccountError,
  AccountInput,
  AccountResult,
  AccountSnapshot,
  AccountState,
  AdvanceInput,
  InstallmentState,
  ReplayOptions,
  ScheduledInstallment,
} from './types.js';

/**
 * The loan from its first disbursement through the end of `businessDate`, from its events alone.
 * Equal to advanceAccount(null, input, businessDate). Failures: invalid-schedule, invalid-product,
 * invalid-event, duplicate-event-id, unknown-reversal-target, reversal-of-reversal,
 * reversal-of-disbursement, repayment-already-reversed, event-before-disbursement,
 * disbursement-after-first-due-date.
 */
export function replayAccount(input: AccountInput, options: ReplayOptions = {}): Result<AccountResult, AccountError> {
  if (options.checkpointEveryMonths === undefined) return advanceAccount(null, input, input.businessDate);
  return resumeFrom(null, input, options.checkpointEveryMonths);
}

/**
 * replayAccount resumed from `checkpoint` (taken by an earlier replay with checkpointEveryMonths):
 * the same state and snapshot as replayAccount(input), and of its effects, events, allocations and
 * delinquency history exactly those dated after checkpoint.asOf. `input.events` holds all the loan's
 * events (checked as replayAccount checks them, with the same failures); the effective ones dated on
 * or before the checkpoint must be the ones it folded, and the schedule and product the same, else
 * checkpoint-mismatch (replay instead). Checkpoints of the days it folds come with checkpointEveryMonths.
 */
export function resumeAccount(checkpoint: AccountCheckpoint, input: AccountInput, options: ReplayOptions = {}): Result<AccountResult, AccountError> {
  if (!(checkpoint instanceof Checkpoint)) return fail('checkpoint-mismatch', 'not a checkpoint of this engine');
  return resumeFrom(checkpoint, input, options.checkpointEveryMonths);
}

function resumeFrom(checkpoint: Checkpoint | null, input: AccountInput, every: number | undefined): Result<AccountResult, AccountError> {
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) return fail('invalid-product', 'checkpointEveryMonths must be a positive integer');
  const valid = validateSchedule(input.schedule);
  if (!valid.ok) return valid;
  const rules = normaliseProduct(input.product);
  if (!rules.ok) return rules;
  const schedule = input.schedule;
  const events = applicableEvents(input.events, { horizon: input.businessDate, after: null, firstDisbursementDate: null, firstDueDate: (schedule[0] as ScheduledInstallment).dueDate });
  if (!events.ok) return events;
  const applied = events.value;
  const keys = applied.map(eventKey);
  const terms = termsKey(input);
  if (checkpoint !== null) {
    if (checkpoint.terms !== terms || checkpoint.book.size !== schedule.length) return fail('checkpoint-mismatch', 'the checkpoint was taken for another schedule or product');
    if (checkpoint.asOf > input.businessDate) return fail('checkpoint-mismatch', 'the checkpoint is after the business date');
    if (!foldedSame(checkpoint, applied, keys)) return fail('checkpoint-mismatch', 'the events up to the checkpoint changed');
  }
  const book = checkpoint === null ? new Book(schedule.length) : checkpoint.book.clone();
  const indexOf = new Map(schedule.map((s, i) => [s.number, i]));
  const out: Output = { effects: [], events: [], allocations: [], history: [] };
  const ctx: StepContext = { book, schedule, rules: rules.value, indexOf, labels: new DayLabels(), pairs: new PairCache(), out };
  const checkpoints: Checkpoint[] = [];
  const keep = every === undefined
    ? undefined
    : (d: DayNumber, folded: number) => {
        if (!isCheckpointDay(d, every)) return;
        const delinquency = { dpd: book.dpd, usBucket: rules.value.bucketLabels[book.bucket] as string, rbiClass: book.rbi, oldestUnpaidDueDate: book.anchor, npaSince: book.npaSince };
        checkpoints.push(new Checkpoint(d, delinquency, book.clone(), terms, keys, folded));
      };
  fold(ctx, applied, input.businessDate, checkpoint?.folded ?? 0, keep);
  return ok({
    state: stateOf(book, schedule, rules.value.bucketLabels),
    snapshot: book.toSnapshot(),
    effects: out.effects,
    events: out.events,
    allocations: out.allocations,
    delinquencyHistory: out.history,
    ...(every === undefined ? {} : { checkpoints }),
  });
}

/**
 * Continues from `snapshot` (null: a new loan) through the end of `toDate`. `input.events` holds
 * only the events dated after the snapshot's asOf; the result lists only what those days produced.
 * Besides replayAccount's failures: replay-required (an event dated on or before the snapshot, a
 * reversal of an event not given, or toDate before the snapshot) and snapshot-mismatch.
 */
export function advanceAccount(snapshot: AccountSnapshot | null, input: AdvanceInput, toDate: DayNumber): Result<AccountResult, AccountError> {
  const valid = validateSchedule(input.schedule);
  if (!valid.ok) return valid;
  const rules = normaliseProduct(input.product);
  if (!rules.ok) return rules;
  const schedule = input.schedule;
  const book = snapshot === null ? new Book(schedule.length) : Book.fromSnapshot(snapshot, schedule.length);
  if (book === undefined) return fail('snapshot-mismatch', 'the snapshot was not taken for this schedule');
  if (book.asOf !== null && toDate < book.asOf) return fail('replay-required', 'toDate is before the snapshot: replay the loan');
  const events = applicableEvents(input.events, {
    horizon: toDate,
    after: book.asOf,
    firstDisbursementDate: book.firstDisbursementDate,
    firstDueDate: (schedule[0] as ScheduledInstallment).dueDate,
  });
  if (!events.ok) return events;
  const indexOf = new Map(schedule.map((s, i) => [s.number, i]));
  const out: Output = { effects: [], events: [], allocations: [], history: [] };
  const ctx: StepContext = { book, schedule, rules: rules.value, indexOf, labels: new DayLabels(), pairs: new PairCache(), out };
  fold(ctx, events.value, toDate);
  return ok({
    state: stateOf(book, schedule, rules.value.bucketLabels),
    snapshot: book.toSnapshot(),
    effects: out.effects,
    events: out.events,
    allocations: out.allocations,
    delinquencyHistory: out.history,
  });
}

const fail = (code: AccountError['code'], message: string): Result<never, AccountError> => ({ ok: false, error: { code, message } });

/**
 * Every day from the snapshot (or the first event) to toDate; days on which nothing can happen are
 * skipped. `events` from index `first` on are those dated after the book's asOf. `keep` is told the
 * end of each day folded, with how many events are folded by then.
 */
function fold(ctx: StepContext, events: readonly AppliedEvent[], toDate: DayNumber, first = 0, keep?: (d: DayNumber, folded: number) => void): void {
  const b = ctx.book;
  let k = first;
  const nextEventDay = (): DayNumber => events[k]?.valueDate ?? toDate + 1;
  let d = b.asOf === null ? nextEventDay() : b.asOf + 1;
  while (d <= toDate) {
    let end = k;
    while (end < events.length && (events[end] as AppliedEvent).valueDate === d) end += 1;
    stepDay(ctx, d, events, k, end);
    k = end;
    keep?.(d, k);
    // Only an event can change a pending, closed or charged-off loan: jump to the next one.
    d = b.status === 'active' ? d + 1 : Math.max(d + 1, nextEventDay());
  }
  if (b.asOf === null || b.asOf < toDate) b.asOf = toDate;
}

function stateOf(b: Book, schedule: readonly ScheduledInstallment[], bucketLabels: readonly string[]): AccountState {
  return {
    asOf: b.asOf,
    status: b.status,
    accrualStatus: b.accrual,
    firstDisbursementDate: b.firstDisbursementDate,
    closedOn: b.closedOn,
    chargedOffOn: b.chargedOffOn,
    balances: balancesOf(b),
    installments: schedule.map((s, i) => installmentOf(b, s, i)),
    delinquency: { dpd: b.dpd, usBucket: bucketLabels[b.bucket] as string, rbiClass: b.rbi, oldestUnpaidDueDate: b.anchor, npaSince: b.npaSince },
    ...(b.foreclosure === null ? {} : { foreclosure: b.foreclosure }),
    ...(b.writeOff === null ? {} : { writeOff: b.writeOff }),
  };
}

function balancesOf(b: Book): AccountBalances {
  const m = b.m;
  const off = b.status === 'charged-off';
  const principalDue = off ? 0n : m.dueP - m.principalPaid;
  const interestDue = off ? 0n : m.dueI - m.paidI;
  const feesDue = off ? 0n : m.dueF - m.paidF;
  const penaltiesDue = off ? 0n : m.penCharged - m.penPaid;
  return {
    principalOutstanding: b.principalOutstanding(),
    principalDue,
    interestAccrued: m.interestReceivable,
    interestDue,
    feesDue,
    penaltiesDue,
    excess: m.excess,
    totalDueNow: principalDue + interestDue + feesDue + penaltiesDue,
    interestSuspended: m.interestSuspended,
    penaltiesSuspended: m.penaltiesSuspended,
    disbursed: m.disbursed,
    principalWrittenOff: m.principalWrittenOff,
    recovered: m.recovered,
  };
}

function installmentOf(b: Book, s: ScheduledInstallment, i: number): InstallmentState {
  const paid = { principal: b.paidP[i] as bigint, interest: b.paidI[i] as bigint, fees: b.paidF[i] as bigint, penalties: b.penPaid[i] as bigint };
  const unpaid = s.principalMinor + s.interestMinor + s.feesMinor - paid.principal - paid.interest - paid.fees;
  const paidOn = b.paidOn[i] as number;
  const overdueOn = b.overdueOn[i] as number;
  const status =
    paidOn !== NO_DAY ? 'paid' : i >= b.dueCount ? 'not-due' : unpaid > 0n && b.asOf !== null && s.dueDate < b.asOf ? 'overdue' : 'due';
  return {
    number: s.number,
    dueDate: s.dueDate,
    status,
    charged: { principal: s.principalMinor, interest: s.interestMinor, fees: s.feesMinor, penalties: b.pen[i] as bigint },
    paid,
    lateFeeMinor: b.lateFee[i] as bigint,
    overdueSince: overdueOn === NO_DAY ? null : overdueOn,
    paidOn: paidOn === NO_DAY ? null : paidOn,
  };
}
