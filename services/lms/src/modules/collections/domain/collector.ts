import type { Money } from '@lendstack/contracts';
import { addDays, earlyWarnings, nextPlanDate, type CollectionSchedule, type ContactChannel, type EarlyWarning, type PlanInput, type PlannedInstallment } from './collection-plan.js';
import type { EarlyWarningScore, LifecycleSignal } from './lifecycle-signal.js';

/**
 * What the collector of one loan remembers between business dates: the actions carried out (plan keys), the
 * collector's own instructions (a promise to pay, a hardship hold, a dispute) and the flags raised. Plain data,
 * carried over continue-as-new and shown by the workflow's query. Pure and deterministic (no clock, no I/O).
 */
export interface CollectorState {
  /** Plan keys carried out or settled (see collection-plan.ts), bounded by pruneDone. */
  done: string[];
  promise: { madeOn: string; payBy: string; amount: Money; actionId: string } | null;
  hold: { until: string; reason: string; actionId: string } | null;
  dispute: { openedOn: string; reason: string; actionId: string } | null;
  /** Occurrence keys of early-warning flags already raised (`flag:<flag>:<occurrence>`), newest last. */
  flags: string[];
  /** Collector action ids already applied (a redelivered signal is applied once), newest last. */
  appliedActionIds: string[];
  /** The business date of the last pass and what it did, for the query. */
  lastPass: { businessDate: string; actions: number; nextPlanDate: string | null } | null;
  /**
   * Contacts blocked by a rule that lifts at a known time (contact hours, a daily cap), to try again then under
   * a new slot. Absent in state carried from runs before retries existed.
   */
  retries?: ContactRetry[];
  /**
   * NPA early warnings heard (LoanEarlyWarningRaised) and not yet acted on by a pass, oldest first, at most
   * MAX_PENDING_WARNINGS. Absent in state carried from runs before the collector acted on them.
   */
  warnings?: PendingWarning[];
}

/** An NPA early warning of the loan, as the lifecycle signal carried it. */
export interface PendingWarning extends EarlyWarningScore {
  readonly eventId: string;
  /** The business date the LMS scored the loan on: the occurrence (one warning per loan and date). */
  readonly businessDate: string;
}

export const MAX_PENDING_WARNINGS = 5;

export interface ContactRetry {
  /** The plan key of the contact (its first slot); the retry's slot is `<key>:retry-<attempt>`. */
  readonly key: string;
  readonly attempt: number;
  /** When the blocking rule allows it (ISO instant, the conduct policy's nextAllowedAt). */
  readonly at: string;
  readonly tenantId: string;
  readonly installmentNumber: number;
  readonly purpose: string;
  readonly channel: ContactChannel;
  readonly templateKey: string;
  /** A pre-due reminder not sent by its instalment's due date is dropped (the follow-ups take over). */
  readonly dropOn: string | null;
}

/** Retries of a contact before it is left as blocked. */
export const MAX_CONTACT_RETRIES = 3;

/**
 * The retry a blocked contact gets: only when the rule that blocked it lifts at a stated time (not an opt-out),
 * and at most MAX_CONTACT_RETRIES times.
 */
export function retryOfBlocked(
  contact: { readonly key: string; readonly attempt: number; readonly tenantId: string; readonly installmentNumber: number; readonly purpose: string; readonly channel: ContactRetry['channel']; readonly templateKey: string; readonly dropOn: string | null },
  result: { readonly outcome: string; readonly nextAllowedAt: string | null } | undefined,
): ContactRetry | null {
  if (!result || result.outcome !== 'blocked' || !result.nextAllowedAt || contact.attempt >= MAX_CONTACT_RETRIES) return null;
  return { ...contact, attempt: contact.attempt + 1, at: result.nextAllowedAt };
}

/**
 * Retries that still make sense on `businessDate`: the instalment still unpaid, the loan open and not on hold,
 * in dispute or under a standing promise (then the plan's own steps decide), a pre-due reminder before its due date.
 */
