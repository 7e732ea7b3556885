import { formatIsoDate, parseIsoDate, replayAccount } from '@lendstack/loan-engine';
import type pg from 'pg';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { insertTransaction, lockLoan, productDefinition, scheduleOf, transactionByKey, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import { addMonths, arrearsOf, reAgeRuleBroken } from '../domain/re-age.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, type LoanTransaction } from '../domain/servicing.js';
import type { ServicingDeps } from './apply-money-event.js';
import { replayLoan } from './replay-loan.js';

export interface ReAgeRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly valueDate: string;
  readonly reason: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly correlationId: string;
}

export interface ReAgeResult {
  readonly transaction: LoanTransaction;
  readonly reversal?: LoanTransaction;
  /** The schedule version that keeps the schedule the re-age (or its undo) replaced. */
  readonly scheduleVersion: number;
  readonly moved: { readonly principal: bigint; readonly interest: bigint; readonly fees: bigint };
  /** The installments the arrears moved to (empty for an undo). */
  readonly appended: readonly { readonly number: number; readonly dueDate: string; readonly principal: bigint; readonly interest: bigint; readonly fees: bigint }[];
  readonly dpd: number;
}

type Row = { number: number; dueDate: string; principalMinor: bigint; interestMinor: bigint; feesMinor: bigint };

/**
 * Re-ages a delinquent loan on `valueDate` (on or before the business date, its latest transaction). In ONE
 * transaction: the position at the end of that day (the engine, in memory) must have arrears (422
 * `re-age-current`); the product rule (US Uniform Retail Credit Classification policy, applied to every loan):
 * the account at least 9 months old (`re-age-account-age`), 3 consecutive minimum monthly payments — in each of
 * the three months up to the value date the repayments at least the smallest installment of the schedule
 * (`re-age-payments`) — and at most once in 12 months and twice in 5 years (`re-age-limit`). Then each
 * installment in arrears gets an installment appended at the end of the schedule, a month apart after the
 * last, with its unpaid principal, interest and fees; the schedule in force is kept as a version; a `re-age`
 * transaction is recorded and the loan replayed: the engine moves the arrears (DPD 0 from that day, the moved
 * interest and fees out of income until earned again), the ledger posts it, DelinquencyChanged goes on the
 * outbox; audited (`loan.re-aged`). Monthly schedules only (`re-age-not-supported`).
 */
export async function reAge(deps: ServicingDeps, request: ReAgeRequest): Promise<Outcome<ReAgeResult>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<ReAgeResult>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorTransaction(client, request.tenantId, request.idempotencyKey, request.requestHash);
    if (prior) return prior.ok ? { ok: true, value: await storedResult(client, loan.id, prior.value), replayed: true } : prior;
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const refused = checkLoan(loan, request.valueDate, businessDate);
    if (refused) return refuse(refused);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const later = transactions.find((t) => t.valueDate > request.valueDate && (t.kind !== 'disbursement' || t.status === 'confirmed'));
    if (later) return refuse(failure('re-age-not-latest', '/valueDate', `must be on or after ${later.valueDate}, the value date of the loan's latest transaction`));
    const frequency = (loan.terms as { frequency?: string } | null)?.frequency;
    if (frequency !== 'monthly') return refuse(failure('re-age-not-supported', '/params/id', `only loans repaid monthly are re-aged (this one: ${frequency ?? 'no terms'})`));
    const schedule = (await scheduleOf(client, [loan.id])).get(loan.id) ?? [];
    const definition = await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
    const product = definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT;
    const run = replayAccount({ schedule: engineSchedule(schedule), product, events: engineEvents(transactions), businessDate: parseIsoDate(request.valueDate) });
    if (!run.ok) return refuse(failure('engine-refused', '/', `${run.error.code}: ${run.error.message}`));
    const position = run.value.state;
    if (position.status !== 'active') return refuse(failure('loan-closed', '/params/id', `On ${request.valueDate} the loan is ${position.status}.`));
    const arrears = arrearsOf(position.installments.filter((i) => i.dueDate <= parseIsoDate(request.valueDate)));
    if (arrears.length === 0) return refuse(failure('re-age-current', '/params/id', `The loan is current on ${request.valueDate}: nothing is past due to re-age.`));
    const minimum = schedule.reduce((min, i) => { const t = i.principalMinor + i.interestMinor + i.feesMinor; return min === undefined || t < min ? t : min; }, undefined as bigint | undefined) ?? 0n;
    const broken = reAgeRuleBroken({ valueDate: request.valueDate, firstDisbursementDate: formatIsoDate(position.firstDisbursementDate!), transactions, minimumPaymentMinor: minimum });
    if (broken) return refuse(failure(broken.rule, '/valueDate', broken.detail));
    const last = schedule.at(-1)!;
    const appended = arrears.map((a, k) => ({ number: last.number + k + 1, dueDate: addMonths(last.dueDate, k + 1), principal: a.principal, interest: a.interest, fees: a.fees }));
    const tx = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 're-age', valueDate: request.valueDate, amountMinor: null, currency: loan.currency, scale: loan.scale,
      reason: request.reason, status: 'posted', requestHash: request.requestHash, createdBy: request.actor, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    const version = await keepVersion(client, loan, schedule, `re-age ${tx.id} on ${request.valueDate}`);
    await appendInstallments(client, loan.id, appended);
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, tx], affectedFrom: request.valueDate, correlationId: request.correlationId, notice: { kind: 'repayment-received', transaction: tx },
    });
    if (!replayed.ok) return replayed;
    const moved = { principal: sum(appended, 'principal'), interest: sum(appended, 'interest'), fees: sum(appended, 'fees') };
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: deps.now(), actor: request.actor, action: 'loan.re-aged', subject: `loan/${loan.id}`, requestId: request.correlationId,
      before: { dpd: position.delinquency.dpd, installments: schedule.length }, after: { transactionId: tx.id, reason: request.reason, dpd: replayed.value.state.delinquency.dpd, scheduleVersion: version, moved: strings(moved), installments: schedule.length + appended.length },
    });
    return { ok: true, value: { transaction: tx, scheduleVersion: version, moved, appended, dpd: replayed.value.state.delinquency.dpd } };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

