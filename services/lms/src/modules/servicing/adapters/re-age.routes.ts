import { loanDateSchema } from '@lendstack/contracts';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { minorToDecimal } from '../../loans/domain/loan-account.js';
import type { Outcome, ServicingFailureCode } from '../domain/failures.js';
import { requestHash } from '../domain/servicing.js';
import { reAge, undoReAge, type ReAgeResult } from '../use-cases/re-age.js';
import { transactionView, type ServicingRoutesDeps } from './servicing.routes.js';

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const reAgeBody = z.object({
  valueDate: loanDateSchema("On or before the tenant's business date, and not before the loan's latest transaction"),
  reason: z.string().min(1).max(500).describe('Why the loan is re-aged (kept on the transaction and in the audit log)'),
}).strict();
const undoBody = z.object({ reason: z.string().min(1).max(500).describe('Why the re-age is undone') }).strict();

const STATUS: Partial<Record<ServicingFailureCode, number>> = {
  'loan-not-found': 404,
  'loan-not-disbursed': 409,
  'loan-closed': 409,
  'loan-charged-off': 409,
  'no-re-age': 409,
};

const problems = {
  400: { description: 'The request breaks the schema (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the operator role' },
  404: { description: 'No such loan for this tenant' },
  409: { description: 'The loan is not disbursed, closed or charged off (`/params/id`); undo: no re-age to undo (`no-re-age`)' },
  422: { description: 'A rule, named in `type`: `re-age-current` (nothing past due), `re-age-account-age` (under 9 months old), `re-age-payments` (not 3 consecutive minimum monthly payments), `re-age-limit` (more than once in 12 months or twice in 5 years), `re-age-not-supported` (not monthly), `re-age-not-latest` (a later transaction; undo: the re-age is not the latest transaction), `value-date-after-business-date`; Idempotency-Key reused with another body' },
};
const idempotencyHeader = idempotencyKeyHeaderDoc();

const RE_AGE = "Moves the arrears of a delinquent loan to the end of its schedule: each installment due and unpaid on `valueDate` gets an installment appended after the last (a month apart) with its unpaid principal, interest and fees; the schedule in force is kept (`GET /v1/loans/{id}/schedule-versions`). The loan engine replays it as a `re-age` money event: the installments in arrears count as settled from that day, so DPD is 0 (penalties charged stay due); the moved interest and fees leave their receivables and income and are earned again as the appended installments accrue and fall due; principal stays outstanding. Limits — the US Uniform Retail Credit Classification and Account Management Policy (65 FR 36903) states them for open-end accounts; Lendstack applies them to its loans as the product rule: the account at least 9 months old, 3 consecutive minimum monthly payments (in each of the three months up to `valueDate`, repayments of at least the schedule's smallest installment), at most once in 12 months and twice in 5 years; each refused with 422 naming the rule. Monthly loans only. While it stands, nothing dated on or before it can be posted (422 `before-re-age`). One transaction; audited (`loan.re-aged`). Honours `Idempotency-Key`.";
const UNDO = "Undoes the loan's re-age, only while it is the loan's latest transaction (422 `re-age-not-latest` otherwise): a reversal of it is recorded, the appended installments are removed (the re-aged schedule is kept as a version) and the loan engine replays the loan as if it had never been re-aged — contra-entries, the arrears and DPD back. TransactionReversed (`reversedEffectKey` `re-age:<id>`, amount the arrears it moved) is published. One transaction; audited (`loan.re-age-undone`). Honours `Idempotency-Key`.";

/** Re-aging and its undo. */
export async function reAgeRoutes(app: FastifyInstance, deps: ServicingRoutesDeps): Promise<void> {
  app.post('/v1/loans/:id/re-age', {
    schema: { tags: ['servicing'], summary: 'Re-age a delinquent loan (operator)', description: RE_AGE, headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(reAgeBody), response: { 201: { description: '`{ transaction, scheduleVersion, moved: { principal, interest, fees }, appended: [{ number, dueDate, principal, interest, fees }], dpd }`' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(reAgeBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await reAge(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['re-age', id, body]), correlationId: request.id });
    return send(reply, result);
  });

  app.post('/v1/loans/:id/re-age/undo', {
    schema: { tags: ['servicing'], summary: "Undo the loan's re-age while it is the latest transaction (operator)", description: UNDO, headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(undoBody), response: { 201: { description: '`{ transaction (the re-age), reversal, scheduleVersion, moved, appended: [], dpd }`' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(undoBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await undoReAge(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['re-age-undo', id, body]), correlationId: request.id });
    return send(reply, result);
  });
}

function send(reply: FastifyReply, result: Outcome<ReAgeResult>) {
  if (!result.ok) {
    const { code, pointer, detail } = result.error;
    throw new HttpProblem(STATUS[code] ?? 422, code, code.charAt(0).toUpperCase() + code.slice(1).replaceAll('-', ' '), detail, { errors: [{ pointer, detail }] });
  }
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  const r = result.value;
  const t = r.transaction;
  const money = (v: bigint) => ({ amount: v.toString(), currency: t.currency, scale: t.scale, display: minorToDecimal(v, t.scale) });
  return reply.status(201).send({
    transaction: transactionView(t),
    ...(r.reversal ? { reversal: transactionView(r.reversal) } : {}),
    scheduleVersion: r.scheduleVersion,
    moved: { principal: money(r.moved.principal), interest: money(r.moved.interest), fees: money(r.moved.fees) },
    appended: r.appended.map((a) => ({ number: a.number, dueDate: a.dueDate, principal: money(a.principal), interest: money(a.interest), fees: money(a.fees) })),
    dpd: r.dpd,
  });
}
