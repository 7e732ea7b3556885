import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc, type Role } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { bucketSummary, heatmap, monthEndsUpTo, rollRates, vintages } from '../domain/analytics.js';
import { firstReached, positionsAt } from './pg-portfolio.queries.js';

export interface PortfolioRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly today: () => string;
}

/** Risk and portfolio staff read the book; partners do not. */
const READERS: readonly Role[] = ['operator', 'approver', 'admin'];

const base = { asOf: loanDateString.optional().describe("A past business date (default: the tenant's business date)"), bucketSet: z.enum(['us', 'rbi']).default('us') };
const bucketsQuery = z.object(base).strict();
const rollQuery = z.object({ ...base, months: z.coerce.number().int().min(1).max(36).default(6) }).strict();
const vintageQuery = z.object({ asOf: base.asOf, thresholdDpd: z.coerce.number().int().pipe(z.union([z.literal(30), z.literal(60), z.literal(90)])).default(30) }).strict();

const problems = {
  400: { description: 'Invalid query (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'Needs the operator, approver or admin role' },
  422: { description: '`asOf` is after the business date' },
};

/**
 * GET /v1/portfolio/{buckets,roll-rates,vintages,heatmap}: the book as of a past business date, computed
 * from the ledger and the delinquency history (pg-portfolio.queries.ts says how).
 */
export async function portfolioRoutes(app: FastifyInstance, deps: PortfolioRoutesDeps): Promise<void> {
  const tags = ['portfolio'];

  async function asOfOf(tenantId: string, asOf: string | undefined): Promise<{ asOf: string; businessDate: string }> {
    const businessDate = await businessDateOf(deps.pool, tenantId, deps.today);
    if (asOf !== undefined && asOf > businessDate) {
      throw new HttpProblem(422, 'validation-error', 'Request is not valid', `asOf ${asOf} is after the business date ${businessDate}.`, { errors: [{ pointer: '/query/asOf', detail: `after the business date ${businessDate}` }] });
    }
    return { asOf: asOf ?? businessDate, businessDate };
  }

  app.get('/v1/portfolio/buckets', {
    schema: { tags, summary: 'Outstanding principal by product and delinquency bucket, as of a date', description: 'Per currency: loans and principal by product × bucket (US buckets or RBI classes), charged-off loans counted with no principal, and the gross NPA ratio.', querystring: schemaDoc(bucketsQuery), response: { 200: { description: '`{ asOf, bucketSet, currencies }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(bucketsQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const rows = await positionsAt(deps.pool, principal.tenantId, [asOf], query.bucketSet);
    return { asOf, bucketSet: query.bucketSet, currencies: bucketSummary(rows, query.bucketSet) };
  });

  app.get('/v1/portfolio/roll-rates', {
    schema: { tags, summary: 'Roll-rate matrices, month end over month end', description: 'For each of the last `months` month ends and then `asOf`: of the principal in each bucket at the start of a step, the share in each bucket (or closed, charged off) at its end, weighted by the start balance.', querystring: schemaDoc(rollQuery), response: { 200: { description: '`{ asOf, bucketSet, dates, currencies }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(rollQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const dates = monthEndsUpTo(asOf, query.months);
    const rows = await positionsAt(deps.pool, principal.tenantId, dates, query.bucketSet);
    return { asOf, bucketSet: query.bucketSet, dates, currencies: rollRates(rows, dates, query.bucketSet) };
  });

  app.get('/v1/portfolio/vintages', {
    schema: { tags, summary: 'Vintage curves by disbursement-month cohort', description: 'For each cohort (month of first disbursement), at each month on book up to `asOf`: the cumulative share of its disbursed principal in loans that had reached `thresholdDpd` (30, 60 or 90) days past due.', querystring: schemaDoc(vintageQuery), response: { 200: { description: '`{ asOf, thresholdDpd, currencies }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(vintageQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const [rows, reached] = await Promise.all([positionsAt(deps.pool, principal.tenantId, [asOf], 'us'), firstReached(deps.pool, principal.tenantId, query.thresholdDpd, asOf)]);
    return { asOf, thresholdDpd: query.thresholdDpd, currencies: vintages(rows, reached, asOf, query.thresholdDpd) };
  });

  app.get('/v1/portfolio/heatmap', {
    schema: { tags, summary: 'Risk heatmap: product × bucket × region', description: "Loans and outstanding principal by product, bucket and the borrower's region (the address's state or province code) at `asOf`.", querystring: schemaDoc(bucketsQuery), response: { 200: { description: '`{ asOf, bucketSet, currencies }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(bucketsQuery, request.query, 'query');
    const { asOf } = await asOfOf(principal.tenantId, query.asOf);
    const rows = await positionsAt(deps.pool, principal.tenantId, [asOf], query.bucketSet);
    return { asOf, bucketSet: query.bucketSet, currencies: heatmap(rows, query.bucketSet) };
  });
}
