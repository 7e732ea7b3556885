import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { amendLoanMandate, amendMandateBody, cancelLoanMandate, cancelMandateBody, mandateView, registerMandate, registerMandateBody, type MandateDeps, type MandateOutcome } from '../use-cases/mandates.js';
import { mandatesOfLoan } from './mandates.repository.js';

export interface MandateRoutesDeps extends MandateDeps {
  readonly authSecret: string;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const mandateParams = z.object({ id: z.string().min(1).max(64), mandateId: z.string().uuid() }).strict();
const problems = {
  400: { description: 'Invalid request (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the role' },
  404: { description: 'No such loan or mandate for this tenant' },
  422: { description: 'Refused by the mandate rules or the processor, naming the field; or the Idempotency-Key reused with another body' },
  503: { description: 'The processor could not be reached: send the same request again' },
};

const answer = (result: MandateOutcome) => {
  if (!result.ok) throw new HttpProblem(result.status, result.code, result.status === 404 ? 'Not found' : 'Mandate request refused', result.detail, { errors: [{ pointer: result.pointer, detail: result.detail }] });
  return result;
};

/** A loan's NACH and UPI AutoPay mandates (operator): register, amend, cancel, list. */
export async function mandateRoutes(app: FastifyInstance, deps: MandateRoutesDeps): Promise<void> {
  app.post('/v1/loans/:id/mandates', {
    schema: {
      headers: idempotencyKeyHeaderDoc({ required: true }),
      tags: ['autodebit'], summary: 'Register a NACH e-mandate or UPI AutoPay mandate for the loan (operator)',
      description: 'Sent to the processor (NACH: the sponsor bank; UPI: the PSP). `201` with `status` `active` and the `umrn` (NACH) or UMN (UPI), which becomes the loan\'s debit authorisation, or `rejected` with the bank\'s APxx reason. A loan-instalment mandate needs a fixed frequency (not `as-presented`); an e-mandate is for at most ₹1 crore. Requires `Idempotency-Key`.',
      params: schemaDoc(loanParams), body: schemaDoc(registerMandateBody), response: { 201: { description: 'The mandate' }, 200: { description: 'The mandate registered earlier under this Idempotency-Key' }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const body = parseOr400(registerMandateBody, request.body, 'body');
    const result = answer(await registerMandate(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, idempotencyKey: key }, body));
    return reply.status(result.replayed ? 200 : result.status).send(result.mandate);
  });

  app.post('/v1/loans/:id/mandates/:mandateId/amend', {
    schema: {
      headers: idempotencyKeyHeaderDoc({ required: true }),
      tags: ['autodebit'], summary: 'Amend an active NACH mandate: maximum amount or end of validity (operator)',
      description: 'Same UMRN. A UPI AutoPay mandate is modified by the payer in their app (409). Requires `Idempotency-Key`.',
      params: schemaDoc(mandateParams), body: schemaDoc(amendMandateBody), response: { 200: { description: 'The amended mandate' }, 409: { description: 'The mandate is not active, or the payer modifies it' }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, mandateId } = parseOr400(mandateParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const body = parseOr400(amendMandateBody, request.body, 'body');
    const result = answer(await amendLoanMandate(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, idempotencyKey: key }, mandateId, body));
    return reply.status(200).send(result.mandate);
  });

  app.post('/v1/loans/:id/mandates/:mandateId/cancel', {
    schema: {
      headers: idempotencyKeyHeaderDoc({ required: true }),
      tags: ['autodebit'], summary: 'Cancel a mandate, irreversibly (operator)',
      description: 'A cancelled mandate is never restored (NPCI/2025-26/NACH/001): `confirmedBy` names who at the lender confirmed it, and on a live loan `alternativeAuthorisationId` or `riskAccepted: true` is required. The loan\'s debit account on it is revoked. Requires `Idempotency-Key`.',
      params: schemaDoc(mandateParams), body: schemaDoc(cancelMandateBody), response: { 200: { description: 'The cancelled mandate' }, 409: { description: 'The mandate is not active' }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, mandateId } = parseOr400(mandateParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const body = parseOr400(cancelMandateBody, request.body, 'body');
    const result = answer(await cancelLoanMandate(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, idempotencyKey: key }, mandateId, body));
    return reply.status(200).send(result.mandate);
  });

  app.get('/v1/loans/:id/mandates', {
    schema: { tags: ['autodebit'], summary: "The loan's mandates, oldest first (operator)", params: schemaDoc(loanParams), response: { 200: { description: '`{ items }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const items = await mandatesOfLoan(deps.pool, principal.tenantId, id);
    if (items.length === 0 && (await deps.pool.query('SELECT 1 FROM loan_accounts WHERE tenant_id = $1 AND id = $2', [principal.tenantId, id])).rowCount === 0) {
      throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${id} in this tenant.`);
    }
    return { items: items.map(mandateView) };
  });
}
