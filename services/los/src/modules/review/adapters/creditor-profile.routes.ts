import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { changed, STAFF, type SettingsRoutesDeps } from './settings.http.js';

const line = (max: number) => z.string().trim().min(1).max(max);
/** Everything an adverse-action notice reads from the profile (Reg B 1002.9: creditor and ECOA agency; FCRA 615(a): the bureau and its score range). */
const creditorBody = z.object({
  legalName: line(200).describe('The creditor named on the notice'),
  address: line(500),
  contact: line(300).describe('How the applicant reaches the creditor (e-mail, telephone)'),
  agencyName: line(200).describe('The federal agency that administers the creditor’s compliance with ECOA (Reg B Appendix A)'),
  agencyAddress: line(500),
  bureauName: line(200).describe('The consumer reporting agency whose score the decisions use'),
  bureauAddress: line(500),
  bureauPhone: line(40),
  scoreMin: z.number().int().min(0).max(10_000).describe('The lowest score the bureau’s model gives'),
  scoreMax: z.number().int().min(1).max(10_000).describe('The highest'),
}).strict();

/**
 * The tenant's creditor profile: what its adverse-action notices name. Staff read it; admins replace it
 * with PUT (idempotent, as for approval limits). Each change is audited with its before and after in
 * review_settings_audit, in the transaction that makes it.
 */
export async function creditorProfileRoutes(app: FastifyInstance, deps: SettingsRoutesDeps): Promise<void> {
  app.get('/v1/creditor-profile', {
    schema: { tags: ['review'], summary: 'The creditor profile the tenant’s adverse-action notices read', response: { 200: { description: 'The profile' }, 404: { description: 'None set (notices say the parts are not configured)' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...STAFF]);
    const profile = await deps.reviews.creditor(principal.tenantId);
    if (!profile) throw new HttpProblem(404, 'not-found', 'No creditor profile', `Tenant ${principal.tenantId} has no creditor profile; PUT /v1/creditor-profile sets it.`);
    return profile;
  });

  app.put('/v1/creditor-profile', {
    schema: {
      tags: ['review'], summary: 'Replace the creditor profile (admins)',
      description: 'The creditor, its ECOA agency and the bureau whose score the notices disclose; notices generated from now on read it (stored notices keep what they were drawn with). Idempotent: the same body again answers 200 with `setting-changed: false` and records nothing. Every change is audited (review_settings_audit).',
      body: schemaDoc(creditorBody),
      response: { 200: { description: 'The profile, replaced' }, 201: { description: 'The profile, set for the first time' }, 400: { description: 'Invalid body (`errors` names the field)' }, 403: { description: 'Not an admin' }, 422: { description: 'scoreMax not greater than scoreMin (`errors` names /scoreMax)' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const profile = parseOr400(creditorBody, request.body, 'body');
    // A relation between two fields, which no schema states: the body is well-formed, the range is not one (422).
    if (profile.scoreMin >= profile.scoreMax) {
      throw new HttpProblem(422, 'validation-error', 'Request is not valid', 'scoreMax must be greater than scoreMin.', { errors: [{ pointer: '/scoreMax', detail: 'scoreMax must be greater than scoreMin' }] });
    }
    const change = await deps.reviews.setCreditor(principal.tenantId, profile, { actor: principal.subject, at: deps.now() });
    changed(reply, change);
    return change.current;
  });
}