export function liveRetries(state: CollectorState, facts: Pick<CollectionFacts, 'status' | 'installments'>, businessDate: string): ContactRetry[] {
  const unpaid = new Set(facts.installments.filter((i) => !i.paid).map((i) => i.number));
  const paused = facts.status !== 'open' || state.dispute !== null || (state.hold !== null && businessDate <= state.hold.until)
    || (state.promise !== null && businessDate <= state.promise.payBy);
  if (paused) return [];
  return (state.retries ?? []).filter((r) => unpaid.has(r.installmentNumber) && (r.dropOn === null || businessDate < r.dropOn));
}

/** What a collector (or the LMS on their behalf) tells a loan's workflow; `actionId` makes it idempotent. */
export type CollectorSignal =
  | { readonly kind: 'promise-to-pay'; readonly actionId: string; readonly madeOn: string; readonly payBy: string; readonly amount: Money }
  | { readonly kind: 'hardship-hold'; readonly actionId: string; readonly until: string; readonly reason: string }
  | { readonly kind: 'hold-lifted'; readonly actionId: string }
  | { readonly kind: 'dispute-opened'; readonly actionId: string; readonly openedOn: string; readonly reason: string }
  | { readonly kind: 'dispute-resolved'; readonly actionId: string }
  /** A call outcome or a field visit: recorded by the LMS; the workflow only takes note that a human acted. */
  | { readonly kind: 'contact-recorded'; readonly actionId: string; readonly outcome: string };

export const MAX_DONE_KEYS = 2_000;
const MAX_REMEMBERED = 200;

export function initialCollectorState(): CollectorState {
  return { done: [], promise: null, hold: null, dispute: null, flags: [], appliedActionIds: [], lastPass: null, retries: [] };
}

const remember = (list: string[], value: string, max = MAX_REMEMBERED) => {
  list.push(value);
  if (list.length > max) list.splice(0, list.length - max);
};

/** Applies a collector signal once (by action id). Returns whether it changed anything. Mutates `state` only. */
export function applyCollectorSignal(state: CollectorState, signal: CollectorSignal): boolean {
  if (state.appliedActionIds.includes(signal.actionId)) return false;
  remember(state.appliedActionIds, signal.actionId);
  switch (signal.kind) {
    case 'promise-to-pay':
      state.promise = { madeOn: signal.madeOn, payBy: signal.payBy, amount: signal.amount, actionId: signal.actionId };
      return true;
    case 'hardship-hold':
      state.hold = { until: signal.until, reason: signal.reason, actionId: signal.actionId };
      return true;
    case 'hold-lifted':
      state.hold = null;
      return true;
    case 'dispute-opened':
      state.dispute = { openedOn: signal.openedOn, reason: signal.reason, actionId: signal.actionId };
      return true;
    case 'dispute-resolved':
      state.dispute = null;
      return true;
    case 'contact-recorded':
      return true;
  }
}

/** What the LMS says of the loan on a pass (collector.activities.ts reads it), as plain JSON. */
export interface CollectionFacts {
  readonly found: boolean;
  readonly tenantId: string;
  readonly businessDate: string;
  readonly status: 'open' | 'closed' | 'charged-off';
  readonly dpd: number;
  readonly schedule: CollectionSchedule;
  /** Unpaid installments due up to 30 days after the business date, and the next unpaid one after them. */
  readonly installments: readonly PlannedInstallment[];
  /** Repayments (not reversed) valued on or after the promise's date; null without a promise. */
  readonly paidSincePromise: Money | null;
  /** Outcomes of the loan's latest presentments, oldest first (at most 10). */
  readonly presentmentOutcomes: readonly { readonly presentmentId: string; readonly outcome: 'paid' | 'returned'; readonly code: string | null }[];
  /** DPD at the last month ends (at most 3), oldest first, with the month (YYYY-MM). */
  readonly monthEndDpd: readonly { readonly month: string; readonly dpd: number }[];
  /** Days ahead of the due date the loan's debit rail needs its debit scheduled (0 or absent: on the due date). */
  readonly debitLeadDays?: number;
}

/** The plan's input from the facts and the collector's memory. */
export function planInputOf(facts: CollectionFacts, state: CollectorState, presentLeadDays = 0): PlanInput {
  return {
    presentLeadDays,
    status: facts.status,
    disputed: state.dispute !== null,
    hold: state.hold ? { until: state.hold.until } : null,
    promise: state.promise && facts.paidSincePromise
      ? { madeOn: state.promise.madeOn, payBy: state.promise.payBy, amount: state.promise.amount, paidSince: facts.paidSincePromise }
      : null,
    dpd: facts.dpd,
    installments: facts.installments,
    done: new Set(state.done),
  };
}

