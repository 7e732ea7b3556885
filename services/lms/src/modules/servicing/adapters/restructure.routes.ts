import { loanDateSchema } from '@lendstack/contracts';
import { authenticate, decodeCursor, type Role, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, pageQuerySchema, parseOr400, schemaDoc, toPage } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { minorToDecimal } from '../../loans/domain/loan-account.js';
import { requestHash } from '../domain/servicing.js';
import { decideRestructure, openProposals, proposalById, proposeRestructure, type RestructureFailureCode, type RestructureOutcome, type RestructureProposal } from '../use-cases/restructure.js';
import type { ServicingRoutesDeps } from './servicing.routes.js';

/** Maker-checker as the LOS's review: an operator proposes, a second person with the approver or admin role decides. */
const CHECKERS: readonly Role[] = ['approver', 'admin'];

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const proposalParams = z.object({ id: z.string().min(1).max(64), proposalId: z.uuid() }).strict();
const proposeBody = z.object({
  annualRatePercent: z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, 'a decimal percent from 0 to 99.9999, e.g. "9.5"').describe('New annual nominal rate, decimal percent ("9.5" = 9.5 %)'),
  installments: z.number().int().min(1).max(480).describe('Installments of the new schedule, after the effective date'),
  moratoriumInstallments: z.number().int().min(0).max(36).default(0).describe('The first this many new installments are interest only (no principal); less than `installments`'),
  capitaliseArrears: z.boolean().describe('Move everything due unpaid at the end of the effective date (principal, interest, fees, penalties) into the new principal'),
  effectiveDate: loanDateSchema('A due date of the schedule in force, on or after the business date'),
  note: z.string().min(1).max(500).optional(),
}).strict();
const decisionBody = z.object({ note: z.string().min(1).max(500).optional() }).strict();

/** One table from failure to HTTP status. */
const STATUS: Record<RestructureFailureCode, number> = {
  'loan-not-found': 404,
  'proposal-not-found': 404,
  'loan-not-disbursed': 409,
  'loan-closed': 409,
  'loan-charged-off': 409,
  'proposal-decided': 409,
  'proposal-stale': 409,
  'proposal-not-effective': 409,
  'checker-is-maker': 403,
  'idempotency-key-reused': 422,
  'restructure-effective-date': 422,
  'restructure-not-supported': 422,
  'restructure-non-accrual': 422,
  'restructure-moratorium': 422,
  'restructure-nothing-outstanding': 422,
  'engine-refused': 422,
};

const problems = {
  400: { description: 'The request breaks the schema (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the role (propose: operator; approve, reject: approver or admin; the queue: any of them), or (approve, reject) is the person who proposed it: `checker-is-maker`' },
  404: { description: 'No such loan or proposal for this tenant' },
  409: { description: 'The loan is not disbursed, closed or charged off; the proposal is already decided, not yet effective (`proposal-not-effective`: approve it on its effective date), or stale (`proposal-stale`: a transaction on the loan since it was proposed, its effective date passed, or its preview no longer what the loan gives)' },
  422: { description: 'Effective date before the business date or not a due date, a moratorium not shorter than the term, arrears of a non-accrual loan capitalised, nothing left to reschedule, a loan without terms, Idempotency-Key reused with another body' },
};
const idempotencyHeader = idempotencyKeyHeaderDoc();

const RULES = 'Rules: `effectiveDate` is a due date of the schedule in force (installment k), on or after the business date; installments 1..k stay as they are, the new schedule (installments k+1.., same due-date series, the product\'s per-installment fees) accrues at the new rate from that date. Its principal is the principal not yet due, plus — with `capitaliseArrears` — everything due unpaid at the end of the effective date (principal, interest, fees, penalties: the ledger moves the interest, fees and penalties from their receivables to loan-portfolio). Without it, arrears stay due on the old installments and DPD runs on. The moratorium is on principal only: those installments carry the period\'s interest, payable when due (nothing deferred or capitalised). Arrears of a non-accrual loan cannot be capitalised. A proposal for a later due date waits: it is approved on that date. Once approved, a money event dated on or before the effective date (a backdated repayment, a reversal of one, a prepayment, a foreclosure) is refused with 422 `before-restructure`.';

