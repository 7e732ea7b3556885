import { authenticate, HttpProblem, jsonPointer, parseOr422Rules, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { MAX_QUOTE_TERM_PERIODS, MAX_QUOTE_TERM_YEARS } from '../domain/quote-limits.js';
import { quoteSchedule, type QuoteError } from '../use-cases/quote-schedule.js';
import { quoteRequestSchema, quoteResponseDocSchema, withEngineRules } from './quotes.schemas.js';

export interface QuoteRoutesDeps {
  readonly authSecret: string;
}


/** The engine's request schema, with the quote's tighter bound on installments shown where readers look. */
function requestDoc(): Record<string, unknown> {
  const schema = withEngineRules(schemaDoc(quoteRequestSchema)) as { properties: { termPeriods: Record<string, unknown> } };
  schema.properties.termPeriods = { ...schema.properties.termPeriods, maximum: MAX_QUOTE_TERM_PERIODS };
  return schema;
}

export async function quoteRoutes(app: FastifyInstance, deps: QuoteRoutesDeps): Promise<void> {
  app.post('/v1/quotes', {
    schema: {
      tags: ['quotes'],
      summary: 'Quote a loan offer: repayment schedule, totals and APR',
      description:
        'Runs the loan calculation engine on the offered terms (the same request and result as `loancalc schedule`). ' +
        'Nothing is stored, so a repeated request returns the same quote and needs no Idempotency-Key. ' +
        `Limits: at most ${MAX_QUOTE_TERM_PERIODS} installments, at most ${MAX_QUOTE_TERM_YEARS} years, dates in the years 1900-2999 (the engine's bound). ` +
        'Partners and operators.',
      body: requestDoc(),
      response: {
        200: { description: 'The schedule, its totals and the APR', ...schemaDoc(quoteResponseDocSchema) },
        400: { description: 'Invalid request (problem+json, `errors` names each field as a JSON pointer)' },
        401: { description: 'Missing or invalid bearer token' },
        422: { description: 'A rule across fields the schema cannot state (amounts with at most the currency\'s decimals, a real calendar date, first due date after disbursement: `validation-error`, `errors` names each field), or valid terms beyond the quote limits (`quote-too-large`)' },
      },
    },
  }, async (request) => {
    authenticate(request, deps.authSecret);
    const terms = parseOr422Rules(quoteRequestSchema, request.body, 'body');
    const result = quoteSchedule(terms);
    if (!result.ok) throw toProblem(result.error);
    return result.quote;
  });
}

function toProblem(error: QuoteError): HttpProblem {
  return new HttpProblem(422, 'quote-too-large', 'Quote exceeds the limits', 'The terms ask for more than a quote allows.', {
    errors: error.violations.map((v) => ({ pointer: jsonPointer(v.path), detail: v.detail })),
  });
}
