import { randomUUID } from 'node:crypto';
import { checkBookable, deadLetterHeaders, topics, type LoanTermsV1 } from '@lendstack/contracts';
import { compareLoanSides, itemsOf, signToken, type ReconciliationPage } from '@lendstack/platform';
import fc from 'fast-check';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitChecksOverHttp, eventually, infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';
import { submissionArb } from './submission.arbitraries.js';

// "Nothing approved is lost", end to end over both services as their own processes: every loan the
// LOS accepts the LMS books, and a LoanApproved the LMS refuses comes back to the LOS as booking-failed.
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-bookable-test-secret-0123456789';
const now = Math.floor(Date.now() / 1000);
const tenant = `bookable-${runId}`;
const partner = signToken(secret, { subject: 'partner@bookable', tenantId: tenant, roles: ['partner'] }, 3_600, now);
// Segregation of duties: the approver is not the submitter.
const operator = signToken(secret, { subject: 'operator@bookable', tenantId: tenant, roles: ['operator'] }, 3_600, now);
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const loanApprovedTopic = `${prefix}${topics.loanApproved.name}`;
const deadLetterTopic = `${prefix}${topics.lmsDeadLetter.name}`;
const numRuns = Number(process.env.BOOKABLE_NUM_RUNS ?? 40);
const seed = Number(process.env.BOOKABLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const LOS_PORT = await testPort('BOOKABLE_TEST_LOS_PORT');
// Arbitrary applicants (any country, any national id) are about bookability here, not identity: the checks
// on our own data run, the vendor checks (KYC would rightly reject a random id) are tested in the LOS.
const BOOKING_CHECKS = 'duplicate,velocity,device,sanctions';
const LMS_PORT = await testPort('BOOKABLE_TEST_LMS_PORT');

let infra: Infrastructure;
let los: ServiceProcess;
let lms: ServiceProcess;
let losDb: pg.Pool;
let lmsDb: pg.Pool;
let kafka: Kafka;
let producer: Producer;
let lmsEnv: (group: string) => Record<string, string>;

const json = { 'content-type': 'application/json' };
const asPartner = { ...json, authorization: `Bearer ${partner}` };
const asOperator = { ...json, authorization: `Bearer ${operator}` };

interface ApplicationView {
  id: string;
  status: string;
  loanId: string | null;
  bookingFailure: { code: string; reason: string; at: string; eventId: string } | null;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    // A service that died mid-run: say why, from its own output.
    const service = url.startsWith(los.url) ? los : lms;
    throw new Error(`${init.method ?? 'GET'} ${url} failed (${(error as Error).message}); service output:\n${service.output().slice(-4_000)}`, { cause: error });
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: keep the text for the message */ }
  return { status: res.status, body };
}

const submit = (body: unknown) => call(`${los.url}/v1/applications`, { method: 'POST', headers: asPartner, body: JSON.stringify(body) });
/** Waits for the application's checks (the LOS refuses an approval before they complete), then approves. */
const approve = async (id: string) => {
  await awaitChecksOverHttp(los.url, asOperator.authorization, id, { expect: 'checks-complete' });
  return call(`${los.url}/v1/applications/${id}/approve`, { method: 'POST', headers: asOperator, body: '{}' });
};
const application = async (id: string) => (await call(`${los.url}/v1/applications/${id}`, { headers: asOperator })).body as ApplicationView;

