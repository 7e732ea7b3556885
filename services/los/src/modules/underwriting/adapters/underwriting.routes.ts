import { createHash } from 'node:crypto';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import { productCodeSchema } from '@lendstack/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parsePolicy, policyDocumentSchema } from '../domain/policy.js';
import type { PolicyVersion, PolicyWriteError, StoredDecision } from '../ports.js';
import { evaluateDecision, replayDecision, type EvaluateDecisionDeps, type EvaluateError } from '../use-cases/evaluate-decision.js';

export interface UnderwritingRoutesDeps extends EvaluateDecisionDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const versionParams = z.object({ id: z.uuid('policy id must be a UUID'), version: z.coerce.number().int().min(1).max(1_000_000) });
const draftBody = z.object({
  productCode: productCodeSchema,
  effectiveFrom: z.iso.datetime({ offset: true, error: 'effectiveFrom must be an RFC 3339 date-time' }),
  document: z.unknown(),
}).strict();

export function policyView(v: PolicyVersion) {
  return {
    policyId: v.policyId, productCode: v.productCode, version: v.version, status: v.status, effectiveFrom: v.effectiveFrom.toISOString(),
    createdBy: v.createdBy, createdAt: v.createdAt.toISOString(), approvedBy: v.approvedBy, approvedAt: v.approvedAt?.toISOString() ?? null, seeded: v.seeded,
    documentSha256: v.documentSha256, document: v.document,
  };
}

export function decisionView(d: StoredDecision) {
  return {
    applicationId: d.applicationId, checksRun: d.checksRun, outcome: d.outcome, reasons: d.reasons, decidedAt: d.decidedAt.toISOString(), asOf: d.asOf,
    policy: { policyId: d.policyId, version: d.policyVersion }, modelVersion: d.modelVersion,
    score: { value: d.scorecard.score, pd: d.scorecard.pd, attributes: d.scorecard.attributes, reasonCodes: d.scorecard.reasons },
    offer: d.offer, rules: d.evaluation.rules, limits: d.evaluation.limits, pricing: d.evaluation.pricing, features: d.features,
  };
}

const keyOf = (request: FastifyRequest) => idempotencyKeyOf(request.headers, { required: true })!;
const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
const idemHeader = idempotencyKeyHeaderDoc({ required: true });

