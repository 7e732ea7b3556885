import { createHash } from 'node:crypto';
import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KFS_VARIANTS } from '../domain/kfs.js';
import { keyFactStatement, kfsView, type KfsDeps, type KfsResult } from '../use-cases/issue-kfs.js';

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const kfsQuery = z.object({
  format: z.enum(['json', 'pdf']).default('json'),
  offerId: z.uuid('offerId must be an offer id (UUID)').optional().describe('Default: the accepted offer, else the first offer'),
  variant: z.enum(KFS_VARIANTS).optional().describe('rbi (RBI KFS) or tila (US Truth in Lending box); default: rbi for INR loans, tila otherwise'),
}).strict();

/** GET /v1/applications/{id}/kfs (registered by offerRoutes). */
export async function kfsRoutes(app: FastifyInstance, deps: KfsDeps & { readonly authSecret: string }): Promise<void> {
  app.get('/v1/applications/:id/kfs', {
    schema: {
      tags: ['offers'], summary: 'The Key Fact Statement of an offer (JSON or PDF)',
      description: 'RBI format (RBI/2024-25/18 Annex A parts 1 and 2, Annex B APR illustration, Annex C repayment schedule) or the US TILA box (12 CFR 1026.18, model form H-2). Every amount is the loan engine’s for the offer’s terms; the APR is the offer’s. Issued on first request and stored: `reference`, template `version` and `sha256` (lowercase hex SHA-256 of `content` as canonical JSON, keys sorted) are what POST …/accept must quote. The PDF is drawn from the stored content; `x-kfs-reference`, `x-kfs-sha256` and `x-content-sha256` (of the PDF bytes) are sent with it.',
      params: schemaDoc(idParams), querystring: schemaDoc(kfsQuery),
      response: {
        200: { description: '`{ reference, version, variant, sha256, issuedAt, offerId, content }`, or the PDF', content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        404: { description: 'No such application, no offers yet, or no such offer' }, 409: { description: 'The offer expired before a statement was issued, or the tenant has no creditor profile' }, 422: { description: 'The engine does not give the offer’s APR for its terms' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const q = parseOr400(kfsQuery, request.query, 'query');
    const result = await keyFactStatement(deps, { tenantId: principal.tenantId, applicationId: id, ...(q.offerId ? { offerId: q.offerId } : {}), ...(q.variant ? { variant: q.variant } : {}) });
    if (!result.ok) throw problem(id, q.offerId, result.error);
    const k = result.kfs;
    if (q.format === 'json') return kfsView(k);
    const pdf = await deps.kfs.render(k.content);
    return reply.type('application/pdf').header('x-kfs-reference', k.reference).header('x-kfs-sha256', k.sha256).header('x-content-sha256', createHash('sha256').update(pdf).digest('hex'))
      .header('content-disposition', `inline; filename="${k.reference}.pdf"`).send(pdf);
  });
}

function problem(id: string, offerId: string | undefined, e: Extract<KfsResult, { ok: false }>['error']): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'no-offers':
      return new HttpProblem(404, 'no-offers', 'No offers yet', `Application ${id} has no offers in its current checks run (POST /v1/applications/${id}/offers makes them).`);
    case 'offer-not-found':
      return new HttpProblem(404, 'offer-not-found', 'Offer not found', `Application ${id} has no offer ${offerId} in its current checks run.`, { errors: [{ pointer: '/query/offerId', detail: 'not an offer of this application’s current checks run' }] });
    case 'offer-expired':
      return new HttpProblem(409, 'offer-expired', 'Offer expired', `The offer expired at ${e.expiresAt.toISOString()}; no Key Fact Statement is issued for it.`, { errors: [{ pointer: '/query/offerId', detail: 'this offer has expired' }] });
    case 'no-creditor-profile':
      return new HttpProblem(409, 'no-creditor-profile', 'No creditor profile', 'A Key Fact Statement names the lender and its grievance officer: an admin sets the creditor profile first (PUT /v1/creditor-profile).');
    case 'unpriceable':
      return new HttpProblem(422, 'unpriceable-terms', 'Statement cannot be priced', `The offer's terms do not give its own schedule: ${e.reason}`, { errors: [{ pointer: '/query/offerId', detail: e.reason }] });
  }
}
