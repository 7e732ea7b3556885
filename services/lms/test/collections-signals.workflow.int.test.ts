import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeSkippingEnvironment } from './support/time-skipping.js';
import type { CollectionActivities, OpenInstallment } from '../src/modules/collections/activities/collections.activities.js';
import { noCollectorActivities } from './support/collector-fakes.js';
import type { LifecycleSignal } from '../src/modules/collections/domain/lifecycle-signal.js';
import { collectionsStateQuery, collectionsWorkflow, lifecycleEventSignal } from '../src/modules/collections/workflows/collections.workflow.js';

// The collections workflow learning about its loan from lifecycle signals, in the time-skipping server.
let env: TestWorkflowEnvironment;
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const DAY_MS = 86_400_000;
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function fakeActivities(installments: OpenInstallment[]) {
  const marked: number[] = [];
  const activities: CollectionActivities & typeof noCollectorActivities = {
    ...noCollectorActivities,
    openInstallments: async () => installments.filter((i) => !marked.includes(i.number)),
    markInstallmentDue: async (_loanId, number) => !marked.includes(number) && marked.push(number) > 0,
  };
  return { activities, marked };
}

/** Runs a workflow for loan `loanId` on its own task queue while `body` signals and queries it. */
async function withWorkflow(loanId: string, installments: OpenInstallment[], body: (handle: WorkflowHandle<typeof collectionsWorkflow>, marked: number[]) => Promise<void>) {
  const fake = fakeActivities(installments);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: loanId, workflowsPath, activities: fake.activities });
  const start = () => env.client.workflow.start(collectionsWorkflow, { workflowId: `collections-${loanId}`, taskQueue: loanId, args: [{ loanId }] });
  await worker.runUntil(async () => body(await start(), fake.marked));
}

const signals = (loanId: string, businessDate: string) => ({
  due: (eventId: string, n: number, dueDate: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'InstallmentDue', installmentNumber: n, dueDate, scheduledTotal: inr('100000') }),
  overdue: (eventId: string, n: number, dueDate: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'InstallmentOverdue', installmentNumber: n, dueDate, scheduledTotal: inr('100000') }),
  paid: (eventId: string, n: number, dueDate: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'InstallmentPaid', installmentNumber: n, dueDate, totalPaid: inr('100000') }),
  repayment: (eventId: string, transactionId: string, installments: number[]): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'RepaymentReceived', transactionId, amount: inr('100000'), valueDate: businessDate, channel: 'upi', installments }),
  reversed: (eventId: string, transactionId: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'TransactionReversed', reversedTransactionId: transactionId, amount: inr('100000'), valueDate: businessDate }),
  delinquency: (eventId: string, dpd: number, usBucket: string, rbiClass: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'DelinquencyChanged', dpd, usBucket, rbiClass }),
  closed: (eventId: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'LoanClosed', closedOn: businessDate, reason: 'repaid' }),
  chargedOff: (eventId: string): LifecycleSignal => ({ eventId, loanId, businessDate, type: 'LoanChargedOff', dpd: 120 }),
});

beforeAll(async () => {
  env = await timeSkippingEnvironment();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

describe('collectionsWorkflow with lifecycle signals', () => {
  it('keeps a state from the signals, applies a redelivered event once, reopens what a reversal undid, and stops on LoanClosed', async () => {
    const now = await env.currentTimeMs();
    const due = isoDay(now - 2 * DAY_MS);
    await withWorkflow('sig-close', [{ number: 2, dueDate: isoDay(now + 300 * DAY_MS) }], async (handle, marked) => {
      const s = signals('sig-close', isoDay(now));
      for (const signal of [s.due('e1', 1, due), s.due('e1', 1, due), s.overdue('e2', 1, due), s.delinquency('e3', 1, 'current', 'SMA-0'), s.repayment('e4', 'tx-1', [1]), s.paid('e5', 1, due), s.delinquency('e3', 1, 'current', 'SMA-0')]) {
        await handle.signal(lifecycleEventSignal, signal);
      }
      const paid = await handle.query(collectionsStateQuery);
      expect(paid).toMatchObject({ status: 'open', eventsApplied: 5, delinquency: { dpd: 1, usBucket: 'current', rbiClass: 'SMA-0' }, lastPayment: { transactionId: 'tx-1', reversed: false } });
      expect(paid.installments).toEqual([{ number: 1, dueDate: due, status: 'paid', amountDue: inr('100000'), overdueSince: isoDay(now), paidOn: isoDay(now) }]);
      expect(paid).not.toHaveProperty('appliedEventIds');

      await handle.signal(lifecycleEventSignal, s.reversed('e6', 'tx-1'));
      const reversed = await handle.query(collectionsStateQuery);
      expect(reversed.installments[0]).toMatchObject({ status: 'overdue', paidOn: null });
      expect(reversed.lastPayment?.reversed).toBe(true);

      await handle.signal(lifecycleEventSignal, s.closed('e7'));
      await handle.result();
      const closed = await handle.query(collectionsStateQuery);
      expect(closed).toMatchObject({ status: 'closed', closed: { on: isoDay(now), reason: 'repaid' }, eventsApplied: 7 });
      // Closed before installment 2's timer fired: the clock's fallback had nothing left to do.
      expect(marked).toEqual([]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  it('stops on LoanChargedOff and ignores a signal for another loan', async () => {
    const now = await env.currentTimeMs();
    await withWorkflow('sig-chargeoff', [{ number: 1, dueDate: isoDay(now + 30 * DAY_MS) }], async (handle) => {
      await handle.signal(lifecycleEventSignal, signals('someone-else', isoDay(now)).closed('x1'));
      expect((await handle.query(collectionsStateQuery)).eventsApplied).toBe(0);
      await handle.signal(lifecycleEventSignal, signals('sig-chargeoff', isoDay(now)).chargedOff('c1'));
      await handle.result();
      expect(await handle.query(collectionsStateQuery)).toMatchObject({ status: 'charged-off', chargedOff: { on: isoDay(now), dpd: 120 } });
    });
  });

  it('carries the state and the applied event ids over continue-as-new, and waits after the last due date until closed', async () => {
    const now = await env.currentTimeMs();
    const installments = Array.from({ length: 13 }, (_, i) => ({ number: i + 1, dueDate: isoDay(now + (i + 1) * 30 * DAY_MS) }));
    await withWorkflow('sig-continue', installments, async (handle, marked) => {
      const s = signals('sig-continue', isoDay(now));
      const firstRunId = (await handle.describe()).runId;
      await handle.signal(lifecycleEventSignal, s.delinquency('d1', 0, 'current', 'standard'));
      await handle.signal(lifecycleEventSignal, s.repayment('p1', 'tx-9', []));
      await env.sleep(14 * 30 * DAY_MS);
      expect(marked).toEqual(installments.map((i) => i.number));
      const described = await handle.describe();
      expect(described.runId).not.toBe(firstRunId);
      expect(described.status.name).toBe('RUNNING');
      // The redelivered event is known to the new run too.
      await handle.signal(lifecycleEventSignal, s.delinquency('d1', 0, 'current', 'standard'));
      expect(await handle.query(collectionsStateQuery)).toMatchObject({ status: 'open', eventsApplied: 2, lastPayment: { transactionId: 'tx-9' }, delinquency: { dpd: 0 } });
      await handle.signal(lifecycleEventSignal, s.closed('z1'));
      await env.client.workflow.getHandle(handle.workflowId).result();
      const { events } = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
      expect(events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
      expect(events?.length).toBeLessThan(100);
    });
  });
});
