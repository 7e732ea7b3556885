import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { insertTransaction, lockLoan, transactionById, transactionByKey, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { processCheckpoints } from '../adapters/replay-checkpoints.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import { allocationDigest, type LoanTransaction, type StoredAllocation } from '../domain/servicing.js';
import { beforePrepayment, beforeRestructure } from '../domain/restructure.js';
import { replayLoan, type ReplayDeps } from './replay-loan.js';

export interface ServicingDeps extends ReplayDeps {
  readonly pool: pg.Pool;
  /** The UTC date a tenant's business date starts at on its first use (never read otherwise). */
  readonly today: () => string;
  readonly newId: () => string;
  /** Told after commit that the outbox has new rows. */
  readonly onOutbox: () => void;
}

export interface WireAmount {
  readonly amount: string;
  readonly currency: string;
  readonly scale: number;
}

/** What a repayment and a recovery both carry. */
interface PaymentFields {
  readonly amount: WireAmount;
  readonly valueDate: string;
  readonly channel: string;
  readonly reference: string;
}

export type MoneyCommand =
  | ({ readonly kind: 'repayment' } & PaymentFields)
  | ({ readonly kind: 'recovery' } & PaymentFields)
  | { readonly kind: 'reversal'; readonly targetId: string; readonly reason: string };

export interface MoneyRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly command: MoneyCommand;
  readonly idempotencyKey?: string;
  /** Hash of the route, its target and body: the same key with another request is refused. */
  readonly requestHash: string;
  readonly correlationId: string;
}

/**
 * The one use case that changes a loan's money from a request: in ONE transaction it locks the
 * loan's servicing row (concurrent requests on a loan serialise), checks the request, records the
 * transaction and replays the loan (replay-loan.ts: ledger difference, state, balances, history,
 * allocations, outbox). Failures, nothing written: loan-not-found, loan-not-disbursed, loan-closed,
 * currency-mismatch / scale-mismatch (/amount/…),
 * value-date-after-business-date (/valueDate), transaction-not-found, already-reversed,
 * not-reversible (/params/txId), idempotency-key-reused, engine-refused. A repeated Idempotency-Key
 * with the same request returns the transaction it produced (`replayed`).
 */
export async function applyMoneyEvent(deps: ServicingDeps, request: MoneyRequest): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client) => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorResult(client, request);
    if (prior) return prior;
    const businessDate = loan.businessDate ?? (await businessDateOf(client, request.tenantId, deps.today));
    // What the loan's last replay in this process left, if nothing has written the loan since (its version).
    const known = (deps.checkpoints ?? processCheckpoints).inputs(loan.id, loan.version);
    const transactions = known?.transactions ?? (await transactionsOf(client, loan.id, { allocations: false }));
    // A charged-off (or written-off) loan still takes repayments: each is a recovery, on checkRecovery's rules.
    const command = request.command.kind === 'repayment' && loan.status === 'charged-off' ? { ...request.command, kind: 'recovery' as const } : request.command;
    const checked = command.kind === 'repayment'
      ? checkRepayment(loan, command, businessDate, transactions)
      : command.kind === 'recovery'
        ? checkRecovery(loan, command, businessDate, await chargedOffOn(client, loan.id))
        : checkReversal(loan, command, transactions, await transactionById(client, request.tenantId, command.targetId));
    if (!checked.ok) return checked;
    // A standing re-age moved the arrears it found: nothing may land on or before it (undo it first).
    const reAge = standingReAge(transactions);
    if (reAge && checked.value <= reAge.valueDate) return refuse(failure('before-re-age', command.kind === 'reversal' ? '/params/txId' : '/valueDate', `the loan was re-aged on ${reAge.valueDate}: nothing dated on or before it can be posted (undo the re-age first)`));
    const pointer = request.command.kind === 'reversal' ? '/params/txId' : '/valueDate';
    const frozen = beforeRestructure(transactions, checked.value, pointer) ?? beforePrepayment(transactions, checked.value, pointer);
    if (frozen) return refuse(frozen);
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, status: 'posted', requestHash: request.requestHash,
      createdBy: request.actor, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
      ...(request.command.kind !== 'reversal'
        ? { kind: 'repayment', valueDate: request.command.valueDate, amountMinor: BigInt(request.command.amount.amount), channel: request.command.channel, reference: request.command.reference }
        : { kind: 'reversal', valueDate: businessDate, amountMinor: null, targetId: request.command.targetId, reason: request.command.reason }),
    });
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, tx], affectedFrom: checked.value, correlationId: request.correlationId, ...(known ? { known } : {}),
      notice: tx.kind === 'repayment'
        ? { kind: 'repayment-received', transaction: tx }
        : { kind: 'transaction-reversed', transaction: tx, target: transactions.find((t) => t.id === tx.targetId)! },
    });
    if (!replayed.ok) return replayed;
    // The allocation the replay wrote for this repayment (a reversal has none).
    const own = replayed.value.allocations.find((a) => a.source === tx.id && a.kind !== 'excess-applied');
    const written = own ? allocationDigest(own) : undefined;
    const saved = written ? { ...tx, allocation: JSON.parse(written.json) as StoredAllocation, allocationDigest: written.digest } : tx;
    return { ok: true as const, value: saved };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

