import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CONTACT_CHANNELS } from '../domain/conduct-policy.js';
import { isTimeZone } from '../domain/local-time.js';
import { MESSAGE_CHANNELS } from '../domain/messages.js';
import { contactBorrower, type ContactBorrowerOutcome, type ContactDeps } from '../use-cases/contact-borrower.js';
import { markCallConversation, recordCall } from '../use-cases/record-call.js';
import { deleteOptOut, listOptOuts, pageAttempts, saveOptOut, savePreferences, type ContactAttempt } from './pg-contacts.repository.js';

export interface ContactRoutesDeps extends ContactDeps {
  readonly authSecret: string;
  readonly now: () => Date;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const slotSchema = z.string().min(1).max(128).regex(/^[\w.:/#+-]+$/, 'letters, digits and _ . : / # + -');
const contactBody = z.object({ purpose: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and -'), channel: z.enum(MESSAGE_CHANNELS), templateKey: z.string().min(1).max(64), slot: slotSchema }).strict();
const optOutBody = z.object({ channel: z.enum(CONTACT_CHANNELS), reason: z.string().min(1).max(500).optional() }).strict();
const channelParams = z.object({ id: z.string().min(1).max(64), channel: z.enum(CONTACT_CHANNELS) }).strict();
const preferencesBody = z.object({ language: z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en or hi').nullable().optional(), timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as America/Chicago').nullable().optional() }).strict();
const callParams = z.object({ id: z.string().min(1).max(64), attemptId: z.uuid() }).strict();
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(25), cursor: z.string().max(200).optional() }).strict();

const problems = {
  400: { description: 'Invalid request (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the role' },
  404: { description: 'No such loan (or call) for this tenant' },
};

/** A loan's contacts for operators: attempts (messages and calls), opt-outs, preferences. */
export async function contactRoutes(app: FastifyInstance, deps: ContactRoutesDeps): Promise<void> {
  app.get('/v1/loans/:id/contacts', {
    schema: { tags: ['notifications'], summary: "A loan's contact attempts, newest first (operator)", description: 'Every message and call attempt with its outcome (sending, sent, delivered, failed, blocked), the conduct rule that blocked it and when it may next be tried. Keyset-paged: pass `nextCursor` as `cursor`.', params: schemaDoc(loanParams), querystring: schemaDoc(pageQuery), response: { 200: { description: '`{ items, nextCursor }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const query = parseOr400(pageQuery, request.query, 'query');
    await mustExist(deps, principal.tenantId, id);
    const rows = await pageAttempts(deps.pool, principal.tenantId, id, query.limit + 1, query.cursor ? decodeCursor(query.cursor) : undefined);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items: items.map(attemptView), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  });

  app.post('/v1/loans/:id/contacts', {
    schema: { tags: ['notifications'], summary: 'Message the borrower now, within the conduct limits (operator)', description: 'Renders the tenant template in the borrower language and sends it (email over SMTP, SMS or WhatsApp through the messaging vendor), unless a conduct rule blocks it. One attempt per (purpose, slot): the same slot again answers the recorded attempt and sends nothing.', params: schemaDoc(loanParams), body: schemaDoc(contactBody), response: { 201: { description: 'The attempt (outcome sending, sent, failed or blocked with its rule)' }, 200: { description: 'The attempt recorded earlier for this slot' }, 422: { description: 'The slot was used with another channel or template' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(contactBody, request.body, 'body');
    const result = await contactBorrower(deps, { tenantId: principal.tenantId, loanId: id, ...body, now: deps.now() });
    return reply.status(answer(result).replayed ? 200 : 201).send(answer(result));
  });

  app.post('/v1/loans/:id/calls', {
    schema: { headers: idempotencyKeyHeaderDoc({ required: true }), tags: ['notifications'], summary: 'Record a collector call before dialling (operator)', description: 'The call goes through the conduct policy (Regulation F: 7 calls in 7 days, 7 days after a conversation, 08:00-21:00; RBI: 08:00-19:00 and the daily cap; opt-outs). 201: placed, dial. 409 problem `contact-blocked`: do not dial, with `rule` and `nextAllowedAt` (the refusal is recorded too). Requires `Idempotency-Key`.', params: schemaDoc(loanParams), response: { 201: { description: 'The call is logged as placed' }, 200: { description: 'The call recorded earlier under this Idempotency-Key' }, 409: { description: 'Blocked by a conduct rule (recorded)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const value = answer(await recordCall(deps, { tenantId: principal.tenantId, loanId: id, slot: key, now: deps.now() }));
    if (value.outcome === 'blocked') {
      throw new HttpProblem(409, 'contact-blocked', 'Contact blocked by a conduct rule', value.detail ?? value.rule ?? undefined, { rule: value.rule, nextAllowedAt: value.nextAllowedAt, attemptId: value.attemptId, errors: [{ pointer: '/params/id', detail: value.rule ?? 'blocked' }] });
    }
    return reply.status(value.replayed ? 200 : 201).send(value);
  });

  app.post('/v1/loans/:id/calls/:attemptId/conversation', {
    schema: { tags: ['notifications'], summary: 'Mark a placed call as a conversation about the debt (operator)', description: 'Starts the 7-day period (the conversation day counts as day 1) in which Regulation F allows no further call. Repeating it changes nothing.', params: schemaDoc(callParams), response: { 204: { description: 'Marked' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, attemptId } = parseOr400(callParams, request.params, 'params');
    if (!(await markCallConversation(deps.pool, principal.tenantId, id, attemptId))) {
      throw new HttpProblem(404, 'not-found', 'Call not found', `No placed call ${attemptId} on loan ${id}.`, { errors: [{ pointer: '/params/attemptId', detail: 'no such placed call' }] });
    }
    return reply.status(204).send();
  });

  app.get('/v1/loans/:id/opt-outs', { schema: { tags: ['notifications'], summary: "The channels a loan's borrower opted out of (operator)", params: schemaDoc(loanParams), response: { 200: { description: '`{ items }`' }, ...problems } } }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    await mustExist(deps, principal.tenantId, id);
    return { items: (await listOptOuts(deps.pool, principal.tenantId, id)).map((o) => ({ channel: o.channel, reason: o.reason, recordedBy: o.recorded_by, optedOutAt: o.opted_out_at.toISOString() })) };
  });

  app.post('/v1/loans/:id/opt-outs', {
    schema: { tags: ['notifications'], summary: 'Record an opt-out from a channel (operator)', description: 'From now on every contact on that channel is blocked with rule `opt-out`. Recording it again changes nothing (200).', params: schemaDoc(loanParams), body: schemaDoc(optOutBody), response: { 201: { description: 'Recorded' }, 200: { description: 'Already recorded' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(optOutBody, request.body, 'body');
    await mustExist(deps, principal.tenantId, id);
    const { created } = await saveOptOut(deps.pool, { tenantId: principal.tenantId, loanId: id, channel: body.channel, reason: body.reason ?? null, recordedBy: principal.subject, at: deps.now() });
    return reply.status(created ? 201 : 200).send({ channel: body.channel, optedOut: true });
  });

  app.delete('/v1/loans/:id/opt-outs/:channel', { schema: { tags: ['notifications'], summary: 'Withdraw an opt-out (operator)', params: schemaDoc(channelParams), response: { 204: { description: 'Withdrawn' }, ...problems } } }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, channel } = parseOr400(channelParams, request.params, 'params');
    if (!(await deleteOptOut(deps.pool, principal.tenantId, id, channel))) {
      throw new HttpProblem(404, 'not-found', 'Opt-out not found', `Loan ${id} has no opt-out from ${channel}.`, { errors: [{ pointer: '/params/channel', detail: 'no opt-out from this channel' }] });
    }
    return reply.status(204).send();
  });

  app.put('/v1/loans/:id/contact-preferences', {
    schema: { tags: ['notifications'], summary: "Set the borrower's language and time zone (operator)", description: 'The language picks the template (falling back to the default); an explicit IANA time zone overrides the one derived from the address for contact hours.', params: schemaDoc(loanParams), body: schemaDoc(preferencesBody), response: { 200: { description: 'The preferences' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(preferencesBody, request.body, 'body');
    await mustExist(deps, principal.tenantId, id);
    const prefs = { tenantId: principal.tenantId, loanId: id, language: body.language ?? null, timeZone: body.timeZone ?? null };
    await savePreferences(deps.pool, prefs);
    return { language: prefs.language, timeZone: prefs.timeZone };
  });
}

function answer(result: ContactBorrowerOutcome) {
  if (result.ok) return result.value;
  if (result.error.code === 'slot-reused') throw new HttpProblem(422, 'slot-reused', 'Slot already used', result.error.detail, { errors: [{ pointer: '/slot', detail: 'already used with another channel or template' }] });
  throw new HttpProblem(404, 'not-found', 'Loan not found', result.error.detail, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });
}

async function mustExist(deps: ContactRoutesDeps, tenantId: string, loanId: string) {
  if ((await deps.pool.query('SELECT 1 FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [loanId, tenantId])).rowCount === 0) {
    throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${loanId} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });
  }
}

const encodeCursor = (a: ContactAttempt) => Buffer.from(`${a.attemptedAt.toISOString()}|${a.id}`).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const parsed = z.object({ at: z.iso.datetime(), id: z.uuid() }).safeParse({ at, id });
  if (!parsed.success) throw new HttpProblem(422, 'unknown-cursor', 'Cursor not recognised', 'cursor is not one from a previous page', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor from a previous page' }] });
  return { at: new Date(parsed.data.at), id: parsed.data.id };
}

export const attemptView = (a: ContactAttempt) => ({
  id: a.id, purpose: a.purpose, slot: a.slot, channel: a.channel, templateKey: a.templateKey, language: a.language, attemptedAt: a.attemptedAt.toISOString(),
  outcome: a.outcome, rule: a.rule, ruleDetail: a.ruleDetail, nextAllowedAt: a.nextAllowedAt?.toISOString() ?? null, regime: a.regime, recipient: a.recipient,
  vendor: a.vendor, vendorMessageId: a.vendorMessageId, vendorStatus: a.vendorStatus, errorCode: a.errorCode, errorDetail: a.errorDetail,
  conversation: a.conversation, tries: a.tries, deliveredAt: a.deliveredAt?.toISOString() ?? null,
});