/**
 * Undoes the loan's re-age while it is the loan's latest transaction (422 `re-age-not-latest` otherwise): in ONE
 * transaction a reversal of it is recorded, the appended installments are removed (the re-aged schedule is kept
 * as a version) and the loan replayed as if it had never been re-aged: contra-entries, the arrears and DPD back,
 * TransactionReversed (`re-age:<id>`, amount what it moved) on the outbox; audited (`loan.re-age-undone`).
 * No re-age standing: 409 `no-re-age`.
 */
export async function undoReAge(deps: ServicingDeps, request: Omit<ReAgeRequest, 'valueDate'>): Promise<Outcome<ReAgeResult>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<Outcome<ReAgeResult>> => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse(failure('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`));
    const prior = await priorTransaction(client, request.tenantId, request.idempotencyKey, request.requestHash);
    if (prior) {
      if (!prior.ok) return prior;
      const target = (await transactionsOf(client, loan.id, { allocations: false })).find((t) => t.id === prior.value.targetId)!;
      return { ok: true, value: { ...(await storedResult(client, loan.id, target)), reversal: prior.value, appended: [] }, replayed: true };
    }
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    const transactions = await transactionsOf(client, loan.id, { allocations: false });
    const reversed = new Set(transactions.filter((t) => t.kind === 'reversal').map((t) => t.targetId));
    const target = transactions.filter((t) => t.kind === 're-age' && !reversed.has(t.id)).at(-1);
    if (!target) return refuse(failure('no-re-age', '/params/id', 'The loan has no re-age to undo.'));
    const latest = transactions.filter((t) => t.kind !== 'disbursement' || t.status === 'confirmed').reduce((a, t) => (t.seq > a.seq ? t : a));
    if (latest.id !== target.id) return refuse(failure('re-age-not-latest', '/params/id', `the re-age is not the loan's latest transaction (${latest.kind} ${latest.id} on ${latest.valueDate} came after it)`));
    const kept = await versionOf(client, loan.id, target.id);
    const schedule = (await scheduleOf(client, [loan.id])).get(loan.id) ?? [];
    const reversal = await insertTransaction(client, {
      id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'reversal', valueDate: businessDate, amountMinor: null, currency: loan.currency, scale: loan.scale,
      targetId: target.id, reason: request.reason, status: 'posted', requestHash: request.requestHash, createdBy: request.actor, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    const version = await keepVersion(client, loan, schedule, `re-age ${target.id} undone by ${reversal.id}`);
    await client.query('DELETE FROM installments WHERE loan_id = $1 AND number > $2', [loan.id, kept.installments]);
    const tail = schedule.filter((i) => i.number > kept.installments);
    const moved = { principal: sum(tail, 'principalMinor'), interest: sum(tail, 'interestMinor'), fees: sum(tail, 'feesMinor') };
    const replayed = await replayLoan(deps, client, {
      loan, businessDate, transactions: [...transactions, reversal], affectedFrom: target.valueDate, correlationId: request.correlationId,
      notice: { kind: 'transaction-reversed', transaction: reversal, target, writtenOffMinor: moved.principal + moved.interest + moved.fees },
    });
    if (!replayed.ok) return replayed;
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: deps.now(), actor: request.actor, action: 'loan.re-age-undone', subject: `loan/${loan.id}`, requestId: request.correlationId,
      before: { reAgeId: target.id, installments: schedule.length }, after: { reversalId: reversal.id, reason: request.reason, dpd: replayed.value.state.delinquency.dpd, installments: kept.installments, scheduleVersion: version },
    });
    return { ok: true, value: { transaction: target, reversal, scheduleVersion: version, moved, appended: [], dpd: replayed.value.state.delinquency.dpd } };
  });
  if (outcome.ok && !outcome.replayed) deps.onOutbox();
  return outcome;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });
