import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitChecksOverHttp, eventually, infrastructure, startServiceProcess, type Infrastructure, type ServiceProcess, testPort } from '../src/index.js';
import { startAchSandbox, stopAchSandbox } from '../sandboxes/ach-sandbox/src/control.js';
import { bureauSandbox } from '../sandboxes/bureau-sandbox/src/control.js';
import { kycSandbox } from '../sandboxes/kyc-sandbox/src/control.js';
import { startPayoutSandbox, stopPayoutSandbox } from '../sandboxes/payout-sandbox/src/control.js';

// "LMS: money moves", end to end over real processes: the LMS publishes a tenant's products, the LOS
// reads them and checks a submission, the loan is approved and booked, disbursed through the payout
// sandbox (INR) or the ACH sandbox (USD), then lives through months of end-of-day runs with on-time, late, partial, backdated and
// reversed payments. DPD, buckets and classes are checked against values computed here from dates
// alone; after every step the trial balance of each currency balances and the ledger reconciles with every loan.
const runId = randomUUID().slice(0, 8);
const secret = 'lendstack-servicing-system-secret-0123456789';
const now = Math.floor(Date.now() / 1000);
const tenant = `svc-${runId}`;
const token = (roles: ('partner' | 'operator' | 'admin')[], who: string) => signToken(secret, { subject: `${who}@${tenant}`, tenantId: tenant, roles }, 3_600, now);
const headers = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
const partner = headers(token(['partner'], 'partner'));
const operator = headers(token(['operator'], 'operator'));
const admin = headers(token(['admin'], 'admin'));
const PORTS = {
  los: await testPort('SERVICING_TEST_LOS_PORT'), lms: await testPort('SERVICING_TEST_LMS_PORT'), payouts: await testPort('SERVICING_TEST_PAYOUTS_PORT'),
  ach: await testPort('SERVICING_TEST_ACH_PORT'), kyc: await testPort('SERVICING_TEST_KYC_PORT'), bureau: await testPort('SERVICING_TEST_BUREAU_PORT'),
};
// Each rail and vendor is a sandbox process of this run's own, so its webhooks reach this run's services.
const files = (name: string, p: number) => ({ port: p, pidFile: join(tmpdir(), `${name}-${runId}.pid`), logFile: join(tmpdir(), `${name}-${runId}.log`) });
const sandbox = files('payout-sandbox', PORTS.payouts);
const achFiles = files('ach-sandbox', PORTS.ach);
const kycFiles = files('kyc-sandbox', PORTS.kyc);
const bureauFiles = files('bureau-sandbox', PORTS.bureau);

let infra: Infrastructure;
let los: ServiceProcess;
let lms: ServiceProcess;

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* keep the text */ }
  return { status: res.status, body };
}
const lmsCall = (path: string, init: RequestInit = {}) => call(`${lms.url}${path}`, init);
const day = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The demo products of contracts' fixtures in their own currencies: INR pays out over RazorpayX, USD over ACH. */
function products() {
  const dir = fileURLToPath(new URL('../../contracts/fixtures/product-published.v1/accept/', import.meta.url));
  return ['personal-loan-inr-equal-installment', 'bnpl-usd-zero-interest-split', 'payday-usd-bullet-flat-fee', 'sme-term-loan-inr-equal-principal'].map((name) => {
    const { version: _v, effectiveAt: _e, ...definition } = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { payload: Record<string, any> }).payload;
    return definition;
  });
}
const CURRENCIES = ['INR', 'USD'] as const;
type Currency = (typeof CURRENCIES)[number];
const currencyOf: Record<string, Currency> = { 'PL-12': 'INR', 'BNPL-4': 'USD', 'PAYDAY-30': 'USD', 'SME-TL': 'INR' };

async function endOfDay(to: string): Promise<void> {
  const started = await lmsCall('/v1/end-of-day-runs', { method: 'POST', headers: admin, body: JSON.stringify({ to }) });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const run = await eventually(async () => {
    const r = await lmsCall(`/v1/end-of-day-runs/${started.body.id}`, { headers: admin });
    return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
  }, { timeoutMs: 120_000, intervalMs: 200, what: `end of day to ${to}` });
  expect(run.status, JSON.stringify(run)).toBe('completed');
}

