import { prepaymentAppliedV1Schema, type LoanTermsV1 } from '@lendstack/contracts';
import { formatIsoDate, parseIsoDate, replayAccount, type InstallmentMinor } from '@lendstack/loan-engine';
import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { sealed, wireMoney, type LifecycleContext } from '../../lifecycle/domain/envelope.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { enqueue, insertTransaction, lockLoan, productDefinition, scheduleOf, transactionByKey, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import { bookedTerms, reamortise, termsFromJson, termsToJson, type PrepaymentOption } from '../domain/prepayment.js';
import { beforeRestructure } from '../domain/restructure.js';
import { allocationDigest, DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, type LoanTransaction, type StoredAllocation } from '../domain/servicing.js';
import type { ServicingDeps, WireAmount } from './apply-money-event.js';
import { replayLoan } from './replay-loan.js';

export interface PrepaymentRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  /** Principal paid ahead; the product's prepayment charge is paid on top. */
  readonly amount: WireAmount;
  readonly valueDate: string;
  readonly option: PrepaymentOption;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly correlationId: string;
}

/**
 * Pays principal ahead on `valueDate` (on or before the business date, and the loan's latest money event) and
 * re-amortises the rest with the engine's partialPrepayment: reduce-installment keeps the maturity,
 * reduce-term keeps the installment. In ONE transaction: the schedule in force is kept in schedule_versions,
 * the installments after those due are replaced, the terms of the new schedule are kept (schedule_terms) for the
 * next prepayment, a `prepayment` transaction is stored (its reason is the option) and the loan replayed from the
 * start of the running period (its interest changed): the ledger posts principal and the charge (fee income);
 * PrepaymentApplied goes on the outbox.
 * Failures, nothing written: loan-not-found, idempotency-key-reused, loan-not-disbursed, loan-closed,
 * loan-charged-off (/params/id), currency-mismatch / scale-mismatch (/amount/…), value-date-after-business-date,
 * prepayment-not-latest, prepayment-with-arrears (/valueDate), prepayment-exceeds-balance (/amount),
 * prepayment-not-supported (/option: a method the engine cannot re-amortise, or no stored terms), engine-refused.
 */
export async function prepay(deps: ServicingDeps, request: PrepaymentRequest): Promise<Outcome<LoanTransaction>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<LoanTransaction>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    if (request.idempotencyKey) {
      const prior = await transactionByKey(client, request.tenantId, request.idempotencyKey);
      if (prior && prior.requestHash !== request.requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
      if (prior) return { ok: true, value: prior, replayed: true };
    }
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const refused = check(loan, request, businessDate);
    if (refused) return refuse(refused);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const frozen = beforeRestructure(transactions, request.valueDate, '/valueDate');
    if (frozen) return refuse(frozen);
    const later = transactions.find((t) => t.valueDate > request.valueDate && (t.kind !== 'disbursement' || t.status === 'confirmed'));
    if (later) return refuse(failure('prepayment-not-latest', '/valueDate', `must be on or after ${later.valueDate}, the value date of the loan's latest transaction`));
    const schedule = (await scheduleOf(client, [loan.id])).get(loan.id) ?? [];
    const position = await positionOn(client, loan, schedule, transactions, request.valueDate);
    if (!position.ok) return position;
    const amount = BigInt(request.amount.amount);
    if (amount >= position.value.principalOutstanding) return refuse(failure('prepayment-exceeds-balance', '/amount', `must be less than the principal outstanding ${position.value.principalOutstanding}: pay the loan off with POST /foreclosure`));
    const terms = await currentTerms(client, loan);
    if (!terms) return refuse(failure('prepayment-not-supported', '/option', 'the loan was booked without its terms: its schedule cannot be re-amortised'));
    const due = schedule.filter((i) => i.dueDate <= request.valueDate).length;
    const next = reamortise(terms, due, parseIsoDate(request.valueDate), amount, request.option);
    if (!next.ok) return refuse(failure(next.error.code === 'method-not-supported' ? 'prepayment-not-supported' : 'engine-refused', '/option', next.error.message));
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'prepayment', valueDate: request.valueDate, amountMinor: amount, currency: loan.currency, scale: loan.scale,
      reason: request.option, status: 'posted', requestHash: request.requestHash, createdBy: request.actor, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    const version = await replaceSchedule(client, loan, schedule, due, next.value.installments, `prepayment ${tx.id} (${request.option}) on ${request.valueDate}`);
    await client.query(
      `INSERT INTO schedule_terms (loan_id, terms) VALUES ($1, $2::jsonb) ON CONFLICT (loan_id) DO UPDATE SET terms = EXCLUDED.terms, updated_at = now()`, [loan.id, termsToJson(next.value.terms)]);
    // The running period's interest changed from its start: the replay compares the books from there.
    const periodStart = due === 0 ? loan.disbursementDate : schedule[due - 1]!.dueDate;
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, tx], affectedFrom: periodStart, correlationId: request.correlationId, notice: { kind: 'repayment-received', transaction: tx },
    });
    if (!replayed.ok) return replayed;
    const own = replayed.value.allocations.find((a) => a.source === tx.id);
    const ctx: LifecycleContext = {
      tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, correlationId: request.correlationId, causationId: tx.id, occurredAt: deps.now().toISOString(),
    };
    const event = appliedEvent(ctx, tx, request, { version, installments: next.value.installments, charge: own?.prepaymentChargeMinor ?? 0n, outstanding: replayed.value.state.balances.principalOutstanding, businessDate });
    await enqueue(client, [{ id: event.id, key: loan.id, value: event }]);
    const written = own ? allocationDigest(own) : undefined;
    return { ok: true, value: written ? { ...tx, allocation: JSON.parse(written.json) as StoredAllocation, allocationDigest: written.digest } : tx };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

