import { createHash } from 'node:crypto';
import { positiveMoneySchema } from '@lendstack/contracts';
import { loanDateString } from '@lendstack/loan-engine';
import type pg from 'pg';
import { z } from 'zod';
import { requestHash } from '../../servicing/domain/servicing.js';
import { accountOf, setAccountStatus, upsertAccount } from '../adapters/autodebit.repository.js';
import { claimRequest, finishRequest, insertMandate, mandateById, releaseRequest, updateMandate, type StoredMandate } from '../adapters/mandates.repository.js';
import { amendMandate, cancellationConfirmed, MANDATE_FREQUENCIES, mandateRegistered, mandateRejected, requestCancellation, validateMandateTerms, type MandateTerms } from '../domain/nach-mandate.js';
import { CollectionRailUnavailableError, type MandatePort } from '../ports.js';

/**
 * A loan's mandates (NACH e-mandates, UPI AutoPay mandates): registration, amendment, cancellation, each a POST
 * under an Idempotency-Key (the same key and body answer the first answer again; another body is 422; a refused
 * request stores nothing, so the key may be used again). The rules are nach-mandate.ts's; the processor is
 * behind MandatePort. A registered mandate becomes the loan's debit account (authorisation = its UMRN / UMN), so
 * instalments are presented on it; a cancelled one stops it.
 */
export interface MandateDeps {
  readonly pool: pg.Pool;
  readonly mandatePorts: Readonly<Partial<Record<'in-nach' | 'upi-autopay', MandatePort>>>;
  readonly newId: () => string;
}

const moneyInr = positiveMoneySchema;
export const mandateTermsBody = z.object({
  maxAmount: moneyInr,
  frequency: z.enum(MANDATE_FREQUENCIES as [string, ...string[]]),
  category: z.enum(['loan-instalment', 'other']).default('loan-instalment'),
  validFrom: loanDateString,
  validUntil: loanDateString.optional(),
}).strict();
export const registerMandateBody = z.discriminatedUnion('rail', [
  z.object({
    rail: z.literal('in-nach'),
    account: z.object({ accountNumber: z.string().regex(/^\d{6,18}$/, 'accountNumber: 6 to 18 digits'), bankCode: z.string().min(11).max(11), holderName: z.string().min(1).max(100) }).strict(),
    mandate: mandateTermsBody,
  }).strict(),
  z.object({
    rail: z.literal('upi-autopay'),
    account: z.object({ bankCode: z.string().regex(/^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$/, 'bankCode: the payer\'s UPI address, handle@psp'), holderName: z.string().min(1).max(100) }).strict(),
    mandate: mandateTermsBody,
  }).strict(),
]);
export const amendMandateBody = z.object({ maxAmount: moneyInr.optional(), validUntil: loanDateString.optional() }).strict()
  .refine((b) => b.maxAmount !== undefined || b.validUntil !== undefined, { message: 'name maxAmount or validUntil', path: ['maxAmount'] })
  .meta({ minProperties: 1 }); // the refinement, as the document says it (the object has only these two)
export const cancelMandateBody = z.object({ confirmedBy: z.string().min(1).max(100), alternativeAuthorisationId: z.string().min(1).max(64).optional(), riskAccepted: z.boolean().optional() }).strict();

export type MandateOutcome =
  | { readonly ok: true; readonly status: 200 | 201; readonly mandate: MandateView; readonly replayed: boolean }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly pointer: string; readonly detail: string };

export interface MandateView {
  readonly id: string; readonly loanId: string; readonly rail: string; readonly status: string; readonly statusReason: string | null; readonly umrn: string | null;
  readonly bankCode: string; readonly accountNumberMasked: string | null; readonly holderName: string;
  readonly maxAmount: { readonly amount: string; readonly currency: string; readonly scale: number };
  readonly frequency: string; readonly category: string; readonly validFrom: string; readonly validUntil: string | null; readonly createdAt: string;
}

