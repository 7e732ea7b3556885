import { checkBookable } from '@lendstack/contracts';
import { authenticate, decodeCursor, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, jsonPointer, parseOr400, parseOr422Rules, schemaDoc, toPage } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DecisionError } from '../domain/application.js';
import { decideApplication, type DecideApplicationDeps, type DecideCommand } from '../use-cases/decide-application.js';
import { submitApplication, submitDraftApplication, type SubmitApplicationDeps } from '../use-cases/submit-application.js';
import { checkAgainstProduct } from '../../catalogue/domain/catalogue.js';
import type { ProductCatalogue } from '../../catalogue/ports.js';
import { applicationView } from './application.view.js';
import {
  applicationParamsSchema,
  approveBodySchema,
  declineBodySchema,
  listApplicationsQuerySchema,
  submitApplicationBodySchema,
  type SubmitApplicationBody,
} from './applications.schemas.js';

export interface ApplicationRoutesDeps extends SubmitApplicationDeps, DecideApplicationDeps {
  readonly authSecret: string;
  readonly catalogue: ProductCatalogue;
}

const problemResponses = {
  400: { description: 'Invalid request (problem+json, `errors` names each field)' },
  401: { description: 'Missing or invalid bearer token' },
  404: { description: 'No such application for this tenant' },
};

