import { loanDateSchema } from '@lendstack/contracts';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { minorToDecimal } from '../../loans/domain/loan-account.js';
import type { Outcome, ServicingFailureCode } from '../domain/failures.js';
import { requestHash } from '../domain/servicing.js';
import { undoWriteOff, writeOff, type WriteOffResult } from '../use-cases/write-off.js';
import { transactionView, type ServicingRoutesDeps } from './servicing.routes.js';

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const writeOffBody = z.object({
  valueDate: loanDateSchema("On or before the tenant's business date, and not before the loan's latest transaction"),
  reason: z.string().min(1).max(500).describe('Why the loan is written off (kept on the transaction, in LoanChargedOff and in the audit log)'),
  accelerate: z.boolean().default(false).describe('Accelerate maturity: every installment not yet due falls due on the write-off date'),
}).strict();
const undoBody = z.object({ reason: z.string().min(1).max(500).describe('Why the write-off is undone') }).strict();

/** The failures these routes can return, to HTTP status. */
const STATUS: Partial<Record<ServicingFailureCode, number>> = {
  'loan-not-found': 404,
  'loan-not-disbursed': 409,
  'loan-closed': 409,
  'loan-charged-off': 409,
  'no-write-off': 409,
  'value-date-after-business-date': 422,
  'write-off-not-latest': 422,
  'idempotency-key-reused': 422,
  'engine-refused': 422,
};

const problems = {
  400: { description: 'The request breaks the schema (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the operator role' },
  404: { description: 'No such loan for this tenant' },
  409: { description: 'Write-off: the loan is not disbursed, closed, or already charged off (`/params/id`). Undo: the loan has no write-off to undo — it is not charged off, or was charged off by its product\'s charge-off DPD (`no-write-off`, `/params/id`)' },
  422: { description: 'Value date after the business date or before the loan\'s latest transaction (`/valueDate`), Idempotency-Key reused with another body, or refused by the loan engine' },
};
const idempotencyHeader = idempotencyKeyHeaderDoc();

const WRITE_OFF = "Charges the loan off at the end of `valueDate` exactly as the product's charge-off DPD would: the principal outstanding goes to write-off expense (loan-portfolio credited), receivable interest, fees and penalties are reversed from income, suspended (non-accrual) interest and penalties leave the memorandum. The loan is `charged-off`; nothing accrues or falls due afterwards; money received later (`POST /v1/loans/{id}/repayments` or `/recoveries`) is recovery income. `accelerate: true` makes every installment not yet due fall due on that day (the schedule view shows them due; the interest of periods not yet begun is never charged) — the ledger is the same either way, since all principal is written off. LoanChargedOff is published with `writeOff` (transaction, reason, accelerated, acceleratedPrincipal). The loan engine replays it: a backdated transaction before it later changes what it writes off. Undo with `POST /v1/loans/{id}/write-off/undo`. One transaction; audited (`loan.written-off`). Honours `Idempotency-Key`.";
const UNDO = "Undoes the loan's write-off: a reversal of the write-off transaction is recorded (value date: the business date) and the loan engine replays the loan as if it had never been written off. The ledger gets contra-entries (journal reversals, nothing deleted) for the write-off and for what changed after it — recoveries received since become repayments allocated to what is due — and then the days since as an open loan (interest accrued, installments due, DPD, late fees); the charged-off status, date and write-off leave the loan's state. TransactionReversed (`reversedEffectKey` `write-off:<id>`, `amount` the principal it had written off) is published. A charge-off at the product's charge-off DPD is not undone here (409 `no-write-off`). One transaction; audited (`loan.write-off-undone`). Honours `Idempotency-Key`.";

/** Write-off on demand and its undo. */
export async function writeOffRoutes(app: FastifyInstance, deps: ServicingRoutesDeps): Promise<void> {
  app.post('/v1/loans/:id/write-off', {
    schema: { tags: ['servicing'], summary: 'Write the loan off (operator)', description: WRITE_OFF, headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(writeOffBody), response: { 201: { description: '`{ transaction, status, chargedOffOn, principalWrittenOff, accelerated, acceleratedPrincipal }`' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(writeOffBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await writeOff(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['write-off', id, body]), correlationId: request.id });
    return send(reply, result);
  });

  app.post('/v1/loans/:id/write-off/undo', {
    schema: { tags: ['servicing'], summary: "Undo the loan's write-off (operator)", description: UNDO, headers: idempotencyHeader, params: schemaDoc(loanParams), body: schemaDoc(undoBody), response: { 201: { description: '`{ transaction (the write-off), reversal, status, chargedOffOn, principalWrittenOff, accelerated, acceleratedPrincipal }`' }, ...problems } },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const body = parseOr400(undoBody, request.body, 'body');
    const key = idempotencyKeyOf(request.headers);
    const result = await undoWriteOff(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, ...body, ...(key ? { idempotencyKey: key } : {}), requestHash: requestHash(['write-off-undo', id, body]), correlationId: request.id });
    return send(reply, result);
  });
}

function send(reply: FastifyReply, result: Outcome<WriteOffResult>) {
  if (!result.ok) {
    const { code, pointer, detail } = result.error;
    throw new HttpProblem(STATUS[code] ?? 422, code, code.charAt(0).toUpperCase() + code.slice(1).replaceAll('-', ' '), detail, { errors: [{ pointer, detail }] });
  }
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(201).send(writeOffView(result.value));
}

/** The public representation of a write-off (or its undo). */
export function writeOffView(r: WriteOffResult) {
  const t = r.transaction;
  const money = (v: bigint) => ({ amount: v.toString(), currency: t.currency, scale: t.scale, display: minorToDecimal(v, t.scale) });
  return {
    transaction: transactionView(t),
    ...(r.reversal ? { reversal: transactionView(r.reversal) } : {}),
    status: r.status,
    chargedOffOn: r.chargedOffOn,
    principalWrittenOff: money(r.principalWrittenOffMinor),
    accelerated: r.accelerated,
    acceleratedPrincipal: money(r.acceleratedPrincipalMinor),
  };
}
