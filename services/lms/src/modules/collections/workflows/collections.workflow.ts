import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.activities.js';
import type { LifecycleSignal } from '../domain/lifecycle-signal.js';
import { applySignal, initialCollectionsState, viewOf, type CollectionsState, type CollectionsView } from './collections-state.js';

const { openInstallments, markInstallmentDue } = proxyActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** One lifecycle event of the loan from the LMS (adapters/lifecycle-signals.consumer.ts sends them). */
export const lifecycleEventSignal = defineSignal<[LifecycleSignal]>('lifecycleEvent');
/** What the workflow knows of its loan: installments, delinquency, last payment, closure. */
export const collectionsStateQuery = defineQuery<CollectionsView>('collectionsState');

export interface CollectionsInput {
  readonly loanId: string;
  /** The state of the run this one continued from (absent on the first run). */
  readonly carried?: CollectionsState;
}

/** Installments handled per run before continue-as-new, to keep each run's history small. */
const INSTALLMENTS_PER_RUN = 12;
/** Signals add history too: a run continues as new past this many events (or when Temporal suggests it). */
const MAX_HISTORY_EVENTS = 2_000;
/**
 * After the last installment fell due the loan is still being collected until the LMS says it is closed
 * or charged off; a workflow that hears nothing at all for this long ends rather than linger forever.
 */
const IDLE_AFTER_LAST_DUE_MS = 365 * 86_400_000;

/**
 * One per loan (workflow id derived from the loan id). Sleeps until each open installment's due date
 * (00:00 UTC) and marks it due: the clock is the fallback. The LMS's lifecycle events arrive as signals
 * and keep a state (see collections-state.ts); LoanClosed or LoanChargedOff ends the workflow.
 * Signal handlers only mutate state; all waiting happens here.
 */
export async function collectionsWorkflow(input: CollectionsInput): Promise<void> {
  const state = input.carried ?? initialCollectionsState(input.loanId);
  setHandler(lifecycleEventSignal, (signal) => void applySignal(state, signal));
  setHandler(collectionsStateQuery, () => viewOf(state));
  const stopped = () => state.status !== 'open';
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;
  const next = () => continueAsNew<typeof collectionsWorkflow>({ loanId: input.loanId, carried: state });

  const open = stopped() ? [] : await openInstallments(input.loanId);
  for (const [index, installment] of open.entries()) {
    if (stopped()) return;
    if (index === INSTALLMENTS_PER_RUN || historyFull()) await next();
    const waitMs = Date.parse(`${installment.dueDate}T00:00:00Z`) - Date.now();
    if (waitMs > 0 && (await condition(stopped, waitMs))) return;
    await markInstallmentDue(input.loanId, installment.number);
  }
  while (!stopped()) {
    if (historyFull()) await next();
    const seen = state.eventsApplied;
    const heard = await condition(() => stopped() || state.eventsApplied !== seen, IDLE_AFTER_LAST_DUE_MS);
    if (!heard) return;
  }
}
