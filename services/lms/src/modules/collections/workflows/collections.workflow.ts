import { ActivityFailure, ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AutodebitActivities } from '../../autodebit/activities/autodebit.activities.js';
import type { NotificationActivities } from '../../notifications/activities/notification.activities.js';
import type { CollectionActivities } from '../activities/collections.activities.js';
import type { CollectorActivities } from '../activities/collector.activities.js';
import { actionsDue, type CollectionAction } from '../domain/collection-plan.js';
import {
  applyCollectorSignal, earlyWarningSteps, flagsToRaise, initialCollectorState, liveRetries, markDone, nextWakeDate, noteEarlyWarning, planInputOf, pruneDone, retryOfBlocked,
  type CollectionFacts, type CollectorSignal, type CollectorState, type ContactRetry, type RaisedFlag,
} from '../domain/collector.js';
import type { LifecycleSignal } from '../domain/lifecycle-signal.js';
import { applySignal, initialCollectionsState, viewOf, type CollectionsState, type CollectionsView } from './collections-state.js';

type Activities = CollectionActivities & CollectorActivities & Pick<NotificationActivities, 'contactBorrower'> & Pick<AutodebitActivities, 'scheduleAutoDebit'>;

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** One lifecycle event of the loan from the LMS (adapters/lifecycle-signals.consumer.ts sends them). */
export const lifecycleEventSignal = defineSignal<[LifecycleSignal]>('lifecycleEvent');
/** The tenant's business date reached the date this workflow asked to be woken on (adapters/collections-waker.ts). */
export const wakeSignal = defineSignal<[{ readonly businessDate: string }]>('wake');
/** A collector's action on the loan: promise to pay, hardship hold, dispute, a recorded call or visit. */
export const collectorActionSignal = defineSignal<[CollectorSignal]>('collectorAction');
/** What the workflow knows of its loan: installments, delinquency, last payment, closure, and the collector's memory. */
export const collectionsStateQuery = defineQuery<CollectionsView & { readonly collector: CollectorState }>('collectionsState');

export interface CollectionsInput {
  readonly loanId: string;
  /** The state of the run this one continued from (absent on the first run). */
  readonly carried?: CollectionsState;
  readonly collector?: CollectorState;
}

/** Installments marked due per run before continue-as-new, to keep each run's history small. */
const INSTALLMENTS_PER_RUN = 12;
/** Passes per run: each is a few activities; a 30-year loan continues as new every few months of passes. */
const PASSES_PER_RUN = 40;
/** Signals add history too: a run continues as new past this many events (or when Temporal suggests it). */
const MAX_HISTORY_EVENTS = 2_000;
/**
 * After the last installment fell due the loan is still being collected until the LMS says it is closed
 * or charged off; a workflow that hears nothing at all for this long ends rather than linger forever.
 */
const IDLE_AFTER_LAST_DUE_MS = 365 * 86_400_000;

/**
 * One per loan (workflow id derived from the loan id): the loan's collector. Its clock is the tenant's business
 * date, never the wall clock: on every wake (the waker when the business date reaches the date it asked for, a
 * lifecycle event, a collector's action) it reads the loan as of the business date (collectionFacts), asks the
 * pure plan what is due (domain/collection-plan.ts: reminders, the auto-debit presentment, follow-ups,
 * escalation, a broken promise) and carries each action out exactly once: contacts through contactBorrower
 * (conduct rules, one attempt per slot), presentments through the auto-debit rail, escalations into the queue,
 * early-warning flags as CollectionsFlagRaised. An NPA early warning from the LMS (LoanEarlyWarningRaised, a
 * lifecycle signal) gets a soft pre-delinquency reminder where the plan's rules allow and the npa-risk flag, once each. Then it records the next date it needs and waits. So it follows
 * time skipping, end of day, a backdated payment or reversal: whatever the business date and the ledger say.
 *
 * A contact blocked by a rule that lifts at a stated time (the borrower's contact hours, a daily cap) is tried
 * again at that time under its own slot, at most three times (wall-clock timers: the rule is about real hours).
 *
 * Separately, as before, it sleeps until each installment's calendar due date and marks it due (the clock is
 * the fallback for the installment row). LoanClosed or LoanChargedOff (or a pass that finds the loan so) ends it.
 * Signal handlers only mutate state; all waiting and every activity happens here, so the code is deterministic.
 */
