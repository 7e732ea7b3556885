import type { Money } from '@lendstack/contracts';
import type { LifecycleSignal } from '../domain/lifecycle-signal.js';

/**
 * What the collections workflow knows of its loan from the LMS's lifecycle signals. Plain data: it is
 * carried over continue-as-new and returned by the `collectionsState` query. Deterministic (no clock, no
 * I/O): the same signals in the same order always give the same state.
 */
export interface CollectionsState {
  readonly loanId: string;
  status: 'open' | 'closed' | 'charged-off';
  /** Installments the LMS reported, by number (one entry each, at most the loan's term). */
  installments: InstallmentKnown[];
  delinquency: { dpd: number; usBucket: string; rbiClass: string; asOf: string } | null;
  lastPayment: { transactionId: string; amount: Money; valueDate: string; channel: string; reversed: boolean } | null;
  closed: { on: string; reason: string } | null;
  chargedOff: { on: string; dpd: number } | null;
  /** The latest business date of any applied event. */
  businessDate: string | null;
  eventsApplied: number;
  /** Recent repayments and the installments each touched, so a reversal reopens what it had settled. */
  recentPayments: { transactionId: string; installments: number[] }[];
  /** Envelope ids already applied, oldest first, at most MAX_APPLIED_EVENT_IDS (redeliveries are recent). */
  appliedEventIds: string[];
}

export interface InstallmentKnown {
  readonly number: number;
  readonly dueDate: string;
  status: 'due' | 'overdue' | 'paid';
  amountDue: Money | null;
  overdueSince: string | null;
  paidOn: string | null;
}

/** The query's answer: the state without its bookkeeping. */
export type CollectionsView = Omit<CollectionsState, 'appliedEventIds' | 'recentPayments'>;

/**
 * Bound on remembered event ids. Kafka redelivers what follows the last committed offset, so a
 * redelivered event is among a loan's latest few; 500 is weeks of a busy loan's events.
 */
export const MAX_APPLIED_EVENT_IDS = 500;
const MAX_RECENT_PAYMENTS = 50;

export function initialCollectionsState(loanId: string): CollectionsState {
  return { loanId, status: 'open', installments: [], delinquency: null, lastPayment: null, closed: null, chargedOff: null, businessDate: null, eventsApplied: 0, recentPayments: [], appliedEventIds: [] };
}

export function viewOf(state: CollectionsState): CollectionsView {
  const { appliedEventIds: _ids, recentPayments: _payments, ...view } = state;
  return view;
}

/**
 * Applies one signal unless its event id was applied before (at-least-once delivery, exactly-once
 * effect) or it names another loan. Returns whether it changed anything. Mutates `state` only.
 */
export function applySignal(state: CollectionsState, signal: LifecycleSignal): boolean {
  if (signal.loanId !== state.loanId || state.appliedEventIds.includes(signal.eventId)) return false;
  state.appliedEventIds.push(signal.eventId);
  if (state.appliedEventIds.length > MAX_APPLIED_EVENT_IDS) state.appliedEventIds.splice(0, state.appliedEventIds.length - MAX_APPLIED_EVENT_IDS);
  state.eventsApplied += 1;
  if (state.businessDate === null || signal.businessDate > state.businessDate) state.businessDate = signal.businessDate;
  apply(state, signal);
  return true;
}

function apply(state: CollectionsState, signal: LifecycleSignal): void {
  switch (signal.type) {
    case 'InstallmentDue': {
      const i = installment(state, signal.installmentNumber, signal.dueDate);
      i.amountDue = signal.scheduledTotal;
      return;
    }
    case 'InstallmentOverdue': {
      const i = installment(state, signal.installmentNumber, signal.dueDate);
      i.amountDue = signal.scheduledTotal;
      i.overdueSince ??= signal.businessDate;
      if (i.status !== 'paid') i.status = 'overdue';
      return;
    }
    case 'InstallmentPaid': {
      const i = installment(state, signal.installmentNumber, signal.dueDate);
      i.status = 'paid';
      i.paidOn = signal.businessDate;
      return;
    }
    case 'RepaymentReceived':
      state.lastPayment = { transactionId: signal.transactionId, amount: signal.amount, valueDate: signal.valueDate, channel: signal.channel, reversed: false };
      state.recentPayments.push({ transactionId: signal.transactionId, installments: [...signal.installments] });
      if (state.recentPayments.length > MAX_RECENT_PAYMENTS) state.recentPayments.shift();
      return;
    case 'TransactionReversed':
      reverse(state, signal.reversedTransactionId, signal.businessDate);
      return;
    case 'DelinquencyChanged':
      // Per loan the events arrive in order; an older classification redelivered late never wins.
      if (state.delinquency === null || signal.businessDate >= state.delinquency.asOf) {
        state.delinquency = { dpd: signal.dpd, usBucket: signal.usBucket, rbiClass: signal.rbiClass, asOf: signal.businessDate };
      }
      return;
    case 'LoanChargedOff':
      state.status = 'charged-off';
      state.chargedOff = { on: signal.businessDate, dpd: signal.dpd };
      return;
    case 'LoanClosed':
      state.status = 'closed';
      state.closed = { on: signal.closedOn, reason: signal.reason };
      return;
    case 'LoanEarlyWarningRaised':
      // The collector's business (domain/collector.ts noteEarlyWarning): nothing the loan's state records.
      return;
  }
}

/**
 * The LMS replays a loan without the reversed payment, but an installment's due and overdue events keep
 * their ids (derived from stable engine keys) and are not published again: so the installments the
 * reversed payment had settled are reopened here, overdue if they had been or their due date has passed.
 */
function reverse(state: CollectionsState, transactionId: string, businessDate: string): void {
  if (state.lastPayment?.transactionId === transactionId) state.lastPayment.reversed = true;
  const payment = state.recentPayments.find((p) => p.transactionId === transactionId);
  for (const number of payment?.installments ?? []) {
    const i = state.installments.find((x) => x.number === number);
    if (i?.status !== 'paid') continue;
    i.paidOn = null;
    i.status = i.overdueSince !== null || i.dueDate < businessDate ? 'overdue' : 'due';
  }
}

function installment(state: CollectionsState, number: number, dueDate: string): InstallmentKnown {
  let found = state.installments.find((i) => i.number === number);
  if (!found) {
    found = { number, dueDate, status: 'due', amountDue: null, overdueSince: null, paidOn: null };
    state.installments.push(found);
    state.installments.sort((a, b) => a.number - b.number);
  }
  return found;
}
