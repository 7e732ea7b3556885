/**
 * The collector in processes of its own (LMS_COLLECTIONS_WORKER): an LMS process with it off serves the API,
 * books and is ready without starting any loan's collections workflow; a second process with it on, over the same
 * database and Temporal server, starts it. Both are real processes (`tsx src/bin.ts`) on the real infrastructure.
 */
import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount, collectionsWorkflowId } from '../src/modules/loans/domain/loan-account.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

const API_PORT = await testPort('COLLECTOR_APART_TEST_API_PORT');
const COLLECTOR_PORT = await testPort('COLLECTOR_APART_TEST_COLLECTOR_PORT');
const runId = randomUUID().slice(0, 8);

let h: Harness;
let connection: Connection;
let temporal: Client;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  connection = await Connection.connect({ address: (await infrastructure()).temporalAddress });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await connection?.close();
  await h?.pool.end();
});

const startedAt = async (loanId: string) =>
  (await h.pool.query<{ at: Date | null }>('SELECT collections_started_at AS at FROM loan_accounts WHERE id = $1', [loanId])).rows[0]!.at;
const workflowStatus = async (loanId: string) =>
  temporal.workflow.getHandle(collectionsWorkflowId(loanId)).describe().then((d) => d.status.name, (error: Error) => `not found (${error.name})`);

describe('the collector apart from the API and end of day', () => {
  it('an LMS with LMS_COLLECTIONS_WORKER=false is ready and starts no workflow; one with it on starts the loan’s', { timeout: 180_000 }, async () => {
    const tenant = newTenant(`apart${runId}`);
    const event = sampleLoanApprovedV1({ tenantId: tenant });
    const booked = bookLoanAccount(event, engineScheduleCalculator(event));
    if (!booked.ok) throw new Error(booked.reason);
    await createPgLoanBookingStore(h.pool).bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
    const loanId = booked.account.id;

    const infra = await infrastructure();
    const env = {
      LMS_DATABASE_URL: infra.lmsDatabaseUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), TEMPORAL_ADDRESS: infra.temporalAddress,
      LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collector-apart-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenant,
    };
    const api = await startServiceProcess('lms', API_PORT, { ...env, LMS_CONSUMER_GROUP: `lms-apart-api-${runId}`, LMS_COLLECTIONS_WORKER: 'false' });
    processes.push(api);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toMatchObject({ database: 'up', kafka: 'up', temporal: 'up', consumers: 'up' });
    // The starter polls every 500 ms when idle: ten of its rounds would have started the loan's workflow.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await startedAt(loanId)).toBeNull();
    expect(await workflowStatus(loanId)).toMatch(/^not found/);

    const collector = await startServiceProcess('lms', COLLECTOR_PORT, { ...env, LMS_CONSUMER_GROUP: `lms-apart-collector-${runId}` });
    processes.push(collector);
    await eventually(async () => ((await startedAt(loanId)) !== null ? true : undefined), { timeoutMs: 60_000, what: 'the collector to start the loan’s workflow' });
    expect(await workflowStatus(loanId)).toBe('RUNNING');
    await temporal.workflow.getHandle(collectionsWorkflowId(loanId)).terminate('test over');
  });
});
