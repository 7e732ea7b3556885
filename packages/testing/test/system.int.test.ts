import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { deadLetterHeaders, sampleLoanApprovedV1, topics } from '@lendstack/contracts';
import { migrate, signToken } from '@lendstack/platform';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitChecksOverHttp, createOwnDatabase, eventually, infrastructure, startServiceProcess, type Infrastructure, type OwnDatabase, type ServiceProcess, testPort } from '../src/index.js';

// The whole system as it runs in production: both services as their own processes over real
// Postgres, Kafka and Temporal. Each run uses its own consumer group and task queue.
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-system-test-secret-0123456789';
const now = Math.floor(Date.now() / 1000);
const tenant = 'system-test';
const partner = signToken(secret, { subject: 'partner@system-test', tenantId: tenant, roles: ['partner'] }, 3_600, now);
const operator = signToken(secret, { subject: 'operator@system-test', tenantId: tenant, roles: ['operator'] }, 3_600, now);
// infra/test.sh gives test runs their own topics; messages produced here must go to them.
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const loanApprovedTopic = `${prefix}${topics.loanApproved.name}`;
const deadLetterTopic = `${prefix}${topics.lmsDeadLetter.name}`;
// Ports overridable so parallel environments on one machine do not collide.
const PORTS = { los: await testPort('SYSTEM_TEST_LOS_PORT'), lms: await testPort('SYSTEM_TEST_LMS_PORT') };
const infraScript = fileURLToPath(new URL('../../../infra/local/infra.sh', import.meta.url));
const lmsMigrations = fileURLToPath(new URL('../../../services/lms/prisma/migrations', import.meta.url));
const losMigrations = fileURLToPath(new URL('../../../services/los/prisma/migrations', import.meta.url));

let infra: Infrastructure;
let los: ServiceProcess;
let lms: ServiceProcess;
let lmsDb: pg.Pool;
let lmsDatabase: OwnDatabase;
let losDatabase: OwnDatabase;
let producer: Producer;
let kafka: Kafka;
let lmsEnv: Record<string, string>;

