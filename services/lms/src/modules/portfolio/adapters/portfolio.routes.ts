import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc, sendCsv, toCsv, type Role } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { asOfWithinBusinessDate } from '../../business-date/business-date.repository.js';
import { rbiClassification } from '../../reports/adapters/pg-reports.queries.js';
import { addMonths, bucketSummary, heatmap, monthEnd, monthEndsUpTo, rollRates, vintages } from '../domain/analytics.js';
import { efficiencySummary, npaRatios } from '../domain/efficiency.js';
import { collectionEfficiency } from './pg-efficiency.queries.js';
import { snapshotBookAt, snapshotCohorts, snapshotTransitions } from './pg-portfolio-snapshots.js';
import { bookAt, cohorts, transitions, type BucketSet } from './pg-portfolio.queries.js';

export interface PortfolioRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly today: () => string;
}

/** Risk and portfolio staff read the book; partners do not. */
const READERS: readonly Role[] = ['operator', 'approver', 'admin'];

const format = z.enum(['json', 'csv']).default('json');
const base = { asOf: loanDateString.optional().describe("A past business date (default: the tenant's business date)"), bucketSet: z.enum(['us', 'rbi']).default('us'), format };
const bucketsQuery = z.object(base).strict();
const rollQuery = z.object({ ...base, months: z.coerce.number().int().min(1).max(36).default(6) }).strict();
const efficiencyQuery = z.object({ ...base, from: loanDateString.optional().describe("Start of the period, exclusive (default: the month end before asOf's month, so the month to date)") }).strict();
const npaQuery = z.object({ asOf: base.asOf, format }).strict();
const vintageQuery = z.object({ asOf: base.asOf, format, thresholdDpd: z.coerce.number().int().pipe(z.union([z.literal(30), z.literal(60), z.literal(90)])).default(30) }).strict();

