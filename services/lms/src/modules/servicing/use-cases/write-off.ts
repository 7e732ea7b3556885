import { formatIsoDate } from '@lendstack/loan-engine';
import type pg from 'pg';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { insertTransaction, lockLoan, transactionByKey, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import { WRITE_OFF_ACCELERATE, type LoanTransaction } from '../domain/servicing.js';
import type { ServicingDeps } from './apply-money-event.js';
import { replayLoan } from './replay-loan.js';

export interface WriteOffRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  /** On or before the business date, and not before the loan's latest transaction. */
  readonly valueDate: string;
  readonly reason: string;
  readonly accelerate: boolean;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly correlationId: string;
}

export interface WriteOffUndoRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly reason: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly correlationId: string;
}

/** What a write-off did, as the routes show it. */
export interface WriteOffResult {
  readonly transaction: LoanTransaction;
  /** The reversal that undid it (undo only). */
  readonly reversal?: LoanTransaction;
  readonly status: string;
  readonly chargedOffOn: string | null;
  readonly principalWrittenOffMinor: bigint;
  readonly accelerated: boolean;
  readonly acceleratedPrincipalMinor: bigint;
}

/**
 * Writes the loan off on `valueDate` (on or before the business date, not before its latest transaction) at
 * an operator's request. In ONE transaction: locks the loan, records a `write-off` transaction (reason the
 * operator's, reference the maturity option) and replays the loan (replay-loan.ts): the engine charges it off
 * at the end of that day as its charge-off DPD would — principal outstanding to write-off expense, receivable
 * interest, fees and penalties reversed, the memorandum cleared — the ledger posts the difference, and
 * LoanChargedOff (with `writeOff`) goes on the outbox; audited (`loan.written-off`). Later money on the loan
 * (POST /repayments or /recoveries) is recovery income.
 * Failures, nothing written: loan-not-found, idempotency-key-reused, loan-not-disbursed, loan-closed,
 * loan-charged-off (/params/id), value-date-after-business-date, write-off-not-latest (/valueDate), engine-refused.
 */
export async function writeOff(deps: ServicingDeps, request: WriteOffRequest): Promise<Outcome<WriteOffResult>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<WriteOffResult>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorTransaction(client, request.tenantId, request.idempotencyKey, request.requestHash);
    if (prior) return prior.ok ? { ok: true, value: await resultOf(client, loan.id, prior.value), replayed: true } : prior;
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const refused = checkWriteOff(loan, request, businessDate);
    if (refused) return refuse(refused);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const later = transactions.find((t) => t.valueDate > request.valueDate && (t.kind !== 'disbursement' || t.status === 'confirmed'));
    if (later) return refuse(failure('write-off-not-latest', '/valueDate', `must be on or after ${later.valueDate}, the value date of the loan's latest transaction`));
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'write-off', valueDate: request.valueDate, amountMinor: null, currency: loan.currency, scale: loan.scale,
      reason: request.reason, reference: request.accelerate ? WRITE_OFF_ACCELERATE : 'keep-maturity', status: 'posted', requestHash: request.requestHash, createdBy: request.actor,
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, tx], affectedFrom: request.valueDate, correlationId: request.correlationId, notice: { kind: 'repayment-received', transaction: tx },
    });
    if (!replayed.ok) return replayed;
    const s = replayed.value.state;
    // The checks above and the replay are the same engine on the same events: a loan it did not write off is a bug (throwing rolls back).
    if (s.writeOff?.id !== tx.id) throw new Error(`write-off ${tx.id} of loan ${loan.id} did not charge the loan off`);
    const result: WriteOffResult = {
      transaction: tx, status: s.status, chargedOffOn: s.chargedOffOn === null ? null : formatIsoDate(s.chargedOffOn), principalWrittenOffMinor: s.balances.principalWrittenOff,
      accelerated: s.writeOff.accelerated, acceleratedPrincipalMinor: s.writeOff.acceleratedPrincipalMinor,
    };
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: deps.now(), actor: request.actor, action: 'loan.written-off', subject: `loan/${loan.id}`, requestId: request.correlationId,
      before: { status: loan.status }, after: { status: s.status, transactionId: tx.id, valueDate: tx.valueDate, reason: request.reason, accelerated: request.accelerate, principalWrittenOff: s.balances.principalWrittenOff.toString() },
    });
    return { ok: true, value: result };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

/**
 * Undoes the loan's write-off: in ONE transaction a reversal of the write-off transaction is recorded (value
 * date the business date) and the loan replayed as if it had never been written off — the ledger posts
 * contra-entries for the write-off and for everything after it that changed (money received since then was a
 * recovery and is now a repayment), then the days since as an open loan (accrual, installments due, DPD);
 * the charged-off status and date are gone from the state. TransactionReversed (reversedEffectKey
 * `write-off:<id>`) goes on the outbox; audited (`loan.write-off-undone`).
 * Failures, nothing written: loan-not-found, idempotency-key-reused, no-write-off (/params/id: not written
 * off on demand — a charge-off at the product's DPD is not undone here), engine-refused.
 */