export async function collectionsWorkflow(input: CollectionsInput): Promise<void> {
  const state = input.carried ?? initialCollectionsState(input.loanId);
  const collector = input.collector ?? initialCollectorState();
  let passWanted = true;
  setHandler(lifecycleEventSignal, (signal) => {
    if (!applySignal(state, signal)) return;
    passWanted = true;
    if (signal.type === 'LoanEarlyWarningRaised') noteEarlyWarning(collector, signal);
  });
  setHandler(wakeSignal, () => {
    passWanted = true;
  });
  setHandler(collectorActionSignal, (signal) => {
    if (applyCollectorSignal(collector, signal)) passWanted = true;
  });
  setHandler(collectionsStateQuery, () => ({ ...viewOf(state), collector }));
  const stopped = () => state.status !== 'open';
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;
  const next = () => continueAsNew<typeof collectionsWorkflow>({ loanId: input.loanId, carried: state, collector });

  const open = stopped() ? [] : await activities.openInstallments(input.loanId);
  let marked = 0;
  let passes = 0;
  let ended = false;
  while (!stopped()) {
    if (marked === INSTALLMENTS_PER_RUN || passes === PASSES_PER_RUN || historyFull()) await next();
    if (passWanted) {
      passWanted = false;
      passes += 1;
      ended = await pass(input.loanId, state, collector);
      continue;
    }
    // A contact blocked until a stated time (contact hours, a daily cap) is tried then: wall-clock time, as the rule is.
    const retry = [...(collector.retries ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))[0];
    const retryMs = retry ? Date.parse(retry.at) - Date.now() : Number.POSITIVE_INFINITY;
    if (retry && retryMs <= 0) {
      await retryContact(input.loanId, retry, collector);
      continue;
    }
    const installment = open[0];
    const dueMs = installment ? Date.parse(`${installment.dueDate}T00:00:00Z`) - Date.now() : IDLE_AFTER_LAST_DUE_MS;
    if (installment && dueMs <= 0) {
      open.shift();
      marked += 1;
      await activities.markInstallmentDue(input.loanId, installment.number);
      continue;
    }
    const woken = await condition(() => stopped() || passWanted, Math.min(dueMs, retryMs));
    if (!woken && !installment && !retry) return;
  }
  // Stopped by a lifecycle signal: one last pass closes the queue case and drops the wake-up.
  if (!ended) await pass(input.loanId, state, collector);
}

/**
 * One look at the loan on its business date: carry out what the plan says, raise flags, ask for the next wake.
 * Returns whether the loan has ended (closed or charged off).
 */
async function pass(loanId: string, state: CollectionsState, collector: CollectorState): Promise<boolean> {
  const facts = await activities.collectionFacts({ loanId, promiseMadeOn: collector.promise?.madeOn ?? null });
  if (!facts.found) return false;
  const today = facts.businessDate;
  if (state.businessDate === null || today > state.businessDate) state.businessDate = today;
  const hadCase = collector.done.some((k) => k.startsWith('escalate:'));
  pruneDone(collector, facts);
  if (collector.retries?.length) collector.retries = liveRetries(collector, facts, today);
  // Debits scheduled ahead of the due date for rails that present early (NACH, UPI AutoPay); versioned, so a
  // history recorded before it replays as it ran.
  const lead = facts.debitLeadDays && patched('debit-lead-days') ? facts.debitLeadDays : 0;
  const actions = actionsDue(facts.schedule, planInputOf(facts, collector, lead), today);
  for (const action of actions) {
    await carryOut(loanId, action, facts, collector);
    markDone(collector, [action.key, ...action.settles]);
  }
  const promise = collector.promise;
  // A promise is settled once: kept when the promised amount arrived while it stood; a broken one stays broken.
  const settled = promise !== null && collector.done.some((k) => k === `promise-kept:${promise.madeOn}` || k === `promise-broken:${promise.madeOn}`);
  if (promise && !settled && facts.paidSincePromise && BigInt(facts.paidSincePromise.amount) >= BigInt(promise.amount.amount)) {
    await activities.recordPromiseOutcome({ tenantId: facts.tenantId, actionId: promise.actionId, outcome: 'kept' });
    markDone(collector, [`promise-kept:${promise.madeOn}`]);
  }
  // Versioned: only a run that heard an early warning acts on it (histories from before never did).
  if (collector.warnings?.length && patched('early-warning-npa-risk')) await actOnWarnings(loanId, facts, collector, today);
  for (const flag of flagsToRaise(facts, collector)) await raiseFlag(loanId, facts, collector, today, flag);
  if (facts.status !== 'open' || (hadCase && facts.dpd === 0)) {
    await activities.closeCollectionsCase({ tenantId: facts.tenantId, loanId, on: today, reason: facts.status === 'open' ? 'cured' : facts.status });
  }
  if (facts.status !== 'open') {
    // The ledger says the loan ended (its lifecycle event may still be on its way): the collector stops.
    state.status = facts.status;
    await activities.scheduleNextWake({ tenantId: facts.tenantId, loanId, wakeOn: null });
    collector.lastPass = { businessDate: today, actions: actions.length, nextPlanDate: null };
    return true;
  }
  const nextDate = nextWakeDate(facts.schedule, planInputOf(facts, collector, lead), today);
  await activities.scheduleNextWake({ tenantId: facts.tenantId, loanId, wakeOn: nextDate });
  collector.lastPass = { businessDate: today, actions: actions.length, nextPlanDate: nextDate };
  return false;
}

