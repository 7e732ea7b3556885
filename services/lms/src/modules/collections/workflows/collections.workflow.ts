import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.activities.js';

const { openInstallments, markInstallmentDue } = proxyActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface CollectionsInput {
  readonly loanId: string;
}

/** Installments handled per run before continue-as-new, to keep each run's history small. */
const INSTALLMENTS_PER_RUN = 12;

/**
 * One per loan (workflow id derived from the loan id). Sleeps until each open installment's due date
 * (00:00 UTC) and marks it due. Later issues add reminders, payments and escalation as signals.
 */
export async function collectionsWorkflow(input: CollectionsInput): Promise<void> {
  const open = await openInstallments(input.loanId);
  for (const [index, installment] of open.entries()) {
    if (index === INSTALLMENTS_PER_RUN) await continueAsNew<typeof collectionsWorkflow>(input);
    const waitMs = Date.parse(`${installment.dueDate}T00:00:00Z`) - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    await markInstallmentDue(input.loanId, installment.number);
  }
}