function check(loan: ServicedLoan, request: PrepaymentRequest, businessDate: string): ServicingFailure | undefined {
  if (loan.status === 'pending-disbursement') return failure('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
  if (loan.status === 'closed') return failure('loan-closed', '/params/id', 'The loan is closed.');
  if (loan.status === 'charged-off') return failure('loan-charged-off', '/params/id', 'The loan is charged off.');
  if (request.amount.currency !== loan.currency) return failure('currency-mismatch', '/amount/currency', `must be ${loan.currency}, the loan's currency`);
  if (request.amount.scale !== loan.scale) return failure('scale-mismatch', '/amount/scale', `must be ${loan.scale}, the scale of ${loan.currency}`);
  if (request.valueDate > businessDate) return failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`);
  return undefined;
}

/** The account at the end of the value date (replayed in memory): nothing may be due unpaid. */
async function positionOn(client: pg.PoolClient, loan: ServicedLoan, schedule: Parameters<typeof engineSchedule>[0], transactions: readonly LoanTransaction[], valueDate: string): Promise<Outcome<{ principalOutstanding: bigint }>> {
  const definition = await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
  const run = replayAccount({ schedule: engineSchedule(schedule), product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT, events: engineEvents(transactions), businessDate: parseIsoDate(valueDate) });
  if (!run.ok) return refuse(failure('engine-refused', '/', `${run.error.code}: ${run.error.message}`));
  const s = run.value.state;
  if (s.status !== 'active') return refuse(failure('loan-closed', '/params/id', `On ${valueDate} the loan is ${s.status}.`));
  if (s.balances.totalDueNow > 0n) return refuse(failure('prepayment-with-arrears', '/valueDate', `${s.balances.totalDueNow} minor units are due unpaid on ${valueDate}: pay them first`));
  return { ok: true, value: { principalOutstanding: s.balances.principalOutstanding } };
}

/** The terms of the schedule in force: those a previous prepayment kept, else the booked terms. */
export async function currentTerms(client: pg.PoolClient, loan: ServicedLoan) {
  const kept = (await client.query<{ terms: unknown }>('SELECT terms FROM schedule_terms WHERE loan_id = $1', [loan.id])).rows[0];
  if (kept) return termsFromJson(kept.terms);
  return loan.terms ? bookedTerms(loan.terms as LoanTermsV1, loan.disbursementDate) : undefined;
}

/** PrepaymentApplied: what was paid ahead and the schedule it left (id from the engine's effect key). */
function appliedEvent(
  ctx: LifecycleContext,
  tx: LoanTransaction,
  request: PrepaymentRequest,
  r: { version: number; installments: readonly InstallmentMinor[]; charge: bigint; outstanding: bigint; businessDate: string },
) {
  const first = r.installments[0]!;
  const key = `prepayment:${tx.id}`;
  return sealed(prepaymentAppliedV1Schema, 'PrepaymentApplied', ctx, key, {
    loanId: ctx.loanId, transactionId: tx.id, effectKey: key, valueDate: request.valueDate, option: request.option,
    principalPrepaid: wireMoney(ctx, tx.amountMinor!), prepaymentCharge: wireMoney(ctx, r.charge), principalOutstanding: wireMoney(ctx, r.outstanding), scheduleVersion: r.version,
    nextInstallment: { installmentNumber: first.number, dueDate: formatIsoDate(first.dueDate), total: wireMoney(ctx, first.total) },
    remainingInstallments: r.installments.length, maturityDate: formatIsoDate(r.installments.at(-1)!.dueDate), businessDate: r.businessDate,
  });
}

/** Keeps the schedule in force as a version (returned), then replaces the installments after the first `due` with `rows`. */
export async function replaceSchedule(client: pg.PoolClient, loan: ServicedLoan, old: readonly object[], due: number, rows: readonly InstallmentMinor[], reason: string): Promise<number> {
  const json = JSON.stringify(old, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const kept = await client.query<{ version: number }>(
    `INSERT INTO schedule_versions (loan_id, version, anchor_date, installments, reason)
     SELECT $1, coalesce(max(version), 0) + 1, $2::date, $3::jsonb, $4 FROM schedule_versions WHERE loan_id = $1 RETURNING version`, [loan.id, loan.disbursementDate, json, reason]);
  await client.query('DELETE FROM installments WHERE loan_id = $1 AND number > $2', [loan.id, due]);
  const col = <T>(pick: (r: InstallmentMinor) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT $1, *, 'scheduled' FROM unnest($2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    [loan.id, col((r) => r.number), col((r) => formatIsoDate(r.dueDate)), col((r) => r.principal.toString()), col((r) => r.interest.toString()), col((r) => r.fees.toString()),
      col((r) => r.total.toString()), col((r) => r.balanceAfter.toString())],
  );
  return kept.rows[0]!.version;
}