export const mandateView = (m: StoredMandate): MandateView => ({
  id: m.id, loanId: m.loanId, rail: m.rail, status: m.status, statusReason: m.statusReason ?? null, umrn: m.umrn ?? null, bankCode: m.bankCode, accountNumberMasked: m.accountNumberMasked ?? null, holderName: m.holderName,
  maxAmount: { amount: m.maxAmountMinor.toString(), currency: m.currency, scale: m.scale }, frequency: m.frequency, category: m.category, validFrom: m.validFrom, validUntil: m.validUntil ?? null, createdAt: m.createdAt,
});

const refused = (status: number, code: string, pointer: string, detail: string): MandateOutcome => ({ ok: false, status, code, pointer, detail });
/** A processor's refusal as ours: its 409 and 422 name the request's fault; anything else (auth, 404, a body it does not document) is a bad gateway. */
const passOn = (status: number) => (status === 409 || status === 422 ? status : 502);
/** The processor's Idempotency-Key: derived from ours, so a retried request is the same request to it. */
const processorKey = (prefix: string, tenantId: string, key: string) => `${prefix}-${createHash('sha256').update(`${tenantId}:${key}`).digest('hex').slice(0, 40)}`;

interface Ctx { readonly tenantId: string; readonly loanId: string; readonly actor: string; readonly idempotencyKey: string }

/** Runs a mandate POST once per Idempotency-Key; `work` answers the outcome, stored unless refused. */
async function once(deps: MandateDeps, ctx: Ctx, hash: string, mandateId: string, work: (mandateId: string, resumed: boolean) => Promise<MandateOutcome>): Promise<MandateOutcome> {
  const seen = await claimRequest(deps.pool, ctx.tenantId, ctx.idempotencyKey, hash, mandateId);
  if (seen && seen.requestHash !== hash) return refused(422, 'idempotency-key-reused', '/header/idempotency-key', 'this Idempotency-Key was used with another request');
  if (seen && seen.responseStatus > 0) return { ok: true, status: seen.responseStatus as 200 | 201, mandate: seen.response as MandateView, replayed: true };
  let outcome: MandateOutcome;
  try {
    outcome = await work(seen?.mandateId ?? mandateId, Boolean(seen));
  } catch (error) {
    if (error instanceof CollectionRailUnavailableError) return refused(503, 'processor-unavailable', '/', `${error.message}; send the same request again with the same Idempotency-Key`);
    throw error;
  }
  if (outcome.ok) await finishRequest(deps.pool, ctx.tenantId, ctx.idempotencyKey, outcome.status, outcome.mandate);
  else await releaseRequest(deps.pool, ctx.tenantId, ctx.idempotencyKey);
  return outcome;
}