export async function undoWriteOff(deps: ServicingDeps, request: WriteOffUndoRequest): Promise<Outcome<WriteOffResult>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<WriteOffResult>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorTransaction(client, request.tenantId, request.idempotencyKey, request.requestHash);
    if (prior) {
      if (!prior.ok) return prior;
      const target = (await transactionsOf(client, loan.id, { allocations: false })).find((t) => t.id === prior.value.targetId)!;
      return { ok: true, value: { ...(await resultOf(client, loan.id, target)), reversal: prior.value }, replayed: true };
    }
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const target = activeWriteOff(transactions);
    const state = await storedWriteOff(client, loan.id);
    if (!target || loan.status !== 'charged-off' || state.writeOffId !== target.id) {
      return refuse(failure('no-write-off', '/params/id', `The loan is ${loan.status}${loan.status === 'charged-off' ? ' by its charge-off DPD' : ''}: it has no write-off to undo.`));
    }
    const reversal = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'reversal', valueDate: businessDate, amountMinor: null, currency: loan.currency, scale: loan.scale,
      targetId: target.id, reason: request.reason, status: 'posted', requestHash: request.requestHash, createdBy: request.actor,
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, reversal], affectedFrom: target.valueDate, correlationId: request.correlationId,
      notice: { kind: 'transaction-reversed', transaction: reversal, target, writtenOffMinor: state.principalWrittenOffMinor },
    });
    if (!replayed.ok) return replayed;
    const s = replayed.value.state;
    const result: WriteOffResult = {
      transaction: target, reversal, status: s.status, chargedOffOn: s.chargedOffOn === null ? null : formatIsoDate(s.chargedOffOn), principalWrittenOffMinor: s.balances.principalWrittenOff,
      accelerated: false, acceleratedPrincipalMinor: 0n,
    };
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: deps.now(), actor: request.actor, action: 'loan.write-off-undone', subject: `loan/${loan.id}`, requestId: request.correlationId,
      before: { status: loan.status, writeOffId: target.id, principalWrittenOff: state.principalWrittenOffMinor.toString() },
      after: { status: s.status, reversalId: reversal.id, reason: request.reason, chargedOffOn: result.chargedOffOn },
    });
    return { ok: true, value: result };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

function checkWriteOff(loan: ServicedLoan, request: WriteOffRequest, businessDate: string): ServicingFailure | undefined {
  if (loan.status === 'pending-disbursement') return failure('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
  if (loan.status === 'closed') return failure('loan-closed', '/params/id', 'The loan is closed: there is nothing to write off.');
  if (loan.status === 'charged-off') return failure('loan-charged-off', '/params/id', 'The loan is already charged off.');
  if (request.valueDate > businessDate) return failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`);
  return undefined;
}

/** The loan's write-off no reversal targets (at most one: a second is refused while the loan is charged off). */
function activeWriteOff(transactions: readonly LoanTransaction[]): LoanTransaction | undefined {
  const reversed = new Set(transactions.filter((t) => t.kind === 'reversal').map((t) => t.targetId));
  return transactions.filter((t) => t.kind === 'write-off' && !reversed.has(t.id)).at(-1);
}

/** The stored state's write-off (the engine's, from the last replay) and the principal written off. */
async function storedWriteOff(client: pg.PoolClient, loanId: string): Promise<{ writeOffId: string | null; principalWrittenOffMinor: bigint; chargedOffOn: string | null; accelerated: boolean; acceleratedMinor: bigint }> {
  const { rows } = await client.query<{ id: string | null; written_off: string | null; on: string | null; accelerated: boolean | null; accelerated_minor: string | null }>(
    `SELECT state #>> '{writeOff,transactionId}' AS id, state #>> '{balances,principalWrittenOff}' AS written_off, state->>'chargedOffOn' AS on,
            (state #>> '{writeOff,accelerated}')::boolean AS accelerated, state #>> '{writeOff,acceleratedPrincipal}' AS accelerated_minor
     FROM loan_servicing WHERE loan_id = $1`, [loanId]);
  const r = rows[0];
  return {
    writeOffId: r?.id ?? null, principalWrittenOffMinor: BigInt(r?.written_off ?? '0'), chargedOffOn: r?.on ?? null,
    accelerated: r?.accelerated === true, acceleratedMinor: BigInt(r?.accelerated_minor ?? '0'),
  };
}

/** The write-off's result as the loan's stored state now shows it (an Idempotency-Key replay). */
async function resultOf(client: pg.PoolClient, loanId: string, tx: LoanTransaction): Promise<WriteOffResult> {
  const s = await storedWriteOff(client, loanId);
  const { rows } = await client.query<{ status: string }>('SELECT status FROM loan_servicing WHERE loan_id = $1', [loanId]);
  const current = s.writeOffId === tx.id;
  return {
    transaction: tx, status: rows[0]?.status ?? 'active', chargedOffOn: s.chargedOffOn, principalWrittenOffMinor: s.principalWrittenOffMinor,
    accelerated: current && s.accelerated, acceleratedPrincipalMinor: current ? s.acceleratedMinor : 0n,
  };
}

/** The transaction an Idempotency-Key already stands for, or its refusal for another request. */
async function priorTransaction(client: pg.PoolClient, tenantId: string, key: string | undefined, requestHash: string): Promise<Outcome<LoanTransaction> | undefined> {
  if (!key) return undefined;
  const prior = await transactionByKey(client, tenantId, key);
  if (!prior) return undefined;
  if (prior.requestHash !== requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
  return { ok: true, value: prior, replayed: true };
}
