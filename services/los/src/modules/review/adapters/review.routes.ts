import { createHash } from 'node:crypto';
import { productCodeSchema } from '@lendstack/contracts';
import { authenticate, decodeCursor, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, pageQuerySchema, parseOr400, schemaDoc, toPage } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { MAX_ADVERSE_ACTION_REASONS } from '../../underwriting/domain/decision.js';
import { approvalLimitsRoutes } from './approval-limits.routes.js';
import { creditorProfileRoutes } from './creditor-profile.routes.js';
import { decideApplicationReview, recommendApplication, reviewView, type ReviewDeps, type ReviewResult } from '../use-cases/review-decisions.js';

export interface ReviewRoutesDeps extends ReviewDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const queueQuery = pageQuerySchema.extend({
  stage: z.enum(['awaiting-recommendation', 'awaiting-decision']).optional().describe('Only reviews waiting for a maker, or for a checker'),
  kind: z.enum(['referral', 'override']).optional(),
  productCode: productCodeSchema.optional(),
}).strict();
const auditQuery = z.object({ limit: pageQuerySchema.shape.limit, cursor: z.string().regex(/^\d{1,19}$/, 'cursor: the nextCursor of a previous page').optional() }).strict();
const comment = z.string().trim().min(3).max(2000);
const recommendationBody = z.object({ recommendation: z.enum(['approve', 'decline']), comment }).strict();
const decisionBody = z.object({
  decision: z.enum(['approve', 'decline']),
  comment,
  overrideReason: z.string().trim().min(10).max(1000).optional().describe('Required (admins) to approve against a policy decline'),
  reasons: z.array(z.string().trim().min(5).max(200)).min(1).max(MAX_ADVERSE_ACTION_REASONS).optional().describe('A decline’s principal reasons in plain words (Reg B), printed on the adverse-action notice; required to decline a referral'),
}).strict();

const idemHeader = idempotencyKeyHeaderDoc({ required: true });
const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const CHECKERS = ['approver', 'admin'] as const;
const STAFF = ['operator', 'approver', 'admin'] as const;