/** Debits equal credits in each currency, each with postings (both rails moved money), and every loan reconciles. */
async function ledgerHolds(): Promise<void> {
  for (const currency of CURRENCIES) {
    const tb = await lmsCall(`/v1/ledger/trial-balance?asOf=2999-12-31&currency=${currency}`, { headers: operator });
    expect(tb.status, JSON.stringify(tb.body)).toBe(200);
    expect(tb.body.totals.debit, currency).toEqual({ amount: tb.body.totals.debit.amount, currency, scale: 2 });
    expect(tb.body.totals.debit.amount, currency).toBe(tb.body.totals.credit.amount);
    expect(BigInt(tb.body.totals.debit.amount), `${currency} has postings`).toBeGreaterThan(0n);
  }
  const business = (await lmsCall('/v1/business-date', { headers: admin })).body.date as string;
  const rec = await lmsCall(`/v1/ledger/reconciliation?asOf=${business}`, { headers: operator });
  expect(rec.status, JSON.stringify(rec.body)).toBe(200);
  expect(rec.body.differences).toEqual([]);
}

const loan = async (id: string) => (await lmsCall(`/v1/loans/${id}`, { headers: operator })).body;
const schedule = async (id: string) => (await lmsCall(`/v1/loans/${id}/schedule`, { headers: operator })).body.installments as { number: number; dueDate: string; totalMinor?: string; total?: { amount: string } }[];
const amountOf = (m: { amount: string }) => BigInt(m.amount);
const inr = (minor: bigint) => ({ amount: minor.toString(), currency: 'INR', scale: 2 });
const usd = (minor: bigint) => ({ amount: minor.toString(), currency: 'USD', scale: 2 });
const pay = (id: string, code: string, minor: bigint, valueDate: string) =>
  lmsCall(`/v1/loans/${id}/repayments`, {
    method: 'POST', headers: { ...partner, 'idempotency-key': `pay-${randomUUID()}` },
    body: JSON.stringify({ amount: { amount: minor.toString(), currency: currencyOf[code], scale: 2 }, valueDate, channel: currencyOf[code] === 'USD' ? 'ach' : 'upi', reference: `ref-${randomUUID().slice(0, 8)}` }),
  });

beforeAll(async () => {
  infra = await infrastructure();
  await Promise.all([stopPayoutSandbox(sandbox), stopAchSandbox(achFiles), kycSandbox.stop(kycFiles), bureauSandbox.stop(bureauFiles)]);
  await Promise.all([
    startPayoutSandbox({ ...sandbox, env: { PAYOUT_WEBHOOK_URL: `http://127.0.0.1:${PORTS.lms}/v1/payout-webhooks/razorpayx`, PAYOUT_SANDBOX_DELAY_MS: '100' } }),
    startAchSandbox({ ...achFiles, env: { ACH_WEBHOOK_URL: `http://127.0.0.1:${PORTS.lms}/v1/payout-webhooks/ach`, ACH_SANDBOX_SETTLE_DELAY_MS: '100' } }),
    kycSandbox.start({ ...kycFiles, env: { KYC_WEBHOOK_URL: `http://127.0.0.1:${PORTS.los}/v1/kyc-webhooks/onfido` } }),
    bureauSandbox.start(bureauFiles),
  ]);
  const kyc = `http://127.0.0.1:${PORTS.kyc}`;
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '' };
  [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, LOS_CONSUMER_GROUP: `los-svc-${runId}`,
      ONFIDO_BASE_URL: `${kyc}/v3.6`, PAN_BASE_URL: kyc, UIDAI_OFFLINE_EKYC_URL: `${kyc}/uidai/offline-ekyc`, BUREAU_BASE_URL: `http://127.0.0.1:${PORTS.bureau}`,
    }),
    startServiceProcess('lms', PORTS.lms, {
      ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, LMS_CONSUMER_GROUP: `lms-svc-${runId}`,
      LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collections-svc-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenant, PAYOUT_BASE_URL: `http://127.0.0.1:${PORTS.payouts}`,
      ACH_BASE_URL: `http://127.0.0.1:${PORTS.ach}`, ACH_WINDOW_MS: '200',
      // This ODFI is to see the disbursements only: the auto-debit runner (a day's wait before its first round) would
      // present debits other tests left scheduled in the shared database to it.
      LMS_AUTODEBIT_INTERVAL_MS: '86400000',
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([los?.stop(), lms?.stop()]);
  await Promise.all([stopPayoutSandbox(sandbox), stopAchSandbox(achFiles), kycSandbox.stop(kycFiles), bureauSandbox.stop(bureauFiles)]);
  await infra?.stop();
});

