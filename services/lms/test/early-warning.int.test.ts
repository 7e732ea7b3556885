import { randomUUID } from 'node:crypto';
import { loanEarlyWarningRaisedV1Schema } from '@lendstack/contracts';
import { createLogger, createMetrics, DEV_AUTH_TOKEN_SECRET } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { infrastructure } from '@lendstack/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { earlyWarningCommand } from '../src/modules/early-warning/adapters/early-warning.cli.js';
import { loadEarlyWarningModel } from '../src/modules/early-warning/adapters/model-file.js';
import { featuresPage } from '../src/modules/early-warning/adapters/pg-features.queries.js';
import { storedFactors } from '../src/modules/early-warning/adapters/pg-early-warning.repository.js';
import type { FeatureVector } from '../src/modules/early-warning/domain/features.js';
import { auc, score, type Factor } from '../src/modules/early-warning/domain/model.js';
import { scoreAsDayCloses, scoreBook } from '../src/modules/early-warning/use-cases/score-book.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { requestHash } from '../src/modules/servicing/domain/servicing.js';
import { createEodRun, runEndOfDay } from '../src/modules/servicing/use-cases/end-of-day.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { simulateBook } from '../src/modules/simulator/use-cases/simulate-book.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

// The committed model (trained on a book simulated with seed 11, month ends up to 2026-05-31) scored on a
// book it never saw: another seed, scored at 2026-08-31, its outcome the 90 days after (out of time).
let h: Harness;
let app: FastifyInstance;
const tenant = newTenant('ews');
const model = loadEarlyWarningModel();
const D = '2026-08-31';
const D2 = '2026-09-30';
const deps = () => ({ pool: h.pool, model, now: () => new Date('2026-09-01T00:00:00Z'), pageSize: 500 });
type Row = { loan_id: string; probability: number; logit: number; flagged: boolean; features: FeatureVector; contributions: null; factors: readonly Factor[] };
// Each stored row, with the factors its readers give (derived from its features by the model that scored it).
const stored = async (asOf: string) => (await h.pool.query<Omit<Row, 'factors'> & { model: string }>(
  'SELECT loan_id, probability, logit, flagged, features, contributions, model_version AS model FROM early_warning_scores WHERE tenant_id = $1 AND as_of = $2 ORDER BY loan_id', [tenant, asOf])).rows
  .map((r): Row => ({ ...r, factors: storedFactors({ model: r.model, features: r.features, factors: r.contributions }).factors }));
const raisedEvents = async () => (await h.pool.query<{ value: unknown }>(`SELECT value FROM outbox WHERE value->>'type' = 'LoanEarlyWarningRaised' AND value->>'tenantId' = $1`, [tenant])).rows.map((r) => r.value);
const get = (path: string, roles: ('operator' | 'partner')[] = ['operator']) => app.inject({ method: 'GET', url: path, headers: h.auth(roles, tenant) });

