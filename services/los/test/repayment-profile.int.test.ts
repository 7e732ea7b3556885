import { randomUUID } from 'node:crypto';
import {
  collectionsFlagRaisedV1Schema, collectionsFlagRaisedV2Schema, deadLetterHeaders, delinquencyChangedV1Schema, installmentDueV1Schema, installmentOverdueV1Schema, installmentPaidV1Schema, loanDisbursedV1Schema,
  loanEarlyWarningRaisedV1Schema, topics,
} from '@lendstack/contracts';
import { createKafka, createLogger, createMetrics, createProducer, signToken, type RunningConsumer } from '@lendstack/platform';
import { eventually, infrastructure } from '@lendstack/testing';
import type { Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoanLifecycleConsumer } from '../src/modules/applications/adapters/loan-lifecycle.consumer.js';
import { createPrismaBookingFeedbackStore } from '../src/modules/applications/adapters/prisma-booking-feedback.store.js';
import { createPdfjsPdfReader } from '../src/modules/documents/index.js';
import { createPgRepaymentProfileStore } from '../src/modules/borrower-profile/index.js';
import { createPrisma } from '../src/platform/prisma.js';
import { DEMO_APPROVAL_LIMITS, DEMO_CREDITOR } from '../src/modules/review/index.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, isoDateFromToday, startLosTestServer, uniquePan, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// Two-way sync, LOS side: the LOS's lifecycle consumer (as main.ts starts it) on the REAL Kafka builds the
// borrower repayment profile in the REAL Postgres, and the automated decision of a top-up reads it. The LMS
// is not run here: the test publishes the LMS's events itself, each built and validated with the contracts'
// schemas (the full LOS → LMS → LOS story is the system test's). The applicant's first loan is a real
// application of this LOS (submitted, decided by policy, approved), so its loan id leads to its borrower.
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const lifecycleTopic = `${prefix}${topics.loanLifecycle.name}`;
const deadLetterTopic = `${prefix}${topics.losDeadLetter.name}`;
const PRODUCT = { code: 'PL-12M', currency: 'INR' as const, maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' };

let los: LosTestServer;
let consumer: RunningConsumer;
let producer: Producer;
let dlqReader: Consumer;
let prisma: ReturnType<typeof createPrisma>;
const deadLetters: { key: string; reason: string; id: string }[] = [];

beforeAll(async () => {
  los = await startLosTestServer('los-int-rp', { runners: controlledRunners });
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: PRODUCT.code, document: defaultPolicy(PRODUCT) }], new Date());
  await los.reviews.seed(los.tenantId, { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR });
  const { kafkaBrokers } = await infrastructure();
  const logger = createLogger({ service: 'los-int-rp', level: 'silent' });
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: `los-int-rp-${randomUUID().slice(0, 8)}`, logger });
  prisma = createPrisma(los.pool);
  consumer = await startLoanLifecycleConsumer({
    kafka, producer: await createProducer(kafka), logger, metrics: createMetrics('los-int-rp'),
    groupId: `los-int-rp-${randomUUID()}`, fromBeginning: false, topicPrefix: prefix,
    feedback: createPrismaBookingFeedbackStore(prisma), onBookingFailed: () => undefined,
    profiles: createPgRepaymentProfileStore(los.pool),
  });
  producer = await createProducer(kafka);
  dlqReader = kafka.consumer({ groupId: `los-int-rp-dlq-${randomUUID()}` });
  await dlqReader.connect();
  await dlqReader.subscribe({ topic: deadLetterTopic, fromBeginning: true });
  await dlqReader.run({
    eachMessage: async ({ message: m }) => {
      let id = '';
      try {
        id = String((JSON.parse(m.value?.toString() ?? '{}') as { id?: unknown }).id ?? '');
      } catch { /* not ours */ }
      deadLetters.push({ key: m.key?.toString() ?? '', reason: String(m.headers?.[deadLetterHeaders.reason] ?? ''), id });
    },
  });
}, 120_000);

afterAll(async () => {
  await dlqReader?.disconnect();
  await consumer?.stop();
  await producer?.disconnect();
  await prisma?.$disconnect();
  await los?.close();
});

