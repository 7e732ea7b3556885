import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { makeApplicationOffers, offerView, type MakeOffersResult, type OfferDeps } from '../use-cases/make-offers.js';

export interface OfferRoutesDeps extends OfferDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });

export async function offerRoutes(app: FastifyInstance, deps: OfferRoutesDeps): Promise<void> {
  app.post('/v1/applications/:id/offers', {
    schema: {
      tags: ['offers'], summary: 'Make the offers of an application that passed policy (partners, operators)',
      description: 'The requested terms within the decision’s limits at its pricing band’s rate, and the same amount over the longest term the limits allow when that is longer; each priced by the loan engine (installment, totals, APR) and valid for 7 days. Made once per checks run: asking again returns them (200). The Key Fact Statement comes later. Requires `Idempotency-Key`.',
      params: schemaDoc(idParams), headers: idempotencyKeyHeaderDoc({ required: true }),
      response: { 201: { description: '`{ items }`: the offers' }, 200: { description: 'The offers already made' }, 403: { description: 'Not a partner or operator' }, 404: { description: 'No such application' }, 409: { description: 'Not policy-approved, or its decision set no pricing band' }, 422: { description: 'Idempotency-Key reused, or terms the engine cannot price' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id } = parseOr400(idParams, request.params, 'params');
    const result = await makeApplicationOffers(deps, { principal, applicationId: id, idempotency: { key, path: `/v1/applications/${id}/offers`, requestHash: id } });
    if (!result.ok) throw problem(id, result.error);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(result.status === 201 ? 201 : 200).send(result.body);
  });

  app.get('/v1/applications/:id/offers', {
    schema: { tags: ['offers'], summary: "An application's offers (its current checks run)", params: schemaDoc(idParams), response: { 200: { description: '`{ items }`' }, 404: { description: 'No such application' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const offers = await deps.offers.list(principal.tenantId, id);
    if (!offers) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    return { items: offers.map(offerView) };
  });
}

function problem(id: string, e: Extract<MakeOffersResult, { ok: false }>['error']): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'not-approved':
      return new HttpProblem(409, 'not-approved', 'Not approved for offers', `Application ${id} is ${e.status}; offers are made once it passed policy (policy-approved).`, { currentStatus: e.status });
    case 'no-pricing-band':
      return new HttpProblem(409, 'no-pricing-band', 'No pricing band', `The decision of application ${id} set no pricing band (an override of a decline); it cannot be priced from policy.`);
    case 'unpriceable':
      return new HttpProblem(422, 'unpriceable-terms', 'Offer cannot be priced', `The ${e.label} offer cannot be scheduled: ${e.reason}`, { errors: [{ pointer: '/loanRequest', detail: e.reason }] });
  }
}