async function raiseFlag(loanId: string, facts: CollectionFacts, collector: CollectorState, today: string, flag: RaisedFlag): Promise<void> {
  await activities.raiseCollectionsFlag({ tenantId: facts.tenantId, loanId, businessDate: today, dpd: facts.dpd, now: new Date().toISOString(), ...flag });
  collector.flags.push(flag.eventKey);
  if (collector.flags.length > 100) collector.flags.shift();
}

/**
 * Each NPA early warning heard, once: the soft pre-delinquency reminder the plan allows (one attempt under the
 * warning's slot; the contact module records it sent or blocked by its rule), then the npa-risk flag. A loan no
 * longer open drops them.
 */
async function actOnWarnings(loanId: string, facts: CollectionFacts, collector: CollectorState, today: string): Promise<void> {
  for (const step of earlyWarningSteps(collector, facts, today)) {
    const contact = step.contact;
    if (contact) await refusedIsDone(() => activities.contactBorrower({ tenantId: facts.tenantId, loanId, ...contact, now: new Date().toISOString() }));
    await raiseFlag(loanId, facts, collector, today, step.flag);
  }
  collector.warnings = [];
}

async function carryOut(loanId: string, action: CollectionAction, facts: CollectionFacts, collector: CollectorState): Promise<void> {
  switch (action.kind) {
    case 'contact': {
      const purpose = action.key.split(':')[2]?.startsWith('-') ? 'pre-due-reminder' : 'overdue-follow-up';
      const result = await refusedIsDone(() => activities.contactBorrower({ tenantId: facts.tenantId, loanId, purpose, channel: action.channel, templateKey: action.templateKey, slot: action.key, now: new Date().toISOString() }));
      const dueDate = facts.installments.find((i) => i.number === action.installmentNumber)?.dueDate ?? null;
      const again = retryOfBlocked({ key: action.key, attempt: 0, tenantId: facts.tenantId, installmentNumber: action.installmentNumber, purpose, channel: action.channel, templateKey: action.templateKey, dropOn: purpose === 'pre-due-reminder' ? dueDate : null }, result);
      // Versioned: a history from before retries existed replays without them.
      if (again && patched('contact-retry')) collector.retries = [...(collector.retries ?? []), again];
      return;
    }
    case 'present': {
      const amount = action.amount;
      await refusedIsDone(() => activities.scheduleAutoDebit({ tenantId: facts.tenantId, loanId, installmentNumber: action.installmentNumber, amountMinor: amount.amount, currency: amount.currency, scale: amount.scale, dueDate: action.dueDate }));
      return;
    }
    case 'escalate':
      await activities.openCollectionsCase({ tenantId: facts.tenantId, loanId, queue: action.queue, priority: action.priority, dpd: action.dpd, on: action.on });
      return;
    case 'promise-broken':
      if (collector.promise) await activities.recordPromiseOutcome({ tenantId: facts.tenantId, actionId: collector.promise.actionId, outcome: 'broken' });
      return;
  }
}

/** A blocked contact's retry, under its own slot; blocked again until a stated time, it is kept for then (bounded). */
async function retryContact(loanId: string, retry: ContactRetry, collector: CollectorState): Promise<void> {
  collector.retries = (collector.retries ?? []).filter((r) => r !== retry);
  const result = await refusedIsDone(() => activities.contactBorrower({
    tenantId: retry.tenantId, loanId, purpose: retry.purpose, channel: retry.channel, templateKey: retry.templateKey, slot: `${retry.key}:retry-${retry.attempt}`, now: new Date().toISOString(),
  }));
  const again = retryOfBlocked(retry, result);
  if (again) collector.retries = [...collector.retries, again];
}

/**
 * A non-retryable refusal (no debit account enrolled, the loan unknown to the contact module) is an answer,
 * recorded by the activity where it applies: the action counts as done. Anything else is retried by Temporal.
 */
async function refusedIsDone<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) return undefined;
    throw error;
  }
}