const as = (subject: string, roles: ('admin' | 'operator' | 'partner')[]) =>
  ({ authorization: `Bearer ${signToken(los.secret, { subject, tenantId: los.tenantId, roles }, 300, Math.floor(Date.now() / 1000))}` });
const get = (url: string) => los.app.inject({ method: 'GET', url, headers: as('uma-underwriter', ['operator']) });

async function decided(body: object): Promise<{ id: string; decision: any }> {
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: as('pat-partner', ['partner']), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  const decision = await eventually(async () => {
    const d = await get(`/v1/applications/${id}/decision`);
    return d.statusCode === 200 ? d.json() : undefined;
  }, { timeoutMs: 60_000, intervalMs: 100, what: `the automated decision of ${id}` });
  return { id, decision };
}

const pan = uniquePan();
const applicant = (topUpOf?: string) => {
  const body = applicationBody({ pan });
  return { ...body, ...(topUpOf ? { topUpOf } : {}), employment: { employerName: 'Infosys', monthlyNetIncome: inr(income('Sharma')) } };
};

/** The LMS's envelope around a payload, validated by the event's contract schema. */
const lms = <T>(schema: { parse(v: unknown): T }, type: string, tenantId: string, loanId: string, payload: object): T => schema.parse({
  id: randomUUID(), type, version: 1, source: 'lendstack.lms', subject: loanId, occurredAt: new Date().toISOString(), tenantId, correlationId: `eod-${tenantId}`,
  payload: { loanId, ...payload },
});
const publish = (loanId: string, events: readonly unknown[]) =>
  producer.send({ topic: lifecycleTopic, acks: -1, messages: events.map((e) => ({ key: loanId, value: JSON.stringify(e) })) });
const applied = (eventId: string) => eventually(async () => ((await los.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId])).rowCount ? true : undefined), { what: `event ${eventId} applied` });

