import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProductPublishedV1 } from '@lendstack/contracts';
import { signToken } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfjsPdfReader } from '../src/modules/documents/index.js';
import { canonicalJson } from '../src/modules/offers/domain/kfs.js';
import { DEMO_APPROVAL_LIMITS, DEMO_CREDITOR } from '../src/modules/review/index.js';
import { formatMoney } from '../src/modules/review/domain/adverse-action-notice.js';
import { createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';
import { controlledRunners, income, inr } from './underwriting-fixtures.js';

// The Key Fact Statement of an offer and its acceptance with consent, over the REAL Postgres after the checks
// workflow on the REAL Temporal (credit profiles by family name, underwriting-fixtures.ts). The tenant's
// catalogue holds the product (the contract's personal-loan fixture as PL-12M), so its contingent charges
// appear in the statement.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const personalLoan = (JSON.parse(readFileSync(`${root}packages/contracts/fixtures/product-published.v1/accept/personal-loan-inr-equal-installment.json`, 'utf8')) as ProductPublishedV1).payload;

let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-kfs', { runners: controlledRunners });
  await createPgPolicyRepository(los.pool).seed(los.tenantId, [{ productCode: 'PL-12M', document: defaultPolicy({ code: 'PL-12M', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' }) }], new Date());
  await los.reviews.seed(los.tenantId, { limits: DEMO_APPROVAL_LIMITS, creditor: DEMO_CREDITOR });
  const { version: _v, effectiveAt, ...definition } = personalLoan;
  await los.catalogue.upsert([{ tenantId: los.tenantId, code: 'PL-12M', version: 1, definition: { ...definition, code: 'PL-12M' }, effectiveAt: new Date(effectiveAt) }]);
}, 60_000);
afterAll(async () => {
  await los?.close();
});

const as = (subject: string, roles: ('partner' | 'operator' | 'approver')[]) => ({ authorization: `Bearer ${signToken(los.secret, { subject, tenantId: los.tenantId, roles }, 300, Math.floor(Date.now() / 1000))}` });
const partner = () => as('partner-app', ['partner']);
const key = () => ({ 'idempotency-key': `kfs-${randomUUID()}` });
const get = (url: string) => los.app.inject({ method: 'GET', url, headers: partner() });
const consents = (esign = true) => [{ name: 'kfs-acknowledged', version: 'kfs-ack-2026.12', granted: true }, { name: 'e-sign-consent', version: 'esign-2026.12', granted: esign }, { name: 'credit-data-sharing', version: 'cds-2026.12', granted: false }];
const accept = (id: string, offerId: string, body: unknown, headers: Record<string, string> = { ...partner(), ...key() }, remoteAddress = '203.0.113.7') =>
  los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers/${offerId}/accept`, headers, payload: body as object, remoteAddress });

async function offered(family = 'Sharma'): Promise<{ id: string; offers: any[] }> {
  const body = applicationBody();
  const payload = { ...body, applicant: { ...body.applicant, name: { ...body.applicant.name, family } }, employment: { employerName: 'Infosys', monthlyNetIncome: inr(income(family)) } };
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  for (let i = 0; i < 600 && (await get(`/v1/applications/${id}`)).json<{ status: string }>().status === 'checks-complete'; i += 1) await new Promise((r) => setTimeout(r, 100));
  const made = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/offers`, headers: { ...partner(), ...key() } });
  expect(made.statusCode, made.body).toBe(201);
  return { id, offers: made.json<{ items: any[] }>().items };
}

/** `pnpm -s loancalc <command>` with a JSON request on stdin (the engine's CLI, as a person would run it). */
function loancalc(command: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['-s', 'loancalc', command], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`loancalc ${command} exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(request));
  });
}
const major = (m: { amount: string; scale: number }) => `${m.amount.slice(0, -m.scale) || '0'}.${m.amount.slice(-m.scale)}`;
const sum = (xs: { amount: string }[]) => xs.reduce((t, m) => t + BigInt(m.amount), 0n).toString();
const rows = async (table: string, id: string) => (await los.pool.query(`SELECT * FROM ${table} WHERE application_id = $1`, [id])).rows;

describe('Key Fact Statement', () => {
  it('is issued once per offer and variant from the engine’s schedule: APR, totals and schedule equal the offer’s and `loancalc`', async () => {
    const { id, offers } = await offered();
    const res = await get(`/v1/applications/${id}/kfs`);
    expect(res.statusCode, res.body).toBe(200);
    const kfs = res.json<any>();
    expect(kfs).toMatchObject({ reference: expect.stringMatching(/^KFS-\d{8}-[0-9A-F]{12}$/), version: 'rbi-kfs-2024.04', variant: 'rbi', offerId: offers[0].id });
    expect(kfs.sha256).toBe(createHash('sha256').update(canonicalJson(kfs.content)).digest('hex'));
    const c = kfs.content;
    expect(c.apr).toBe(offers[0].apr);
    expect(c.aprIllustration).toMatchObject({ sanctionedAmount: offers[0].principal, totalInterest: offers[0].totals.interest, totalPayable: offers[0].totals.payable, netDisbursed: offers[0].netDisbursed });
    expect(sum(c.schedule.map((r: any) => r.instalment))).toBe(c.aprIllustration.totalPayable.amount);
    expect(sum(c.schedule.map((r: any) => r.interest))).toBe(c.aprIllustration.totalInterest.amount);
    expect(c.contingentCharges).toEqual({ source: 'product-catalogue', graceDays: 3, lateFee: personalLoan.lateFee, penalInterest: personalLoan.penalInterest, foreclosure: personalLoan.prepaymentCharge });
    expect(c.grievance).toMatchObject({ officer: `Grievance Redressal Officer, ${DEMO_CREDITOR.legalName}`, contact: DEMO_CREDITOR.contact });
    expect(c.coolingOff.days).toBe(3);

    // The same terms through the engine's CLI: its schedule's totals, and its Reg Z APR over the net disbursed and the instalments.
    const o = offers[0];
    const schedule = await loancalc('schedule', {
      principal: major(o.principal), currency: 'INR', annualRatePercent: o.annualRatePercent, termPeriods: o.termPeriods, frequency: 'monthly', method: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360',
      disbursementDate: o.expectedDisbursementDate, fees: o.fees.map((f: any) => ({ name: f.name, amount: major(f.amount), timing: f.timing })),
    });
    const apr = await loancalc('apr', { method: 'reg-z', advances: [{ date: o.expectedDisbursementDate, amount: major(c.aprIllustration.netDisbursed) }], payments: c.schedule.map((r: any) => ({ date: r.dueDate, amount: major(r.instalment) })) });
    expect([c.apr, major(c.aprIllustration.totalInterest), major(c.aprIllustration.totalPayable), major(c.aprIllustration.netDisbursed)]).toEqual([apr.apr, schedule.totals.interest, schedule.totals.payable, schedule.netDisbursed]);
    expect(c.schedule.map((r: any) => [r.dueDate, major(r.instalment)])).toEqual(schedule.installments.map((i: any) => [i.dueDate, i.total]));

    // Stored once: asked again, the same statement; the TILA box of the same offer is its own statement.
    expect((await get(`/v1/applications/${id}/kfs?offerId=${offers[0].id}`)).json()).toEqual(kfs);
    const tila = (await get(`/v1/applications/${id}/kfs?variant=tila`)).json<any>();
    expect(tila).toMatchObject({ version: 'tila-h2-2026.12', variant: 'tila', content: { apr: c.apr, totalOfPayments: offers[0].totals.payable, amountFinanced: offers[0].amountFinanced } });
    expect(BigInt(tila.content.amountFinanced.amount) + BigInt(tila.content.financeCharge.amount)).toBe(BigInt(tila.content.totalOfPayments.amount));
    expect(tila.reference).not.toBe(kfs.reference);
    const longer = (await get(`/v1/applications/${id}/kfs?offerId=${offers[1].id}`)).json<any>();
    expect([longer.offerId, longer.content.apr, longer.content.schedule.length]).toEqual([offers[1].id, offers[1].apr, offers[1].termPeriods]);
    expect((await rows('application_kfs', id)).map((r) => [r.offer_id, r.variant]).sort()).toEqual([[offers[0].id, 'rbi'], [offers[0].id, 'tila'], [offers[1].id, 'rbi']].sort());

    const unknown = await get(`/v1/applications/${id}/kfs?offerId=${randomUUID()}`);
    expect([unknown.statusCode, unknown.json().errors]).toEqual([404, [{ pointer: '/query/offerId', detail: expect.any(String) }]]);
    expect((await get(`/v1/applications/${id}/kfs?variant=eu`)).json().errors).toEqual([{ pointer: '/query/variant', detail: expect.any(String) }]);
    expect((await get(`/v1/applications/${randomUUID()}/kfs`)).statusCode).toBe(404);
  }, 120_000);

  it('as a PDF is a real document: its extracted text has the APR, the totals and the schedule rows', async () => {
    const { id } = await offered();
    const json = (await get(`/v1/applications/${id}/kfs`)).json<any>();
    for (const variant of ['rbi', 'tila'] as const) {
      const k = variant === 'rbi' ? json : (await get(`/v1/applications/${id}/kfs?variant=tila`)).json<any>();
      const res = await get(`/v1/applications/${id}/kfs?format=pdf&variant=${variant}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect([res.headers['x-kfs-reference'], res.headers['x-kfs-sha256']]).toEqual([k.reference, k.sha256]);
      expect(res.headers['x-content-sha256']).toBe(createHash('sha256').update(res.rawPayload).digest('hex'));
      const read = await createPdfjsPdfReader({ maxPages: 10 }).read(res.rawPayload);
      if (!read.ok || read.via !== 'text-layer') throw new Error(`KFS PDF not readable: ${JSON.stringify(read)}`);
      const text = read.text.replace(/\s+/g, ' ');
      const c = k.content;
      expect(text).toContain(k.reference);
      expect(text).toContain(`${c.apr}%`);
      const totals = variant === 'rbi' ? [c.aprIllustration.totalPayable, c.aprIllustration.totalInterest, c.aprIllustration.netDisbursed] : [c.totalOfPayments, c.financeCharge, c.amountFinanced];
      for (const m of totals) expect(text).toContain(formatMoney(m));
      for (const r of c.schedule) expect(text).toContain(`${r.number} ${r.dueDate} ${formatMoney(r.outstandingPrincipal).slice(4)} ${formatMoney(r.principal).slice(4)} ${formatMoney(r.interest).slice(4)}`);
      expect(text).toContain(variant === 'rbi' ? 'Cooling-off / look-up period: 3 days' : 'ANNUAL PERCENTAGE RATE');
    }
  }, 120_000);
});

