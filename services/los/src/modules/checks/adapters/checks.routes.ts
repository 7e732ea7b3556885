import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApplicationStore } from '../../applications/ports.js';
import { CHECK_KINDS } from '../check-runner.js';
import type { CheckRecord, ChecksRepository } from '../ports.js';
import { rerunCheck, type RerunCheckDeps, type RerunResult } from '../use-cases/rerun-check.js';

export interface CheckRoutesDeps extends RerunCheckDeps {
  readonly authSecret: string;
  readonly checks: ChecksRepository;
  readonly applications: ApplicationStore;
}

const paramsSchema = z.object({ id: z.uuid('application id must be a UUID') });
const rerunParamsSchema = paramsSchema.extend({ kind: z.enum(CHECK_KINDS, { error: `kind must be one of ${CHECK_KINDS.join(', ')}` }) });

/** A check as the API shows it: outcome, timings and the (masked) evidence it relied on. */
export function checkView(c: CheckRecord) {
  return {
    kind: c.kind,
    run: c.run,
    status: c.status,
    result: c.result,
    score: c.score,
    reasons: c.reasons,
    vendorReference: c.vendorReference,
    attempts: c.attempts,
    startedAt: c.startedAt?.toISOString() ?? null,
    completedAt: c.completedAt?.toISOString() ?? null,
    durationMs: c.durationMs,
    evidence: c.evidence,
  };
}

export async function checkRoutes(app: FastifyInstance, deps: CheckRoutesDeps): Promise<void> {
  app.get('/v1/applications/:id/checks', {
    schema: {
      tags: ['checks'],
      summary: "List an application's checks",
      description: 'Each check with status (queued, running, completed, failed, exception), result (pass, refer, fail), score, reasons, vendor reference, attempts, timings and the evidence it relied on (masked).',
      params: schemaDoc(paramsSchema),
      response: { 200: { description: '`{ applicationId, status, checksRun, items }`' }, 400: { description: 'Invalid id' }, 401: { description: 'Missing or invalid bearer token' }, 404: { description: 'No such application for this tenant' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(paramsSchema, request.params, 'params');
    const application = await deps.applications.find(principal.tenantId, id);
    if (!application) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    const items = await deps.checks.list(principal.tenantId, id);
    return { applicationId: id, status: application.status, checksRun: application.checksRun, items: items.map(checkView) };
  });

  app.post('/v1/applications/:id/checks/:kind/reruns', {
    schema: {
      tags: ['checks'],
      summary: 'Re-run a failed check (operators)',
      description: 'Re-runs a check that failed, was parked as exception, or completed with `fail`, on a checks-complete or checks-exception application: the application goes back to checks-running and is concluded again. Requires `Idempotency-Key`; a retry with the same key returns the first answer.',
      params: schemaDoc(rerunParamsSchema),
      headers: idempotencyKeyHeaderDoc({ required: true }),
      response: {
        202: { description: 'Queued: `{ applicationId, kind, run, status }`, Location of the checks' },
        400: { description: 'Invalid id, kind or Idempotency-Key (problem+json naming it)' },
        401: { description: 'Missing or invalid bearer token' },
        403: { description: 'Caller is not an operator' },
        404: { description: 'No such application for this tenant, or no such check on it' },
        409: { description: 'The application is not checks-complete or checks-exception, or the check did not fail' },
        422: { description: 'Idempotency-Key reused for another request' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, kind } = parseOr400(rerunParamsSchema, request.params, 'params');
    const idempotencyKey = idempotencyKeyOf(request.headers, { required: true })!;
    const result = await rerunCheck(deps, { principal, applicationId: id, kind, idempotencyKey });
    if (!result.ok) throw toProblem(id, kind, result.error);
    void reply.header('location', `/v1/applications/${id}/checks`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(202).send(result.rerun);
  });
}

function toProblem(id: string, kind: string, error: Extract<RerunResult, { ok: false }>['error']): HttpProblem {
  switch (error.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'no-such-check':
      return new HttpProblem(404, 'no-such-check', 'Check not found', `Application ${id} has no ${kind} check.`, { errors: [{ pointer: '/params/kind', detail: `no ${kind} check on this application` }] });
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'application-not-rerunnable':
      return new HttpProblem(409, 'application-not-rerunnable', 'Checks cannot be re-run now', `Application ${id} is ${error.status}; checks are re-run only on a checks-complete or checks-exception application.`, { currentStatus: error.status });
    case 'check-not-rerunnable':
      return new HttpProblem(409, 'check-not-rerunnable', 'Check did not fail', `The ${kind} check is ${error.status}${error.result ? ` with ${error.result}` : ''}; only a failed, exception or fail check is re-run.`, { checkStatus: error.status, checkResult: error.result });
  }
}
