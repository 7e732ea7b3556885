import { currencySchema, MAX_AMOUNT_MINOR, nonNegativeMoneySchema } from '@lendstack/contracts';
import { findCurrency } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApprovalLimit } from '../ports.js';
import { changed, STAFF, type SettingsRoutesDeps } from './settings.http.js';

const limitParams = z.object({ role: z.enum(STAFF, { error: 'role must be operator, approver or admin' }), currency: currencySchema }).strict();
const limitBody = z.object({ maxPrincipal: nonNegativeMoneySchema.describe('The largest principal the role may approve in the currency (0: none)') }).strict();
const limitView = (l: ApprovalLimit) => ({
  role: l.role, currency: l.currency, maxPrincipal: { amount: l.maxPrincipalMinor.toString(), currency: l.currency, scale: findCurrency(l.currency)?.scale ?? 2 }, updatedAt: l.updatedAt.toISOString(),
});

/**
 * The tenant's approval limits: who may approve what principal, per role and currency. Staff read them;
 * admins replace one with PUT (idempotent: the same body again changes nothing and writes no audit entry).
 * Each change is audited with its before and after in review_settings_audit, in the transaction that makes it.
 */
export async function approvalLimitsRoutes(app: FastifyInstance, deps: SettingsRoutesDeps): Promise<void> {
  app.get('/v1/approval-limits', {
    schema: { tags: ['review'], summary: "The tenant's approval limits, per currency and role", description: 'A checker may approve a principal up to the largest limit of their roles in its currency; no limit set: none.', response: { 200: { description: '`{ items }`' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...STAFF]);
    return { items: (await deps.reviews.approvalLimits(principal.tenantId)).map(limitView) };
  });

  app.put('/v1/approval-limits/:role/:currency', {
    schema: {
      tags: ['review'], summary: "Set a role's approval limit in a currency (admins)",
      description: 'Replaces the limit (201 when the role had none in the currency). Idempotent: the same body again answers 200 with `setting-changed: false` and records nothing. `maxPrincipal.currency` must be the path’s currency. Every change is audited (review_settings_audit).',
      params: schemaDoc(limitParams), body: schemaDoc(limitBody),
      response: { 200: { description: 'The limit, replaced' }, 201: { description: 'The limit, set for the first time' }, 400: { description: 'Invalid role, currency or amount (`errors` names the field)' }, 403: { description: 'Not an admin' }, 422: { description: 'maxPrincipal in another currency than the path’s (`errors` names /maxPrincipal/currency)' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const { role, currency } = parseOr400(limitParams, request.params, 'params');
    const { maxPrincipal } = parseOr400(limitBody, request.body, 'body');
    if (maxPrincipal.currency !== currency) {
      throw new HttpProblem(422, 'validation-error', 'Request is not valid', `maxPrincipal is in ${maxPrincipal.currency}; this limit is in ${currency}.`, { errors: [{ pointer: '/maxPrincipal/currency', detail: `must be ${currency}, the currency in the path` }] });
    }
    const amount = BigInt(maxPrincipal.amount);
    if (amount > MAX_AMOUNT_MINOR) throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'maxPrincipal is too large.', { errors: [{ pointer: '/maxPrincipal/amount', detail: 'too large' }] });
    const change = await deps.reviews.setApprovalLimit(principal.tenantId, { role, currency, maxPrincipalMinor: amount }, { actor: principal.subject, at: deps.now() });
    changed(reply, change);
    return limitView(change.current);
  });
}