async function loanOf(pool: pg.Pool, tenantId: string, loanId: string): Promise<{ currency: string; scale: number; status: string } | undefined> {
  return (await pool.query<{ currency: string; scale: number; status: string }>('SELECT currency, scale, status FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [loanId, tenantId])).rows[0];
}

/** POST /v1/loans/{id}/mandates: registers the mandate at the processor; active (UMRN) or rejected (APxx) is stored either way. */
export async function registerMandate(deps: MandateDeps, ctx: Ctx, body: z.infer<typeof registerMandateBody>): Promise<MandateOutcome> {
  const loan = await loanOf(deps.pool, ctx.tenantId, ctx.loanId);
  if (!loan) return refused(404, 'not-found', '/params/id', `no loan ${ctx.loanId}`);
  const port = deps.mandatePorts[body.rail];
  if (!port) return refused(422, 'rail-not-configured', '/rail', `the ${body.rail} rail is not configured in this LMS`);
  if (body.mandate.maxAmount.currency !== loan.currency) return refused(422, 'currency-mismatch', '/mandate/maxAmount/currency', `the loan is in ${loan.currency}`);
  const terms: MandateTerms = {
    maxAmountMinor: BigInt(body.mandate.maxAmount.amount), currency: body.mandate.maxAmount.currency, frequency: body.mandate.frequency as MandateTerms['frequency'], category: body.mandate.category,
    validFrom: body.mandate.validFrom, ...(body.mandate.validUntil ? { validUntil: body.mandate.validUntil } : {}),
  };
  const issue = validateMandateTerms(terms, body.rail === 'in-nach' ? body.account.bankCode : undefined)[0];
  if (issue) return refused(422, issue.rule, issue.field, issue.detail);
  const hash = requestHash(['mandate', ctx.loanId, body]);
  return once(deps, ctx, hash, deps.newId(), async (mandateId, resumed) => {
    const accountNumber = body.rail === 'in-nach' ? body.account.accountNumber : undefined;
    const token = `tok_${createHash('sha256').update(`${body.account.bankCode}:${accountNumber ?? ''}`).digest('hex').slice(0, 32)}`;
    if (!resumed || !(await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId))) {
      await insertMandate(deps.pool, {
        id: mandateId, tenantId: ctx.tenantId, loanId: ctx.loanId, rail: body.rail, bankCode: body.account.bankCode, accountToken: token, holderName: body.account.holderName, scale: body.mandate.maxAmount.scale,
        ...(accountNumber ? { accountNumberMasked: `XXXX${accountNumber.slice(-4)}` } : {}), ...terms, createdBy: ctx.actor,
      });
    }
    const answer = await port.register({
      key: processorKey('mandate', ctx.tenantId, ctx.idempotencyKey), reference: mandateId, bankCode: body.account.bankCode, holderName: body.account.holderName, maxAmountMinor: terms.maxAmountMinor,
      frequency: terms.frequency, category: terms.category, validFrom: terms.validFrom, ...(accountNumber ? { accountNumber } : {}), ...(terms.validUntil ? { validUntil: terms.validUntil } : {}),
    });
    const stored = (await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId))!;
    if (answer.kind === 'refused') {
      await deps.pool.query('DELETE FROM autodebit_mandates WHERE id = $1 AND status = $2', [mandateId, 'registering']);
      return refused(passOn(answer.status), answer.rule, answer.field, `the processor refused the mandate: ${answer.detail}`);
    }
    // A UMRN is NACH's (4 letters, 16 digits); a UPI mandate is named by its UMN, a UPI address.
    const next = answer.kind === 'rejected' ? mandateRejected(stored, answer.code, answer.reason)
      : body.rail === 'in-nach' ? mandateRegistered(stored, answer.umrn) : { ok: true as const, value: { ...stored, status: 'active' as const, umrn: answer.umrn } };
    if (!next.ok) return refused(502, next.issue.rule, next.issue.field, `the processor's answer does not fit the mandate: ${next.issue.detail}`);
    await updateMandate(deps.pool, mandateId, { status: next.value.status, processorId: answer.processorId, ...(next.value.umrn ? { umrn: next.value.umrn } : {}), ...(next.value.statusReason ? { statusReason: next.value.statusReason } : {}) });
    if (next.value.status === 'active') {
      await upsertAccount(deps.pool, {
        tenantId: ctx.tenantId, loanId: ctx.loanId, rail: body.rail, accountToken: token, bankCode: body.account.bankCode, accountType: 'savings', holderName: body.account.holderName, authorisationId: next.value.umrn!,
        ...(accountNumber ? { accountNumberMasked: `XXXX${accountNumber.slice(-4)}` } : {}),
      });
    }
    return { ok: true, status: 201, mandate: mandateView((await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId))!), replayed: false };
  });
}

