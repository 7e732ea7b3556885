import { positiveMoneySchema, repaymentChannelSchema } from '@lendstack/contracts';
import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { minorToDecimal } from '../../loans/domain/loan-account.js';
import type { Outcome, ServicingFailureCode } from '../domain/failures.js';
import { requestHash, type LoanTransaction } from '../domain/servicing.js';
import { applyMoneyEvent, type ServicingDeps } from '../use-cases/apply-money-event.js';
import { payoutExceptionKey, requestDisbursement, reverseDisbursement, type DisbursementDeps } from '../use-cases/disbursements.js';
import { resolveRequestsByKey } from '../../service-requests/adapters/pg-service-requests.repository.js';
import { foreclose } from '../use-cases/foreclose.js';
import { prepay } from '../use-cases/prepay.js';
import { requestPayoffQuote, type StoredPayoffQuote } from '../use-cases/payoff-quote.js';
import { delinquencyHistory, scheduleVersions } from './servicing.reader.js';
import { pageTransactions } from './servicing.repository.js';

export interface ServicingRoutesDeps extends DisbursementDeps {
  readonly authSecret: string;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const txParams = z.object({ id: z.string().min(1).max(64), txId: z.uuid() }).strict();
const repaymentBody = z.object({ amount: positiveMoneySchema, valueDate: loanDateString, channel: repaymentChannelSchema, reference: z.string().min(1).max(100) }).strict();
const reversalBody = z.object({ reason: z.string().min(1).max(500) }).strict();
const disbursementBody = z.object({ amount: positiveMoneySchema, valueDate: loanDateString }).strict();
const payoffQuoteBody = z.object({ asOf: loanDateString }).strict();
const foreclosureBody = z.object({ amount: positiveMoneySchema, valueDate: loanDateString }).strict();
const prepaymentBody = z.object({ amount: positiveMoneySchema, valueDate: loanDateString, option: z.enum(['reduce-installment', 'reduce-term']) }).strict();
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(25), cursor: z.string().regex(/^\d{1,19}$/, 'not a cursor from a previous page').optional() }).strict();

/** One table from failure to HTTP status. */
const STATUS: Record<ServicingFailureCode, number> = {
  'loan-not-found': 404,
  'transaction-not-found': 404,
  'loan-not-disbursed': 409,
  'loan-closed': 409,
  'loan-charged-off': 409,
  'loan-not-charged-off': 409,
  'value-date-before-charge-off': 422,
  'already-reversed': 409,
  'not-reversible': 409,
  'currency-mismatch': 400,
  'scale-mismatch': 400,
  'value-date-after-business-date': 422,
  'as-of-before-business-date': 422,
  'exceeds-approved-principal': 422,
  'no-account-token': 422,
  'idempotency-key-reused': 422,
  'foreclosure-short': 422,
  'prepayment-not-latest': 422,
  'prepayment-with-arrears': 422,
  'prepayment-exceeds-balance': 422,
  'prepayment-not-supported': 422,
  'before-prepayment': 422,
  'before-restructure': 422,
  'write-off-not-latest': 422,
  'no-write-off': 409,
  're-age-current': 422,
  're-age-not-latest': 422,
  're-age-not-supported': 422,
  're-age-account-age': 422,
  're-age-payments': 422,
  're-age-limit': 422,
  'no-re-age': 409,
  'before-re-age': 422,
  'top-up-partial-disbursement': 422,
  'top-up-in-progress': 409,
  'top-up-loan-not-active': 409,
  'top-up-payoff-exceeds-principal': 422,
  'engine-refused': 422,
};

const problems = {
  400: { description: 'Invalid request, or an amount in another currency or scale than the loan (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the role' },
  404: { description: 'No such loan or transaction for this tenant' },
  409: { description: 'The loan is not disbursed, closed or charged off (a recovery: not charged off); the transaction is reversed or not reversible; a top-up whose old loan is not active or is being paid off by another disbursement; a payout still pending (a return applied by hand)' },
  422: { description: 'Value date after the business date (a recovery: or before the charge-off), a payoff quote as of a date before the business date, a foreclosure short of the payoff, more than the approved principal, a top-up disbursed in part or whose old loan\'s payoff is not less than its principal (the payoff in the problem), Idempotency-Key reused with another body, or refused by the loan engine' },
};
const idempotencyHeader = idempotencyKeyHeaderDoc();

