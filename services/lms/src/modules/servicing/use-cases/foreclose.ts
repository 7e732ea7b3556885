import { formatIsoDate, type AccountPayoffQuote } from '@lendstack/loan-engine';
import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { insertTransaction, lockLoan, transactionByKey, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import { beforePrepayment, beforeRestructure } from '../domain/restructure.js';
import { allocationDigest, type LoanTransaction, type StoredAllocation } from '../domain/servicing.js';
import type { ServicingDeps, WireAmount } from './apply-money-event.js';
import { payoffAt } from './payoff-quote.js';
import { replayLoan } from './replay-loan.js';

export interface ForeclosureRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly amount: WireAmount;
  readonly valueDate: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly correlationId: string;
}

/**
 * Pays the loan off on `valueDate` (on or before the business date). In ONE transaction: locks the loan,
 * computes the engine's payoff at the end of that date (what POST /payoff-quotes states for it), refuses an
 * amount short of it, records a `foreclosure` transaction and replays the loan (replay-loan.ts): the engine
 * settles every balance with it, the ledger posts the difference, the loan closes and LoanClosed (reason
 * `foreclosed`) goes to the outbox. What the amount exceeds the payoff by is held as excess (owed back).
 * A later backdated change that raises the payoff on that date reopens the loan (the engine's LoanReopened).
 * Failures, nothing written: loan-not-found, idempotency-key-reused, loan-not-disbursed, loan-closed,
 * loan-charged-off (/params/id), currency-mismatch / scale-mismatch (/amount/…),
 * value-date-after-business-date (/valueDate), foreclosure-short (/amount, with the payoff),
 * engine-refused. A repeated Idempotency-Key with the same request returns the transaction (`replayed`).
 */
export async function foreclose(deps: ServicingDeps, request: ForeclosureRequest): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<LoanTransaction>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorResult(client, request);
    if (prior) return prior;
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const refused = check(loan, request, businessDate);
    if (refused) return refuse(refused);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const frozen = beforeRestructure(transactions, request.valueDate, '/valueDate') ?? beforePrepayment(transactions, request.valueDate, '/valueDate', true);
    if (frozen) return refuse(frozen);
    const payoff = await payoffAt(client, loan, request.valueDate, transactions);
    if (!payoff.ok) {
      if (payoff.error.code === 'loan-charged-off') return refuse(failure('loan-charged-off', '/params/id', `By ${request.valueDate} the loan is charged off.`));
      if (payoff.error.code === 'nothing-outstanding') return refuse(failure('loan-closed', '/params/id', `Nothing is outstanding on ${request.valueDate}: ${payoff.error.message}.`));
      return refuse(failure('engine-refused', '/', `${payoff.error.code}: ${payoff.error.message}`));
    }
    const amount = BigInt(request.amount.amount);
    if (amount < payoff.value.total) return refuse(shortOf(loan, request.valueDate, amount, payoff.value));
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'foreclosure', valueDate: request.valueDate, amountMinor: amount, currency: loan.currency, scale: loan.scale,
      status: 'posted', requestHash: request.requestHash, createdBy: request.actor, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    // The notice names the foreclosure: its own announcement is the engine's LoanClosed (no repayment split is published).
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, tx], affectedFrom: request.valueDate, correlationId: request.correlationId, notice: { kind: 'repayment-received', transaction: tx },
    });
    if (!replayed.ok) return replayed;
    const closedBy = replayed.value.state.foreclosure;
    // The payoff above and the replay are the same engine on the same events: a disagreement is a bug, and throwing rolls back.
    if (closedBy?.id !== tx.id || closedBy.outcome !== 'closed') throw new Error(`foreclosure ${tx.id} of loan ${loan.id} met the payoff but did not close the loan`);
    const own = replayed.value.allocations.find((a) => a.source === tx.id);
    const written = own ? allocationDigest(own) : undefined;
    return { ok: true, value: written ? { ...tx, allocation: JSON.parse(written.json) as StoredAllocation, allocationDigest: written.digest } : tx };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

function check(loan: ServicedLoan, request: ForeclosureRequest, businessDate: string): ServicingFailure | undefined {
  if (loan.status === 'pending-disbursement') return failure('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
  if (loan.status === 'closed') return failure('loan-closed', '/params/id', 'The loan is closed.');
  if (loan.status === 'charged-off') return failure('loan-charged-off', '/params/id', 'The loan is charged off: post a recovery.');
  if (request.amount.currency !== loan.currency) return failure('currency-mismatch', '/amount/currency', `must be ${loan.currency}, the loan's currency`);
  if (request.amount.scale !== loan.scale) return failure('scale-mismatch', '/amount/scale', `must be ${loan.scale}, the scale of ${loan.currency}`);
  if (request.valueDate > businessDate) return failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`);
  return undefined;
}

/** The refusal of an amount below the payoff, with the payoff (total and parts) in the problem document. */
function shortOf(loan: ServicedLoan, valueDate: string, amount: bigint, q: AccountPayoffQuote): ServicingFailure {
  const m = (v: bigint) => ({ amount: v.toString(), currency: loan.currency, scale: loan.scale });
  const p = q.parts;
  const payoff = {
    asOf: formatIsoDate(q.asOf), total: m(q.total),
    parts: { principal: m(p.principal), interest: m(p.interest), fees: m(p.fees), penalties: m(p.penalties), prepaymentCharge: m(p.prepaymentCharge), excess: m(p.excess) },
  };
  const detail = `must be at least the payoff on ${valueDate}: ${q.total} minor units (${q.total - amount} short)`;
  return { ...failure('foreclosure-short', '/amount', detail), extensions: { payoff } };
}

/** The result an Idempotency-Key already stands for, or its refusal for another request. */
async function priorResult(client: pg.PoolClient, request: ForeclosureRequest): Promise<Outcome<LoanTransaction> | undefined> {
  if (!request.idempotencyKey) return undefined;
  const prior = await transactionByKey(client, request.tenantId, request.idempotencyKey);
  if (!prior) return undefined;
  if (prior.requestHash !== request.requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
  return { ok: true, value: prior, replayed: true };
}
