import { createHash } from 'node:crypto';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CONSENT_NAMES } from '../domain/acceptance.js';
import { canonicalJson } from '../domain/kfs.js';
import { acceptOffer, type AcceptOfferResult } from '../use-cases/accept-offer.js';
import type { KfsDeps } from '../use-cases/issue-kfs.js';
import { makeApplicationOffers, offerView, type MakeOffersResult } from '../use-cases/make-offers.js';
import { kfsRoutes } from './kfs.routes.js';

export interface OfferRoutesDeps extends KfsDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const offerParams = idParams.extend({ offerId: z.uuid('offer id must be a UUID') });
const acceptBody = z.object({
  kfsReference: z.string().regex(/^KFS-[0-9A-Z-]{1,60}$/, 'kfsReference: the reference of the Key Fact Statement shown (GET …/kfs)'),
  kfsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'kfsSha256: the sha256 of that statement, lowercase hex'),
  consents: z.array(z.object({
    name: z.enum(CONSENT_NAMES),
    version: z.string().trim().min(1).max(40).describe('Version of the consent text the borrower was shown'),
    granted: z.boolean(),
  }).strict()).min(1).max(CONSENT_NAMES.length)
    .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, 'each consent at most once')
    .describe('The borrower’s consents; `e-sign-consent` (E-SIGN Act 7001(c)) must be granted'),
}).strict();
/** A user agent is recorded as sent, up to this many characters. */
const MAX_USER_AGENT_CHARS = 512;

export async function offerRoutes(app: FastifyInstance, deps: OfferRoutesDeps): Promise<void> {
  app.post('/v1/applications/:id/offers', {
    schema: {
      tags: ['offers'], summary: 'Make the offers of an application that passed policy (partners, operators)',
      description: 'The requested terms within the decision’s limits at its pricing band’s rate, and the same amount over the longest term the limits allow when that is longer; each priced by the loan engine (installment, totals, APR) and valid for 7 days. Made once per checks run: asking again returns them (200). Each has its Key Fact Statement at GET …/kfs. Requires `Idempotency-Key`.',
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
    schema: { tags: ['offers'], summary: "An application's offers (its current checks run)", description: 'Each with `accepted` (true for the offer accepted, with `acceptance`: when, by whom, the KFS reference and hash).', params: schemaDoc(idParams), response: { 200: { description: '`{ items }`' }, 404: { description: 'No such application' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const current = await deps.offers.current(principal.tenantId, id);
    if (!current) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    const a = current.acceptance;
    return {
      items: current.offers.map((o) => ({
        ...offerView(o), accepted: a?.offerId === o.id,
        ...(a?.offerId === o.id ? { acceptance: { acceptedBy: a.acceptedBy, acceptedAt: a.acceptedAt.toISOString(), kfs: { reference: a.kfsReference, version: a.kfsVersion, sha256: a.kfsSha256 } } } : {}),
      })),
    };
  });

  app.post('/v1/applications/:id/offers/:offerId/accept', {
    schema: {
      tags: ['offers'], summary: 'Accept an offer with the borrower’s consent (partners, operators)',
      description: 'Records who accepted (the caller), when, from which address (the request’s, as the server resolves it) and user agent (`unknown` when none is sent), the exact Key Fact Statement shown (its reference, template version and SHA-256, which must be those of the statement issued for this offer) and the consents; `e-sign-consent` must be granted. Moves the application policy-approved → offer-accepted with an `offer-accepted` audit entry, in one transaction. The same offer accepted again answers 200 with the first acceptance. Requires `Idempotency-Key`.',
      params: schemaDoc(offerParams), headers: idempotencyKeyHeaderDoc({ required: true }), body: schemaDoc(acceptBody),
      response: {
        201: { description: 'The acceptance: `{ applicationId, checksRun, offerId, kfs: { reference, version, sha256 }, acceptedBy, acceptedAt, ip, userAgent, consents }`' }, 200: { description: 'This offer was already accepted: the first acceptance' },
        403: { description: 'Not a partner or operator' }, 404: { description: 'No such application, or no such offer in its current checks run' },
        409: { description: 'Another offer was accepted, the application is not policy-approved, or the offer expired' },
        422: { description: 'The KFS reference or hash is not the statement issued for this offer, the e-sign consent is missing or refused, or the Idempotency-Key was reused' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id, offerId } = parseOr400(offerParams, request.params, 'params');
    const body = parseOr400(acceptBody, request.body, 'body');
    const path = `/v1/applications/${id}/offers/${offerId}/accept`;
    const result = await acceptOffer(deps, {
      principal, applicationId: id, offerId, ...body, ip: request.ip, userAgent: (request.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT_CHARS) || 'unknown',
      idempotency: { key, path, requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex') },
    });
    if (!result.ok) throw acceptProblem(id, offerId, result.error);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(result.status).send(result.body);
  });

  await kfsRoutes(app, deps);
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

function acceptProblem(id: string, offerId: string, e: Extract<AcceptOfferResult, { ok: false }>['error']): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'offer-not-found':
      return new HttpProblem(404, 'offer-not-found', 'Offer not found', `Application ${id} has no offer ${offerId} in its current checks run.`, { errors: [{ pointer: '/params/offerId', detail: 'not an offer of this application’s current checks run' }] });
    case 'another-offer-accepted':
      return new HttpProblem(409, 'another-offer-accepted', 'Another offer was accepted', `Offer ${e.offerId} of application ${id} is already accepted; only one offer of a checks run can be.`, { acceptedOfferId: e.offerId, errors: [{ pointer: '/params/offerId', detail: `offer ${e.offerId} is already accepted` }] });
    case 'not-policy-approved':
      return new HttpProblem(409, 'not-policy-approved', 'Not awaiting an offer’s acceptance', `Application ${id} is ${e.status}; an offer is accepted while the application is policy-approved.`, { currentStatus: e.status, errors: [{ pointer: '/params/id', detail: `application is ${e.status}, not policy-approved` }] });
    case 'offer-expired':
      return new HttpProblem(409, 'offer-expired', 'Offer expired', `Offer ${offerId} expired at ${e.expiresAt.toISOString()}.`, { expiresAt: e.expiresAt.toISOString(), errors: [{ pointer: '/params/offerId', detail: 'this offer has expired' }] });
    case 'kfs-not-issued':
      return new HttpProblem(422, 'kfs-not-issued', 'Key Fact Statement not issued for this offer', `No Key Fact Statement with this reference was issued for offer ${offerId} (GET /v1/applications/${id}/kfs?offerId=${offerId}).`, { errors: [{ pointer: '/kfsReference', detail: 'not a statement issued for this offer' }] });
    case 'kfs-mismatch':
      return new HttpProblem(422, 'kfs-mismatch', 'Key Fact Statement hash does not match', 'The hash given is not the hash of the statement issued under this reference: the borrower must accept the statement as issued.', { errors: [{ pointer: '/kfsSha256', detail: 'not the sha256 of the statement issued under kfsReference' }] });
    case 'consent-required':
      return new HttpProblem(422, 'consent-required', 'Consent required', `The ${e.name} consent must be granted to accept an offer: the agreement is signed electronically (E-SIGN Act, 15 U.S.C. 7001(c)).`,
        { consent: e.name, errors: [{ pointer: e.index === null ? '/consents' : `/consents/${e.index}/granted`, detail: `${e.name} must be granted` }] });
  }
}