/** The terms as the LOS parses them: the submission schema's defaults applied (applications.schemas.ts). */
function withDefaults(loan: object): LoanTermsV1 {
  return { scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', fees: [], ...loan } as unknown as LoanTermsV1;
}

async function bookingFailedMetric(): Promise<number> {
  const text = await (await fetch(`${los.url}/metrics`)).text();
  const line = text.split('\n').find((l) => /^lendstack_applications_booking_failed_total(\{[^}]*\})? /.test(l));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

beforeAll(async () => {
  infra = await infrastructure();
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix };
  lmsEnv = (group) => ({
    ...common,
    LMS_DATABASE_URL: infra.lmsDatabaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    LMS_CONSUMER_GROUP: group,
    LMS_CONSUMER_FROM_BEGINNING: 'false',
    TEMPORAL_TASK_QUEUE: `collections-bookable-${runId}`,
    LMS_COLLECTIONS_TENANT_PREFIX: tenant,
  });
  [los, lms] = await Promise.all([
    startServiceProcess('los', LOS_PORT, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CHECK_KINDS: BOOKING_CHECKS, LOS_CONSUMER_GROUP: `los-bookable-${runId}`, LOS_CHECKS_TENANT_PREFIX: tenant, LOG_LEVEL: process.env.BOOKABLE_LOS_LOG_LEVEL ?? 'warn' }),
    startServiceProcess('lms', LMS_PORT, lmsEnv(`lms-bookable-${runId}`)),
  ]);
  losDb = new pg.Pool({ connectionString: infra.losDatabaseUrl, max: 2 });
  lmsDb = new pg.Pool({ connectionString: infra.lmsDatabaseUrl, max: 2 });
  kafka = new Kafka({ clientId: `bookable-test-${runId}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 180_000);

afterAll(async () => {
  await producer?.disconnect();
  await Promise.all([losDb?.end(), lmsDb?.end()]);
  await Promise.all([los?.stop(), lms?.stop()]);
  await infra?.stop();
});

describe('what the LOS accepts, the LMS books', () => {
  it(`submits arbitrary valid bodies: 201 → approved → booked, or 422 exactly when checkBookable refuses (${numRuns} runs)`, { timeout: 300_000 }, async () => {
    const today = new Date().toISOString().slice(0, 10);
    const outcomes = { booked: 0, unbookable: 0 };
    const property = fc.asyncProperty(submissionArb(today), async (body) => {
      const terms = withDefaults(body.loan);
      const created = await submit(body);
      const context = () => `body ${JSON.stringify(body)}\nresponse ${created.status} ${JSON.stringify(created.body)}`;
      if (created.status === 422) {
        expect(created.body.type, context()).toMatch(/\/unbookable-terms$/);
        const refusal = checkBookable(terms);
        expect(refusal.ok, `the LOS refused terms the engine books: ${context()}`).toBe(false);
        if (!refusal.ok) expect(created.body.errors[0].pointer, context()).toBe(['/loan', ...refusal.path].join('/'));
        outcomes.unbookable += 1;
        return;
      }
      expect(created.status, context()).toBe(201);
      const bookable = checkBookable(terms);
      expect(bookable.ok, `the LOS accepted terms checkBookable refuses: ${context()}`).toBe(true);

      // The LOS keeps the terms exactly as sent, defaults filled in (a rate of "007.50" stays "007.50").
      expect(created.body.loan, context()).toEqual(terms);
      const approved = await approve(created.body.id);
      expect(approved.status, `approve: ${JSON.stringify(approved.body)}\n${context()}`).toBe(200);
      const loanId = approved.body.loanId as string;
      const loan = await eventually(async () => {
        const res = await call(`${lms.url}/v1/loans/${loanId}`, { headers: asPartner });
        return res.status === 200 ? res.body : undefined;
      }, { timeoutMs: 20_000, what: `loan ${loanId} in the LMS` }).catch(async (error: Error) => {
        const app = await application(created.body.id);
        throw new Error(`${error.message}; the application is ${app.status} ${JSON.stringify(app.bookingFailure)}\n${context()}\n${lms.output().slice(-2_000)}`);
      });
      expect(loan, context()).toMatchObject({
        principal: body.loan.principal, annualRatePercent: terms.annualRatePercent, termPeriods: terms.termPeriods,
        frequency: terms.frequency, scheduleMethod: terms.scheduleMethod, disbursementDate: terms.expectedDisbursementDate,
      });
      const schedule = await call(`${lms.url}/v1/loans/${loanId}/schedule`, { headers: asPartner });
      expect(schedule.status).toBe(200);
      const installments = schedule.body.installments as { principal: { amount: string } }[];
      const financed = terms.fees.filter((f) => f.timing === 'financed').reduce((s, f) => s + BigInt(f.amount.amount), 0n);
      const principalColumn = installments.reduce((s, i) => s + BigInt(i.principal.amount), 0n);
      expect(principalColumn, context()).toBe(BigInt(body.loan.principal.amount) + financed);
      if (bookable.ok) expect(installments).toHaveLength(bookable.schedule.installments.length);
      outcomes.booked += 1;
    });
    try {
      await fc.assert(property, { numRuns, seed, endOnFailure: true });
    } catch (error) {
      // fast-check's message has the seed and path; say it once more, where it is easy to copy.
      console.error(`bookable property failed; reproduce with BOOKABLE_SEED=${seed} BOOKABLE_NUM_RUNS=${numRuns}`);
      throw error;
    }
    console.info(`bookable property (seed ${seed}): ${outcomes.booked} booked, ${outcomes.unbookable} refused as unbookable`);
    expect(outcomes.booked).toBeGreaterThan(0);
  });
});

describe('a LoanApproved the LMS refuses comes back to the LOS', () => {
  it('moves the application to booking-failed once, with the LMS’s reason, and a replay changes nothing', { timeout: 180_000 }, async () => {
    // Deterministic setup: B is approved while no LMS consumes, its real LoanApproved is published
    // (outbox row sent), then a new LMS consumer group starts pinned to the topic's end
    // (LMS_CONSUMER_FROM_BEGINNING=false), so that event is never booked. The only LoanApproved for
    // B's loan this LMS ever sees is the one produced here: B's own event with a new id and a currency
    // the contract refuses.
    await lms.stop();
    const created = await submit({
      applicant: {
        name: { given: 'Иван', family: '山田' },
        contact: { email: 'b@example.com', phone: '+56912345678' },
        address: { line1: 'Av. Providencia 1234', city: 'Santiago', postalCode: '7500000', country: 'CL' },
        nationalId: { type: 'RUT', value: '12.345.678-K' },
        bankAccount: { holderName: 'Иван 山田', accountNumber: '000123456789', bankCode: 'BCHICLRM' },
      },
      loan: { productCode: 'PL-12', principal: { amount: '100000000', currency: 'CLP', scale: 0 }, annualRatePercent: '20', termPeriods: 6, frequency: 'monthly', expectedDisbursementDate: new Date().toISOString().slice(0, 10) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const approved = await approve(created.body.id);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const loanId = approved.body.loanId as string;
    const real = await eventually(async () => {
      const { rows } = await losDb.query<{ value: Record<string, any> }>(
        "SELECT value FROM outbox WHERE value->>'type' = 'LoanApproved' AND value->>'subject' = $1 AND sent_at IS NOT NULL", [loanId]);
      return rows[0]?.value;
    }, { what: `B's LoanApproved published by the LOS relay` });
    lms = await startServiceProcess('lms', LMS_PORT, lmsEnv(`lms-bookable-loop-${runId}`));

    const bad = { ...real, id: randomUUID(), payload: { ...real.payload, loan: { ...real.payload.loan, principal: { ...real.payload.loan.principal, currency: 'XXX' } } } };
    const message = { key: loanId, value: JSON.stringify(bad) };
    const metricBefore = await bookingFailedMetric();
    const reasons: string[] = [];
    const reader = kafka.consumer({ groupId: `dlq-bookable-${randomUUID()}` });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message: m }) => {
        if (m.key?.toString() === loanId) reasons.push(String(m.headers?.[deadLetterHeaders.reason]));
      },
    });
    try {
      await producer.send({ topic: loanApprovedTopic, messages: [message] });
      await eventually(async () => (reasons.length >= 1 ? true : undefined), { what: 'the dead letter' });
      expect(reasons[0]).toMatch(/currency/);

      const failed = await eventually(async () => {
        const app = await application(created.body.id);
        return app.status === 'booking-failed' ? app : undefined;
      }, { timeoutMs: 30_000, what: 'B to become booking-failed' }).catch((error: Error) => {
        throw new Error(`${error.message}\nLOS output:\n${los.output().slice(-4_000)}\nLMS output:\n${lms.output().slice(-2_000)}`);
      });
      expect(failed.loanId).toBe(loanId);
      expect(failed.bookingFailure).toMatchObject({ code: 'invalid-event', reason: expect.stringMatching(/currency/) });
      expect(failed.bookingFailure!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const listed = await call(`${los.url}/v1/applications?status=booking-failed&limit=100`, { headers: asOperator });
      expect(listed.status).toBe(200);
      expect((listed.body.items as ApplicationView[]).map((a) => a.id)).toContain(created.body.id);
      expect((listed.body.items as ApplicationView[]).every((a) => a.status === 'booking-failed')).toBe(true);
      await eventually(async () => ((await bookingFailedMetric()) === metricBefore + 1 ? true : undefined), { what: 'the booking-failed counter' });

      // The same bad message again: dead-lettered again (the LMS refuses it again), but the derived
      // LoanBookingRejected is the same event, so nothing more happens in either service.
      await producer.send({ topic: loanApprovedTopic, messages: [message] });
      await eventually(async () => (reasons.length >= 2 ? true : undefined), { what: 'the second dead letter' });
      await new Promise((r) => setTimeout(r, 2_000));
      const { rows } = await lmsDb.query<{ n: string }>(
        "SELECT count(*) AS n FROM outbox WHERE topic = $1 AND value->>'causationId' = $2", [topics.loanLifecycle.name, bad.id]);
      expect(Number(rows[0]!.n)).toBe(1);
      expect(await bookingFailedMetric()).toBe(metricBefore + 1);
      expect(await application(created.body.id)).toMatchObject({ status: 'booking-failed', bookingFailure: failed.bookingFailure });
      // B was never booked: the refused event is the only one this LMS saw for it.
      expect((await call(`${lms.url}/v1/loans/${loanId}`, { headers: asPartner })).status).toBe(404);
    } finally {
      await reader.disconnect();
    }
  });
});

describe('approvals vs bookings after every boundary value above', () => {
  it('shows no difference, and each refused booking as booking-failed in the LOS', async () => {
    const side = (base: string) => (date: string) => async (after: string | undefined): Promise<ReconciliationPage> => {
      const res = await call(`${base}/v1/reconciliation/loans?date=${date}&limit=500${after ? `&after=${after}` : ''}`, { headers: asOperator });
      expect(res.status).toBe(200);
      return res.body as ReconciliationPage;
    };
    // The runs above may straddle midnight UTC: reconcile every day they touched.
    const days = [...new Set([new Date(now * 1000).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)])];
    let approved = 0;
    let refused = 0;
    for (const date of days) {
      const report = await compareLoanSides(itemsOf(side(los.url)(date)), itemsOf(side(lms.url)(date)));
      expect(report.differences, `differences on ${date}`).toEqual([]);
      expect(report.booked.count).toBe(report.approved.count);
      expect(report.booked.principal).toEqual(report.approved.principal);
      approved += report.approved.count;
      refused += report.refused.length;
      for (const r of report.refused) expect((await application(r.applicationId)).status).toBe('booking-failed');
    }
    expect(approved).toBeGreaterThan(0);
    expect(refused).toBe(1);
  });
});