/** The loan's latest re-age no reversal targets, if any. */
function standingReAge(transactions: readonly LoanTransaction[]): LoanTransaction | undefined {
  const reversed = new Set(transactions.filter((t) => t.kind === 'reversal').map((t) => t.targetId));
  return transactions.filter((t) => t.kind === 're-age' && !reversed.has(t.id)).at(-1);
}

/** The result an Idempotency-Key already stands for, or its refusal for another request. */
async function priorResult(client: pg.PoolClient, request: MoneyRequest): Promise<Outcome<LoanTransaction> | undefined> {
  if (!request.idempotencyKey) return undefined;
  const prior = await transactionByKey(client, request.tenantId, request.idempotencyKey);
  if (!prior) return undefined;
  if (prior.requestHash !== request.requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
  return { ok: true, value: prior, replayed: true };
}

/**
 * The earliest date a repayment affects (its value date), or why it is refused. A loan a foreclosure closed
 * still takes a repayment dated on or before the foreclosure (money that arrived before it): the replay
 * re-checks the foreclosure, and what it no longer needs is held as excess.
 */
function checkRepayment(loan: ServicedLoan, c: Extract<MoneyCommand, { kind: 'repayment' }>, businessDate: string, all: readonly LoanTransaction[]): Outcome<string> {
  if (loan.status === 'pending-disbursement') return refuse(failure('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.'));
  const foreclosedOn = all.reduce<string | undefined>((last, t) => (t.kind === 'foreclosure' && (last === undefined || t.valueDate > last) ? t.valueDate : last), undefined);
  if (loan.status === 'closed' && !(foreclosedOn !== undefined && c.valueDate <= foreclosedOn)) return refuse(failure('loan-closed', '/params/id', 'The loan is closed.'));
  if (c.amount.currency !== loan.currency) return refuse(failure('currency-mismatch', '/amount/currency', `must be ${loan.currency}, the loan's currency`));
  if (c.amount.scale !== loan.scale) return refuse(failure('scale-mismatch', '/amount/scale', `must be ${loan.scale}, the scale of ${loan.currency}`));
  if (c.valueDate > businessDate) return refuse(failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`));
  return { ok: true, value: c.valueDate };
}

/**
 * The earliest date a recovery affects (its value date), or why it is refused. Stored as a repayment:
 * the engine turns money received after charge-off into a recovery, so a recovery dated before the
 * charge-off (which would undo it) is refused.
 */
function checkRecovery(loan: ServicedLoan, c: Extract<MoneyCommand, { kind: 'recovery' }>, businessDate: string, chargedOff: string | null): Outcome<string> {
  if (loan.status !== 'charged-off' || chargedOff === null) return refuse(failure('loan-not-charged-off', '/params/id', `The loan is ${loan.status}: recoveries are for charged-off loans; post a repayment.`));
  if (c.amount.currency !== loan.currency) return refuse(failure('currency-mismatch', '/amount/currency', `must be ${loan.currency}, the loan's currency`));
  if (c.amount.scale !== loan.scale) return refuse(failure('scale-mismatch', '/amount/scale', `must be ${loan.scale}, the scale of ${loan.currency}`));
  if (c.valueDate > businessDate) return refuse(failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`));
  if (c.valueDate < chargedOff) return refuse(failure('value-date-before-charge-off', '/valueDate', `must be on or after the charge-off date ${chargedOff}`));
  return { ok: true, value: c.valueDate };
}

/** The date the loan was charged off, from its stored state (null if it was not). */
async function chargedOffOn(client: pg.PoolClient, loanId: string): Promise<string | null> {
  const row = await client.query<{ on: string | null }>(`SELECT state->>'chargedOffOn' AS on FROM loan_servicing WHERE loan_id = $1`, [loanId]);
  return row.rows[0]?.on ?? null;
}

/** The earliest date a reversal affects (its target's value date: the target is removed), or why it is refused. */
function checkReversal(loan: ServicedLoan, _c: Extract<MoneyCommand, { kind: 'reversal' }>, all: readonly LoanTransaction[], target: LoanTransaction | undefined): Outcome<string> {
  if (!target || target.loanId !== loan.id) return refuse(failure('transaction-not-found', '/params/txId', 'No such transaction on this loan.'));
  if (target.kind !== 'repayment') return refuse(failure('not-reversible', '/params/txId', `A ${target.kind} cannot be reversed; only repayments can.`));
  if (all.some((t) => t.kind === 'reversal' && t.targetId === target.id)) return refuse(failure('already-reversed', '/params/txId', 'The transaction is already reversed.'));
  return { ok: true, value: target.valueDate };
}