describe('accepting an offer', () => {
  it('records who, when, from where, the exact KFS and the consents, and moves the application to offer-accepted, once', async () => {
    const { id, offers } = await offered();
    const kfs = (await get(`/v1/applications/${id}/kfs`)).json<any>();
    const other = (await get(`/v1/applications/${id}/kfs?offerId=${offers[1].id}`)).json<any>();
    const body = { kfsReference: kfs.reference, kfsSha256: kfs.sha256, consents: consents() };
    const bad = async (b: unknown, status: number, pointer: string) => {
      const res = await accept(id, offers[0].id, b);
      expect([res.statusCode, res.headers['content-type'], res.json().errors.map((e: any) => e.pointer)], res.body).toEqual([status, 'application/problem+json; charset=utf-8', [pointer]]);
      return res.json();
    };
    expect((await bad({ ...body, consents: consents(false) }, 422, '/consents/1/granted')).consent).toBe('e-sign-consent');
    await bad({ ...body, consents: consents().filter((c) => c.name !== 'e-sign-consent') }, 422, '/consents');
    await bad({ ...body, kfsSha256: 'a'.repeat(64) }, 422, '/kfsSha256');
    await bad({ ...body, kfsReference: other.reference, kfsSha256: other.sha256 }, 422, '/kfsReference');
    await bad({ ...body, kfsSha256: 'NOT-HEX' }, 400, '/kfsSha256');
    await bad({ ...body, consents: [...consents(), consents()[0]] }, 400, '/consents');
    const unknown = await accept(id, randomUUID(), body);
    expect([unknown.statusCode, unknown.json().errors]).toEqual([404, [{ pointer: '/params/offerId', detail: expect.any(String) }]]);
    expect((await accept(id, offers[0].id, body, partner())).statusCode).toBe(400);
    expect((await accept(id, offers[0].id, body, { ...as('bea', ['approver']), ...key() })).statusCode).toBe(403);
    expect([await rows('offer_acceptances', id), (await get(`/v1/applications/${id}`)).json().status]).toEqual([[], 'policy-approved']);

    const k = key();
    const headers = { ...as('partner-app', ['partner']), ...k, 'user-agent': 'Mozilla/5.0 (Lendstack test)', 'x-forwarded-for': '198.51.100.9' };
    const res = await accept(id, offers[0].id, body, headers);
    expect(res.statusCode, res.body).toBe(201);
    const accepted = res.json<any>();
    // The server does not trust X-Forwarded-For (no trustProxy): the address is the connection's.
    expect(accepted).toEqual({
      applicationId: id, checksRun: 1, offerId: offers[0].id, kfs: { reference: kfs.reference, version: 'rbi-kfs-2024.04', sha256: kfs.sha256 },
      acceptedBy: 'partner-app', acceptedAt: expect.any(String), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Lendstack test)', consents: consents(),
    });
    expect((await get(`/v1/applications/${id}`)).json().status).toBe('offer-accepted');
    const [row] = await rows('offer_acceptances', id);
    expect(row).toMatchObject({ offer_id: offers[0].id, kfs_reference: kfs.reference, kfs_version: 'rbi-kfs-2024.04', kfs_sha256: kfs.sha256, accepted_by: 'partner-app', ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (Lendstack test)', consents: consents() });
    const trail = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/audit-trail`, headers: los.auth(['operator']) })).json<{ items: { action: string; actor: string; detail: any }[] }>().items;
    expect(trail.filter((e) => e.action === 'offer-accepted')).toEqual([expect.objectContaining({
      actor: 'partner-app', detail: expect.objectContaining({ offerId: offers[0].id, kfsReference: kfs.reference, kfsSha256: kfs.sha256, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Lendstack test)' }),
    })]);

    // A retry with the key replays; the key with another body is refused; the same offer with a new key is the first acceptance.
    const replay = await accept(id, offers[0].id, body, headers);
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json()]).toEqual([201, 'true', accepted]);
    const reused = await accept(id, offers[0].id, { ...body, consents: consents().slice(0, 2) }, headers);
    expect([reused.statusCode, reused.json().errors]).toEqual([422, [{ pointer: '/header/idempotency-key', detail: expect.any(String) }]]);
    const again = await accept(id, offers[0].id, body, { ...partner(), ...key(), 'user-agent': '' });
    expect([again.statusCode, again.json()]).toEqual([200, accepted]);
    const second = await accept(id, offers[1].id, { kfsReference: other.reference, kfsSha256: other.sha256, consents: consents() });
    expect([second.statusCode, second.json().type, second.json().acceptedOfferId]).toEqual([409, 'https://lendstack.dev/problems/another-offer-accepted', offers[0].id]);
    expect(await rows('offer_acceptances', id)).toHaveLength(1);
    expect(trail.filter((e) => e.action === 'offer-accepted')).toHaveLength(1);

    const listed = (await get(`/v1/applications/${id}/offers`)).json<{ items: any[] }>().items;
    expect(listed.map((o) => [o.id, o.accepted, o.acceptance?.kfs.reference])).toEqual([[offers[0].id, true, kfs.reference], [offers[1].id, false, undefined]]);
    // The default statement is now the accepted offer's.
    expect((await get(`/v1/applications/${id}/kfs`)).json().reference).toBe(kfs.reference);
  }, 120_000);

  it('under concurrent requests issues one statement per offer, and accepts one offer of the two', async () => {
    const { id, offers } = await offered();
    const first = await Promise.all([0, 1, 2, 3].map(() => get(`/v1/applications/${id}/kfs?offerId=${offers[1].id}`)));
    expect(new Set(first.map((r) => `${r.statusCode} ${r.json().reference}`)).size).toBe(1);
    const [a, b] = await Promise.all([get(`/v1/applications/${id}/kfs`), get(`/v1/applications/${id}/kfs?offerId=${offers[1].id}`)]).then((rs) => rs.map((r) => r.json<any>()));
    const both = await Promise.all([
      accept(id, offers[0].id, { kfsReference: a.reference, kfsSha256: a.sha256, consents: consents() }),
      accept(id, offers[1].id, { kfsReference: b.reference, kfsSha256: b.sha256, consents: consents() }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const winner = both.find((r) => r.statusCode === 201)!.json<any>().offerId;
    expect((await rows('offer_acceptances', id)).map((r) => r.offer_id)).toEqual([winner]);
    expect((await rows('application_kfs', id)).filter((r) => r.offer_id === offers[1].id)).toHaveLength(1);
  }, 120_000);

  it('refuses an expired offer and an application no longer policy-approved, writing nothing; records "unknown" for a missing user agent', async () => {
    const { id, offers } = await offered();
    const kfs = (await get(`/v1/applications/${id}/kfs`)).json<any>();
    // A week later (the offer stood 7 days): moved back in the database, as the clock is not the test's.
    await los.pool.query("UPDATE application_offers SET created_at = created_at - interval '8 days', expires_at = now() - interval '1 minute' WHERE application_id = $1", [id]);
    const expired = await accept(id, offers[0].id, { kfsReference: kfs.reference, kfsSha256: kfs.sha256, consents: consents() });
    expect([expired.statusCode, expired.json().type, expired.json().errors]).toEqual([409, 'https://lendstack.dev/problems/offer-expired', [{ pointer: '/params/offerId', detail: expect.any(String) }]]);
    const late = await get(`/v1/applications/${id}/kfs?offerId=${offers[1].id}`);
    expect([late.statusCode, late.json().type]).toEqual([409, 'https://lendstack.dev/problems/offer-expired']);
    expect((await get(`/v1/applications/${id}/kfs`)).json().reference).toBe(kfs.reference);
    const trail = (await los.app.inject({ method: 'GET', url: `/v1/applications/${id}/audit-trail`, headers: los.auth(['operator']) })).json<{ items: { action: string }[] }>().items;
    expect([await rows('offer_acceptances', id), (await get(`/v1/applications/${id}`)).json().status, trail.map((e) => e.action)]).toEqual([[], 'policy-approved', ['automated-decision', 'offers-made']]);

    const fresh = await offered();
    const k2 = (await get(`/v1/applications/${fresh.id}/kfs`)).json<any>();
    const declined = await los.app.inject({ method: 'POST', url: `/v1/applications/${fresh.id}/decline`, headers: as('omar', ['operator']), payload: { reason: 'Applicant withdrew the application' } });
    expect(declined.statusCode, declined.body).toBe(200);
    const notApproved = await accept(fresh.id, fresh.offers[0].id, { kfsReference: k2.reference, kfsSha256: k2.sha256, consents: consents() });
    expect([notApproved.statusCode, notApproved.json().type, notApproved.json().currentStatus, notApproved.json().errors]).toEqual([409, 'https://lendstack.dev/problems/not-policy-approved', 'declined', [{ pointer: '/params/id', detail: expect.any(String) }]]);
    expect(await rows('offer_acceptances', fresh.id)).toEqual([]);

    const third = await offered();
    const k3 = (await get(`/v1/applications/${third.id}/kfs`)).json<any>();
    const res = await accept(third.id, third.offers[0].id, { kfsReference: k3.reference, kfsSha256: k3.sha256, consents: consents() }, { ...partner(), ...key(), 'user-agent': '' });
    expect([res.statusCode, res.json().userAgent], res.body).toEqual([201, 'unknown']);
  }, 180_000);
});