export async function underwritingRoutes(app: FastifyInstance, deps: UnderwritingRoutesDeps): Promise<void> {
  app.get('/v1/policies', {
    schema: { tags: ['underwriting'], summary: "List the tenant's underwriting policies and their versions", response: { 200: { description: '`{ items }`: every version, by product then version' }, 401: { description: 'Missing or invalid bearer token' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    return { items: (await deps.policies.list(principal.tenantId)).map(policyView) };
  });

  app.post('/v1/policies', {
    schema: {
      tags: ['underwriting'], summary: 'Write a new draft version of a product’s policy (admin)',
      description: 'The body is `{ productCode, effectiveFrom, document }`; the document is refused with problem+json naming each wrong field (`/document/eligibility/2/feature`) when it does not parse, refers to an unknown feature, or has an expression that is not a test of its feature. The draft takes effect only once a second admin approves it. Requires `Idempotency-Key`.',
      headers: idemHeader, body: schemaDoc(draftBody.extend({ document: policyDocumentSchema })),
      response: { 201: { description: 'The draft version' }, 400: { description: 'Invalid body or Idempotency-Key' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is not an admin' }, 422: { description: 'Idempotency-Key reused for another request, or a well-shaped document its rules refuse (unknown feature, a test that is not one of its feature, band or cut-off relations)' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const key = keyOf(request);
    const body = parseOr400(draftBody, request.body, 'body');
    const parsed = parsePolicy(body.document);
    // Shape errors are the document's 400; a well-shaped document its rules refuse is 422.
    if (!parsed.ok) throw new HttpProblem(parsed.onlyRules ? 422 : 400, 'invalid-policy', 'Policy refused', `The policy document has ${parsed.errors.length} problem(s): ${parsed.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`, { errors: parsed.errors.map((e) => ({ pointer: `/body${e.pointer}`, detail: e.detail })) });
    const written = await deps.policies.createDraft({
      tenantId: principal.tenantId, productCode: body.productCode, document: parsed.policy, effectiveFrom: new Date(body.effectiveFrom), createdBy: principal.subject, now: deps.now(),
      idempotency: { key, path: '/v1/policies', requestHash: hash(body) },
    });
    if (!written.ok) throw writeProblem(written.error);
    if (written.replayed) void reply.header('idempotent-replayed', 'true');
    void reply.header('location', `/v1/policies/${written.version.policyId}/versions/${written.version.version}`);
    return reply.status(201).send(policyView(written.version));
  });

  app.post('/v1/policies/:id/versions/:version/approve', {
    schema: {
      tags: ['underwriting'], summary: 'Approve a draft policy version (admin, not its maker)',
      description: 'Maker-checker: the approver must be a different person from the one who wrote the draft. The version then applies to decisions from its effectiveFrom. Requires `Idempotency-Key`.',
      params: schemaDoc(versionParams), headers: idemHeader,
      response: { 200: { description: 'The approved version' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is not an admin, or wrote this draft' }, 404: { description: 'No such policy version' }, 409: { description: 'Already approved' }, 422: { description: 'Idempotency-Key reused' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const key = keyOf(request);
    const { id, version } = parseOr400(versionParams, request.params, 'params');
    const written = await deps.policies.approve({ tenantId: principal.tenantId, policyId: id, version, approver: principal.subject, now: deps.now(), idempotency: { key, path: `/v1/policies/${id}/versions/${version}/approve`, requestHash: hash({ id, version }) } });
    if (!written.ok) throw writeProblem(written.error);
    if (written.replayed) void reply.header('idempotent-replayed', 'true');
    return policyView(written.version);
  });

  app.post('/v1/applications/:id/decision/evaluate', {
    schema: {
      tags: ['underwriting'], summary: 'Compute the automated decision of a checked application (operators)',
      description: 'Features from the stored check results, the scorecard, and the policy version in effect for the product: approve, decline (with at most four adverse-action reasons) or refer. One decision per checks run; evaluating again returns it. Requires `Idempotency-Key`.',
      params: schemaDoc(idParams), headers: idemHeader,
      response: { 200: { description: 'The stored decision (already decided)' }, 201: { description: 'The decision' }, 404: { description: 'No such application' }, 409: { description: 'Checks not complete, or no policy in effect for the product' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['operator', 'approver', 'admin']);
    keyOf(request);
    const { id } = parseOr400(idParams, request.params, 'params');
    const result = await evaluateDecision(deps, { tenantId: principal.tenantId, applicationId: id });
    if (!result.ok) throw evaluateProblem(id, result.error);
    void reply.header('location', `/v1/applications/${id}/decision`);
    return reply.status(result.created ? 201 : 200).send(decisionView(result.decision));
  });

  app.get('/v1/applications/:id/decision', {
    schema: { tags: ['underwriting'], summary: "An application's automated decision", params: schemaDoc(idParams), response: { 200: { description: 'The decision with its rules, score, points and features' }, 404: { description: 'No decision yet' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const decision = await deps.decisions.find(principal.tenantId, id);
    if (!decision) throw new HttpProblem(404, 'not-found', 'No decision', `Application ${id} has no automated decision for this tenant.`);
    return decisionView(decision);
  });

  app.get('/v1/applications/:id/decision/replay', {
    schema: { tags: ['underwriting'], summary: 'Re-evaluate the stored decision against the policy version and inputs it used', params: schemaDoc(idParams), response: { 200: { description: '`{ same, original, replayed }`' }, 404: { description: 'No decision yet' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, ['operator', 'approver', 'admin']);
    const { id } = parseOr400(idParams, request.params, 'params');
    const result = await replayDecision(deps, { tenantId: principal.tenantId, applicationId: id });
    if (!result.ok) {
      if (result.error.kind === 'model-unavailable') throw new HttpProblem(409, 'model-unavailable', 'Scorecard model not loaded', `The decision used model ${result.error.modelVersion}, which this LOS does not have.`);
      throw new HttpProblem(404, 'not-found', 'No decision', `Application ${id} has no automated decision for this tenant.`);
    }
    return { same: result.same, original: { outcome: result.original.outcome, reasons: result.original.reasons, score: result.original.scorecard.score }, replayed: { outcome: result.replayed.outcome, reasons: result.replayed.reasons, score: result.replayed.scorecard.score } };
  });
}

function writeProblem(error: PolicyWriteError): HttpProblem {
  switch (error.kind) {
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Policy version not found', 'No such policy version for this tenant.');
    case 'maker-cannot-approve':
      return new HttpProblem(403, 'maker-cannot-approve', 'Maker cannot approve', `The draft was written by ${error.createdBy}; a second admin must approve it.`);
    case 'already-approved':
      return new HttpProblem(409, 'already-approved', 'Already approved', `This version was already approved${error.approvedBy ? ` by ${error.approvedBy}` : ''}.`);
  }
}

function evaluateProblem(id: string, error: EvaluateError): HttpProblem {
  switch (error.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'checks-not-complete':
      return new HttpProblem(409, 'checks-not-complete', 'Checks not complete', `Application ${id} is ${error.status}; it is decided once every check completed.`, { currentStatus: error.status });
    case 'no-policy':
      return new HttpProblem(409, 'no-policy', 'No policy in effect', `No approved policy is in effect for product ${error.productCode}.`, { errors: [{ pointer: '/loanRequest/productCode', detail: `no policy in effect for ${error.productCode}` }] });
  }
}
