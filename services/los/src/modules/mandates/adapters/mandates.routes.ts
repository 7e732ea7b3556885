import { positiveMoneySchema } from '@lendstack/contracts';
import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MANDATE_FREQUENCIES, MANDATE_RAILS, type MandateRail } from '../domain/mandate.js';
import { MandateProcessorUnavailableError } from '../ports.js';
import { mandateView } from '../use-cases/mandate-view.js';
import { refreshMandate } from '../use-cases/refresh-mandate.js';
import { registerMandate, type MandateDeps, type RegisterMandateResult } from '../use-cases/register-mandate.js';

export interface MandateRoutesDeps extends MandateDeps {
  readonly authSecret: string;
}

const idParams = z.object({ id: z.uuid('application id must be a UUID') });
const bodySchema = z.object({
  rail: z.enum(MANDATE_RAILS),
  maxAmount: positiveMoneySchema.optional(),
  frequency: z.enum(MANDATE_FREQUENCIES).optional(),
  validUntil: loanDateString.optional(),
  authentication: z.enum(['net_banking', 'debit_card']).optional(),
}).strict();
const railParams = z.object({ vendor: z.string().min(1).max(40) });

export async function mandateRoutes(app: FastifyInstance, deps: MandateRoutesDeps): Promise<void> {
  app.post('/v1/applications/:id/mandate', {
    schema: {
      tags: ['mandates'], summary: 'Register the repayment mandate of an offer-accepted application (partners, operators)',
      description: [
        'Registers a mandate with the rail’s processor: `nach` (NACH e-mandate, INR; the borrower authenticates by `net_banking` or `debit_card` at their bank) or `ach` (a US ACH debit authorisation, USD, with the consent recorded at the offer’s acceptance: IP address, user agent, time). `upi` is accepted only where a UPI AutoPay processor is configured.',
        'Defaults: `maxAmount` = the accepted offer’s installment × 1.5, rounded up to a whole currency unit; `frequency` = the loan’s (weekly, fortnightly for biweekly, monthly, quarterly; a semi-monthly loan names one); `validUntil` = the loan’s maturity + 1 year. A `maxAmount` below the installment, a `validUntil` before maturity or a frequency slower than the installments is 422 naming the field.',
        'Answers 201 `pending` with `authenticationUrl`, where the borrower authenticates; the processor’s signed webhook then makes it `active` (with `mandateReference`, the UMRN or mandate id LoanApproved carries) or `rejected` (with the processor’s reason; a new POST may register again). Requires `Idempotency-Key`.',
      ].join('\n\n'),
      params: schemaDoc(idParams), headers: idempotencyKeyHeaderDoc({ required: true }), body: schemaDoc(bodySchema),
      response: { 201: { description: 'The mandate, `pending` with its authentication URL' }, 403: { description: 'Not a partner or operator' }, 404: { description: 'No such application' }, 409: { description: 'Not offer-accepted, or a pending or active mandate exists' }, 422: { description: 'Terms that cannot collect the loan, a rail not offered, the processor refusing a field, or Idempotency-Key reused' }, 503: { description: 'The processor is unavailable; retry with the same Idempotency-Key' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const { id } = parseOr400(idParams, request.params, 'params');
    const body = parseOr400(bodySchema, request.body ?? {}, 'body');
    const path = `/v1/applications/${id}/mandate`;
    let result: RegisterMandateResult;
    try {
      result = await registerMandate(deps, { principal, applicationId: id, request: body, idempotency: { key, path, requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex') } });
    } catch (error) {
      if (error instanceof MandateProcessorUnavailableError) throw new HttpProblem(503, 'mandate-processor-unavailable', 'Mandate processor unavailable', `${error.message}. Nothing was registered; retry with the same Idempotency-Key.`);
      throw error;
    }
    if (!result.ok) throw problem(id, result.error);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(result.body);
  });

  app.get('/v1/applications/:id/mandate', {
    schema: { tags: ['mandates'], summary: "An application's repayment mandate (its current checks run: the live one, else the latest)", params: schemaDoc(idParams), response: { 200: { description: 'The mandate' }, 404: { description: 'No such application, or no mandate registered' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(idParams, request.params, 'params');
    const found = await deps.mandates.ofApplication(principal.tenantId, id);
    if (!found.found) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    if (!found.mandate) throw new HttpProblem(404, 'no-mandate', 'No mandate', `Application ${id} has no mandate registered for its current checks run.`);
    return mandateView(found.mandate);
  });

  // The processors' webhooks: authenticated by their HMAC signature over the raw bytes, not by a bearer token.
  await app.register(async (hooks) => {
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
    hooks.post('/v1/mandate-webhooks/:vendor', {
      schema: {
        tags: ['mandates'], summary: 'Mandate processors’ webhooks (nach-emandate: mandate.active / mandate.rejected; stripe: setup_intent.succeeded / setup_intent.setup_failed)',
        description: 'Signed `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` in `X-Nach-Signature` or `Stripe-Signature`; a timestamp older than the tolerance is refused. The body is believed only for the mandate it names: its state is read back from the processor and applied once (a replayed delivery answers 200 and changes nothing).',
        params: schemaDoc(railParams),
        response: { 200: { description: '`{ received, status, changed }`' }, 401: { description: 'Missing or invalid signature' }, 404: { description: 'No such processor, or a mandate we never registered' }, 422: { description: 'Stale timestamp or not the processor’s event' }, 503: { description: 'The processor could not be read back; it retries' } },
      },
    }, async (request, reply) => {
      const { vendor } = parseOr400(railParams, request.params, 'params');
      const port = Object.values(deps.ports).find((p) => p?.vendor === vendor);
      if (!port) throw new HttpProblem(404, 'not-found', 'Unknown mandate processor', `No mandate processor ${vendor}.`, { errors: [{ pointer: '/params/vendor', detail: `one of ${Object.values(deps.ports).map((p) => p!.vendor).join(', ')}` }] });
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verdict = port.verifyWebhook(raw, request.headers, deps.now());
      if (!verdict.ok) throw new HttpProblem(verdict.status, verdict.status === 401 ? 'webhook-signature-invalid' : 'webhook-not-accepted', verdict.status === 401 ? 'Webhook signature invalid' : 'Webhook not accepted', verdict.detail, { errors: [{ pointer: verdict.pointer, detail: verdict.detail }] });
      let outcome;
      try {
        outcome = await refreshMandate(deps, port, verdict.vendorMandateId);
      } catch (error) {
        if (error instanceof MandateProcessorUnavailableError) throw new HttpProblem(503, 'mandate-processor-unavailable', 'Mandate processor unavailable', error.message);
        throw error;
      }
      if (outcome.kind === 'unknown-mandate') throw new HttpProblem(404, 'unknown-mandate', 'Unknown mandate', `No mandate ${verdict.vendorMandateId} was registered with ${vendor}.`);
      return reply.status(200).send({ received: true, event: verdict.eventType, status: outcome.status, changed: outcome.changed });
    });
  });
}

function problem(id: string, e: Extract<RegisterMandateResult, { ok: false }>['error']): HttpProblem {
  switch (e.kind) {
    case 'not-found':
      return new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    case 'idempotency-key-reused':
      return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another request.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used for another request' }] });
    case 'not-offer-accepted':
      return new HttpProblem(409, 'not-offer-accepted', 'Offer not accepted', `Application ${id} is ${e.status}; a mandate is registered once an offer is accepted (offer-accepted).`, { currentStatus: e.status });
    case 'no-accepted-offer':
      return new HttpProblem(409, 'no-accepted-offer', 'No accepted offer', `Application ${id} has no accepted offer on its current checks run.`);
    case 'mandate-exists':
      return new HttpProblem(409, 'mandate-exists', 'Mandate already registered', `Application ${id} already has mandate ${e.mandate.id} (${e.mandate.status}); a new one may follow only a rejected one.`, { mandate: mandateView(e.mandate) });
    case 'rail-not-offered':
      return new HttpProblem(422, 'rail-not-offered', 'Rail not offered', `No mandate processor is configured for the ${e.rail} rail.`, { errors: [{ pointer: '/rail', detail: `${e.rail as MandateRail} is not offered` }] });
    case 'invalid':
      return new HttpProblem(422, 'invalid-mandate', 'Mandate cannot be registered', e.detail, { errors: [{ pointer: e.pointer, detail: e.detail }] });
  }
}
