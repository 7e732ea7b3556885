import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionActivities } from '../src/modules/collections/activities/collections.activities.js';
import type { CollectionFacts } from '../src/modules/collections/domain/collector.js';
import { collectionsWorkflow } from '../src/modules/collections/workflows/collections.workflow.js';
import type { ContactResult } from '../src/modules/notifications/use-cases/contact-borrower.js';
import { noCollectorActivities } from './support/collector-fakes.js';
import { timeSkippingEnvironment } from './support/time-skipping.js';

// A contact blocked by a rule that lifts at a known time (the borrower's contact hours) is tried again then,
// under its own slot; one blocked for good (an opt-out) is not. Temporal's time-skipping server runs the hours.
let env: TestWorkflowEnvironment;
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const HOUR_MS = 3_600_000;

type Answer = (call: number, nowMs: number) => Pick<ContactResult, 'outcome' | 'rule' | 'nextAllowedAt'>;

/** One loan, business date 2027-01-07, instalment 1 due 2027-01-10; the schedule's only step a T−3 SMS. */
async function run(taskQueue: string, answer: Answer) {
  const calls: { slot: string; atMs: number }[] = [];
  const facts: CollectionFacts = {
    found: true, tenantId: 't', businessDate: '2027-01-07', status: 'open', dpd: 0,
    schedule: { preDue: [{ offsetDays: -3, channel: 'sms', templateKey: 'payment-reminder' }], autoDebit: false, followUps: [], escalation: [] },
    installments: [{ number: 1, dueDate: '2027-01-10', paid: false, amountDue: { amount: '450000', currency: 'INR', scale: 2 } }],
    paidSincePromise: null, presentmentOutcomes: [], monthEndDpd: [],
  };
  const activities: CollectionActivities & typeof noCollectorActivities = {
    ...noCollectorActivities,
    collectionFacts: async () => facts,
    openInstallments: async () => [],
    markInstallmentDue: async () => false,
    contactBorrower: (async (input: { slot: string; channel: ContactResult['channel'] }) => {
      const atMs = await env.currentTimeMs();
      calls.push({ slot: input.slot, atMs });
      return { attemptId: `a${calls.length}`, channel: input.channel, detail: null, vendorMessageId: null, replayed: false, ...answer(calls.length, atMs) };
    }) as never,
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
  await worker.runUntil(env.client.workflow.execute(collectionsWorkflow, { workflowId: `collections-${taskQueue}`, taskQueue, args: [{ loanId: taskQueue }] }));
  return calls;
}

const blockedFor = (hours: number): Answer => (_call, nowMs) => ({ outcome: 'blocked', rule: 'rbi-contact-hours', nextAllowedAt: new Date(nowMs + hours * HOUR_MS).toISOString() });

beforeAll(async () => {
  env = await timeSkippingEnvironment();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

describe('a contact blocked until a stated time', () => {
  it('is tried again at that time under a new slot, and sent', async () => {
    const calls = await run('retry-hours', (call, nowMs) => (call === 1 ? blockedFor(10)(call, nowMs) : { outcome: 'sent', rule: null, nextAllowedAt: null }));
    expect(calls.map((c) => c.slot)).toEqual(['contact:1:-3:sms', 'contact:1:-3:sms:retry-1']);
    expect(calls[1]!.atMs - calls[0]!.atMs).toBeGreaterThanOrEqual(10 * HOUR_MS);
    expect(calls[1]!.atMs - calls[0]!.atMs).toBeLessThan(11 * HOUR_MS);
  });

  it('is tried at most three more times, then left blocked', async () => {
    const calls = await run('retry-bounded', blockedFor(2));
    expect(calls.map((c) => c.slot)).toEqual(['contact:1:-3:sms', 'contact:1:-3:sms:retry-1', 'contact:1:-3:sms:retry-2', 'contact:1:-3:sms:retry-3']);
  });

  it('is not retried when blocked for good (an opt-out has no next time)', async () => {
    const calls = await run('retry-opt-out', () => ({ outcome: 'blocked', rule: 'opt-out', nextAllowedAt: null }));
    expect(calls.map((c) => c.slot)).toEqual(['contact:1:-3:sms']);
  });
});
