import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestHash } from '../domain/servicing.js';
import { createEodRun, findRun, type EodDeps, type EodRun } from '../use-cases/end-of-day.js';
import type { EodRunner } from './eod-runner.js';

export interface EodRoutesDeps extends EodDeps {
  readonly authSecret: string;
  readonly newId: () => string;
  readonly runner: EodRunner;
}

const body = z.object({ to: loanDateString }).strict();

const nullableString = (description: string, format?: string) => ({ type: ['string', 'null'], ...(format ? { format } : {}), description });
/** The run as GET and POST answer it (also the serializer's schema: a field not here is never sent). */
const runSchema = {
  type: 'object',
  required: ['id', 'tenantId', 'to', 'status', 'progress', 'error', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    tenantId: { type: 'string' },
    to: { type: 'string', format: 'date', description: 'The business date the run brings the tenant to' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    progress: {
      type: 'object',
      required: ['daysDone', 'daysTotal', 'loansDone', 'loansTotal', 'day', 'loansPerSecond', 'eta'],
      properties: {
        daysDone: { type: 'integer', minimum: 0 },
        daysTotal: { type: 'integer', minimum: 0 },
        loansDone: { type: 'integer', minimum: 0, description: 'Active loans already at the day being run' },
        loansTotal: { type: 'integer', minimum: 0, description: 'Active loans of the tenant on that day' },
        day: nullableString('The day being run (YYYY-MM-DD); null when none', 'date'),
        loansPerSecond: { type: ['number', 'null'], minimum: 0, description: 'Loans advanced per second over all workers since the run (re)started; null before its first batch' },
        eta: nullableString('When the run should complete at that rate; null when completed or not yet known', 'date-time'),
      },
    },
    error: nullableString('Why the run failed (status failed)'),
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const params = z.object({ id: z.uuid() }).strict();

/** POST /v1/end-of-day-runs (admin) → 202; GET /v1/end-of-day-runs/{id} to poll its progress. */
export async function eodRoutes(app: FastifyInstance, deps: EodRoutesDeps): Promise<void> {
  app.post('/v1/end-of-day-runs', {
    schema: {
      headers: idempotencyKeyHeaderDoc(),
      tags: ['end of day'], summary: 'Advance the business date to `to`, day by day (admin)',
      description: 'Each day: accrual, dues, overdues, DPD and buckets, late fees, penal interest, non-accrual and charge-off for every active loan, posted to the ledger; then the business date moves. The day\'s loans are split into loan-id ranges over concurrent workers (LMS_EOD_WORKERS), in batches of one transaction each; a loan on which only its scheduled accrual can happen that day is written set-based, the others through the loan engine, with the same result. Idempotent per (loan, day) and resumable (a restarted service resumes its runs). One run per tenant at a time (409 with the active run). Honours `Idempotency-Key`.',
      body: schemaDoc(body),
      response: { 202: { description: 'The run, queued (or the one this Idempotency-Key created)', ...runSchema }, 400: { description: 'Invalid `to`' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Needs the admin role' }, 409: { description: 'A run is already active' }, 422: { description: '`to` before the business date, or Idempotency-Key reused' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const { to } = parseOr400(body, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await createEodRun(deps, { tenantId: principal.tenantId, to, actor: principal.subject, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['eod', to]) });
    if (!result.ok) {
      const status = result.error === 'eod-running' ? 409 : 422;
      const pointer = result.error === 'idempotency-key-reused' ? '/header/idempotency-key' : '/to';
      throw new HttpProblem(status, result.error, 'End-of-day run refused', result.detail, { errors: [{ pointer, detail: result.detail }], ...(result.run ? { activeRun: runView(result.run) } : {}) });
    }
    if (!result.replayed) deps.runner.start(result.run.id);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    void reply.header('location', `/v1/end-of-day-runs/${result.run.id}`);
    return reply.status(202).send(runView(result.run));
  });

  app.get('/v1/end-of-day-runs/:id', {
    schema: { tags: ['end of day'], summary: 'An end-of-day run and its progress', params: schemaDoc(params), response: { 200: { description: 'The run and its progress: loans done / total of the day being run, loans per second and ETA', ...runSchema }, 404: { description: 'No such run for this tenant' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(params, request.params, 'params');
    const run = await findRun(deps.pool, id, principal.tenantId);
    if (!run) throw new HttpProblem(404, 'not-found', 'Run not found', `No end-of-day run ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such run' }] });
    return runView(run);
  });
}

export function runView(r: EodRun) {
  const p = r.progress;
  return {
    id: r.id, tenantId: r.tenantId, to: r.to, status: r.status,
    progress: { daysDone: p.days_done, daysTotal: p.days_total, loansDone: p.loans_done, loansTotal: p.loans_total, day: p.day ?? null, loansPerSecond: p.rate ?? null, eta: p.eta ?? null },
    error: r.error, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}
