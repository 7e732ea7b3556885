import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeSkippingEnvironment } from './support/time-skipping.js';
import type { CollectionActivities, OpenInstallment } from '../src/modules/collections/activities/collections.activities.js';
import { noCollectorActivities } from './support/collector-fakes.js';
import { collectionsWorkflow } from '../src/modules/collections/workflows/collections.workflow.js';

// The collections workflow in Temporal's time-skipping test server: months pass in milliseconds.
let env: TestWorkflowEnvironment;
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const DAY_MS = 86_400_000;

/** An in-memory loan book standing in for the LMS database; the workflow is what is under test. */
function fakeActivities(installments: OpenInstallment[]) {
  const marked: { number: number; atMs: number }[] = [];
  const activities: CollectionActivities & typeof noCollectorActivities = {
    ...noCollectorActivities,
    openInstallments: async () => installments.filter((i) => !marked.some((m) => m.number === i.number)),
    markInstallmentDue: async (_loanId, number) => {
      if (marked.some((m) => m.number === number)) return false;
      marked.push({ number, atMs: await env.currentTimeMs() });
      return true;
    },
  };
  return { activities, marked };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function run(installments: OpenInstallment[], taskQueue: string) {
  const fake = fakeActivities(installments);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities: fake.activities });
  const workflowId = `collections-${taskQueue}`;
  await worker.runUntil(env.client.workflow.execute(collectionsWorkflow, { workflowId, taskQueue, args: [{ loanId: taskQueue }] }));
  return { ...fake, workflowId };
}

beforeAll(async () => {
  env = await timeSkippingEnvironment();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

describe('collectionsWorkflow', () => {
  it('waits for each due date and marks the installments due in order, each on its day', async () => {
    const start = await env.currentTimeMs();
    const dues = [1, 31, 62].map((days) => isoDay(start + days * DAY_MS));
    const { marked } = await run(dues.map((dueDate, i) => ({ number: i + 1, dueDate })), 'three-installments');
    expect(marked.map((m) => m.number)).toEqual([1, 2, 3]);
    marked.forEach((m, i) => {
      const dueMs = Date.parse(`${dues[i]}T00:00:00Z`);
      expect(m.atMs).toBeGreaterThanOrEqual(dueMs);
      expect(m.atMs - dueMs).toBeLessThan(DAY_MS);
    });
  });

  it('marks an installment already past due at once', async () => {
    const { marked } = await run([{ number: 1, dueDate: '2020-01-01' }], 'past-due');
    expect(marked.map((m) => m.number)).toEqual([1]);
  });

  it('continues as new after twelve installments, keeping each run small, and still marks them all', async () => {
    const start = await env.currentTimeMs();
    const installments = Array.from({ length: 15 }, (_, i) => ({ number: i + 1, dueDate: isoDay(start + (i + 1) * 30 * DAY_MS) }));
    const { marked, workflowId } = await run(installments, 'fifteen-installments');
    expect(marked.map((m) => m.number)).toEqual(installments.map((i) => i.number));
    // The run that completed was continued from an earlier one, and its history stays small.
    const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
    expect(events?.some((e) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
    expect(events?.length).toBeLessThan(100);
  });
});
