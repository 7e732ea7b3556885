import { checkBookable, type LoanTermsV1 } from '@lendstack/contracts';
import type { Logger } from '@lendstack/platform';
import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { decimalToMinor } from '../../loans/domain/loan-account.js';
import { insertTransaction, lockLoan, scheduleOf, transactionById, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import type { LoanTransaction } from '../domain/servicing.js';
import { isPayoutRefused, PayoutRailUnavailableError } from '../../payouts/ports.js';
import type { PayoutPort } from '../ports.js';
import type { ServicingDeps, WireAmount } from './apply-money-event.js';
import { replayLoan } from './replay-loan.js';
import { paidOff, planTopUp, recordTopUp, releaseTopUp, settleTopUp } from './top-up.js';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { openServiceRequest } from '../../service-requests/adapters/pg-service-requests.repository.js';

export interface DisbursementDeps extends ServicingDeps {
  readonly payouts: PayoutPort;
}

export interface DisbursementRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly amount: WireAmount;
  readonly valueDate: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

/**
 * Records a disbursement (a tranche, up to the approved principal in all) as `pending` and sends it
 * through the PayoutPort to the borrower's own account token from LoanApproved; the payout's outcome
 * settles it later (settleDisbursement). Failures, nothing written: loan-not-found, loan-closed,
 * loan-charged-off, currency-mismatch, scale-mismatch, value-date-after-business-date,
 * exceeds-approved-principal (/amount/amount), no-account-token, idempotency-key-reused. A top-up loan's
 * disbursement (top-up.ts) pays the borrower its principal less the old loan's payoff on the value date, and
 * refuses as planTopUp says (top-up-partial-disbursement, top-up-in-progress, top-up-loan-not-active,
 * top-up-payoff-exceeds-principal).
 */
export async function requestDisbursement(deps: DisbursementDeps, r: DisbursementRequest): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const loan = await lockLoan(client, r.tenantId, r.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${r.loanId} for this tenant.`));
    if (r.idempotencyKey) {
      const prior = (await client.query<{ id: string; request_hash: string }>('SELECT id, request_hash FROM loan_transactions WHERE tenant_id = $1 AND idempotency_key = $2', [r.tenantId, r.idempotencyKey])).rows[0];
      if (prior && prior.request_hash !== r.requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
      if (prior) return { ok: true as const, value: (await transactionById(client, r.tenantId, prior.id))!, replayed: true };
    }
    const businessDate = await businessDateOf(client, r.tenantId, deps.today);
    const refused = checkDisbursement(loan, r, businessDate, await transactionsOf(client, loan.id));
    if (refused) return refuse(refused);
    const topUp = await planTopUp(client, loan, BigInt(r.amount.amount), r.valueDate);
    if (!topUp.ok) return topUp;
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'disbursement', valueDate: r.valueDate, amountMinor: BigInt(r.amount.amount),
      currency: loan.currency, scale: loan.scale, status: 'pending', channel: 'payout', requestHash: r.requestHash, createdBy: r.actor,
      ...(r.idempotencyKey ? { idempotencyKey: r.idempotencyKey } : {}),
    });
    if (topUp.value) await recordTopUp(client, tx, loan.principalMinor, topUp.value);
    return { ok: true as const, value: tx, beneficiary: loan.bankAccount!, payoutMinor: topUp.value?.netMinor ?? tx.amountMinor! };
  });
  if (!outcome.ok || outcome.replayed || !('beneficiary' in outcome)) return outcome;
  const tx = outcome.value;
  await submitPayout(deps, tx, outcome.beneficiary!, outcome.payoutMinor!);
  return { ok: true, value: (await transactionById(deps.pool, tx.tenantId, tx.id))! };
}

/**
 * Hands a pending disbursement to the payout rail (payout id = transaction id: a resubmit never pays
 * twice). A refusal or an immediate final status settles it; an unreachable rail leaves it pending
 * (the outcome is unknown: the webhook, or submitting again with the same id, tells). A top-up's payout is the
 * amount less the old loan's payoff (the payoff stays inside the lender: it settles the old loan).
 */
async function submitPayout(deps: DisbursementDeps, tx: LoanTransaction, beneficiary: NonNullable<ServicedLoan['bankAccount']>, payoutMinor: bigint): Promise<void> {
  let outcome: PayoutOutcome | undefined;
  try {
    const answer = await deps.payouts.submit({
      payoutId: tx.id, tenantId: tx.tenantId, loanId: tx.loanId, amount: { amountMinor: payoutMinor, currency: tx.currency, scale: tx.scale },
      beneficiary: { accountToken: beneficiary.accountToken, bankCode: beneficiary.bankCode, holderName: beneficiary.holderName, ...(beneficiary.accountNumberMasked ? { accountNumberMasked: beneficiary.accountNumberMasked } : {}) },
      narration: `Loan ${tx.loanId} disbursement`,
    });
    if (isPayoutRefused(answer)) outcome = { status: 'failed', reason: `payout refused: ${answer.error.code}: ${answer.error.detail}` };
    else if (answer.status === 'processed') outcome = { status: 'confirmed' };
    else if (answer.status === 'failed' || answer.status === 'reversed') outcome = { status: 'failed', reason: `payout ${answer.status}: ${answer.failureReason ?? 'no reason given'}` };
  } catch (error) {
    if (!(error instanceof PayoutRailUnavailableError)) throw error;
  }
  if (outcome) await settleDisbursement(deps, { disbursementId: tx.id, outcome, correlationId: tx.id });
}

function checkDisbursement(loan: ServicedLoan, r: DisbursementRequest, businessDate: string, all: readonly LoanTransaction[]): ServicingFailure | undefined {
  if (loan.status === 'closed') return failure('loan-closed', '/params/id', 'The loan is closed.');
  if (loan.status === 'charged-off') return failure('loan-charged-off', '/params/id', 'The loan is charged off.');
  if (r.amount.currency !== loan.currency) return failure('currency-mismatch', '/amount/currency', `must be ${loan.currency}, the loan's currency`);
  if (r.amount.scale !== loan.scale) return failure('scale-mismatch', '/amount/scale', `must be ${loan.scale}, the scale of ${loan.currency}`);
  if (r.valueDate > businessDate) return failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`);
  if (!loan.bankAccount?.accountToken) return failure('no-account-token', '/params/id', 'The loan names no borrower account token to pay out to.');
  const committed = all.filter((t) => t.kind === 'disbursement' && t.status !== 'failed').reduce((sum, t) => sum + t.amountMinor!, 0n);
  const left = loan.principalMinor - committed;
  if (BigInt(r.amount.amount) > left) return failure('exceeds-approved-principal', '/amount/amount', `at most ${left} minor units are left of the approved principal ${loan.principalMinor}`);
  return undefined;
}

export type PayoutOutcome = { readonly status: 'confirmed' } | { readonly status: 'failed'; readonly reason: string };

/**
 * The payout's outcome for a pending disbursement (the payout webhook calls this). Failed: the
 * transaction says why and the loan stays as it was. Confirmed: the disbursement becomes a money
 * event on its value date; the first one re-anchors the schedule on that date (same terms, same
 * engine call as booking; the replaced schedule is kept in schedule_versions). A settled
 * disbursement settles again to nothing (webhooks are retried). A top-up's confirmation also forecloses the
 * old loan with the payoff (settleTopUp), in this transaction; its failure releases the old loan.
 * Failures: transaction-not-found, engine-refused (the disbursement stays pending).
 */
export async function settleDisbursement(deps: ServicingDeps, r: { disbursementId: string; outcome: PayoutOutcome; correlationId: string }): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const owner = (await client.query<{ tenant_id: string; loan_id: string }>(`SELECT tenant_id, loan_id FROM loan_transactions WHERE id = $1 AND kind = 'disbursement'`, [r.disbursementId])).rows[0];
    if (!owner) return refuse(failure('transaction-not-found', '/disbursementId', `No disbursement ${r.disbursementId}.`));
    const loan = (await lockLoan(client, owner.tenant_id, owner.loan_id))!;
    const all = await transactionsOf(client, loan.id);
    const tx = all.find((t) => t.id === r.disbursementId)!;
    if (tx.status !== 'pending') return { ok: true as const, value: tx, replayed: true };
    if (r.outcome.status === 'failed') {
      await client.query(`UPDATE loan_transactions SET status = 'failed', failure_reason = $2 WHERE id = $1`, [tx.id, r.outcome.reason.slice(0, 500)]);
      await releaseTopUp(client, tx.id);
      return { ok: true as const, value: { ...tx, status: 'failed' as const, failureReason: r.outcome.reason } };
    }
    await client.query(`UPDATE loan_transactions SET status = 'confirmed' WHERE id = $1`, [tx.id]);
    const confirmed = { ...tx, status: 'confirmed' as const };
    if (!all.some((t) => t.kind === 'disbursement' && t.status === 'confirmed')) {
      const anchored = await reanchorSchedule(client, loan, tx.valueDate);
      if (!anchored.ok) return anchored;
    }
    const businessDate = await businessDateOf(client, loan.tenantId, deps.today);
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: all.map((t) => (t.id === tx.id ? confirmed : t)), affectedFrom: tx.valueDate, correlationId: r.correlationId,
      notice: { kind: 'disbursed', transaction: confirmed },
    });
    if (!replayed.ok) return replayed;
    const topUp = await settleTopUp(deps, client, confirmed, r.correlationId);
    if (!topUp.ok) return topUp;
    return { ok: true as const, value: confirmed };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

/** Recomputes the schedule from the loan's terms with the actual first disbursement date, keeping the old one. */
async function reanchorSchedule(client: pg.PoolClient, loan: ServicedLoan, valueDate: string): Promise<Outcome<null>> {
  const terms = loan.terms as LoanTermsV1 | null;
  // A loan booked before its terms were stored keeps its booked schedule.
  if (!terms || loan.disbursementDate === valueDate) return { ok: true, value: null };
  const { firstDueDate, ...rest } = terms;
  const anchored: LoanTermsV1 = { ...rest, expectedDisbursementDate: valueDate, ...(firstDueDate && firstDueDate > valueDate ? { firstDueDate } : {}) };
  const bookable = checkBookable(anchored);
  if (!bookable.ok) return refuse(failure('engine-refused', '/valueDate', `the schedule cannot be re-anchored on ${valueDate}: ${bookable.reason}`));
  const old = (await scheduleOf(client, [loan.id])).get(loan.id) ?? [];
  const json = (rows: readonly object[]) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  await client.query(
    `INSERT INTO schedule_versions (loan_id, version, anchor_date, installments, reason)
     SELECT $1, coalesce(max(version), 0) + 1, $2::date, $3::jsonb, $4 FROM schedule_versions WHERE loan_id = $1`,
    [loan.id, loan.disbursementDate, json(old), `replaced on the first disbursement (${valueDate})`],
  );
  const s = loan.scale;
  const rows = bookable.schedule.installments.map((i) => ({ n: i.number, due: i.dueDate, p: decimalToMinor(i.principal, s), int: decimalToMinor(i.interest, s), f: decimalToMinor(i.fees, s), t: decimalToMinor(i.total, s), b: decimalToMinor(i.balanceAfter, s) }));
  await client.query('DELETE FROM installments WHERE loan_id = $1', [loan.id]);
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT $1, *, 'scheduled' FROM unnest($2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    [loan.id, col((r) => r.n), col((r) => r.due), col((r) => r.p.toString()), col((r) => r.int.toString()), col((r) => r.f.toString()), col((r) => r.t.toString()), col((r) => r.b.toString())],
  );
  await client.query('UPDATE loan_accounts SET disbursement_date = $2::date WHERE id = $1', [loan.id, valueDate]);
  return { ok: true, value: null };
}

/**
 * A payout the rail reversed after the disbursement was confirmed: an ACH credit returned within its return
 * window (R-code after settlement), a RazorpayX payout.reversed after payout.processed. The money came back,
 * so the disbursement is marked failed with the reason and the loan is replayed from its value date without
 * it: the ledger gets contra-entries for everything it had caused (portfolio, clearing, fees), the loan is back
 * to pending disbursement when it was its only one, and a TransactionReversed (reversedEffectKey
 * `disbursement:<id>`) goes on the outbox. A payout still pending simply fails; one already failed is left as
 * it is (a redelivered webhook). Failures: transaction-not-found, engine-refused (e.g. a repayment was posted
 * after the disbursement: nothing written, an operator must reverse the repayments first; a top-up's payout
 * returned after it paid the old loan off: nothing written, an operator must act — the payoff was not paid out).
 */
export async function reverseDisbursement(deps: ServicingDeps, r: { disbursementId: string; reason: string; correlationId: string; operator?: string }): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const owner = (await client.query<{ tenant_id: string; loan_id: string; status: string }>(`SELECT tenant_id, loan_id, status FROM loan_transactions WHERE id = $1 AND kind = 'disbursement'`, [r.disbursementId])).rows[0];
    if (!owner) return refuse(failure('transaction-not-found', '/disbursementId', `No disbursement ${r.disbursementId}.`));
    if (owner.status === 'pending') return { ok: true as const, value: null, pending: true };
    const loan = (await lockLoan(client, owner.tenant_id, owner.loan_id))!;
    const all = await transactionsOf(client, loan.id);
    const tx = all.find((t) => t.id === r.disbursementId)!;
    if (tx.status !== 'confirmed') return { ok: true as const, value: tx, replayed: true };
    const oldLoan = await paidOff(client, tx.id);
    if (oldLoan) return refuse(failure('engine-refused', '/disbursementId', `disbursement ${tx.id} paid off loan ${oldLoan} (a top-up): its returned payout is not undone automatically`));
    const reason = r.reason.slice(0, 500);
    await client.query(`UPDATE loan_transactions SET status = 'failed', failure_reason = $2 WHERE id = $1`, [tx.id, reason]);
    const returned: LoanTransaction = { ...tx, status: 'failed', failureReason: reason };
    const businessDate = await businessDateOf(client, loan.tenantId, deps.today);
    // No transaction row stands for the return (the engine cannot reverse a disbursement): the lifecycle event names it by a derived id.
    const reversal: LoanTransaction = { ...tx, id: `payout-return-${tx.id}`, kind: 'reversal', valueDate: businessDate, amountMinor: null, targetId: tx.id, reason, status: 'posted', failureReason: null };
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: all.map((t) => (t.id === tx.id ? returned : t)), affectedFrom: tx.valueDate, correlationId: r.correlationId,
      notice: { kind: 'transaction-reversed', transaction: reversal, target: tx },
    });
    if (!replayed.ok) return replayed;
    if (r.operator) {
      await appendAudit(client, {
        tenantId: loan.tenantId, id: deps.newId(), at: deps.now(), actor: r.operator, action: 'loan.disbursement-returned', subject: `loan/${loan.id}`, requestId: r.correlationId,
        before: { transactionId: tx.id, status: tx.status }, after: { transactionId: tx.id, status: 'failed', reason },
      });
    }
    return { ok: true as const, value: returned };
  });
  if (outcome.ok && 'pending' in outcome) return settleDisbursement(deps, { disbursementId: r.disbursementId, outcome: { status: 'failed', reason: r.reason }, correlationId: r.correlationId });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome as Outcome<LoanTransaction>;
}

/**
 * The payout webhook's onOutcome: processed confirms the disbursement, failed fails it (while pending),
 * reversed fails a pending one and reverses a confirmed one (reverseDisbursement). A payout this LMS does
 * not know is acknowledged and ignored. An outcome the loan engine refuses (a payout returned after
 * repayments were posted, a top-up's payout returned after it paid the old loan off) is a decision no
 * redelivery changes: it is acknowledged and becomes a `payout-exception` service request on the loan (one
 * per payout and outcome, however often the rail repeats it) for an operator, and is logged as an error.
 * Anything thrown (the database unreachable) still answers 500, so the rail redelivers.
 */
export function payoutOutcomeHandler(deps: ServicingDeps, log?: Logger) {
  return async (o: { eventId: string; payoutId: string; status: 'processed' | 'failed' | 'reversed'; failureReason?: string; failureDetail?: string }): Promise<void> => {
    const why = [o.failureReason, o.failureDetail].filter(Boolean).join(': ') || 'no reason given';
    const settled = o.status === 'reversed'
      ? await reverseDisbursement(deps, { disbursementId: o.payoutId, reason: `payout reversed: ${why}`, correlationId: o.eventId })
      : await settleDisbursement(deps, { disbursementId: o.payoutId, outcome: o.status === 'processed' ? { status: 'confirmed' } : { status: 'failed', reason: `payout failed: ${why}` }, correlationId: o.eventId });
    if (settled.ok || settled.error.code === 'transaction-not-found') return;
    const exception = await openPayoutException(deps, o, why, settled.error.detail);
    log?.error({ payoutId: o.payoutId, eventId: o.eventId, outcome: o.status, refusal: settled.error.code, serviceRequestId: exception?.id }, `payout ${o.status} not applied: ${settled.error.detail}`);
  };
}

/** The idempotency key of the exception a payout's outcome opens: one per payout and outcome. */
export const payoutExceptionKey = (payoutId: string, status: string) => `payout-exception:${payoutId}:${status}`;

async function openPayoutException(deps: ServicingDeps, o: { eventId: string; payoutId: string; status: string }, railReason: string, refusal: string) {
  const owner = (await deps.pool.query<{ tenant_id: string; loan_id: string; amount_minor: string | null }>(
    `SELECT tenant_id, loan_id, amount_minor::text FROM loan_transactions WHERE id = $1 AND kind = 'disbursement'`, [o.payoutId])).rows[0];
  if (!owner) return undefined;
  const key = payoutExceptionKey(o.payoutId, o.status);
  const action = o.status === 'reversed'
    ? `Resolve what stands in the way, then apply the return: POST /v1/loans/${owner.loan_id}/disbursements/${o.payoutId}/return.`
    : 'The rail reports this outcome but the loan could not take it (the disbursement stays as it was): it needs an engineer.';
  const opened = await openServiceRequest(deps.pool, { tenantId: owner.tenant_id, subject: 'system:payouts', requestId: o.eventId, now: deps.now(), newId: deps.newId }, {
    loanId: owner.loan_id, type: 'payout-exception', idempotencyKey: key, requestHash: key,
    summary: `Payout ${o.status} for disbursement ${o.payoutId} (${owner.amount_minor ?? '?'} minor units) was not applied: ${refusal}`.slice(0, 500),
    note: `Rail event ${o.eventId}, reason: ${railReason}. ${action}`.slice(0, 2000),
  });
  return opened.ok ? opened.value : undefined;
}
