import { loanApprovedV1Schema } from '@lendstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';

// Regression tests of the probe in "Nothing approved is lost": what the LOS used to approve but the
// LMS could not book, applications that could never be approved, 500s on text, segregation of duties.
let los: LosTestServer;
beforeAll(async () => {
  los = await startLosTestServer('los-int-lost');
});
afterAll(async () => {
  await los?.close();
});

const partner = () => los.auth(['partner']);
const operator = () => los.auth(['operator']);
const submit = (body: unknown, headers: Record<string, string> = partner()) =>
  los.app.inject({ method: 'POST', url: '/v1/applications', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
const pointers = (body: string) => ((JSON.parse(body) as { errors?: { pointer: string }[] }).errors ?? []).map((e) => e.pointer);
const withLoan = (loan: Record<string, unknown>) => {
  const body = applicationBody();
  return { ...body, loan: { ...body.loan, ...loan } };
};
const money = (amount: string, currency = 'INR', scale = 2) => ({ amount, currency, scale });

describe('loan terms the LMS cannot book are refused at submission, naming the field', () => {
  it.each([
    ['2^63 minor units', { principal: money('9223372036854775808') }, '/loan/principal/amount', 400],
    ['10^30 minor units', { principal: money(`1${'0'.repeat(30)}`) }, '/loan/principal/amount', 400],
    ['a 1,000-digit amount', { principal: money(`9${'9'.repeat(999)}`) }, '/loan/principal/amount', 400],
    ['a disbursement on 9999-12-31', { expectedDisbursementDate: '9999-12-31' }, '/loan/expectedDisbursementDate', 400],
    ['currency XXX', { principal: money('100000', 'XXX') }, '/loan/principal/currency', 400],
    ['currency ZZZ', { principal: money('100000', 'ZZZ') }, '/loan/principal/currency', 400],
    ['currency BTC', { principal: money('100000', 'BTC') }, '/loan/principal/currency', 400],
    ['JPY at scale 2', { principal: money('100000', 'JPY', 2), fees: [] }, '/loan/principal/scale', 400],
    ['a schedule no account can hold', { principal: money('999999999999999999'), annualRatePercent: '999', scheduleMethod: 'bullet', termPeriods: 600, fees: [] }, '/loan/principal/amount', 422],
  ])('%s', async (_name, loan, pointer, status) => {
    const res = await submit(withLoan(loan));
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(pointers(res.body)).toContain(pointer);
  });

  it.each([
    ['JPY', money('5000000', 'JPY', 0)],
    ['KWD', money('5000000', 'KWD', 3)],
    ['the largest bookable amount', money('999999999999')],
  ])('accepts %s and the approval publishes a LoanApproved the contract accepts', async (_name, principal) => {
    const res = await submit(withLoan({ principal, fees: [] }));
    expect(res.statusCode, res.body).toBe(201);
    await los.awaitChecks(res.json<{ id: string }>().id, 'checks-complete');
    const approved = await los.app.inject({ method: 'POST', url: `/v1/applications/${res.json<{ id: string }>().id}/approve`, headers: operator(), payload: {} });
    expect(approved.statusCode, approved.body).toBe(200);
  });
});

describe('national ids with punctuation', () => {
  it.each(['12345-67', '12.345.678-K', 'AB 12 34 56 C'])('%s is masked within the contract and the application approves', async (value) => {
    const body = applicationBody();
    body.applicant.nationalId = { type: 'RUT', value };
    // A Chilean id for a Chilean resident: KYC goes to Onfido (a PAN check would rightly reject a RUT).
    body.applicant.address = { ...body.applicant.address, country: 'CL' };
    const res = await submit(body);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<{ id: string; applicant: { nationalId: { masked: string } } }>();
    expect(created.applicant.nationalId.masked).toMatch(/^[X*]+[A-Za-z0-9]{0,4}$/);
    await los.awaitChecks(created.id, 'checks-complete');
    const approved = await los.app.inject({ method: 'POST', url: `/v1/applications/${created.id}/approve`, headers: operator(), payload: {} });
    expect(approved.statusCode, approved.body).toBe(200);
    const [row] = (await los.pool.query<{ value: unknown }>('SELECT value FROM outbox WHERE key = $1', [approved.json<{ loanId: string }>().loanId])).rows;
    expect(loanApprovedV1Schema.safeParse(row!.value).success).toBe(true);
  });
});

describe('text hygiene', () => {
  const raw = (json: string) => submit(json);
  const bodyText = () => JSON.stringify(applicationBody());

  it('refuses U+0000 in a string with 400 naming the field', async () => {
    const res = await raw(bodyText().replace('"Priya"', '"Pri\\u0000ya"'));
    expect(res.statusCode, res.body).toBe(400);
    expect(pointers(res.body)).toEqual(['/applicant/name/given']);
  });

  it('refuses a lone surrogate with 400 naming the field', async () => {
    const res = await raw(bodyText().replace('"14 MG Road"', '"14 MG \\udace Road"'));
    expect(res.statusCode, res.body).toBe(400);
    expect(pointers(res.body)).toEqual(['/applicant/address/line1']);
  });

  it('accepts a surrogate pair (an emoji) and non-Latin names', async () => {
    const res = await raw(bodyText().replace('"Priya"', '"प्रिया \\ud83d\\ude00"'));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('refuses invalid UTF-8 instead of storing replacement characters', async () => {
    const text = bodyText();
    const at = text.indexOf('Priya');
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(at))]);
    const res = await raw(bytes as unknown as string);
    expect(res.statusCode, res.body).toBe(400);
    expect(pointers(res.body)).toEqual(['/']);
  });

  it('refuses NUL and invalid UTF-8 in a query string, naming the parameter', async () => {
    for (const query of ['status=%00', 'cursor=%ED%A0%80', 'status=%C3%28']) {
      const res = await los.app.inject({ method: 'GET', url: `/v1/applications?${query}`, headers: partner() });
      expect(res.statusCode, query).toBe(400);
      expect(pointers(res.body)[0]).toMatch(/^\/query\/(status|cursor)$/);
    }
  });

  it('refuses NUL in a decline reason', async () => {
    const created = await submit(applicationBody());
    const res = await los.app.inject({ method: 'POST', url: `/v1/applications/${created.json<{ id: string }>().id}/decline`, headers: { ...operator(), 'content-type': 'application/json' }, payload: '{"reason":"no\\u0000pe"}' });
    expect(res.statusCode, res.body).toBe(400);
    expect(pointers(res.body)).toEqual(['/reason']);
  });
});

describe('segregation of duties', () => {
  it('an operator cannot submit an application', async () => {
    const res = await submit(applicationBody(), operator());
    expect(res.statusCode).toBe(403);
  });

  it('nobody decides an application they submitted, whatever roles their token carries', async () => {
    const both = los.auth(['partner', 'operator']);
    const created = await submit(applicationBody(), both);
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    await los.awaitChecks(id, 'checks-complete');
    for (const kind of ['approve', 'decline']) {
      const res = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/${kind}`, headers: both, payload: kind === 'decline' ? { reason: 'conflict of interest' } : {} });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ type: expect.stringContaining('own-application') });
    }
    const other = await los.app.inject({ method: 'POST', url: `/v1/applications/${id}/approve`, headers: operator(), payload: {} });
    expect(other.statusCode).toBe(200);
  });
});

describe('GET /v1/reconciliation/loans (the LOS side)', () => {
  it('lists the day’s approvals in loan id order with keyset paging, for operators only', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const created = await submit(applicationBody());
      await los.awaitChecks(created.json<{ id: string }>().id, 'checks-complete');
      const approved = await los.app.inject({ method: 'POST', url: `/v1/applications/${created.json<{ id: string }>().id}/approve`, headers: operator(), payload: {} });
      ids.push(approved.json<{ loanId: string }>().loanId);
    }
    const today = new Date().toISOString().slice(0, 10);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const url: string = `/v1/reconciliation/loans?date=${today}&limit=2${after ? `&after=${after}` : ''}`;
      const res = await los.app.inject({ method: 'GET', url, headers: operator() });
      expect(res.statusCode, res.body).toBe(200);
      const page: { items: { loanId: string }[]; next: string | null } = res.json();
      seen.push(...page.items.map((i) => i.loanId));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect((await los.app.inject({ method: 'GET', url: `/v1/reconciliation/loans?date=${today}`, headers: partner() })).statusCode).toBe(403);
    expect((await los.app.inject({ method: 'GET', url: '/v1/reconciliation/loans?date=yesterday', headers: operator() })).statusCode).toBe(400);
  });
});