export async function applicationRoutes(app: FastifyInstance, deps: ApplicationRoutesDeps): Promise<void> {
  app.post('/v1/applications', {
    schema: {
      tags: ['applications'],
      summary: 'Submit a loan application (partners)',
      description: 'Honours `Idempotency-Key`: a retry with the same key and body returns the first result; the same key with another body is refused with 422.',
      headers: idempotencyKeyHeaderDoc(),
      body: schemaDoc(submitApplicationBodySchema),
      response: { 201: { description: 'Created' }, 200: { description: 'Replay of an earlier request with the same Idempotency-Key' }, 403: { description: 'Caller is not a partner' }, 422: { description: 'A rule across fields the schema cannot state (a real calendar date, date of birth from 1900-01-01 to today, first due date after the expected disbursement, fees in the currency and scale of the principal), Idempotency-Key reused with another body, loan terms the loan engine cannot book, or terms the product catalogue of the tenant does not allow (`errors` names the field)' }, ...problemResponses },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'partner');
    const idempotencyKey = idempotencyKeyOf(request.headers);
    const body = parseOr422Rules(submitApplicationBodySchema, request.body, 'body');
    await checkCatalogue(deps.catalogue, principal.tenantId, body.loan);
    const bookable = checkBookable(body.loan);
    if (!bookable.ok) {
      throw new HttpProblem(422, 'unbookable-terms', 'Loan terms cannot be booked', bookable.reason, { errors: [{ pointer: jsonPointer(['loan', ...bookable.path.map(String)]), detail: bookable.reason }] });
    }
    const result = await submitApplication(deps, { principal, body, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (!result.ok) {
      throw new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request body.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used with another body' }] });
    }
    void reply.header('location', `/v1/applications/${result.application.id}`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(result.replayed ? 200 : 201).send(applicationView(result.application));
  });

  app.get('/v1/applications', {
    schema: {
      tags: ['applications'],
      summary: "List the tenant's applications, newest first",
      description: 'Keyset pagination: pass `nextCursor` from a page as `cursor` to get the next; `nextCursor` is null on the last page.',
      querystring: schemaDoc(listApplicationsQuerySchema),
      response: { 200: { description: '`{ items, nextCursor }`' }, 400: problemResponses[400], 401: problemResponses[401] },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const query = parseOr400(listApplicationsQuerySchema, request.query, 'query');
    const after = decodeCursor(query.cursor);
    const rows = await deps.store.list(principal.tenantId, { limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(after ? { after } : {}) });
    const page = toPage(rows, query.limit, (a) => ({ createdAt: a.createdAt, id: a.id }));
    return { items: page.items.map(applicationView), nextCursor: page.nextCursor };
  });

  app.get('/v1/applications/:id', {
    schema: { tags: ['applications'], summary: 'Read an application', params: schemaDoc(applicationParamsSchema), response: { 200: { description: 'The application' }, ...problemResponses } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(applicationParamsSchema, request.params, 'params');
    const application = await deps.store.find(principal.tenantId, id);
    if (!application) throw notFound(id);
    return applicationView(application);
  });

  app.post('/v1/applications/:id/submit', {
    schema: {
      tags: ['applications'],
      summary: 'Submit a draft application (partners): its checks start',
      description: 'draft → submitted: ApplicationSubmitted is published and the checks run (over the documents uploaded so far). Submitting an application that is already submitted returns it unchanged, so a retry is harmless.',
      params: schemaDoc(applicationParamsSchema),
      response: { 200: { description: 'The submitted application' }, 403: { description: 'Caller is not a partner' }, 409: { description: 'The application was declined' }, ...problemResponses },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'partner');
    const { id } = parseOr400(applicationParamsSchema, request.params, 'params');
    const result = await submitDraftApplication(deps, { tenantId: principal.tenantId, applicationId: id });
    if (!result.ok) throw toProblem(id, result.error);
    return applicationView(result.application);
  });

  const decide = (kind: DecideCommand['kind']) => async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = authenticate(request, deps.authSecret, ['operator', 'admin']);
    const { id } = parseOr400(applicationParamsSchema, request.params, 'params');
    const approveBody = kind === 'approve' ? parseOr400(approveBodySchema, request.body ?? {}, 'body') : undefined;
    const command: DecideCommand = kind === 'approve'
      ? { kind, ...(approveBody?.overrideReason ? { overrideReason: approveBody.overrideReason } : {}) }
      : { kind, ...parseOr400(declineBodySchema, request.body, 'body') };
    const result = await decideApplication(deps, { principal, applicationId: id, command });
    if (!result.ok) throw toProblem(id, result.error);
    return reply.status(200).send(applicationView(result.application));
  };
  const decisionSchema = (summary: string, body: z.ZodType) => ({
    tags: ['applications'], summary, description: 'Operators (or admins), and never on an application they submitted themselves (403 own-application). Repeating the same decision is harmless and returns the application unchanged. Approval rests on policy: where a policy is in effect, an application that passed it (policy-approved, offer-accepted) is approved by its origination (offer accepted with the KFS, agreement signed, mandate registered), not here; a checks-complete one is approved here by an operator only when no policy is in effect for its product; anything else (referred, declined by the automated decision, awaiting its decision, or passed but not yet through origination) only by an admin with `overrideReason` within the approval limit of their role (recorded as an override in the decision audit trail).',
    params: schemaDoc(applicationParamsSchema), body: schemaDoc(body),
    response: { 200: { description: 'The decided application' }, 403: { description: 'Caller is not an operator, an override by someone who is not an admin, or above their approval limit' }, 409: { description: 'The application was already decided the other way, policy did not pass it and no `overrideReason` was given, or (approval) its checks are not complete, are parked as exception, or one failed (`blockingChecks` names them)' }, ...problemResponses },
  });
  app.post('/v1/applications/:id/approve', { schema: decisionSchema('Approve an application; publishes LoanApproved', approveBodySchema) }, decide('approve'));
  app.post('/v1/applications/:id/decline', { schema: decisionSchema('Decline an application', declineBodySchema) }, decide('decline'));
}

/**
 * A tenant that has published products is held to its catalogue: an unknown product code, or terms
 * the product does not allow, get 422 naming each field. A tenant with no product yet is not checked
 * (how a lender starts before its catalogue is set up; say so to the tenant's admins).
 */
async function checkCatalogue(catalogue: ProductCatalogue, tenantId: string, terms: SubmitApplicationBody['loan']): Promise<void> {
  const product = await catalogue.find(tenantId, terms.productCode);
  const errors = product
    ? checkAgainstProduct(terms, product).map((i) => ({ pointer: jsonPointer(['loan', ...i.path]), detail: i.message }))
    : (await catalogue.hasAny(tenantId)) ? [{ pointer: '/loan/productCode', detail: `no product ${terms.productCode} in this tenant's catalogue` }] : [];
  if (errors.length > 0) {
    throw new HttpProblem(422, 'terms-not-in-catalogue', 'Loan terms are not allowed by the product', `The product catalogue refuses ${errors.length} field(s).`, { errors });
  }
}

function notFound(id: string): HttpProblem {
  return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
}

function toProblem(id: string, error: DecisionError | { kind: 'not-found' }): HttpProblem {
  switch (error.kind) {
    case 'not-found':
      return notFound(id);
    case 'already-decided':
      return new HttpProblem(409, 'already-decided', 'Application already decided', `Application ${id} is ${error.status}.`, { currentStatus: error.status });
    case 'invalid-terms':
      return new HttpProblem(422, 'invalid-terms', 'Loan terms cannot be approved', error.detail);
    case 'checks-not-complete': {
      const blocking = error.blocking.map((c) => `${c.kind} is ${c.status === 'completed' ? `completed with ${c.result}` : c.status}`);
      const why = error.status !== 'checks-complete' && blocking.length === 0 ? `its checks are ${error.status === 'submitted' ? 'not started yet' : error.status === 'draft' ? 'not started: it is a draft, submit it first' : error.status}` : blocking.join('; ');
      return new HttpProblem(409, 'checks-not-complete', 'Checks do not allow approval yet', `Application ${id} cannot be approved: ${why}. See GET /v1/applications/${id}/checks.`, {
        currentStatus: error.status,
        blockingChecks: error.blocking.map((c) => ({ kind: c.kind, status: c.status, result: c.result })),
      });
    }
    case 'needs-override': {
      const passed = error.status === 'policy-approved' || error.status === 'offer-accepted';
      return passed
        ? new HttpProblem(409, 'needs-override', 'Approved through its origination', `Application ${id} passed policy (${error.status}); it is approved once an offer is accepted with its KFS, the agreement signed and the repayment mandate registered. Approving it by hand is an override: an admin sends overrideReason.`, { currentStatus: error.status, errors: [{ pointer: '/overrideReason', detail: 'required to approve before origination completes' }] })
        : new HttpProblem(409, 'needs-override', 'Policy did not pass this application', `Application ${id} is ${error.status}${error.status === 'checks-complete' ? ' awaiting its automated decision' : ''}; approving it is an override: an admin sends overrideReason.`, { currentStatus: error.status, errors: [{ pointer: '/overrideReason', detail: 'required to approve what policy did not pass' }] });
    }
    case 'override-not-allowed':
      return new HttpProblem(403, 'override-not-allowed', 'Override needs a higher role', `Overriding policy needs the ${error.role} role.`);
    case 'above-approval-limit':
      return new HttpProblem(403, 'above-approval-limit', 'Above your approval limit', error.limitMinor === null ? 'No approval limit is set for your roles in this currency.' : `The principal ${error.principalMinor} is above your approval limit of ${error.limitMinor} minor units.`, { errors: [{ pointer: '/loanRequest/principal/amount', detail: 'above the approval limit of your roles' }] });
    case 'own-application':
      return new HttpProblem(403, 'own-application', 'Not allowed to decide this application', `Application ${id} was submitted by ${error.submittedBy}; another person must decide it (segregation of duties).`);
  }
}
