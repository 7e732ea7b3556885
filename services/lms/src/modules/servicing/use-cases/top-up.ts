import { formatIsoDate, type AccountPayoffQuote } from '@lendstack/loan-engine';
import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { insertTransaction, lockLoan, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { failure, type Outcome, type ServicingFailure } from '../domain/failures.js';
import type { LoanTransaction } from '../domain/servicing.js';
import type { ServicingDeps } from './apply-money-event.js';
import { payoffAt } from './payoff-quote.js';
import { replayLoan } from './replay-loan.js';

// Top-up loans (README, "Top-up"). A loan booked from a LoanApproved naming `topUpOfLoanId` pays that loan off
// from its disbursement: the disbursement request fixes the old loan's payoff on the value date and pays the
// borrower the rest; the payout's confirmation forecloses the old loan with exactly that payoff, funded from
// disbursement-clearing (the engine's foreclosure with fundedBy 'top-up'), in the same transaction as the new
// loan's disbursement posts. Ledger: new loan Dr loan-portfolio principal / Cr disbursement-clearing principal;
// old loan Dr disbursement-clearing payoff / Cr its balances; the payout settles the net: every entry balances
// and disbursement-clearing nets to what the borrower was paid.

/** What a top-up disbursement pays: the old loan's payoff on the value date, and the rest to the borrower. */
export interface TopUpPlan {
  readonly oldLoanId: string;
  readonly payoffMinor: bigint;
  readonly netMinor: bigint;
}

const refuse = (error: ServicingFailure) => ({ ok: false as const, error });

/** The loan a booked loan tops up, if any. */
export async function topUpOf(client: pg.PoolClient, loanId: string): Promise<string | undefined> {
  const row = (await client.query<{ id: string | null }>('SELECT top_up_of_loan_id AS id FROM loan_accounts WHERE id = $1', [loanId])).rows[0];
  return row?.id ?? undefined;
}

/**
 * For a disbursement of a top-up loan (its lock held): locks the old loan and computes its payoff at the end of
 * the value date (payoffAt, what a payoff quote states). Undefined for an ordinary loan. Failures, nothing
 * written: top-up-partial-disbursement (/amount/amount: one tranche of the whole principal), top-up-in-progress
 * (another disbursement is paying the old loan off), top-up-loan-not-active (the old loan is not active on that
 * date), top-up-payoff-exceeds-principal (/amount/amount, the payoff in the problem), engine-refused.
 */
export async function planTopUp(client: pg.PoolClient, loan: ServicedLoan, amountMinor: bigint, valueDate: string): Promise<Outcome<TopUpPlan | undefined>> {
  const oldLoanId = await topUpOf(client, loan.id);
  if (oldLoanId === undefined) return { ok: true, value: undefined };
  if (amountMinor !== loan.principalMinor) {
    return refuse(failure('top-up-partial-disbursement', '/amount/amount', `a top-up loan is disbursed in one tranche of its whole principal ${loan.principalMinor} (it pays off loan ${oldLoanId} first)`));
  }
  const old = await lockLoan(client, loan.tenantId, oldLoanId);
  // Read under the old loan's lock: a concurrent top-up of it has committed its row (or not begun).
  const live = await client.query<{ loan_id: string }>(`SELECT loan_id FROM top_ups WHERE old_loan_id = $1 AND state <> 'failed'`, [oldLoanId]);
  if (live.rows[0]) return refuse(failure('top-up-in-progress', '/params/id', `Loan ${oldLoanId} is already being paid off by the disbursement of loan ${live.rows[0].loan_id}.`));
  if (!old || old.status !== 'active') return refuse(failure('top-up-loan-not-active', '/params/id', `Loan ${oldLoanId}, which this loan tops up, is ${old?.status ?? 'not found'}: only an active loan can be paid off.`));
  const payoff = await payoffAt(client, old, valueDate);
  if (!payoff.ok) {
    if (payoff.error.code === 'nothing-outstanding' || payoff.error.code === 'loan-charged-off') {
      return refuse(failure('top-up-loan-not-active', '/params/id', `Loan ${oldLoanId}, which this loan tops up, cannot be paid off on ${valueDate}: ${payoff.error.message}.`));
    }
    return refuse(failure('engine-refused', '/', `${payoff.error.code}: ${payoff.error.message}`));
  }
  const payoffMinor = payoff.value.total;
  if (payoffMinor === 0n) return refuse(failure('top-up-loan-not-active', '/params/id', `Loan ${oldLoanId} owes nothing on ${valueDate} (its excess covers it): nothing to pay off.`));
  if (payoffMinor >= amountMinor) return refuse(exceeds(loan, oldLoanId, valueDate, amountMinor, payoff.value));
  return { ok: true, value: { oldLoanId, payoffMinor, netMinor: amountMinor - payoffMinor } };
}

/** The refusal of a top-up whose old loan's payoff leaves the borrower nothing, with that payoff in the problem. */
function exceeds(loan: ServicedLoan, oldLoanId: string, valueDate: string, principal: bigint, q: AccountPayoffQuote): ServicingFailure {
  const m = (v: bigint) => ({ amount: v.toString(), currency: loan.currency, scale: loan.scale });
  const p = q.parts;
  const payoff = {
    loanId: oldLoanId, asOf: formatIsoDate(q.asOf), total: m(q.total),
    parts: { principal: m(p.principal), interest: m(p.interest), fees: m(p.fees), penalties: m(p.penalties), prepaymentCharge: m(p.prepaymentCharge), excess: m(p.excess) },
  };
  const detail = `the payoff of loan ${oldLoanId} on ${valueDate}, ${q.total} minor units, is not less than this loan's principal ${principal}: the borrower would receive nothing`;
  return { ...failure('top-up-payoff-exceeds-principal', '/amount/amount', detail), extensions: { payoff } };
}

/** Records the top-up of a pending disbursement (same transaction as the disbursement row). */
export async function recordTopUp(client: pg.PoolClient, disbursement: LoanTransaction, principalMinor: bigint, plan: TopUpPlan): Promise<void> {
  await client.query(
    `INSERT INTO top_ups (disbursement_id, tenant_id, loan_id, old_loan_id, value_date, currency, scale, principal_minor, payoff_minor)
     VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9)`,
    [disbursement.id, disbursement.tenantId, disbursement.loanId, plan.oldLoanId, disbursement.valueDate, disbursement.currency, disbursement.scale, principalMinor.toString(), plan.payoffMinor.toString()],
  );
}

/** A top-up disbursement whose payout failed releases the old loan (another disbursement may pay it off). */
export async function releaseTopUp(client: pg.PoolClient, disbursementId: string): Promise<void> {
  await client.query(`UPDATE top_ups SET state = 'failed' WHERE disbursement_id = $1 AND state = 'pending'`, [disbursementId]);
}

/** Whether the disbursement paid a loan off (a settled top-up). */
export async function paidOff(client: pg.PoolClient, disbursementId: string): Promise<string | undefined> {
  const row = (await client.query<{ old: string }>(`SELECT old_loan_id AS old FROM top_ups WHERE disbursement_id = $1 AND state = 'settled'`, [disbursementId])).rows[0];
  return row?.old;
}

/**
 * On the confirmation of a top-up disbursement (its new loan locked and replayed in the caller's transaction):
 * locks the old loan, records a `foreclosure` of exactly the payoff fixed at the request (channel `top-up`,
 * reference the new loan, Idempotency-Key `top-up:<disbursement id>`), replays it (the engine settles every
 * balance from disbursement-clearing and closes it with reason top-up: LoanClosed on the outbox) and marks the
 * top-up settled. Nothing for an ordinary disbursement or one already settled. Should a backdated change have
 * raised the old loan's payoff since the request, the foreclosure falls short and the old loan stays open with
 * the shortfall (the engine's LoanReopened), as a later change does. Failure: engine-refused.
 */
export async function settleTopUp(deps: ServicingDeps, client: pg.PoolClient, disbursement: LoanTransaction, correlationId: string): Promise<Outcome<LoanTransaction | undefined>> {
  const row = (await client.query<{ old_loan_id: string; payoff: string; value_date: string }>(
    `SELECT old_loan_id, payoff_minor::text AS payoff, to_char(value_date, 'YYYY-MM-DD') AS value_date FROM top_ups WHERE disbursement_id = $1 AND state = 'pending' FOR UPDATE`,
    [disbursement.id],
  )).rows[0];
  if (!row) return { ok: true, value: undefined };
  const old = (await lockLoan(client, disbursement.tenantId, row.old_loan_id))!;
  const transactions = await transactionsOf(client, old.id, { allocations: false });
  const tx = await insertTransaction(client, {
    id: deps.newId(), tenantId: old.tenantId, loanId: old.id, kind: 'foreclosure', valueDate: row.value_date, amountMinor: BigInt(row.payoff), currency: old.currency, scale: old.scale,
    channel: 'top-up', reference: disbursement.loanId, status: 'posted', idempotencyKey: `top-up:${disbursement.id}`, requestHash: `top-up:${disbursement.id}`, createdBy: disbursement.createdBy,
  });
  const businessDate = old.businessDate ?? (await businessDateOf(client, old.tenantId, deps.today));
  const replayed = await replayLoan(deps, client, {
    loan: old, businessDate, transactions: [...transactions, tx], affectedFrom: row.value_date, correlationId, notice: { kind: 'repayment-received', transaction: tx },
  });
  if (!replayed.ok) return replayed;
  await client.query(`UPDATE top_ups SET state = 'settled', foreclosure_id = $2 WHERE disbursement_id = $1`, [disbursement.id, tx.id]);
  return { ok: true, value: tx };
}