export interface RaisedFlag {
  readonly flag: EarlyWarning | 'npa-risk';
  /** `flag:<flag>:<occurrence>`: what makes this occurrence the same one on a retry or a later pass. */
  readonly eventKey: string;
  readonly detail: string;
  /** npa-risk: the score the flag acts on. */
  readonly score?: { readonly probability: string; readonly model: string; readonly topFactors: EarlyWarningScore['topFactors'] };
}

/**
 * The early-warning flags this pass should raise: each pattern once per occurrence. A bounce pair is named by
 * its second presentment, a broken promise by the date it was made, DPD rising by the last month end.
 */
export function flagsToRaise(facts: CollectionFacts, state: CollectorState): RaisedFlag[] {
  const outcomes = facts.presentmentOutcomes;
  const broken = state.done.some((k) => state.promise !== null && k === `promise-broken:${state.promise.madeOn}`);
  const warnings = earlyWarnings({ presentmentOutcomes: outcomes.map((o) => o.outcome), promiseBroken: broken, monthEndDpd: facts.monthEndDpd.map((m) => m.dpd) });
  const raised: RaisedFlag[] = [];
  for (const flag of warnings) {
    if (flag === 'bounced-twice') {
      // One flag per run of returns: a third bounce in a row is the same occurrence, named by the run's first.
      let first = outcomes.length - 1;
      while (first > 0 && outcomes[first - 1]!.outcome === 'returned') first -= 1;
      const run = outcomes.slice(first);
      raised.push({ flag, eventKey: `flag:bounced-twice:${run[0]!.presentmentId}`, detail: `presentments ${run.map((o) => `${o.presentmentId} (${o.code ?? 'returned'})`).join(', ')} were returned unpaid, one after another` });
    } else if (flag === 'promise-broken') {
      const p = state.promise!;
      raised.push({ flag, eventKey: `flag:promise-broken:${p.madeOn}`, detail: `promised ${p.amount.amount} ${p.amount.currency} (minor units) by ${p.payBy} on ${p.madeOn}; ${facts.paidSincePromise?.amount ?? '0'} paid since` });
    } else {
      const months = facts.monthEndDpd.slice(-3);
      raised.push({ flag, eventKey: `flag:dpd-rising:${months.at(-1)!.month}`, detail: `DPD at month ends ${months.map((m) => `${m.month}: ${m.dpd}`).join(', ')}` });
    }
  }
  return raised.filter((r) => !state.flags.includes(r.eventKey));
}

/**
 * Drops plan keys that can no longer matter, so the carried state stays bounded on a 30-year loan: keys of
 * installments no longer unpaid (the activities are idempotent by slot and presentment id, so a reversal that
 * reopens one finds its earlier contacts and debit recorded), and escalations once the loan is current again
 * (a new delinquency escalates afresh). Promise keys stay.
 */
export function pruneDone(state: CollectorState, facts: CollectionFacts): void {
  const unpaid = new Set(facts.installments.map((i) => i.number));
  state.done = state.done.filter((key) => {
    const [kind, n] = key.split(':');
    if (kind === 'contact' || kind === 'present') return unpaid.has(Number(n));
    if (kind === 'escalate') return facts.dpd > 0;
    return true;
  });
  if (state.done.length > MAX_DONE_KEYS) state.done.splice(0, state.done.length - MAX_DONE_KEYS);
}

export function markDone(state: CollectorState, keys: readonly string[]): void {
  for (const key of keys) if (!state.done.includes(key)) state.done.push(key);
}

/**
 * The business date the collector next needs to look at the loan: the plan's next date, the day DPD reaches the
 * next escalation threshold (DPD grows by one a day while nothing is paid; a payment arrives as a signal anyway),
 * and, while the loan is behind, the first of next month (the month-end DPD the dpd-rising flag reads).
 */
