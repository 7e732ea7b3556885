import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { delinquencyChangedV1Schema, installmentDueV1Schema, loanClosedV1Schema, repaymentReceivedV1Schema, topics } from '@lendstack/contracts';
import { createKafka, createLogger, createProducer, type RunningConsumer } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionActivities } from '../src/modules/collections/activities/collections.activities.js';
import { noCollectorActivities } from './support/collector-fakes.js';
import { startLifecycleSignalsConsumer } from '../src/modules/collections/adapters/lifecycle-signals.consumer.js';
import { collectionsStateQuery } from '../src/modules/collections/workflows/collections.workflow.js';
import { sealed, type LifecycleContext } from '../src/modules/lifecycle/domain/envelope.js';

// Lifecycle envelopes on the real (prefixed) Kafka topic reach the loan's collections workflow on the real
// Temporal server as signals: applied once each, unknown types passed by, LoanClosed ending the workflow.
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const taskQueue = `collsig-${randomUUID().slice(0, 8)}`;
const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const logger = createLogger({ service: 'collections-signals-test', level: 'silent' });
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const zero = inr('0');

let producer: Producer;
let connection: Connection;
let temporal: Client;
let worker: Worker;
let workerRun: Promise<void>;
let consumer: RunningConsumer;

// No installment is left to the clock here: what the workflow knows comes from the signals alone.
// The collector's own activities answer that the LMS knows no such loan: each pass does nothing (collector.int.test.ts covers them).
const activities: CollectionActivities & typeof noCollectorActivities = { ...noCollectorActivities, openInstallments: async () => [], markInstallmentDue: async () => false };

beforeAll(async () => {
  const infra = await infrastructure();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'collections-signals-test', logger });
  producer = await createProducer(kafka);
  connection = await Connection.connect({ address: infra.temporalAddress });
  temporal = new Client({ connection });
  worker = await Worker.create({ connection: await NativeConnection.connect({ address: infra.temporalAddress }), taskQueue, workflowsPath, activities });
  workerRun = worker.run();
  consumer = await startLifecycleSignalsConsumer({ kafka, producer, logger, groupId: `${taskQueue}.collections`, fromBeginning: false, topicPrefix: prefix, temporal, taskQueue });
});

afterAll(async () => {
  await consumer?.stop();
  worker?.shutdown();
  await workerRun;
  await producer?.disconnect();
  await connection?.close();
});

const context = (loanId: string): LifecycleContext => ({ tenantId: 'demo', loanId, currency: 'INR', scale: 2, correlationId: randomUUID(), occurredAt: '2026-03-05T18:30:00.000Z' });
const scheduled = { principal: inr('90000'), interest: inr('10000'), fees: zero, total: inr('100000') };
const envelopes = (loanId: string) => {
  const ctx = context(loanId);
  const base = (eventKey: string, businessDate: string) => ({ loanId, eventKey, businessDate });
  return {
    due: sealed(installmentDueV1Schema, 'InstallmentDue', ctx, 'installment-due:1', { ...base('installment-due:1', '2026-03-05'), installmentNumber: 1, dueDate: '2026-03-05', scheduled }),
    delinquency: sealed(delinquencyChangedV1Schema, 'DelinquencyChanged', ctx, 'delinquency:2026-03-08', {
      ...base('delinquency:2026-03-08', '2026-03-08'), dpd: 3, usBucket: 'current', rbiClass: 'SMA-0', previous: { dpd: 0, usBucket: 'current', rbiClass: 'standard' }, oldestUnpaidDueDate: '2026-03-05',
    }),
    repayment: sealed(repaymentReceivedV1Schema, 'RepaymentReceived', ctx, 'repayment:tx-1', {
      loanId, transactionId: 'tx-1', effectKey: 'repayment:tx-1', amount: inr('100000'), valueDate: '2026-03-09', channel: 'upi', reference: 'UTR123', businessDate: '2026-03-09',
      allocation: { byComponent: { principal: inr('90000'), interest: inr('10000'), fees: zero, penalties: zero }, installments: [{ installmentNumber: 1, principal: inr('90000'), interest: inr('10000'), fees: zero, penalties: zero }], excess: zero, recovery: zero },
    }),
    closed: sealed(loanClosedV1Schema, 'LoanClosed', ctx, 'closed:2026-04-05', { ...base('closed:2026-04-05', '2026-04-05'), closedOn: '2026-04-05', reason: 'repaid' }),
  };
};

const publish = (loanId: string, ...values: object[]) =>
  producer.send({ topic: `${prefix}${topics.loanLifecycle.name}`, acks: -1, messages: values.map((v) => ({ key: loanId, value: JSON.stringify(v) })) });
const state = (loanId: string) => temporal.workflow.getHandle(`collections-${loanId}`).query(collectionsStateQuery);

describe('lifecycle events → collections workflow signals', () => {
  it('applies each event once, passes other types by, completes on LoanClosed, and does not restart an ended workflow', { timeout: 240_000 }, async () => {
    const loanId = randomUUID();
    const e = envelopes(loanId);
    const passBy = { ...e.due, id: randomUUID(), type: 'LoanRestructured', payload: { loanId } };
    await publish(loanId, e.due, passBy, e.delinquency, e.due);
    const first = await eventually(async () => {
      const s = await state(loanId);
      return s.eventsApplied >= 2 ? s : undefined;
    }, { what: 'due and delinquency applied', timeoutMs: 30_000 });
    expect(first).toMatchObject({ status: 'open', eventsApplied: 2, delinquency: { dpd: 3, rbiClass: 'SMA-0', asOf: '2026-03-08' } });
    expect(first.installments).toMatchObject([{ number: 1, status: 'due', amountDue: inr('100000') }]);

    // Kafka redelivers the repayment (the same envelope twice): it is applied once.
    await publish(loanId, e.repayment, e.repayment, e.due);
    const paid = await eventually(async () => {
      const s = await state(loanId);
      return s.lastPayment ? s : undefined;
    }, { what: 'repayment applied', timeoutMs: 60_000 });
    expect(paid).toMatchObject({ eventsApplied: 3, lastPayment: { transactionId: 'tx-1', amount: inr('100000'), channel: 'upi', reversed: false } });

    await publish(loanId, e.closed);
    const handle = temporal.workflow.getHandle(`collections-${loanId}`);
    await handle.result();
    const closed = await handle.describe();
    expect(closed.status.name).toBe('COMPLETED');
    expect(await handle.query(collectionsStateQuery)).toMatchObject({ status: 'closed', closed: { on: '2026-04-05', reason: 'repaid' }, eventsApplied: 4 });

    // An event after the end starts nothing; the consumer goes on to the next loan.
    const next = randomUUID();
    await publish(loanId, e.closed, e.delinquency);
    await publish(next, envelopes(next).due);
    await eventually(async () => ((await state(next)).eventsApplied === 1 ? true : undefined), { what: 'next loan signalled', timeoutMs: 90_000 });
    const after = await temporal.workflow.getHandle(`collections-${loanId}`).describe();
    expect(after.runId).toBe(closed.runId);
    expect(after.status.name).toBe('COMPLETED');
  });
});