beforeAll(async () => {
  h = await startHarness();
  await simulateBook(h.pool, { tenantId: tenant, loans: 1500, months: 18, seed: 2024, to: '2026-11-30', chunkSize: 500 });
  const products = createPrismaProductRepository(h.prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(h.prisma), authSecret: DEV_AUTH_TOKEN_SECRET },
    products: { store: products, products, authSecret: DEV_AUTH_TOKEN_SECRET, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: {},
    earlyWarning: { pool: h.pool, authSecret: DEV_AUTH_TOKEN_SECRET, today: () => '2026-11-30', model },
  });
  await app.ready();
}, 300_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('scoring a simulated book the model never saw', () => {
  it('ranks out of time: the AUC on the 90 days after the date clears 0.5 by four standard errors of a random ranking', async () => {
    const first = await scoreBook(deps(), tenant, D);
    expect(first.scored).toBeGreaterThan(500);
    const p = new Map((await stored(D)).map((r) => [r.loan_id, r.probability]));
    const outcomes: { p: number; y: boolean }[] = [];
    for (let after = ''; ;) {
      const page = await featuresPage(h.pool, tenant, D, after, 500, true);
      if (page.last === null) break;
      after = page.last;
      for (const r of page.rows) outcomes.push({ p: p.get(r.loanId)!, y: r.label! });
    }
    const positives = outcomes.filter((o) => o.y).length;
    const negatives = outcomes.length - positives;
    expect(positives).toBeGreaterThan(20);
    // Hanley & McNeil (1982): a ranking that knows nothing has AUC 0.5 with SE √((n₁ + n₀ + 1) ÷ (12 n₁ n₀)).
    const bound = 0.5 + 4 * Math.sqrt((positives + negatives + 1) / (12 * positives * negatives));
    const value = auc(outcomes);
    console.log(`early warning out of time: AUC ${value.toFixed(4)} over ${outcomes.length} loans scored at ${D} (${positives} reached 90+ dpd by +90 days); bound ${bound.toFixed(4)}`);
    expect(value, `AUC ${value.toFixed(4)} over ${outcomes.length} loans (${positives} reached 90+), bound ${bound.toFixed(4)}`).toBeGreaterThan(bound);
  });

  it('explains each score exactly: the intercept and the contributions add up to the logit, the probability is its logistic', async () => {
    for (const r of await stored(D)) {
      expect(r.contributions).toBeNull();
      const sum = r.factors.reduce((s, f) => s + f.contribution, model.intercept);
      expect(Math.abs(sum - r.logit)).toBeLessThan(1e-9);
      expect(Math.abs(r.probability - 1 / (1 + Math.exp(-r.logit)))).toBeLessThan(1e-12);
      expect(r.flagged).toBe(r.probability >= model.threshold);
      expect(r.factors.map((f) => f.contribution)).toEqual([...r.factors.map((f) => f.contribution)].sort((a, b) => b - a));
    }
  });

  it('scores in SQL what the model in TypeScript scores: the same features, logit, factors and order; the probability to the last bits of exp', async () => {
    const rows = new Map((await stored(D)).map((r) => [r.loan_id, r]));
    let compared = 0;
    for (let after = ''; ;) {
      const page = await featuresPage(h.pool, tenant, D, after, 500);
      if (page.last === null) break;
      after = page.last;
      for (const f of page.rows) {
        const r = rows.get(f.loanId)!;
        const reference = score(model, f.features);
        expect(r.logit).toBe(reference.logit);
        expect(Math.abs(r.probability - reference.probability)).toBeLessThanOrEqual(4 * Number.EPSILON);
        expect(r.features).toEqual(f.features);
        expect(r.factors).toEqual(reference.factors.map((x) => ({ feature: x.feature, value: x.value, contribution: x.contribution })));
        compared += 1;
      }
    }
    expect(compared).toBe(rows.size);
  });

  it('is deterministic and idempotent: scoring the date again gives the same rows and raises nothing twice', async () => {
    const before = await stored(D);
    const events = await raisedEvents();
    expect(events.length).toBe(before.filter((r) => r.flagged).length);
    // Again in three loan-id ranges at once (as end of day runs it): the same loans, the same rows.
    const again = await scoreBook({ ...deps(), concurrency: 3 }, tenant, D);
    expect(again.scored).toBe(before.length);
    expect(again.raised).toBe(0);
    expect(await stored(D)).toEqual(before);
    expect((await raisedEvents()).length).toBe(events.length);
  });

  it('raises LoanEarlyWarningRaised only for loans crossing the threshold since their last score', async () => {
    const flaggedAtD = new Set((await stored(D)).filter((r) => r.flagged).map((r) => r.loan_id));
    const second = await scoreBook(deps(), tenant, D2);
    const crossing = (await stored(D2)).filter((r) => r.flagged && !flaggedAtD.has(r.loan_id));
    expect(second.raised).toBe(crossing.length);
    const events = (await raisedEvents()).map((e) => loanEarlyWarningRaisedV1Schema.parse(e));
    const ofD2 = events.filter((e) => e.payload.businessDate === D2);
    expect(ofD2.map((e) => e.subject).sort()).toEqual(crossing.map((r) => r.loan_id).sort());
    for (const e of ofD2) {
      expect(Number(e.payload.probability)).toBeGreaterThanOrEqual(model.threshold - 0.00005);
      expect(e.payload.topFactors.every((f) => Number(f.contribution) > 0)).toBe(true);
    }
  });
});