const json = { 'content-type': 'application/json' };
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function applicationBody(amountMinor = '50000000') {
  return {
    applicant: {
      name: { given: 'Asha', family: 'Rao' },
      contact: { email: 'asha@example.com', phone: '+919812345678' },
      address: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', value: 'ABCDE1234F' },
      bankAccount: { holderName: 'Asha Rao', accountNumber: '123456789012', bankCode: 'HDFC0001234' },
    },
    loan: { productCode: 'PL-12', principal: { amount: amountMinor, currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly', expectedDisbursementDate: tomorrow },
  };
}

async function submitAndApprove(headers: Record<string, string> = {}): Promise<{ loanId: string; traceId: string | null }> {
  const created = await fetch(`${los.url}/v1/applications`, { method: 'POST', headers: { ...json, authorization: `Bearer ${partner}` }, body: JSON.stringify(applicationBody()) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  // The LOS checks every application (Temporal) before anyone may approve it.
  await awaitChecksOverHttp(los.url, `Bearer ${operator}`, id, { expect: 'checks-complete' }).catch((error: Error) => {
    // The LOS's own lines (kafkajs repeats its reconnect errors while the broker is down).
    const own = los.output().split('\n').filter((l) => !l.includes('"component":"kafka"')).join('\n');
    throw new Error(`${error.message}\nLOS output (without kafkajs lines):\n${own.slice(-8_000)}`);
  });
  const approved = await fetch(`${los.url}/v1/applications/${id}/approve`, { method: 'POST', headers: { ...json, ...headers, authorization: `Bearer ${operator}` }, body: '{}' });
  expect(approved.status).toBe(200);
  const body = (await approved.json()) as { status: string; loanId: string };
  expect(body.status).toBe('approved');
  return { loanId: body.loanId, traceId: approved.headers.get('trace-id') };
}

const loanCount = async (ids: string[]) => Number((await lmsDb.query('SELECT count(*) FROM loan_accounts WHERE id = ANY($1)', [ids])).rows[0].count);

beforeAll(async () => {
  infra = await infrastructure();
  // Each service's starters and relays scan whole tables (the LOS's checks starter, the LMS's collections
  // starter, both outbox relays): on the shared test databases they would first start the checks and workflows
  // of every application and loan other test files wrote meanwhile, and this test's wait behind them. Databases
  // of their own, migrated, hold only what this system does.
  [losDatabase, lmsDatabase] = await Promise.all([
    createOwnDatabase(infra.losDatabaseUrl, 'lendstack_los_system'),
    createOwnDatabase(infra.lmsDatabaseUrl, 'lendstack_lms_system'),
  ]);
  await Promise.all([migrate(losDatabase.url, losMigrations), migrate(lmsDatabase.url, lmsMigrations)]);
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix };
  lmsEnv = {
    ...common,
    LMS_DATABASE_URL: lmsDatabase.url,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    LMS_CONSUMER_GROUP: `lms-system-${runId}`,
    LMS_CONSUMER_FROM_BEGINNING: 'false',
    TEMPORAL_TASK_QUEUE: `collections-${runId}`,
  };
  [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, { ...common, LOS_DATABASE_URL: losDatabase.url }, { keepOutputChars: 4_000_000 }),
    startServiceProcess('lms', PORTS.lms, lmsEnv, { keepOutputChars: 1_000_000 }),
  ]);
  lmsDb = new pg.Pool({ connectionString: lmsDatabase.url, max: 2 });
  kafka = new Kafka({ clientId: `system-test-${runId}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 180_000);

afterAll(async () => {
  await producer?.disconnect();
  await lmsDb?.end();
  await Promise.all([los?.stop(), lms?.stop()]);
  await Promise.all([losDatabase?.drop(), lmsDatabase?.drop()]);
  await infra?.stop();
});

describe('LoanApproved end to end', () => {
  it('turns an approved application into a loan with an exact schedule and a collections workflow, in one trace', { timeout: 180_000 }, async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const { loanId, traceId: responseTrace } = await submitAndApprove({ traceparent: `00-${traceId}-${'1'.repeat(16)}-01` });
    expect(responseTrace).toBe(traceId);

    const auth = { authorization: `Bearer ${partner}` };
    const loan = await eventually(async () => {
      const res = await fetch(`${lms.url}/v1/loans/${loanId}`, { headers: auth });
      return res.status === 200 ? ((await res.json()) as { principal: { amount: string }; collections: { workflowId: string; startedAt: string | null } }) : undefined;
    }, { what: 'the loan in the LMS' });
    expect(loan.principal.amount).toBe('50000000');

    const schedule = (await (await fetch(`${lms.url}/v1/loans/${loanId}/schedule`, { headers: auth })).json()) as {
      installments: { principal: { amount: string }; balanceAfter: { amount: string } }[];
      totals: { principal: { amount: string } };
    };
    expect(schedule.installments).toHaveLength(12);
    expect(schedule.totals.principal.amount).toBe('50000000');
    expect(schedule.installments.reduce((s, i) => s + BigInt(i.principal.amount), 0n)).toBe(50_000_000n);
    expect(schedule.installments.at(-1)!.balanceAfter.amount).toBe('0');

    // The consumer's work continued the trace the approval request started.
    const { rows } = await lmsDb.query<{ traceparent: string }>('SELECT traceparent FROM loan_accounts WHERE id = $1', [loanId]);
    expect(rows[0]!.traceparent.split('-')[1]).toBe(traceId);

    const connection = await Connection.connect({ address: infra.temporalAddress });
    try {
      const client = new Client({ connection });
      const description = await eventually(async () => client.workflow.getHandle(loan.collections.workflowId).describe().catch(() => undefined), { what: 'the collections workflow', timeoutMs: 60_000 }).catch((error: Error) => {
        const own = lms.output().split('\n').filter((l) => !l.includes('"component":"kafka"')).join('\n');
        throw new Error(`${error.message}\nLMS output (without kafkajs lines):\n${own.slice(-8_000)}`);
      });
      expect(description.status.name).toBe('RUNNING');
      expect(description.type).toBe('collectionsWorkflow');
      // ...and the workflow was started inside that same trace (W3C context in Temporal's headers).
      const history = await client.workflow.getHandle(loan.collections.workflowId).fetchHistory();
      const header = history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.['_tracer-data'];
      expect(Buffer.from(header?.data ?? []).toString()).toContain(traceId);
    } finally {
      await connection.close();
    }
  });

  it('creates one loan when the same LoanApproved is delivered twice', { timeout: 180_000 }, async () => {
    const event = sampleLoanApprovedV1({ loanId: randomUUID(), tenantId: tenant });
    const message = { key: event.subject, value: JSON.stringify(event) };
    await producer.send({ topic: loanApprovedTopic, messages: [message] });
    await producer.send({ topic: loanApprovedTopic, messages: [message] });
    const marker = sampleLoanApprovedV1({ loanId: randomUUID(), tenantId: tenant });
    await producer.send({ topic: loanApprovedTopic, messages: [{ key: marker.subject, value: JSON.stringify(marker) }] });
    // The marker is on its own partition or behind the duplicates; waiting for it and then for both keeps the check honest.
    await eventually(async () => ((await loanCount([event.subject, marker.subject])) === 2 ? true : undefined), { what: 'both loans' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await loanCount([event.subject])).toBe(1);
    const installments = await lmsDb.query('SELECT count(*) FROM installments WHERE loan_id = $1', [event.subject]);
    expect(Number(installments.rows[0].count)).toBe(event.payload.loan.termPeriods);
  });

  it('lists a tenant’s loans a page at a time and shows another tenant none of them', { timeout: 180_000 }, async () => {
    const auth = { authorization: `Bearer ${partner}` };
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const res: Response = await fetch(`${lms.url}/v1/loans?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { id: string; tenantId: string }[]; nextCursor: string | null };
      expect(body.items.every((l) => l.tenantId === tenant)).toBe(true);
      seen.push(...body.items.map((l) => l.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    const stranger = signToken(secret, { subject: 'partner@other', tenantId: 'other-tenant', roles: ['partner'] }, 3_600, now);
    const theirs = (await (await fetch(`${lms.url}/v1/loans`, { headers: { authorization: `Bearer ${stranger}` } })).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
    const forged = await fetch(`${lms.url}/v1/loans?cursor=forged`, { headers: auth });
    expect(forged.status).toBe(422); // well-formed (the document allows any non-empty cursor) but never issued
    expect(((await forged.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/query/cursor');
  });

  it('dead-letters a malformed message with its reason and keeps consuming', { timeout: 180_000 }, async () => {
    const key = randomUUID();
    const valid = sampleLoanApprovedV1({ loanId: key, tenantId: tenant });
    const broken = { ...valid, id: randomUUID(), payload: { ...valid.payload, loan: { ...valid.payload.loan, principal: { amount: 1234.5, currency: 'INR', scale: 2 } } } };
    await producer.send({ topic: loanApprovedTopic, messages: [{ key, value: 'not json at all' }, { key, value: JSON.stringify(broken) }, { key, value: JSON.stringify(valid) }] });
    await eventually(async () => ((await loanCount([key])) === 1 ? true : undefined), { what: 'the valid loan after the bad messages' });

    const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    const reasons: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key) reasons.push(String(message.headers?.[deadLetterHeaders.reason]));
      },
    });
    try {
      await eventually(async () => (reasons.length >= 2 ? true : undefined), { what: 'two dead letters' });
    } finally {
      await consumer.disconnect();
    }
    expect(reasons[0]).toMatch(/not valid JSON/);
    expect(reasons[1]).toMatch(/payload\.loan\.principal\.amount/);
  });

  it('leaves no loan missing or doubled when the LMS is killed mid-stream and restarted', { timeout: 180_000 }, async () => {
    const events = Array.from({ length: 400 }, () => sampleLoanApprovedV1({ loanId: randomUUID(), tenantId: tenant }));
    const ids = events.map((e) => e.subject);
    await producer.send({ topic: loanApprovedTopic, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    await eventually(async () => ((await loanCount(ids)) > 0 ? true : undefined), { what: 'the first loans', intervalMs: 20 });
    await lms.crash();
    const atCrash = await loanCount(ids);
    lms = await startServiceProcess('lms', PORTS.lms, lmsEnv);
    await eventually(async () => ((await loanCount(ids)) === ids.length ? true : undefined), { timeoutMs: 90_000, what: 'all loans after restart' }).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${await loanCount(ids)} of ${ids.length} booked (${atCrash} at the crash)\n${lms.output().slice(-3_000)}`);
    });
    const installments = await lmsDb.query('SELECT count(*) FROM installments WHERE loan_id = ANY($1)', [ids]);
    expect(Number(installments.rows[0].count)).toBe(events.reduce((n, e) => n + e.payload.loan.termPeriods, 0));
    expect(atCrash).toBeLessThanOrEqual(ids.length);
  });

  it('approves with Kafka stopped and delivers the events once Kafka is back', { timeout: 420_000 }, async () => {
    execFileSync('bash', [infraScript, 'stop', 'kafka'], { stdio: 'ignore' });
    let loanIds: string[];
    try {
      loanIds = [];
      for (let i = 0; i < 3; i += 1) loanIds.push((await submitAndApprove()).loanId);
    } finally {
      execFileSync('bash', [infraScript, 'start', 'kafka'], { stdio: 'ignore', timeout: 120_000 });
    }
    await eventually(async () => ((await loanCount(loanIds)) === 3 ? true : undefined), { timeoutMs: 90_000, what: 'loans approved while Kafka was down' });
  });
});