describe('a loan of each product, from publication to months of servicing', () => {
  const today = new Date().toISOString().slice(0, 10);
  const terms: Record<string, Record<string, unknown>> = {
    'PL-12': { principal: inr(10_000_000n), annualRatePercent: '14', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', fees: [] },
    'BNPL-4': { principal: usd(100_000n), annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', interestCalculation: 'per-period', dayCount: '30/360', fees: [] },
    'PAYDAY-30': { principal: usd(50_000n), annualRatePercent: '0', termPeriods: 1, frequency: 'monthly', scheduleMethod: 'bullet', interestCalculation: 'per-period', dayCount: 'actual/365', fees: [{ code: 'FIN', name: 'Finance charge', amount: usd(4_500n), timing: 'per-installment' }] },
    'SME-TL': { principal: inr(100_000_000n), annualRatePercent: '15', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-principal', interestCalculation: 'daily', dayCount: 'actual/365', fees: [] },
  };
  const loans: Record<string, string> = {};

  it('publishes the products, and the LOS holds submissions to them', { timeout: 240_000 }, async () => {
    for (const product of products()) {
      const res = await lmsCall('/v1/products', { method: 'POST', headers: admin, body: JSON.stringify(product) });
      expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
    }
    expect((await lmsCall('/v1/business-date', { method: 'PUT', headers: admin, body: JSON.stringify({ date: today }) })).status).toBe(200);
    // INR loans go to a borrower in India (PAN, IFSC); USD loans to one in the US (SSN, ABA routing number for ACH).
    const four = () => String(Math.floor(Math.random() * 8000) + 1000);
    const applicant = (currency: Currency) => currency === 'INR'
      ? {
        name: { given: 'Meera', family: 'Iyer' }, contact: { email: 'meera@example.in', phone: '+919811122233' },
        address: { line1: '5 Residency Road', city: 'Bengaluru', postalCode: '560025', country: 'IN' },
        nationalId: { type: 'PAN', value: `ABCPI${four()}K` },
        bankAccount: { holderName: 'Meera Iyer', accountNumber: '500100123456', bankCode: 'HDFC0000001' },
      }
      : {
        name: { given: 'Jordan', family: 'Lee' }, contact: { email: 'jordan@example.com', phone: '+14155550142' },
        address: { line1: '100 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
        nationalId: { type: 'SSN', value: `123-45-${four()}` },
        bankAccount: { holderName: 'Jordan Lee', accountNumber: '000123456789', bankCode: '021000021' },
      };
    const body = (code: string, loanTerms: Record<string, unknown>) => JSON.stringify({ applicant: applicant(currencyOf[code]!), loan: { productCode: code, expectedDisbursementDate: today, ...loanTerms } });
    // The LOS learns the catalogue from Kafka: a term outside the product is refused once it has.
    await eventually(async () => {
      const refused = await call(`${los.url}/v1/applications`, { method: 'POST', headers: partner, body: body('PL-12', { ...terms['PL-12'], termPeriods: 600 }) });
      return refused.status === 422 ? refused : undefined;
    }, { timeoutMs: 60_000, what: 'the LOS to read the catalogue' });
    for (const [code, loanTerms] of Object.entries(terms)) {
      const created = await call(`${los.url}/v1/applications`, { method: 'POST', headers: partner, body: body(code, loanTerms) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await awaitChecksOverHttp(los.url, operator.authorization, created.body.id, { expect: 'checks-complete' });
      const approved = await call(`${los.url}/v1/applications/${created.body.id}/approve`, { method: 'POST', headers: operator, body: '{}' });
      expect(approved.status).toBe(200);
      loans[code] = approved.body.loanId;
    }
    for (const id of Object.values(loans)) await eventually(async () => ((await lmsCall(`/v1/loans/${id}`, { headers: operator })).status === 200 ? true : undefined), { timeoutMs: 60_000, what: `booking ${id}` });
  });

  it('disburses each loan on its currency\'s rail (INR over RazorpayX, USD over ACH); the schedule is anchored on the disbursement', { timeout: 180_000 }, async () => {
    for (const [code, id] of Object.entries(loans)) {
      const res = await lmsCall(`/v1/loans/${id}/disbursements`, { method: 'POST', headers: { ...operator, 'idempotency-key': `disb-${id}` }, body: JSON.stringify({ amount: terms[code]!.principal, valueDate: today }) });
      expect([201, 202], JSON.stringify(res.body)).toContain(res.status);
    }
    for (const id of Object.values(loans)) {
      const active = await eventually(async () => { const l = await loan(id); return l.status === 'active' ? l : undefined; }, { timeoutMs: 60_000, what: `disbursement of ${id}` });
      expect(amountOf(active.balances.principalOutstanding)).toBeGreaterThan(0n);
      expect(active.delinquency).toMatchObject({ dpd: 0, bucket: 'current', rbiClass: 'standard' });
    }
    // The ODFI settled one PPD credit per USD loan, for its principal in cents; the INR loans never reached it.
    const usdCodes = Object.keys(loans).filter((c) => currencyOf[c] === 'USD');
    const entries = await eventually(async () => {
      const ach = (await call(`http://127.0.0.1:${PORTS.ach}/sandbox/state`)).body as { files: { status: string; entries: { amountCents: string; status: string }[] }[] };
      const all = ach.files.filter((f) => f.status === 'accepted').flatMap((f) => f.entries);
      return all.length === usdCodes.length && all.every((e) => e.status === 'settled') ? all : undefined;
    }, { timeoutMs: 30_000, what: 'the ODFI to settle the USD disbursements' });
    expect(entries.map((e) => e.amountCents).sort()).toEqual(usdCodes.map((c) => (terms[c]!.principal as { amount: string }).amount).sort());
    await ledgerHolds();
  });

  it('pays the first installment on time, misses the next, pays late and partially, backdates, reverses', { timeout: 600_000 }, async () => {
    const plans = Object.fromEntries(await Promise.all(Object.entries(loans).map(async ([code, id]) => [code, await schedule(id)] as const)));
    const first = (code: string) => plans[code]![0]!;
    const totalOf = (row: { totalMinor?: string; total?: { amount: string } }) => BigInt(row.totalMinor ?? row.total!.amount);

    // 1. Every first installment paid on its due date: nobody is late.
    const dues = [...new Set(Object.keys(loans).map((c) => first(c).dueDate))].sort();
    for (const due of dues) {
      await endOfDay(due);
      for (const [code, id] of Object.entries(loans)) {
        if (first(code).dueDate !== due) continue;
        const res = await pay(id, code, totalOf(first(code)), due);
        expect(res.status, `${code}: ${JSON.stringify(res.body)}`).toBe(201);
        const l = await loan(id);
        expect(l.delinquency.dpd, `${code} paid on its due date`).toBe(0);
        if (plans[code]!.length === 1) expect(l.status, `${code} repaid in full`).toBe('closed');
      }
      await ledgerHolds();
    }

    // 2. The second installment of each multi-installment loan is missed: 35 days later DPD is 35.
    const open = Object.keys(loans).filter((c) => plans[c]!.length > 1);
    const second = (code: string) => plans[code]![1]!;
    const late = open.map((c) => day(second(c).dueDate, 35)).sort().at(-1)!;
    await endOfDay(late);
    for (const code of open) {
      const l = await loan(loans[code]!);
      // Independent: DPD = business date − due date of the oldest unpaid installment (installment 2).
      const dpd = daysBetween(second(code).dueDate, late);
      expect(l.delinquency.dpd, code).toBe(dpd);
      expect(l.delinquency.rbiClass, code).toBe(dpd > 90 ? 'NPA' : dpd > 60 ? 'SMA-2' : dpd > 30 ? 'SMA-1' : 'SMA-0');
      // The product's bucket set: US (1-29, 30-59, 60-89, …) or RBI (1-30, 31-60, 61-90, …).
      const us = ['BNPL-4', 'PAYDAY-30'].includes(code);
      expect(l.delinquency.bucket, code).toBe(us ? (dpd >= 60 ? '60-89' : dpd >= 30 ? '30-59' : '1-29') : (dpd > 60 ? '61-90' : dpd > 30 ? '31-60' : '1-30'));
    }
    await ledgerHolds();

    // 3. A partial payment changes nothing in DPD; then the rest, backdated 10 days after the due date.
    for (const code of open) {
      const id = loans[code]!;
      expect((await pay(id, code, 100n, late)).status).toBe(201);
      expect((await loan(id)).delinquency.dpd, code).toBe(daysBetween(second(code).dueDate, late));
      const backdated = await pay(id, code, totalOf(second(code)) * 2n, day(second(code).dueDate, 10));
      expect(backdated.status, JSON.stringify(backdated.body)).toBe(201);
      const cured = await loan(id);
      const third = plans[code]![2];
      const dpdNow = third && third.dueDate < late && cured.delinquency.dpd > 0 ? daysBetween(third.dueDate, late) : 0;
      expect(cured.delinquency.dpd, `${code} after the backdated payment`).toBe(dpdNow);
      await ledgerHolds();

      // 4. Reversing the backdated payment brings the delinquency back, exactly as before it.
      const reversed = await lmsCall(`/v1/loans/${id}/transactions/${backdated.body.id}/reversal`, { method: 'POST', headers: { ...operator, 'idempotency-key': `rev-${backdated.body.id}` }, body: JSON.stringify({ reason: 'bounced' }) });
      expect(reversed.status, JSON.stringify(reversed.body)).toBe(201);
      expect((await loan(id)).delinquency.dpd, `${code} after the reversal`).toBe(daysBetween(second(code).dueDate, late));
      const again = await lmsCall(`/v1/loans/${id}/transactions/${backdated.body.id}/reversal`, { method: 'POST', headers: { ...operator, 'idempotency-key': `rev2-${backdated.body.id}` }, body: JSON.stringify({ reason: 'twice' }) });
      expect(again.status).toBe(409);
      await ledgerHolds();
      const history = await lmsCall(`/v1/loans/${id}/delinquency-history`, { headers: operator });
      expect(history.status).toBe(200);
    }
  });
});