export function nextWakeDate(schedule: CollectionSchedule, input: PlanInput, today: string): string | null {
  const candidates = [nextPlanDate(schedule, input, today)];
  if (input.status === 'open' && !input.disputed && input.dpd > 0) {
    const next = schedule.escalation.find((e) => e.minDpd > input.dpd);
    if (next) candidates.push(addDays(today, next.minDpd - input.dpd));
    const [y, m] = today.split('-').map(Number) as [number, number];
    candidates.push(new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10));
  }
  return candidates.filter((d): d is string => d !== null && d > today).sort()[0] ?? null;
}

/** The occurrence key of the npa-risk flag of the warning of `businessDate`. */
export const npaRiskKey = (businessDate: string) => `flag:npa-risk:${businessDate}`;

/**
 * Keeps an early warning for the next pass unless it was acted on already (its flag raised) or is waiting.
 * Returns whether it was kept. Mutates `state` only.
 */
export function noteEarlyWarning(state: CollectorState, signal: Extract<LifecycleSignal, { type: 'LoanEarlyWarningRaised' }>): boolean {
  const pending = state.warnings ?? [];
  if (state.flags.includes(npaRiskKey(signal.businessDate)) || pending.some((w) => w.businessDate === signal.businessDate)) return false;
  const { eventId, businessDate, probability, threshold, model, dpd, topFactors } = signal;
  state.warnings = [...pending, { eventId, businessDate, probability, threshold, model, dpd, topFactors }].slice(-MAX_PENDING_WARNINGS);
  return true;
}

/** The soft contact of an early warning: the schedule's first pre-due step, under the warning's own slot. */
export interface WarningContact {
  readonly purpose: 'pre-delinquency-reminder';
  readonly slot: string;
  readonly channel: ContactChannel;
  readonly templateKey: string;
}

export interface WarningStep {
  readonly warning: PendingWarning;
  /** The reminder to send, or null with the reason the plan's rules give for not sending one. */
  readonly contact: WarningContact | null;
  readonly noContactReason: string | null;
  readonly flag: RaisedFlag;
}

/**
 * What the collector does, on a pass of `today`, about each early warning heard: a soft pre-delinquency
 * reminder through the product's contact schedule (its first pre-due step's channel and template; the
 * notification module then applies the conduct rules: hours, caps, opt-outs) and the npa-risk flag, each
 * once per warning. The plan's rules hold for the reminder: none for a loan in dispute, on a hardship hold or
 * under a standing promise to pay, none once the loan is past due (the schedule's follow-ups speak then) and
 * none without a pre-due step or anything unpaid. A loan no longer open gets nothing. Pure.
 */
export function earlyWarningSteps(state: CollectorState, facts: CollectionFacts, today: string): WarningStep[] {
  if (facts.status !== 'open') return [];
  const step = facts.schedule.preDue[0];
  const reason = state.dispute !== null ? 'the loan is in dispute'
    : state.hold !== null && today <= state.hold.until ? `on hardship hold until ${state.hold.until}`
      : state.promise !== null && today <= state.promise.payBy ? `a promise to pay stands until ${state.promise.payBy}`
        : facts.dpd > 0 ? `already ${facts.dpd} days past due: the schedule's follow-ups contact the borrower`
          : facts.installments.length === 0 ? 'nothing unpaid to remind of'
            : step === undefined ? 'the schedule has no pre-due reminder' : null;
  return (state.warnings ?? []).filter((w) => !state.flags.includes(npaRiskKey(w.businessDate))).map((warning) => ({
    warning,
    contact: reason === null && step ? { purpose: 'pre-delinquency-reminder', slot: `early-warning:${warning.businessDate}`, channel: step.channel, templateKey: step.templateKey } : null,
    noContactReason: reason,
    flag: {
      flag: 'npa-risk',
      eventKey: npaRiskKey(warning.businessDate),
      detail: `NPA early warning of ${warning.businessDate}: P(90+ DPD within 90 days) ${warning.probability} at threshold ${warning.threshold} (${warning.model}); ${reason === null && step ? `a ${step.channel} reminder` : `no reminder: ${reason}`}`.slice(0, 300),
      score: { probability: warning.probability, model: warning.model, topFactors: warning.topFactors },
    },
  }));
}