/** Restructure proposals (maker) and their approval or rejection (checker ≠ maker), and the checkers' queue. */
export async function restructureRoutes(app: FastifyInstance, deps: ServicingRoutesDeps): Promise<void> {
  app.post('/v1/loans/:id/restructure', {
    schema: { tags: ['servicing'], summary: 'Propose a restructure (operator: the maker)', description: `Computes the exact new schedule (\`preview\`) on the loan's position at the end of the effective date, assuming no further transaction, and keeps it as a proposal (\`status\` proposed) for a second person (approver or admin) to approve or reject; the loan itself does not change. ${RULES} Audited. Honours \`Idempotency-Key\`.`, headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(proposeBody), response: { 201: { description: 'The proposal with its `preview` (principal, capitalised parts, installments)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const { note, ...ask } = parseOr400(proposeBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await proposeRestructure(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ask, ...(note ? { note } : {}), ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['restructure', id, ask, note ?? null]), requestId: request.id });
    return send(reply, result, 201);
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/v1/loans/:id/restructure/:proposalId/${decision}`, {
      schema: { tags: ['servicing'], summary: decision === 'approve' ? 'Approve a restructure proposal (approver or admin: the checker, not the maker)' : 'Reject a restructure proposal (approver or admin: the checker, not the maker)', description: decision === 'approve' ? `On the effective date (the business date; before it: 409 \`proposal-not-effective\`), in one transaction: the proposal is checked to be still the loan's position (else 409 \`proposal-stale\`), a \`restructure\` transaction (value date = effective date, amount = the new principal) is stored, the schedule in force is kept as a version (\`GET /v1/loans/{id}/schedule-versions\`) and the installments after the effective date are replaced by the preview's, the loan is flagged restructured (\`restructuredOn\` on the loan; the RBI report counts it), the loan is replayed (the capitalised amounts are posted at the end of the effective date) and \`LoanRestructured\` is published. The operator who proposed it gets 403 \`checker-is-maker\`. ${RULES} Audited. Honours \`Idempotency-Key\`.` : 'Closes the proposal (status rejected); nothing else changes. The operator who proposed it gets 403 `checker-is-maker`. Audited. Honours `Idempotency-Key`.', headers: idempotencyHeader, params: schemaDoc(proposalParams), body: schemaDoc(decisionBody), response: { 200: { description: `The proposal, ${decision === 'approve' ? 'approved, with its `transactionId`' : 'rejected'}` }, ...problems } },
    }, async (request, reply) => {
      const principal = authenticate(request, deps.authSecret, CHECKERS);
      const { id, proposalId } = parseOr400(proposalParams, request.params, 'params');
      const body = parseOr400(decisionBody, request.body ?? {}, 'body');
      const key = idempotencyKeyOf(request.headers);
      const result = await decideRestructure(deps, { tenantId: principal.tenantId, loanId: id, proposalId, actor: principal.subject, decision, ...(body.note ? { note: body.note } : {}), ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash([decision, id, proposalId, body]), requestId: request.id });
      return send(reply, result, 200);
    });
  }

  app.get('/v1/loans/:id/restructure/:proposalId', {
    schema: { tags: ['servicing'], summary: 'Read a restructure proposal', params: schemaDoc(proposalParams), response: { 200: { description: 'The proposal' }, 400: problems[400], 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id, proposalId } = parseOr400(proposalParams, request.params, 'params');
    const p = await proposalById(deps.pool, principal.tenantId, id, proposalId);
    if (!p) throw new HttpProblem(404, 'proposal-not-found', 'Proposal not found', `No restructure proposal ${proposalId} on loan ${id}.`, { errors: [{ pointer: '/params/proposalId', detail: 'no such proposal' }] });
    return proposalView(p);
  });

  app.get('/v1/restructure-proposals', {
    schema: { tags: ['servicing'], summary: "The checkers' queue: the tenant's open restructure proposals, oldest first", description: 'Keyset pagination: pass `nextCursor` as `cursor`; null on the last page.', querystring: schemaDoc(pageQuerySchema.strict()), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401], 403: problems[403], 422: { description: 'A cursor this API did not issue' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, ['operator', ...CHECKERS]);
    const q = parseOr400(pageQuerySchema.strict(), request.query, 'query');
    const after = decodeCursor(q.cursor);
    const rows = await openProposals(deps.pool, principal.tenantId, { limit: q.limit, ...(after ? { after: { at: after.createdAt.toISOString(), id: after.id } } : {}) });
    const page = toPage(rows, q.limit, (p) => ({ createdAt: p.proposedAt, id: p.id }));
    return { items: page.items.map(proposalView), nextCursor: page.nextCursor };
  });
}

function send(reply: FastifyReply, result: RestructureOutcome<RestructureProposal>, status: number) {
  if (!result.ok) {
    const { code, pointer, detail } = result.error;
    throw new HttpProblem(STATUS[code], code, code.charAt(0).toUpperCase() + code.slice(1).replaceAll('-', ' '), detail, { errors: [{ pointer, detail }] });
  }
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(status).send(proposalView(result.value));
}

/** The public representation of a restructure proposal. */
export function proposalView(p: RestructureProposal) {
  const m = (v: string) => ({ amount: v, currency: p.currency, scale: p.scale, display: minorToDecimal(BigInt(v), p.scale) });
  const v = p.preview;
  return {
    id: p.id, loanId: p.loanId, status: p.status, effectiveDate: p.effectiveDate, annualRatePercent: p.annualRatePercent, installments: p.installments,
    moratoriumInstallments: p.moratoriumInstallments, capitaliseArrears: p.capitaliseArrears, note: p.note,
    preview: {
      principal: m(v.principal),
      capitalised: { principal: m(v.capitalised.principal), interest: m(v.capitalised.interest), fees: m(v.capitalised.fees), penalties: m(v.capitalised.penalties) },
      keptInstallments: v.keptInstallments,
      installments: v.installments.map((i) => ({ number: i.number, dueDate: i.dueDate, principal: m(i.principal), interest: m(i.interest), fees: m(i.fees), total: m(i.total), balanceAfter: m(i.balanceAfter) })),
    },
    proposedBy: p.proposedBy, proposedAt: p.proposedAt.toISOString(), decidedBy: p.decidedBy, decidedAt: p.decidedAt?.toISOString() ?? null, decisionNote: p.decisionNote, transactionId: p.transactionId,
    links: { loan: `/v1/loans/${p.loanId}`, self: `/v1/loans/${p.loanId}/restructure/${p.id}`, approve: `/v1/loans/${p.loanId}/restructure/${p.id}/approve`, reject: `/v1/loans/${p.loanId}/restructure/${p.id}/reject` },
  };
}