/** POST /v1/loans/{id}/mandates/{mandateId}/amend: a new maximum or end of validity on the same UMRN, while active. */
export async function amendLoanMandate(deps: MandateDeps, ctx: Ctx, mandateId: string, body: z.infer<typeof amendMandateBody>): Promise<MandateOutcome> {
  const m = await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId);
  if (!m) return refused(404, 'not-found', '/params/mandateId', `no mandate ${mandateId} on loan ${ctx.loanId}`);
  if (body.maxAmount && body.maxAmount.currency !== m.currency) return refused(422, 'currency-mismatch', '/maxAmount/currency', `the mandate is in ${m.currency}`);
  const change = { ...(body.maxAmount ? { maxAmountMinor: BigInt(body.maxAmount.amount) } : {}), ...(body.validUntil ? { validUntil: body.validUntil } : {}) };
  const next = amendMandate(m, change);
  if (!next.ok) return refused(next.issue.rule === 'mandate-state' ? 409 : 422, next.issue.rule, next.issue.field.replace('/mandate/', '/'), next.issue.detail);
  return once(deps, ctx, requestHash(['amend', mandateId, body]), mandateId, async () => {
    const answer = await deps.mandatePorts[m.rail]!.amend(m.processorId!, change, processorKey('amend', ctx.tenantId, ctx.idempotencyKey));
    if (answer.kind === 'refused') return refused(passOn(answer.status), answer.rule, answer.field.replace('/mandate/', '/'), answer.detail);
    await updateMandate(deps.pool, m.id, { status: 'active', ...change });
    return { ok: true, status: 200, mandate: mandateView((await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId))!), replayed: false };
  });
}

/**
 * POST /v1/loans/{id}/mandates/{mandateId}/cancel: irreversible, so on a live loan it needs the lender's
 * confirmation and another mandate or an accepted risk (I14). The debit account on it stops (revoked).
 */
export async function cancelLoanMandate(deps: MandateDeps, ctx: Ctx, mandateId: string, body: z.infer<typeof cancelMandateBody>): Promise<MandateOutcome> {
  const m = await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId);
  if (!m) return refused(404, 'not-found', '/params/mandateId', `no mandate ${mandateId} on loan ${ctx.loanId}`);
  const loan = (await loanOf(deps.pool, ctx.tenantId, ctx.loanId))!;
  const requested = requestCancellation(m, { confirmedBy: body.confirmedBy, loanLive: loan.status !== 'closed' && loan.status !== 'charged-off', ...(body.alternativeAuthorisationId ? { alternativeAuthorisationId: body.alternativeAuthorisationId } : {}), ...(body.riskAccepted !== undefined ? { riskAccepted: body.riskAccepted } : {}) });
  if (!requested.ok) return refused(requested.issue.rule === 'mandate-state' ? 409 : 422, requested.issue.rule, requested.issue.field, requested.issue.detail);
  return once(deps, ctx, requestHash(['cancel', mandateId, body]), mandateId, async () => {
    const cancellation = { confirmedBy: body.confirmedBy, requestedBy: ctx.actor, ...(body.alternativeAuthorisationId ? { alternativeAuthorisationId: body.alternativeAuthorisationId } : {}), riskAccepted: body.riskAccepted ?? false };
    await updateMandate(deps.pool, m.id, { status: 'cancel-requested', cancellation });
    const answer = await deps.mandatePorts[m.rail]!.cancel(m.processorId!, processorKey('cancel', ctx.tenantId, ctx.idempotencyKey));
    if (answer.kind !== 'cancelled') {
      await updateMandate(deps.pool, m.id, { status: 'active' });
      return refused(answer.kind === 'refused' ? passOn(answer.status) : 502, answer.kind === 'refused' ? answer.rule : 'processor-answer', '/params/mandateId', answer.kind === 'refused' ? answer.detail : 'the processor did not cancel the mandate');
    }
    const confirmed = cancellationConfirmed({ ...m, status: 'cancel-requested' });
    await updateMandate(deps.pool, m.id, { status: confirmed.ok ? confirmed.value.status : 'cancelled' });
    const account = await accountOf(deps.pool, ctx.tenantId, ctx.loanId);
    if (account && account.authorisationId === m.umrn) await setAccountStatus(deps.pool, ctx.tenantId, ctx.loanId, 'revoked', `mandate ${m.umrn} cancelled, confirmed by ${body.confirmedBy}`);
    return { ok: true, status: 200, mandate: mandateView((await mandateById(deps.pool, ctx.tenantId, ctx.loanId, mandateId))!), replayed: false };
  });
}