/** Repayments, reversals, disbursements and the loan's transaction list and delinquency history. */
export async function servicingRoutes(app: FastifyInstance, deps: ServicingRoutesDeps): Promise<void> {
  app.post('/v1/loans/:id/repayments', {
    schema: { tags: ['servicing'], summary: 'Post a repayment (partner or operator)', description: 'Allocated by the product order; what exceeds what is due is held as excess. A backdated value date replays the loan from it. On a charged-off (or written-off) loan it is a recovery, as `POST /v1/loans/{id}/recoveries` posts it (value date on or after the charge-off: 422 otherwise). Honours `Idempotency-Key`.', headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(repaymentBody), response: { 201: { description: 'The transaction with its `allocation`' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(repaymentBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await applyMoneyEvent(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, command: { kind: 'repayment', ...body }, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['repayment', id, body]), correlationId: request.id });
    return send(reply, result, 201);
  });

  app.post('/v1/loans/:id/recoveries', {
    schema: { tags: ['servicing'], summary: 'Post a recovery on a charged-off loan (operator)', description: 'Money collected after charge-off: posted to recoveries income (the written-off principal stays written off), shown in `balances.recovered`, and announced as RepaymentReceived with a `recovery` allocation. Value date on or after the charge-off date and not after the business date. Reversible like a repayment. Honours `Idempotency-Key`.', headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(repaymentBody), response: { 201: { description: 'The transaction with its `allocation` (kind recovery)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(repaymentBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await applyMoneyEvent(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, command: { kind: 'recovery', ...body }, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['recovery', id, body]), correlationId: request.id });
    return send(reply, result, 201);
  });

  app.post('/v1/loans/:id/transactions/:txId/reversal', {
    schema: { tags: ['servicing'], summary: 'Reverse a repayment (operator)', description: 'The loan is replayed as if the repayment never happened: contra-entries plus new entries. Honours `Idempotency-Key`.', headers: idempotencyHeader, params: schemaDoc(txParams), body: schemaDoc(reversalBody), response: { 201: { description: 'The reversal transaction' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, txId } = parseOr400(txParams, request.params, 'params');
    const body = parseOr400(reversalBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await applyMoneyEvent(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, command: { kind: 'reversal', targetId: txId, reason: body.reason }, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['reversal', id, txId, body]), correlationId: request.id });
    return send(reply, result, 201);
  });

  app.post('/v1/loans/:id/disbursements', {
    schema: { tags: ['servicing'], summary: 'Disburse (a tranche of) the loan (operator)', description: "Paid out to the borrower's own account token from LoanApproved. The transaction stays `pending` until the payout is confirmed (then it is applied on its value date; the first re-anchors the schedule) or `failed` with `failureReason`. A top-up loan (LoanApproved `topUpOfLoanId`) is disbursed in one tranche of its whole principal: the old loan's payoff on the value date is fixed now, the payout sends the borrower the principal less it (422 when it is not less), and the payout's confirmation forecloses the old loan with it (LoanClosed reason `top-up`) in the same transaction. Honours `Idempotency-Key`.", headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(disbursementBody), response: { 202: { description: 'The pending (or already settled) disbursement' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(disbursementBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await requestDisbursement(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['disbursement', id, body]) });
    return send(reply, result, 202);
  });

  app.post('/v1/loans/:id/disbursements/:txId/return', {
    schema: { tags: ['servicing'], summary: 'Apply a returned payout by hand (operator)', description: "For a confirmed disbursement whose money the rail says came back, when the payout webhook could not apply the return itself (it opened a `payout-exception` service request on the loan naming the refusal, e.g. repayments posted after the disbursement: reverse those first). The loan is replayed without the disbursement, exactly as an automatic return (contra-entries, TransactionReversed `disbursement:<id>`); audited (`loan.disbursement-returned`), and the loan's open payout-exception requests for this payout are resolved. A disbursement already failed answers it again (`idempotent-replayed`); a pending one is 409 (the rail's outcome settles it); a top-up's payout stays 422 (its payoff closed the old loan).", params: schemaDoc(txParams), body: schemaDoc(reversalBody), response: { 200: { description: 'The disbursement, now `failed` with the reason' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id, txId } = parseOr400(txParams, request.params, 'params');
    const body = parseOr400(reversalBody, request.body, 'body');
    const tx = (await deps.pool.query<{ status: string }>(`SELECT status FROM loan_transactions WHERE id = $1 AND loan_id = $2 AND tenant_id = $3 AND kind = 'disbursement'`, [txId, id, principal.tenantId])).rows[0];
    if (!tx) throw new HttpProblem(404, 'transaction-not-found', 'Transaction not found', `No disbursement ${txId} on loan ${id} for this tenant.`, { errors: [{ pointer: '/params/txId', detail: 'no such disbursement on this loan' }] });
    if (tx.status === 'pending') throw new HttpProblem(409, 'payout-pending', 'Payout pending', `Disbursement ${txId} is still pending at the rail: its outcome settles it.`, { errors: [{ pointer: '/params/txId', detail: 'the payout is pending' }] });
    const result = await reverseDisbursement(deps, { disbursementId: txId, reason: `payout returned: ${body.reason}`, correlationId: request.id, operator: principal.subject });
    if (!result.ok) return send(reply, { ok: false, error: { ...result.error, pointer: '/params/txId' } }, 200);
    if (!result.replayed) {
      // The payout-exception request the webhook opened for this return is done.
      await resolveRequestsByKey(deps.pool, { tenantId: principal.tenantId, subject: principal.subject, requestId: request.id, now: new Date(), newId: deps.newId }, {
        loanId: id, type: 'payout-exception', idempotencyKey: payoutExceptionKey(txId, 'reversed'), note: `the return was applied (request ${request.id})`, requestHash: `payout-return-applied:${txId}`,
      });
    }
    return send(reply, result, 200);
  });

  app.post('/v1/loans/:id/payoff-quotes', {
    schema: { tags: ['servicing'], summary: 'Quote the amount that closes the loan on a date (operator or partner)', description: "`asOf` on or after the tenant's business date. The loan engine replays the loan to the end of `asOf` (nothing is persisted but the quote): `total` = principal + interest accrued to that date (suspended interest included) + fees and penalties due + the product version's prepayment charge − excess held. Valid for its as-of date only (`validUntil` = `asOf`). Kept, with an id a foreclosure can name. Honours `Idempotency-Key`.", headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(payoffQuoteBody), response: { 201: { description: '`{ id, loanId, asOf, validUntil, total, parts: { principal, interest, fees, penalties, prepaymentCharge, excess } }` (money in minor units with currency)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(payoffQuoteBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await requestPayoffQuote(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, asOf: body.asOf, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['payoff-quote', id, body]) });
    if (!result.ok) {
      const { code, pointer, detail } = result.error;
      throw new HttpProblem(STATUS[code], code, titleOf(code), detail, { errors: [{ pointer, detail }] });
    }
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(payoffQuoteView(result.value));
  });

  app.post('/v1/loans/:id/foreclosure', {
    schema: { tags: ['servicing'], summary: 'Pay the loan off on a date: foreclosure (operator)', description: "`amount` at least the payoff at the end of `valueDate` (on or before the business date) — the `total` of a payoff quote as of that date: principal outstanding, interest accrued to that day, fees and penalties due, the product version's prepayment charge (posted to fee income), less excess held. The loan closes with every balance zero, the ledger is posted and `LoanClosed` (reason `foreclosed`) is published; what the amount exceeds the payoff by is held as excess (owed back). Short of the payoff: 422 `foreclosure-short` naming `/amount`, with the `payoff` (total and parts) in the problem, and nothing written. A later backdated change that raises that payoff reopens the loan (`LoanReopened`; the foreclosure's money then counts as a repayment). Not reversible. Honours `Idempotency-Key`.", headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(foreclosureBody), response: { 201: { description: 'The foreclosure transaction with its `allocation` (what it settled by component and installment, `prepaymentCharge`, `excess` kept, `excessUsed`)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(foreclosureBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await foreclose(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['foreclosure', id, body]), correlationId: request.id });
    return send(reply, result, 201);
  });

  app.post('/v1/loans/:id/prepayments', {
    schema: { tags: ['servicing'], summary: 'Pay principal ahead and re-amortise the rest (operator)', description: "`amount` is principal paid ahead; the product version's prepayment charge (round half-even of amount × `percentOfPrincipal`, plus `fixed`; fee income) is paid on top. `option`: `reduce-installment` keeps the maturity and lowers the installment, `reduce-term` keeps the installment and ends the loan earlier (equal-installment loans). The new schedule is the loan engine's `partialPrepayment` (interest the prepaid amount accrued since the last due date is collected with the next installment); the schedule it replaces is kept (`GET /v1/loans/{id}/schedule-versions`). Refused (422, nothing written): an amount not below the principal outstanding (`/amount`: use foreclosure), anything due unpaid on `valueDate` or a transaction dated after it (`/valueDate`), a method that cannot be re-amortised (`/option`). Honours `Idempotency-Key`. Once posted, a repayment dated on or before the prepayment, or the reversal of one, is refused with 422 `before-prepayment` (the new schedule rests on that day's balance).", headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(prepaymentBody), response: { 201: { description: 'The prepayment transaction (`reason` = option) with its `allocation` (`principal`, `prepaymentCharge`)' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(prepaymentBody, request.body, 'body');
    const key = idempotencyKey(request);
    const result = await prepay(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['prepayment', id, body]), correlationId: request.id });
    return send(reply, result, 201);
  });

  app.get('/v1/loans/:id/schedule-versions', {
    schema: { tags: ['servicing'], summary: "The schedules a loan had before its current one, newest first", description: 'Each version is the whole schedule that was in force until `reason` replaced it (re-anchoring on the first disbursement, a prepayment); the current schedule is `GET /v1/loans/{id}/schedule`.', params: schemaDoc(loanParams), response: { 200: { description: '`{ loanId, items: [{ version, anchorDate, reason, createdAt, installments }] }`' }, 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(loanParams, request.params, 'params');
    await mustExist(deps.pool, principal.tenantId, id);
    return { loanId: id, items: await scheduleVersions(deps.pool, id) };
  });

  app.get('/v1/loans/:id/transactions', {
    schema: { tags: ['servicing'], summary: "List a loan's transactions, newest first", description: 'Keyset pagination: pass `nextCursor` as `cursor`; null on the last page.', params: schemaDoc(loanParams), querystring: schemaDoc(pageQuery), response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(loanParams, request.params, 'params');
    const query = parseOr400(pageQuery, request.query, 'query');
    await mustExist(deps.pool, principal.tenantId, id);
    const rows = await pageTransactions(deps.pool, principal.tenantId, id, { limit: query.limit, ...(query.cursor ? { beforeSeq: BigInt(query.cursor) } : {}) });
    const items = rows.slice(0, query.limit);
    return { items: items.map(transactionView), nextCursor: rows.length > query.limit ? items.at(-1)!.seq.toString() : null };
  });

  app.get('/v1/loans/:id/delinquency-history', {
    schema: { tags: ['servicing'], summary: "A loan's delinquency change points", description: 'Each point holds from `fromDate` until the next; on a later day dpd = day − `dpdAnchor` (0 when null).', params: schemaDoc(loanParams), response: { 200: { description: '`{ items }`' }, 401: problems[401], 404: problems[404] } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(loanParams, request.params, 'params');
    await mustExist(deps.pool, principal.tenantId, id);
    return { loanId: id, items: await delinquencyHistory(deps.pool, id) };
  });
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  return idempotencyKeyOf(request.headers);
}

async function mustExist(pool: pg.Pool, tenantId: string, loanId: string): Promise<void> {
  if ((await pool.query('SELECT 1 FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [loanId, tenantId])).rowCount === 0) {
    throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${loanId} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });
  }
}

function send(reply: FastifyReply, result: Outcome<LoanTransaction>, status: number) {
  if (!result.ok) {
    const { code, pointer, detail, extensions } = result.error;
    throw new HttpProblem(STATUS[code], code, titleOf(code), detail, { ...extensions, errors: [{ pointer, detail }] });
  }
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(status).send(transactionView(result.value));
}

const titleOf = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).replaceAll('-', ' ');

const money = (minor: bigint | string, currency: string, scale: number) => ({ amount: minor.toString(), currency, scale, display: minorToDecimal(BigInt(minor), scale) });

/** The public representation of a payoff quote. */
export function payoffQuoteView(q: StoredPayoffQuote) {
  const m = (v: bigint) => money(v, q.currency, q.scale);
  const p = q.parts;
  return {
    id: q.id, loanId: q.loanId, asOf: q.asOf, validUntil: q.validUntil, businessDate: q.businessDate, total: m(q.totalMinor),
    parts: { principal: m(p.principal), interest: m(p.interest), fees: m(p.fees), penalties: m(p.penalties), prepaymentCharge: m(p.prepaymentCharge), excess: m(p.excess) },
    createdBy: q.createdBy, createdAt: q.createdAt.toISOString(),
  };
}

/** The public representation of a loan transaction. */
export function transactionView(t: LoanTransaction) {
  const m = (v: string) => money(v, t.currency, t.scale);
  const a = t.allocation;
  return {
    id: t.id,
    loanId: t.loanId,
    kind: t.kind,
    status: t.status,
    valueDate: t.valueDate,
    amount: t.amountMinor === null ? null : money(t.amountMinor, t.currency, t.scale),
    channel: t.channel,
    reference: t.reference,
    targetId: t.targetId,
    reason: t.reason,
    failureReason: t.failureReason,
    allocation: a === null ? null : {
      principal: m(a.principal), interest: m(a.interest), fees: m(a.fees), penalties: m(a.penalties), excess: m(a.excess), recovery: m(a.recovery),
      ...(a.prepaymentCharge === undefined ? {} : { prepaymentCharge: m(a.prepaymentCharge), excessUsed: m(a.excessUsed ?? '0') }),
      installments: a.installments.map((l) => ({ number: l.number, principal: m(l.principal), interest: m(l.interest), fees: m(l.fees), penalties: m(l.penalties) })),
    },
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
  };
}

export type { ServicingDeps };