const problems = {
  400: { description: 'Invalid query (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'Needs the operator, approver or admin role' },
  422: { description: '`asOf` is after the business date' },
};

/**
 * GET /v1/portfolio/{buckets,roll-rates,vintages,heatmap}: the book as of a past business date, computed
 * from the ledger and the delinquency history (pg-portfolio.queries.ts says how), or read from the date's
 * snapshot when end of day or the backfill wrote one (pg-portfolio-snapshots.ts); `source` says which.
 */
export async function portfolioRoutes(app: FastifyInstance, deps: PortfolioRoutesDeps): Promise<void> {
  const tags = ['portfolio'];

  // The day's snapshot (written by end of day or the backfill) when there is one, else the live computation; the answer says which.
  const book = async (tenantId: string, asOf: string, set: BucketSet) => {
    const snap = await snapshotBookAt(deps.pool, tenantId, asOf, set);
    return snap ? { source: 'snapshot' as const, cells: snap } : { source: 'live' as const, cells: await bookAt(deps.pool, tenantId, asOf, set) };
  };
  const asOfOf = async (tenantId: string, requested: string | undefined) => ({ asOf: await asOfWithinBusinessDate(deps.pool, tenantId, requested, deps.today) });

  app.get('/v1/portfolio/buckets', {
    schema: { tags, summary: 'Outstanding principal by product and delinquency bucket, as of a date', description: 'Per currency: loans and principal by product × bucket (US buckets or RBI classes), charged-off loans counted with no principal, and the gross NPA ratio.', querystring: schemaDoc(bucketsQuery), response: { 200: { description: '`{ asOf, bucketSet, source, currencies }` (`source`: `snapshot` when read from the date\'s portfolio snapshot, `live` when computed from the ledger), or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(bucketsQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const { source, cells } = await book(principal.tenantId, asOf, query.bucketSet);
    const currencies = bucketSummary(cells, query.bucketSet);
    if (query.format === 'csv') {
      return sendCsv(reply, `buckets-${asOf}.csv`, toCsv(['as_of', 'currency', 'scale', 'product_code', 'bucket', 'loans', 'principal_minor'],
        currencies.flatMap((c) => c.items.map((i) => [asOf, c.currency, i.principal.scale, i.productCode, i.bucket, i.loans, i.principal.amount]))));
    }
    return { asOf, bucketSet: query.bucketSet, source, currencies };
  });

  app.get('/v1/portfolio/roll-rates', {
    schema: { tags, summary: 'Roll-rate matrices, month end over month end', description: 'For each of the last `months` month ends and then `asOf`: of the principal in each bucket at the start of a step, the share in each bucket (or closed, charged off) at its end, weighted by the start balance.', querystring: schemaDoc(rollQuery), response: { 200: { description: '`{ asOf, bucketSet, dates, source, currencies }` (`source`: `snapshot` when every step was read from the portfolio snapshots, `live` when computed from the ledger), or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(rollQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const dates = monthEndsUpTo(asOf, query.months);
    const snap = await snapshotTransitions(deps.pool, principal.tenantId, dates, query.bucketSet);
    const source = snap ? 'snapshot' : 'live';
    const currencies = rollRates(snap ?? await transitions(deps.pool, principal.tenantId, dates, query.bucketSet), dates, query.bucketSet);
    if (query.format === 'csv') {
      return sendCsv(reply, `roll-rates-${asOf}.csv`, toCsv(['currency', 'from_date', 'to_date', 'from_bucket', 'to_bucket', 'principal_minor', 'share'],
        currencies.flatMap((c) => c.steps.flatMap((step) => step.matrix.flatMap((row) => row.to.map((cell) => [c.currency, step.from, step.to, row.from, cell.bucket, cell.principal.amount, cell.share]))))));
    }
    return { asOf, bucketSet: query.bucketSet, dates, source, currencies };
  });

  app.get('/v1/portfolio/vintages', {
    schema: { tags, summary: 'Vintage curves by disbursement-month cohort', description: 'For each cohort (month of first disbursement), at each month on book up to `asOf`: the cumulative share of its disbursed principal in loans that had reached `thresholdDpd` (30, 60 or 90) days past due.', querystring: schemaDoc(vintageQuery), response: { 200: { description: '`{ asOf, thresholdDpd, source, currencies }` (`source`: `snapshot` or `live`), or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(vintageQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const snap = await snapshotCohorts(deps.pool, principal.tenantId, asOf, query.thresholdDpd);
    const source = snap ? 'snapshot' : 'live';
    const currencies = vintages(snap ?? await cohorts(deps.pool, principal.tenantId, asOf, query.thresholdDpd), asOf, query.thresholdDpd);
    if (query.format === 'csv') {
      return sendCsv(reply, `vintages-${query.thresholdDpd}dpd-${asOf}.csv`, toCsv(['currency', 'cohort', 'months_on_book', 'through', 'loans_reached', 'disbursed_reached_minor', 'cohort_disbursed_minor', 'share'],
        currencies.flatMap((c) => c.cohorts.flatMap((cohort) => cohort.points.map((p) => [c.currency, cohort.cohort, p.monthsOnBook, p.through, p.loans, p.disbursed.amount, cohort.disbursed.amount, p.share])))));
    }
    return { asOf, thresholdDpd: query.thresholdDpd, source, currencies };
  });

  app.get('/v1/portfolio/collection-efficiency', {
    schema: { tags, summary: 'Collection efficiency: collected ÷ due in a period, by product and bucket', description: 'Per currency, for the period (`from`, `asOf`]: the installments falling due (the loan schedule) and the amount collected (the net debit of the collection-clearing account over the period, reversals netted), for the book, each product and each product × the bucket the loan stood in at `from`. `efficiency` = collected ÷ due, four places, half up; it can pass 1 when arrears or prepayments are collected.', querystring: schemaDoc(efficiencyQuery), response: { 200: { description: '`{ asOf, from, bucketSet, currencies }`, or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(efficiencyQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const from = query.from ?? monthEnd(addMonths(asOf.slice(0, 7), -1));
    if (from >= asOf) throw new HttpProblem(422, 'validation-error', 'Request is not valid', `from ${from} is not before asOf ${asOf}.`, { errors: [{ pointer: '/query/from', detail: `not before asOf ${asOf}` }] });
    const currencies = efficiencySummary(await collectionEfficiency(deps.pool, principal.tenantId, from, asOf, query.bucketSet), query.bucketSet);
    if (query.format === 'csv') {
      return sendCsv(reply, `collection-efficiency-${from}-${asOf}.csv`, toCsv(['from', 'as_of', 'currency', 'scale', 'product_code', 'bucket', 'loans', 'due_minor', 'collected_minor', 'efficiency'],
        currencies.flatMap((c) => c.products.flatMap((p) => p.buckets.map((b) => [from, asOf, c.currency, b.due.scale, p.productCode, b.bucket, b.loans, b.due.amount, b.collected.amount, b.efficiency])))));
    }
    return { asOf, from, bucketSet: query.bucketSet, currencies };
  });

  app.get('/v1/portfolio/npa-ratio', {
    schema: { tags, summary: 'Gross and net NPA ratios as of a date', description: 'Per currency, from the RBI asset classification as of `asOf` (GET /v1/reports/rbi-asset-classification: its classes and provision rates): gross NPA ratio = NPA principal ÷ gross advances; net NPA ratio = (gross NPA − provisions held on NPAs) ÷ (gross advances − those provisions).', querystring: schemaDoc(npaQuery), response: { 200: { description: '`{ asOf, currencies }`, or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(npaQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const currencies = npaRatios(await rbiClassification(deps.pool, principal.tenantId, asOf));
    if (query.format === 'csv') {
      return sendCsv(reply, `npa-ratio-${asOf}.csv`, toCsv(['as_of', 'currency', 'scale', 'gross_advances_minor', 'gross_npa_minor', 'npa_provisions_minor', 'net_npa_minor', 'gross_ratio', 'net_ratio'],
        currencies.map((c) => [asOf, c.currency, c.grossAdvances.scale, c.grossAdvances.amount, c.grossNpa.amount, c.npaProvisions.amount, c.netNpa.amount, c.grossRatio, c.netRatio])));
    }
    return { asOf, currencies };
  });

  app.get('/v1/portfolio/heatmap', {
    schema: { tags, summary: 'Risk heatmap: product × bucket × region', description: "Loans and outstanding principal by product, bucket and the borrower's region (the address's state or province code) at `asOf`.", querystring: schemaDoc(bucketsQuery), response: { 200: { description: '`{ asOf, bucketSet, source, currencies }` (`source`: `snapshot` when read from the date\'s portfolio snapshot, `live` when computed from the ledger), or CSV with `format=csv`', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(bucketsQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const { source, cells } = await book(principal.tenantId, asOf, query.bucketSet);
    const currencies = heatmap(cells, query.bucketSet);
    if (query.format === 'csv') {
      return sendCsv(reply, `heatmap-${asOf}.csv`, toCsv(['as_of', 'currency', 'scale', 'product_code', 'region', 'bucket', 'loans', 'principal_minor'],
        currencies.flatMap((c) => c.cells.map((cell) => [asOf, c.currency, cell.principal.scale, cell.productCode, cell.region, cell.bucket, cell.loans, cell.principal.amount]))));
    }
    return { asOf, bucketSet: query.bucketSet, source, currencies };
  });
}
