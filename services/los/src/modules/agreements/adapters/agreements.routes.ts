import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { VendorResponseError, VendorUnavailableError } from '../../checks/check-runner.js';
import { agreementSummary, sendAgreement, type AgreementDeps, type SendAgreementResult } from '../use-cases/send-agreement.js';

export interface AgreementRoutesDeps extends AgreementDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const formatQuery = z.object({ format: z.enum(['json', 'pdf']).default('json') });

export async function agreementRoutes(app: FastifyInstance, deps: AgreementRoutesDeps): Promise<void> {
  app.post('/v1/applications/:id/agreement', {
    schema: {
      tags: ['agreements'], summary: 'Generate, stamp and send the loan agreement of an accepted offer for e-signature (partners, operators)',
      description: `The agreement is drawn from template ${deps.template.version} with the accepted offer's terms, schedule and parties, stamped (INR: an e-stamp certificate in the borrower's state; other currencies: recorded as not required), stored with the SHA-256 of its PDF and sent to the borrower through the e-sign vendor (${deps.esign.vendor}). Once per checks run: asking again returns the same agreement (200). A vendor that is down answers 503 and nothing half-done stays that a retry cannot finish. Requires \`Idempotency-Key\`.`,
      params: schemaDoc(idParams), headers: idempotencyKeyHeaderDoc({ required: true }),
      response: {
        201: { description: 'Sent: agreement id, template version, document hash, stamp, envelope id and signing URL' }, 200: { description: 'The agreement already made' }, 403: { description: 'Not a partner or operator' },
        404: { description: 'No such application' }, 409: { description: 'No accepted offer, the agreement was declined or voided, or another request is sending it (retry)' }, 422: { description: 'Idempotency-Key reused, or the borrower’s state cannot be stamped' },
        502: { description: 'A vendor refused the request' }, 503: { description: 'The e-sign or eStamp vendor is unavailable; retry' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id } = parseOr400(idParams, request.params, 'params');
    let result: SendAgreementResult;
    try {
      result = await sendAgreement(deps, { principal, applicationId: id, idempotency: { key, path: `/v1/applications/${id}/agreement`, requestHash: id } });
    } catch (error) {
      if (error instanceof VendorUnavailableError) throw new HttpProblem(503, 'vendor-unavailable', 'Vendor unavailable', `${error.message}. Nothing was lost: retry the request.`, { vendor: error.vendor }, { 'retry-after': '5' });
      if (error instanceof VendorResponseError) throw new HttpProblem(502, 'vendor-refused', 'Vendor refused the request', error.message, { vendor: error.vendor });
      throw error;
    }
    if (!result.ok) throw problem(id, result.error);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(result.status).send(result.body);
  });

  app.get('/v1/applications/:id/agreement', {
    schema: {
      tags: ['agreements'], summary: "The loan agreement of an application's current run: JSON with the e-sign audit trail, or the PDF",
      description: '`format=json` (default): status, hashes, stamp, envelope and the vendor’s audit trail (sent, viewed, signed, with times and IPs). `format=pdf`: the document as generated; `x-content-sha256` is its stored hash.',
      params: schemaDoc(idParams), querystring: schemaDoc(formatQuery),
      response: { 200: { description: 'The agreement', content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, 404: { description: 'No agreement for this application' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const { format } = parseOr400(formatQuery, request.query, 'query');
    const a = (await deps.agreements.source(principal.tenantId, id))?.agreement;
    if (!a) throw new HttpProblem(404, 'not-found', 'No agreement', `Application ${id} has no agreement for this tenant.`);
    if (format === 'pdf') return reply.type('application/pdf').header('x-content-sha256', a.documentSha256).header('content-disposition', `inline; filename="loan-agreement-${a.id}.pdf"`).send(a.pdf);
    return {
      ...agreementSummary(a), offerId: a.offerId, vendor: a.esignVendor, signedDocumentSha256: a.signedDocumentSha256, signedAt: a.signedAt?.toISOString() ?? null, declinedReason: a.declinedReason,
      auditTrail: a.esignEvents,
    };
  });
}

function problem(id: string, e: Extract<SendAgreementResult, { ok: false }>['error']): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'not-accepted':
      return new HttpProblem(409, 'offer-not-accepted', 'No accepted offer', `Application ${id} is ${e.status}; the agreement follows an accepted offer (offer-accepted).`, { currentStatus: e.status });
    case 'closed':
      return new HttpProblem(409, 'agreement-closed', 'Agreement closed', `The agreement of application ${id} was ${e.status}; it is not sent again.`, { agreementStatus: e.status });
    case 'being-sent':
      return new HttpProblem(409, 'agreement-being-sent', 'Agreement being sent', `Another request is sending the agreement of application ${id} now; retry to read its outcome.`, {}, { 'retry-after': '1' });
    case 'stamp-state-unknown':
      return new HttpProblem(422, 'stamp-state-unknown', 'Agreement cannot be stamped', `The borrower's region "${e.region}" is not an Indian state code (KA, MH, DL, …); the stamp duty is paid in the borrower's state.`, { errors: [{ pointer: '/applicant/address/region', detail: 'not an Indian state code' }] });
    case 'unpriceable':
      return new HttpProblem(422, 'unpriceable-terms', 'Agreement cannot be scheduled', `The accepted offer's terms cannot be scheduled: ${e.reason}`, { errors: [{ pointer: '/offer/terms', detail: e.reason }] });
    case 'template-placeholder':
      return new HttpProblem(500, 'template-placeholder', 'Agreement template incomplete', `The template has a placeholder {{${e.name}}} the agreement has no value for.`);
  }
}