describe('the borrower repayment profile from the LMS lifecycle events, and the top-up decline', () => {
  let first: { id: string; loanId: string; borrowerKey: string };
  let history: unknown[];
  let lateDpd31: unknown;

  it('builds the profile of a known applicant from the LMS’s events: 45 days past due, one of three installments on time', async () => {
    const { id, decision } = await decided(applicant());
    expect(decision.outcome).toBe('approve');
    // The LOS's approval of the first loan (an admin's, as origination's own steps are not this test's).
    const approved = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/approve`, headers: { ...as('ada-admin', ['admin']), 'idempotency-key': randomUUID() }, payload: { overrideReason: 'first loan of the repayment-profile test' } });
    expect(approved.statusCode, approved.body).toBe(200);
    const app = approved.json<{ loanId: string; applicant: { nationalId: { token: string } } }>();
    first = { id, loanId: app.loanId, borrowerKey: app.applicant.nationalId.token };

    // The LMS's record of that loan: disbursed 120 days ago, EMI 1 paid on its due date, EMI 2 (60 days ago)
    // and EMI 3 (30 days ago) unpaid; its delinquency moves at 1 DPD (SMA-0) and, past a 15-day grace, into
    // the US 30-59 bucket at 45 DPD. Business dates are relative to today so the 12-month window holds them.
    const d = isoDateFromToday;
    const emi = { principal: inr('4200000'), interest: inr('600000'), fees: inr('0'), total: inr('4800000') };
    const installment = (n: number, dueDate: string, key: string, businessDate: string) => ({ eventKey: key, businessDate, installmentNumber: n, dueDate, scheduled: emi });
    const moved = (dpd: number, on: string, usBucket: string, rbiClass: string, previous: object) => lms(delinquencyChangedV1Schema, 'DelinquencyChanged', los.tenantId, first.loanId, {
      eventKey: `delinquency:${on}`, businessDate: on, dpd, usBucket, rbiClass, previous, ...(dpd > 0 ? { oldestUnpaidDueDate: d(-60) } : {}),
    });
    const t = los.tenantId;
    history = [
      lms(loanDisbursedV1Schema, 'LoanDisbursed', t, first.loanId, { trancheId: 'T1', effectKey: 'disbursement:T1', amount: inr('50000000'), valueDate: d(-120), cumulativeDisbursed: inr('50000000'), payoutReference: 'UTR000111', businessDate: d(-120) }),
      lms(installmentDueV1Schema, 'InstallmentDue', t, first.loanId, installment(1, d(-90), 'installment-due:1', d(-90))),
      lms(installmentPaidV1Schema, 'InstallmentPaid', t, first.loanId, { ...installment(1, d(-90), `installment-paid:1:${d(-90)}`, d(-90)), paid: { principal: emi.principal, interest: emi.interest, fees: emi.fees, penalties: inr('0') }, totalPaid: emi.total }),
      lms(installmentDueV1Schema, 'InstallmentDue', t, first.loanId, installment(2, d(-60), 'installment-due:2', d(-60))),
      lms(installmentOverdueV1Schema, 'InstallmentOverdue', t, first.loanId, installment(2, d(-60), 'installment-overdue:2', d(-59))),
      moved(1, d(-59), 'current', 'SMA-0', { dpd: 0, usBucket: 'current', rbiClass: 'standard' }),
      lms(installmentDueV1Schema, 'InstallmentDue', t, first.loanId, installment(3, d(-30), 'installment-due:3', d(-30))),
      lms(installmentOverdueV1Schema, 'InstallmentOverdue', t, first.loanId, installment(3, d(-30), 'installment-overdue:3', d(-29))),
      moved(45, d(-15), '30-59', 'SMA-1', { dpd: 44, usBucket: 'current', rbiClass: 'SMA-1' }),
    ];
    // Published later, out of order: the SMA-1 move of 30 days ago.
    lateDpd31 = { ...moved(31, d(-29), 'current', 'SMA-1', { dpd: 30, usBucket: 'current', rbiClass: 'SMA-0' }), occurredAt: `${d(-28)}T00:05:00.000Z` };
    await publish(first.loanId, history);

    const profile = await eventually(async () => {
      const p = (await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json();
      return p.currentDpd === 45 && p.installmentsDue === 3 ? p : undefined;
    }, { what: 'the profile at 45 DPD' });
    expect(profile).toMatchObject({
      borrowerKey: first.borrowerKey, loansOpen: 1, loansClosed: 0, loansChargedOff: 0, installmentsDue: 3, installmentsPaidOnTime: 1, onTimeRatioBasisPoints: 3333,
      currentDpd: 45, worstDpd: 45, worstDpd12m: 45,
      loans: [{ loanId: first.loanId, applicationId: first.id, status: 'open', disbursedOn: d(-120), currentDpd: 45, dpdAsOf: d(-15) }],
    });
    // The same profile under the application, with what it tops up (nothing).
    const byApplication = (await get(`/v1/applications/${first.id}/repayment-profile`)).json();
    expect(byApplication).toMatchObject({ applicationId: first.id, topUpOf: null, borrowerKey: first.borrowerKey, currentDpd: 45 });
    expect((await los.app.inject({ method: 'GET', url: `/v1/borrowers/${first.borrowerKey}/repayment-profile`, headers: as('pat-partner', ['partner']) })).statusCode).toBe(403);
  });

  it('changes nothing when the topic is replayed, and keeps the newer DPD when an older delinquency change arrives late', async () => {
    const before = (await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json();
    await publish(first.loanId, [...history, lateDpd31]);
    // One loan's events share a partition, in order: once the late one is applied, the replay was too.
    await applied((lateDpd31 as { id: string }).id);
    const after = (await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json();
    expect(after).toEqual(before);
    const facts = await los.pool.query<{ business_date: string; dpd: number }>('SELECT business_date::text, dpd FROM repayment_dpd_facts WHERE loan_id = $1 ORDER BY business_date', [first.loanId]);
    expect(facts.rows).toEqual([{ business_date: isoDateFromToday(-59), dpd: 1 }, { business_date: isoDateFromToday(-29), dpd: 31 }, { business_date: isoDateFromToday(-15), dpd: 45 }]);
    const installments = await los.pool.query('SELECT count(*)::int AS n FROM repayment_installments WHERE loan_id = $1', [first.loanId]);
    expect(installments.rows[0].n).toBe(3);
  });

  it('declines a top-up of that borrower, delinquent at the LMS, with the reason, the profile’s features and the rule recorded', async () => {
    const notALoan = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: as('pat-partner', ['partner']), payload: { ...applicant(), topUpOf: 'loan-7' } });
    expect(notALoan.statusCode).toBe(400);
    expect(notALoan.json().errors).toEqual([{ pointer: '/topUpOf', detail: 'topUpOf must be a loan id (UUID)' }]);
    const { id, decision } = await decided(applicant(first.loanId));
    expect(decision).toMatchObject({ outcome: 'decline', reasons: ['Delinquent on an existing loan with us'] });
    expect(decision.rules.find((r: any) => r.id === 'top-up-not-delinquent')).toMatchObject({ outcome: 'decline', applies: true, missing: false, saw: { topUp: true, currentDpdAtLender: 45 } });
    expect(decision.features).toMatchObject({
      topUp: { value: true, source: 'application.topUpOf' },
      topUpLoanOpenAtLender: { value: true },
      existingLoansOpen: { value: 1 },
      currentDpdAtLender: { value: 45, source: `repayment-profile currentDpd of ${first.borrowerKey}` },
      worstDpdAtLender12m: { value: 45 },
      onTimeRatioBasisPointsAtLender: { value: 3333 },
    });
    const app = (await get(`/v1/applications/${id}`)).json();
    expect(app).toMatchObject({ status: 'declined', topUpOf: first.loanId, decision: { by: 'lendstack:underwriting', reason: 'Delinquent on an existing loan with us' } });
    const notice = await get(`/v1/applications/${id}/adverse-action-notice`);
    expect(notice.statusCode, notice.body).toBe(200);
    const read = await createPdfjsPdfReader().read(notice.rawPayload);
    expect(read.ok && read.via === 'text-layer' ? read.text.replace(/\s+/g, ' ') : JSON.stringify(read)).toContain('Delinquent on an existing loan with us');
    // The stored decision replays to the same answer from the features it recorded.
    const replay = await get(`/v1/applications/${id}/decision/replay`);
    expect(replay.json(), replay.body).toMatchObject({ same: true });
  });

  it('dead-letters a malformed DelinquencyChanged with the reason, and goes on with the next event', async () => {
    const bad = { ...(lateDpd31 as object), id: randomUUID(), payload: { ...(lateDpd31 as { payload: object }).payload, dpd: -3, eventKey: 'delinquency:bad' } };
    const next = lms(installmentDueV1Schema, 'InstallmentDue', los.tenantId, first.loanId, { eventKey: 'installment-due:4', businessDate: isoDateFromToday(0), installmentNumber: 4, dueDate: isoDateFromToday(0), scheduled: { principal: inr('4200000'), interest: inr('600000'), fees: inr('0'), total: inr('4800000') } });
    await publish(first.loanId, [bad, next]);
    const dead = await eventually(async () => deadLetters.find((m) => m.id === bad.id), { what: 'the dead letter' });
    expect(dead.key).toBe(first.loanId);
    expect(dead.reason).toMatch(/^invalid DelinquencyChanged\.v1: payload\.dpd/);
    await applied((next as { id: string }).id);
    expect((await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json()).toMatchObject({ installmentsDue: 4, installmentsPaidOnTime: 1, currentDpd: 45 });
    expect((await los.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [bad.id])).rowCount).toBe(0);
  });

  it('records the LMS’s NPA early warning on the loan, and a top-up decision sees it and refers on it', async () => {
    const warning = (on: string, probability: string) => lms(loanEarlyWarningRaisedV1Schema, 'LoanEarlyWarningRaised', los.tenantId, first.loanId, {
      eventKey: `early-warning:${on}`, businessDate: on, probability, threshold: '0.3000', model: 'npa-90d.v1', dpd: 45,
      topFactors: [{ feature: 'dpd_now', value: 45, contribution: '2.1000' }, { feature: 'bounced_debits_90d', value: 2, contribution: '0.4000' }],
    });
    const older = warning(isoDateFromToday(-40), '0.5100');
    const latest = warning(isoDateFromToday(-5), '0.6200');
    // The latest first, then an older one arriving late (and the latest again): the latest business date holds.
    await publish(first.loanId, [latest, older, latest]);
    await applied((older as { id: string }).id);
    const profile = (await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json();
    expect(profile).toMatchObject({ loansWithEarlyWarning: 1, loans: [{ loanId: first.loanId, earlyWarning: { asOf: isoDateFromToday(-5), probability: '0.6200', model: 'npa-90d.v1' } }] });
    // 95 days on, past the model's 90-day horizon, it no longer counts.
    expect((await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile?asOf=${isoDateFromToday(90)}`)).json()).toMatchObject({ loansWithEarlyWarning: 0 });

    const { decision } = await decided(applicant(first.loanId));
    expect(decision.features).toMatchObject({ earlyWarningsAtLender: { value: 1, source: `repayment-profile loansWithEarlyWarning of ${first.borrowerKey}` } });
    expect(decision.rules.find((r: any) => r.id === 'top-up-no-early-warning')).toMatchObject({ outcome: 'refer', applies: true, saw: { earlyWarningsAtLender: 1 } });
  });

  it('records the collector’s flags from CollectionsFlagRaised v2 (npa-risk with its score) and v1 (upcast), the latest business date winning', async () => {
    const flag = (version: 1 | 2, on: string, name: string, score: object = {}) => {
      const event = lms(version === 1 ? collectionsFlagRaisedV1Schema : { parse: (v: unknown) => v }, 'CollectionsFlagRaised', los.tenantId, first.loanId, {
        eventKey: `flag:${name}:${on}`, businessDate: on, flag: name, dpd: 45, detail: `seen on ${on}`, ...score,
      });
      return version === 1 ? event : collectionsFlagRaisedV2Schema.parse({ ...(event as object), version: 2 });
    };
    const bounced = flag(1, isoDateFromToday(-20), 'bounced-twice');
    const npa = flag(2, isoDateFromToday(-4), 'npa-risk', { probability: '0.6200', model: 'npa-90d.v1', topFactors: [{ feature: 'dpd_now', value: 45, contribution: '2.1000' }] });
    await publish(first.loanId, [bounced]);
    await applied((bounced as { id: string }).id);
    // The inbox records the version received (1), not the version it was read as (2).
    expect((await los.pool.query('SELECT type, version FROM inbox WHERE event_id = $1', [(bounced as { id: string }).id])).rows).toEqual([{ type: 'CollectionsFlagRaised', version: 1 }]);
    expect((await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json()).toMatchObject({
      loansWithCollectionsFlag: 1, loans: [{ loanId: first.loanId, collectionsFlag: { asOf: isoDateFromToday(-20), flag: 'bounced-twice', probability: null, model: null } }],
    });
    // v2 of a later date wins; the v1 flag redelivered afterwards (an older date, and an id already applied) changes nothing.
    await publish(first.loanId, [npa, bounced]);
    await applied((npa as { id: string }).id);
    expect((await los.pool.query('SELECT version FROM inbox WHERE event_id = $1', [(npa as { id: string }).id])).rows).toEqual([{ version: 2 }]);
    const profile = (await get(`/v1/borrowers/${first.borrowerKey}/repayment-profile`)).json();
    expect(profile).toMatchObject({ loansWithCollectionsFlag: 1, loans: [{ loanId: first.loanId, collectionsFlag: { asOf: isoDateFromToday(-4), flag: 'npa-risk', probability: '0.6200', model: 'npa-90d.v1' } }] });
    // A v2 flag with a value v2 does not have is dead-lettered with the reason.
    const bad = { ...(npa as { payload: object }), id: randomUUID(), payload: { ...(npa as { payload: object }).payload, flag: 'late-once' } };
    await publish(first.loanId, [bad]);
    const dead = await eventually(async () => deadLetters.find((m) => m.id === bad.id), { what: 'the dead letter of the bad flag' });
    expect(dead.reason).toMatch(/^invalid CollectionsFlagRaised\.v2: payload\.flag/);
  });
});
