import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, pageQuerySchema, parseOr400, schemaDoc, type Role } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { asOfWithinBusinessDate } from '../../business-date/business-date.repository.js';
import { FEATURES } from '../domain/features.js';
import { modelId, type EarlyWarningModel } from '../domain/model.js';
import { loanScore, scoresAt, type StoredScore } from './pg-early-warning.repository.js';

export interface EarlyWarningRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly today: () => string;
  readonly model: EarlyWarningModel;
}

/** Risk, collections and operations staff read the scores; partners do not. */
const READERS: readonly Role[] = ['operator', 'approver', 'admin'];
const asOf = loanDateString.optional();
const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const loanQuery = z.object({ asOf: asOf.describe('The latest score on or before this business date (default: the latest)') }).strict();
const listQuery = pageQuerySchema.extend({
  asOf: asOf.describe("The business date scored (default: the tenant's business date)"),
  minProbability: z.coerce.number().min(0).max(1).default(0).describe('Only loans scored at least this probability'),
}).strict();
const cursorSchema = z.object({ p: z.number().min(0).max(1), id: z.string().min(1).max(200) }).strict();

const problems = {
  400: { description: 'Invalid query (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'Needs the operator, approver or admin role' },
};
const json = { content: { 'application/json': { schema: { type: 'object' } } } };

function view(s: StoredScore, model: EarlyWarningModel) {
  return {
    loanId: s.loanId, asOf: s.asOf, model: s.model, probability: s.probability.toFixed(4), threshold: model.threshold.toFixed(4), flagged: s.flagged, dpd: s.dpd,
    logit: s.logit, intercept: model.intercept,
    topFactors: s.factors.filter((f) => f.contribution > 0).slice(0, 3),
    factors: s.factors.map((f) => ({ ...f, about: FEATURES.find((x) => x.name === f.feature)?.about ?? '' })),
  };
}
const unknownCursor = () => new HttpProblem(422, 'unknown-cursor', 'Cursor not recognised', 'The cursor is not one this API issued.', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor from a previous page' }] });

/**
 * GET /v1/loans/{loanId}/early-warning and GET /v1/portfolio/early-warning: the NPA early-warning scores
 * end of day stored (use-cases/score-book.ts), with each factor's contribution to the logit
 * (intercept + Σ contributions = logit; probability = 1 / (1 + e^−logit)).
 */
export async function earlyWarningRoutes(app: FastifyInstance, deps: EarlyWarningRoutesDeps): Promise<void> {
  const tags = ['early-warning'];
  app.get('/v1/loans/:id/early-warning', {
    schema: {
      tags, summary: "A loan's NPA early-warning score and its factors",
      description: `P(over 90 days past due within 90 days) from ${modelId(deps.model)}, scored at end of day: the latest score on or before \`asOf\`, with every factor's value and contribution to the logit, largest first.`,
      params: schemaDoc(loanParams), querystring: schemaDoc(loanQuery),
      response: { 200: { description: 'The score', ...json }, 404: { description: 'No such loan of the tenant, or not scored' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(loanQuery, request.query, 'query');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const s = await loanScore(deps.pool, principal.tenantId, id, query.asOf);
    if (!s) throw new HttpProblem(404, 'not-found', 'Not scored', `Loan ${id} has no early-warning score${query.asOf ? ` on or before ${query.asOf}` : ''}.`, { errors: [{ pointer: '/params/id', detail: 'no such loan of the tenant, or not scored' }] });
    return view(s, deps.model);
  });

  app.get('/v1/portfolio/early-warning', {
    schema: {
      tags, summary: 'Loans by NPA early-warning probability, riskiest first',
      description: 'The scores of the business date `asOf` with probability ≥ `minProbability`, ordered by probability (descending) then loan id, keyset-paged (`limit`, `cursor`).',
      querystring: schemaDoc(listQuery),
      response: { 200: { description: '`{ asOf, model, threshold, items, nextCursor }`', ...json }, 422: { description: '`asOf` after the business date, or a cursor this API did not issue' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const query = parseOr400(listQuery, request.query, 'query');
    const date = await asOfWithinBusinessDate(deps.pool, principal.tenantId, query.asOf, deps.today);
    let after: z.infer<typeof cursorSchema> | undefined;
    if (query.cursor !== undefined) {
      try {
        after = cursorSchema.parse(JSON.parse(Buffer.from(query.cursor, 'base64url').toString()));
      } catch {
        throw unknownCursor();
      }
    }
    const rows = await scoresAt(deps.pool, principal.tenantId, date, query.minProbability, after, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor = rows.length > query.limit && last ? Buffer.from(JSON.stringify({ p: last.probability, id: last.loanId })).toString('base64url') : null;
    return { asOf: date, model: modelId(deps.model), threshold: deps.model.threshold.toFixed(4), items: items.map((s) => view(s, deps.model)), nextCursor };
  });
}