const sum = <K extends string>(rows: readonly Record<K, unknown>[], k: K): bigint => rows.reduce((s, r) => s + (r[k] as bigint), 0n);
const strings = (o: Record<string, bigint>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toString()]));

function checkLoan(loan: ServicedLoan, valueDate: string, businessDate: string): ServicingFailure | undefined {
  if (loan.status === 'pending-disbursement') return failure('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
  if (loan.status === 'closed') return failure('loan-closed', '/params/id', 'The loan is closed.');
  if (loan.status === 'charged-off') return failure('loan-charged-off', '/params/id', 'The loan is charged off.');
  if (valueDate > businessDate) return failure('value-date-after-business-date', '/valueDate', `must be on or before the business date ${businessDate}`);
  return undefined;
}

/** Keeps `rows` (the schedule in force) as the loan's next schedule version; returns its number. */
async function keepVersion(client: pg.PoolClient, loan: ServicedLoan, rows: readonly object[], reason: string): Promise<number> {
  const json = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const kept = await client.query<{ version: number }>(
    `INSERT INTO schedule_versions (loan_id, version, anchor_date, installments, reason)
     SELECT $1, coalesce(max(version), 0) + 1, $2::date, $3::jsonb, $4 FROM schedule_versions WHERE loan_id = $1 RETURNING version`, [loan.id, loan.disbursementDate, json, reason]);
  return kept.rows[0]!.version;
}

/** The installments the arrears moved to, after the last; balance after each: the moved principal still ahead. */
async function appendInstallments(client: pg.PoolClient, loanId: string, rows: ReAgeResult['appended']): Promise<void> {
  const after = rows.map((_, k) => rows.slice(k + 1).reduce((s, r) => s + r.principal, 0n));
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT $1, *, 'scheduled' FROM unnest($2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    [loanId, rows.map((r) => r.number), rows.map((r) => r.dueDate), rows.map((r) => r.principal.toString()), rows.map((r) => r.interest.toString()), rows.map((r) => r.fees.toString()),
      rows.map((r) => (r.principal + r.interest + r.fees).toString()), after.map(String)],
  );
}

/** The schedule version a re-age kept (the schedule before it): how many installments it had. */
async function versionOf(client: pg.PoolClient, loanId: string, reAgeId: string): Promise<{ version: number; installments: number }> {
  const { rows } = await client.query<{ version: number; n: number }>(
    `SELECT version, jsonb_array_length(installments) AS n FROM schedule_versions WHERE loan_id = $1 AND reason LIKE $2 ORDER BY version LIMIT 1`, [loanId, `re-age ${reAgeId} on %`]);
  if (!rows[0]) throw new Error(`re-age ${reAgeId} of loan ${loanId} kept no schedule version`);
  return { version: rows[0].version, installments: rows[0].n };
}

/** What a re-age (by its transaction) left, from the schedule versions and the stored state (an Idempotency-Key replay). */
async function storedResult(client: pg.PoolClient, loanId: string, tx: LoanTransaction): Promise<ReAgeResult> {
  const kept = await versionOf(client, loanId, tx.id);
  const rows = ((await scheduleOf(client, [loanId])).get(loanId) ?? []) as readonly Row[];
  const tail = rows.filter((r) => r.number > kept.installments);
  const dpd = (await client.query<{ dpd: number }>(`SELECT (state #>> '{delinquency,dpd}')::int AS dpd FROM loan_servicing WHERE loan_id = $1`, [loanId])).rows[0]?.dpd ?? 0;
  return {
    transaction: tx, scheduleVersion: kept.version, dpd,
    moved: { principal: sum(tail, 'principalMinor'), interest: sum(tail, 'interestMinor'), fees: sum(tail, 'feesMinor') },
    appended: tail.map((r) => ({ number: r.number, dueDate: r.dueDate, principal: r.principalMinor, interest: r.interestMinor, fees: r.feesMinor })),
  };
}

async function priorTransaction(client: pg.PoolClient, tenantId: string, key: string | undefined, requestHash: string): Promise<Outcome<LoanTransaction> | undefined> {
  if (!key) return undefined;
  const prior = await transactionByKey(client, tenantId, key);
  if (!prior) return undefined;
  if (prior.requestHash !== requestHash) return refuse(failure('idempotency-key-reused', '/header/idempotency-key', 'already used with another request'));
  return { ok: true, value: prior, replayed: true };
}