describe('end of day', () => {
  it('re-scores each batch\'s loans in the batch\'s transaction as the day closes them, the same rows as scoring the book', async () => {
    // Loans booked and disbursed through the service (the simulated book above has no servicing state to advance).
    const t = newTenant('ewseod');
    await h.app.inject({ method: 'PUT', url: '/v1/business-date', headers: h.auth(['admin'], t), payload: { date: '2026-01-05' } });
    const loans: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const principal = String(4_000_000 + 1_000_000 * i);
      const loanId = await h.book(t, { principal: { amount: principal, currency: 'INR', scale: 2 }, termPeriods: 12, annualRatePercent: String(12 + i) });
      const res = await h.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/disbursements`, headers: h.auth(['operator'], t), payload: { amount: { amount: principal, currency: 'INR', scale: 2 }, valueDate: '2026-01-05' } });
      expect(res.json().status).toBe('confirmed');
      loans.push(loanId);
    }
    const eod = { pool: h.pool, ledger: createPgLedger(), now: () => new Date(), today: () => '2026-01-05', onOutbox: () => undefined, newId: randomUUID, batchSize: 2, workers: 2,
      closeLoans: scoreAsDayCloses(deps()) };
    const runTo = async (to: string) => {
      const created = await createEodRun(eod, { tenantId: t, to, actor: 'test', requestHash: requestHash(['eod', to]) });
      expect((await runEndOfDay(eod, created.run!.id)).status).toBe('completed');
    };
    await runTo('2026-02-05');
    // Half the loans pay their first instalment; the others fall behind.
    for (const loanId of loans.slice(0, 3)) {
      const first = (await h.app.inject({ url: `/v1/loans/${loanId}/schedule`, headers: h.auth(['partner'], t) })).json().installments[0];
      expect((await h.app.inject({ method: 'POST', url: `/v1/loans/${loanId}/repayments`, headers: h.auth(['partner'], t), payload: { amount: { amount: first.total.amount, currency: 'INR', scale: 2 }, valueDate: first.dueDate, channel: 'nach', reference: `r-${loanId}` } })).statusCode).toBe(201);
    }
    await runTo('2026-03-20');
    const ofTenant = async (asOf: string) => (await h.pool.query<{ loan_id: string; probability: number; logit: number; flagged: boolean; dpd: number; features: FeatureVector }>(
      'SELECT loan_id, probability, logit, flagged, dpd, features FROM early_warning_scores WHERE tenant_id = $1 AND as_of = $2 ORDER BY loan_id', [t, asOf])).rows;
    const days = (await h.pool.query<{ n: number }>('SELECT count(DISTINCT as_of)::int AS n FROM early_warning_scores WHERE tenant_id = $1', [t])).rows[0]!.n;
    expect(days).toBe(74); // every day from 2026-01-06 to 2026-03-20
    const events = async () => (await h.pool.query(`SELECT 1 FROM outbox WHERE value->>'type' = 'LoanEarlyWarningRaised' AND value->>'tenantId' = $1`, [t])).rowCount;
    const warned = await events();
    for (const day of ['2026-01-06', '2026-02-06', '2026-03-20']) {
      const byBatches = await ofTenant(day);
      expect(byBatches.map((r) => r.loan_id)).toEqual([...loans].sort());
      // Scoring the whole book as of the day (what the batches replaced) gives the same rows and raises nothing more.
      await h.pool.query('DELETE FROM early_warning_scores WHERE tenant_id = $1 AND as_of = $2', [t, day]);
      expect(await scoreBook(deps(), t, day)).toEqual({ scored: loans.length, raised: 0 });
      expect(await ofTenant(day)).toEqual(byBatches);
    }
    expect(await events()).toBe(warned);
    expect((await ofTenant('2026-03-20')).filter((r) => r.dpd > 30).length).toBe(3);
  });
});

describe('pnpm -s lms early-warning score', () => {
  it('re-scores a past date as end of day did (the same rows, no warning twice) and refuses a date after the business date', async () => {
    const before = await stored(D2);
    await h.pool.query('DELETE FROM early_warning_scores WHERE tenant_id = $1 AND as_of = $2', [tenant, D2]);
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { lmsDatabaseUrl } = await infrastructure();
      expect(await earlyWarningCommand(['score', '--tenant', tenant, '--as-of', D2, '--concurrency', '2'], lmsDatabaseUrl, 13)).toBe(0);
      expect(JSON.parse(printed[0]!)).toMatchObject({ tenant, asOf: D2, scored: before.length, raised: 0 });
      expect(await stored(D2)).toEqual(before);
      expect(await earlyWarningCommand(['score', '--tenant', tenant, '--as-of', '2027-01-01'], lmsDatabaseUrl, 13)).toBe(2);
      expect(errors.mock.calls.flat().join(' ')).toContain('after the tenant\'s business date 2026-11-30');
      expect(await earlyWarningCommand(['score', '--tenant', tenant, '--as-of', '2026-02-30x'], lmsDatabaseUrl, 13)).toBe(2);
      expect((await h.pool.query(`SELECT 1 FROM early_warning_scores WHERE tenant_id = $1 AND as_of > '2026-12-01'`, [tenant])).rowCount).toBe(0);
    } finally {
      log.mockRestore();
      errors.mockRestore();
    }
  });
});

describe('GET /v1/loans/{id}/early-warning and /v1/portfolio/early-warning', () => {
  it('pages the book riskiest first and shows a loan its factors', async () => {
    const one = await get(`/v1/portfolio/early-warning?asOf=${D}&limit=5`);
    expect(one.statusCode, one.body).toBe(200);
    const page1 = one.json();
    expect(page1).toMatchObject({ asOf: D, model: 'npa-90d.v1', threshold: model.threshold.toFixed(4) });
    const page2 = (await get(`/v1/portfolio/early-warning?asOf=${D}&limit=5&cursor=${page1.nextCursor}`)).json();
    const all = [...page1.items, ...page2.items];
    const top = (await stored(D)).sort((a, b) => b.probability - a.probability || a.loan_id.localeCompare(b.loan_id)).slice(0, 10).map((r) => r.loan_id);
    expect(all.map((i: { loanId: string }) => i.loanId)).toEqual(top);
    const flagged = (await get(`/v1/portfolio/early-warning?asOf=${D}&minProbability=${model.threshold}&limit=100`)).json();
    expect(flagged.items.every((i: { flagged: boolean }) => i.flagged)).toBe(true);

    const loan = await get(`/v1/loans/${top[0]}/early-warning?asOf=${D}`);
    expect(loan.statusCode, loan.body).toBe(200);
    const body = loan.json();
    expect(body).toMatchObject({ loanId: top[0], asOf: D, flagged: true });
    expect(body.factors).toHaveLength(model.features.length);
    expect(body.topFactors.length).toBeGreaterThan(0);
    expect(Math.abs(body.factors.reduce((s: number, f: { contribution: number }) => s + f.contribution, body.intercept) - body.logit)).toBeLessThan(1e-9);
    // Without asOf: its latest score (D2, unless it was past 90 dpd by then and so no longer scored).
    const latest = (await h.pool.query<{ d: string }>(`SELECT to_char(max(as_of), 'YYYY-MM-DD') AS d FROM early_warning_scores WHERE loan_id = $1`, [top[0]])).rows[0]!.d;
    expect((await get(`/v1/loans/${top[0]}/early-warning`)).json().asOf).toBe(latest);
  });

  it('refuses partners, unknown loans, bad cursors and bad bounds', async () => {
    expect((await get('/v1/portfolio/early-warning', ['partner'])).statusCode).toBe(403);
    expect((await get('/v1/loans/no-such-loan/early-warning')).statusCode).toBe(404);
    const cursor = await get('/v1/portfolio/early-warning?cursor=bm9wZQ');
    expect(cursor.statusCode).toBe(422);
    expect(cursor.json().errors[0].pointer).toBe('/query/cursor');
    const min = await get('/v1/portfolio/early-warning?minProbability=2');
    expect(min.statusCode).toBe(400);
    expect(min.json().errors[0].pointer).toBe('/query/minProbability');
  });
});
