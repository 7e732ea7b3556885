import { Readable } from 'node:stream';
import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { decimal, rangeProblem, type Statement, type StatementBalances } from '../domain/statement.js';
import { renderStatementPdf } from './pdfkit-statement.renderer.js';
import { MAX_STATEMENT_LINES, readStatement, StatementTooLong } from './pg-statement.reader.js';

export interface StatementRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const statementQuery = z.object({ from: loanDateString, to: loanDateString, format: z.enum(['json', 'csv', 'pdf']).default('json') }).strict();

/** GET /v1/loans/{id}/statement: the loan's statement from the general ledger as JSON, CSV (streamed) or PDF. */
export async function statementRoutes(app: FastifyInstance, deps: StatementRoutesDeps): Promise<void> {
  app.get('/v1/loans/:id/statement', {
    schema: {
      tags: ['statements'], summary: "A loan's account statement for a date range",
      description: 'Opening balance (the ledger before `from`), every ledger entry from `from` to `to` (value dates, inclusive) with the running balance, the closing balance (the ledger at `to`) and the instalments due after `to`. `format`: json (default), csv (streamed, one row per entry) or pdf. At most ten years; `from` after `to` is 422 naming the field.',
      params: schemaDoc(loanParams), querystring: schemaDoc(statementQuery),
      response: { 200: { description: 'The statement (application/json, text/csv or application/pdf)', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, 400: { description: 'Invalid query (problem+json naming the field)' }, 401: { description: 'Missing or invalid credential' }, 404: { description: 'No such loan for this tenant' }, 422: { description: `Range over ten years, from after to, or more than ${MAX_STATEMENT_LINES} ledger lines in the range (problem+json naming the field)` } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(loanParams, request.params, 'params');
    const query = parseOr400(statementQuery, request.query, 'query');
    const problem = rangeProblem(query.from, query.to);
    if (problem) throw new HttpProblem(422, 'invalid-range', 'Statement range refused', problem.detail, { errors: [problem] });
    const statement = await readStatement(deps.pool, principal.tenantId, id, query.from, query.to).catch((error: unknown) => {
      if (error instanceof StatementTooLong) throw new HttpProblem(422, 'statement-too-long', 'Statement range too long', `The range holds more than ${error.maxLines} ledger lines; ask for a shorter range.`, { errors: [{ pointer: '/query/from', detail: `more than ${error.maxLines} ledger lines from here to \`to\`` }] });
      throw error;
    });
    if (!statement) throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });
    const name = `statement-${id}-${query.from}-${query.to}`;
    if (query.format === 'pdf') {
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}.pdf"`).send(await renderStatementPdf(statement));
    }
    if (query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(Readable.from(csvLines(statement)));
    }
    return statementView(statement);
  });
}

export function statementView(s: Statement) {
  const money = (amount: bigint) => ({ amount: amount.toString(), currency: s.currency, scale: s.scale });
  const balances = (b: StatementBalances) => ({ principal: money(b.principal), interest: money(b.interest), fees: money(b.fees), penalties: money(b.penalties), excess: money(b.excess), total: money(b.total) });
  return {
    loanId: s.loanId, from: s.from, to: s.to, currency: s.currency, scale: s.scale,
    openingBalance: balances(s.opening),
    transactions: s.rows.map((r) => ({ date: r.date, entryId: r.entryId, kind: r.kind, description: r.description, amount: money(r.amount), principal: money(r.change.principal), interest: money(r.change.interest), fees: money(r.change.fees), penalties: money(r.change.penalties), excess: money(r.change.excess), balance: money(r.balance) })),
    closingBalance: balances(s.closing),
    scheduleAhead: s.scheduleAhead.map((i) => ({ number: i.number, dueDate: i.dueDate, principal: money(i.principal), interest: money(i.interest), fees: money(i.fees), total: money(i.total), balanceAfter: money(i.balanceAfter) })),
  };
}

/** The statement as CSV rows, yielded one at a time (decimal amounts in the loan's currency). */
export function* csvLines(s: Statement): Generator<string> {
  const d = (m: bigint) => decimal(m, s.scale);
  yield 'date,kind,description,amount,principal,interest,fees,penalties,excess,balance,currency\n';
  yield `${s.from},opening,Opening balance,,${d(s.opening.principal)},${d(s.opening.interest)},${d(s.opening.fees)},${d(s.opening.penalties)},${d(s.opening.excess)},${d(s.opening.total)},${s.currency}\n`;
  for (const r of s.rows) yield `${r.date},${r.kind},${r.description.replace(/[",\n]/g, ' ')},${d(r.amount)},${d(r.change.principal)},${d(r.change.interest)},${d(r.change.fees)},${d(r.change.penalties)},${d(r.change.excess)},${d(r.balance)},${s.currency}\n`;
  yield `${s.to},closing,Closing balance,,${d(s.closing.principal)},${d(s.closing.interest)},${d(s.closing.fees)},${d(s.closing.penalties)},${d(s.closing.excess)},${d(s.closing.total)},${s.currency}\n`;
}