export async function reviewRoutes(app: FastifyInstance, deps: ReviewRoutesDeps): Promise<void> {
  app.get('/v1/review-queue', {
    schema: {
      tags: ['review'], summary: 'Applications waiting for maker-checker review, oldest first',
      description: 'Referrals (the automated decision referred them) and overrides of a policy decline (an operator recommended approving one), not yet decided. Keyset pagination: pass `nextCursor` as `cursor`.',
      querystring: schemaDoc(queueQuery), response: { 200: { description: '`{ items, nextCursor }`' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...STAFF]);
    const q = parseOr400(queueQuery, request.query, 'query');
    const after = decodeCursor(q.cursor);
    const rows = await deps.reviews.queue(principal.tenantId, { limit: q.limit, ...(after ? { after } : {}), ...(q.stage ? { stage: q.stage } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.productCode ? { productCode: q.productCode } : {}) });
    const page = toPage(rows, q.limit, (r) => ({ createdAt: r.openedAt, id: r.applicationId }));
    return { items: page.items.map((r) => reviewView(r, r.kind === 'referral' ? 'referred' : 'declined')), nextCursor: page.nextCursor };
  });

  app.post('/v1/applications/:id/recommendation', {
    schema: {
      tags: ['review'], summary: 'Recommend a decision on a referred application, or an override of a policy decline (maker: operators)',
      description: 'The maker’s recommendation with a comment; a second person decides (POST …/decision). On an application the automated decision declined, only `approve` can be recommended (it opens an override). Requires `Idempotency-Key`.',
      params: schemaDoc(idParams), headers: idemHeader, body: schemaDoc(recommendationBody),
      response: { 201: { description: 'The review, awaiting its decision' }, 403: { description: 'Not an operator, or the caller submitted the application' }, 404: { description: 'No such application' }, 409: { description: 'Not in review (wrong status), or already recommended' }, 422: { description: 'Idempotency-Key reused' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id } = parseOr400(idParams, request.params, 'params');
    const body = parseOr400(recommendationBody, request.body, 'body');
    const result = await recommendApplication(deps, { principal, applicationId: id, ...body, idempotency: { key, path: `/v1/applications/${id}/recommendation`, requestHash: hash(body) } });
    return send(reply, id, result);
  });

  app.post('/v1/applications/:id/decision', {
    schema: {
      tags: ['review'], summary: 'Decide a recommended review (checker: approvers or admins, never the maker)',
      description: 'Approve → policy-approved (awaiting its offer); decline a referral → declined, with its principal reasons and an adverse-action notice. Approving against a policy decline is an override: admins only, with `overrideReason`. Approving needs the checker’s approval limit (per role and currency) to cover the principal. The checker is never the maker (enforced by the database too). Requires `Idempotency-Key`.',
      params: schemaDoc(idParams), headers: idemHeader, body: schemaDoc(decisionBody),
      response: { 200: { description: 'The decided review' }, 403: { description: 'Not an approver or admin, the maker, the submitter, an override by a non-admin, or above the approval limit' }, 404: { description: 'No such application' }, 409: { description: 'Not in review, no recommendation yet, or already decided' }, 422: { description: 'Idempotency-Key reused' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, [...CHECKERS]);
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id } = parseOr400(idParams, request.params, 'params');
    const body = parseOr400(decisionBody, request.body, 'body');
    const result = await decideApplicationReview(deps, { principal, applicationId: id, command: body, idempotency: { key, path: `/v1/applications/${id}/decision`, requestHash: hash(body) } });
    return send(reply, id, result);
  });

  app.get('/v1/applications/:id/audit-trail', {
    schema: {
      tags: ['review'], summary: "An application's decision audit trail, oldest first (append-only)",
      description: 'Every step: the automated decision, recommendations, checker decisions, overrides, manual approvals and declines, adverse-action notices. Keyset pagination by entry id.',
      params: schemaDoc(idParams), querystring: schemaDoc(auditQuery), response: { 200: { description: '`{ items, nextCursor }`' }, 404: { description: 'No such application in this tenant' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...STAFF]);
    const { id } = parseOr400(idParams, request.params, 'params');
    const q = parseOr400(auditQuery, request.query, 'query');
    const rows = await deps.reviews.auditTrail(principal.tenantId, id, { limit: q.limit, ...(q.cursor ? { afterId: q.cursor } : {}) });
    if (!rows) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} in this tenant.`);
    const items = rows.slice(0, q.limit);
    return { items: items.map((e) => ({ id: e.id, checksRun: e.checksRun, action: e.action, actor: e.actor, at: e.at.toISOString(), detail: e.detail })), nextCursor: rows.length > q.limit ? items.at(-1)!.id : null };
  });

  app.get('/v1/applications/:id/adverse-action-notice', {
    schema: {
      tags: ['review'], summary: 'The adverse-action notice of a declined application (application/pdf)',
      description: 'Generated when the automated decision or a checker declined the application: creditor, action taken, principal reasons, the ECOA notice and, where a bureau score was used, the FCRA score disclosure. `x-content-sha256` is the stored hash of the PDF.',
      params: schemaDoc(idParams), response: { 200: { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, 404: { description: 'No notice for this application' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const notice = await deps.reviews.notice(principal.tenantId, id);
    if (!notice) throw new HttpProblem(404, 'not-found', 'No adverse-action notice', `Application ${id} has no adverse-action notice for this tenant.`);
    return reply.type('application/pdf').header('x-content-sha256', notice.sha256).header('content-disposition', `inline; filename="adverse-action-${id}.pdf"`).send(notice.pdf);
  });

  await approvalLimitsRoutes(app, deps);
  await creditorProfileRoutes(app, deps);
}

function send(reply: FastifyReply, id: string, result: ReviewResult) {
  if (!result.ok) throw problem(id, result.error);
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(result.status).send(result.body);
}

type ReviewFailure = Extract<ReviewResult, { ok: false }>['error'];

function problem(id: string, e: ReviewFailure): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'not-in-review':
      return new HttpProblem(409, 'not-in-review', 'Not in review', `Application ${id} is ${e.status}; only a referred application, or one the automated decision declined, is reviewed.`, { currentStatus: e.status });
    case 'already-recommended':
      return new HttpProblem(409, 'already-recommended', 'Already recommended', `${e.by} already recommended on application ${id}.`);
    case 'no-recommendation':
      return new HttpProblem(409, 'no-recommendation', 'No recommendation yet', `An operator recommends first (POST /v1/applications/${id}/recommendation); a second person decides.`);
    case 'already-decided':
      return new HttpProblem(409, 'already-decided', 'Review already decided', `${e.by} already decided ${e.decision} on application ${id}.`);
    case 'own-application':
      return new HttpProblem(403, 'own-application', 'Not allowed to decide this application', `Application ${id} was submitted by ${e.submittedBy}; another person must review it.`);
    case 'checker-is-maker':
      return new HttpProblem(403, 'checker-is-maker', 'The checker cannot be the maker', `${e.maker} recommended on application ${id}; a second person must decide.`);
    case 'override-needs-admin':
      return new HttpProblem(403, 'override-needs-admin', 'Override needs a higher role', 'Approving against a policy decline needs the admin role.');
    case 'invalid':
      return new HttpProblem(400, 'validation-error', 'Request is not valid', e.detail, { errors: [{ pointer: e.pointer, detail: e.detail }] });
    case 'above-approval-limit':
      return new HttpProblem(403, 'above-approval-limit', 'Above your approval limit', e.limitMinor === null ? 'No approval limit is set for your roles in this currency.' : `The principal ${e.principalMinor} is above your approval limit of ${e.limitMinor} minor units.`, { errors: [{ pointer: '/loanRequest/principal/amount', detail: 'above the approval limit of your roles' }] });
  }
}
