import { diffEffects, parseIsoDate, replayAccount, type AccountResult } from '@lendstack/loan-engine';
import type pg from 'pg';
import {
  findRepaymentAllocation,
  loanDisbursedEnvelope,
  repaymentReceivedEnvelope,
  toLifecycleEnvelopes,
  transactionReversedEnvelope,
  type LifecycleContext,
  type LifecycleEnvelope,
  type RepaymentChannel,
} from '../../lifecycle/domain/lifecycle-events.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { balancesRow, enqueue, productDefinition, saveAllocations, saveStates, scheduleOf, upsertLoanBalances, type ServicedLoan } from '../adapters/servicing.repository.js';
import { failure, type Outcome } from '../domain/failures.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, maxDate, type LoanTransaction } from '../domain/servicing.js';
import type { LedgerPort } from '../ports.js';

export interface ReplayDeps {
  readonly ledger: LedgerPort;
  /** Wall-clock time stamped on outbox envelopes (`occurredAt`); never used for money. */
  readonly now: () => Date;
}

/** The money movement that caused a replay, for its own lifecycle event (stored before the engine's). */
export type TransactionNotice =
  | { readonly kind: 'disbursed'; readonly transaction: LoanTransaction }
  | { readonly kind: 'repayment-received'; readonly transaction: LoanTransaction }
  | { readonly kind: 'transaction-reversed'; readonly transaction: LoanTransaction; readonly target: LoanTransaction };

export interface ReplayRequest {
  readonly loan: ServicedLoan;
  readonly businessDate: string;
  /** Every transaction of the loan, the new one included. */
  readonly transactions: readonly LoanTransaction[];
  /** The earliest value date the change affects: delinquency history and events are redone from it. */
  readonly affectedFrom: string;
  readonly notice?: TransactionNotice;
  readonly correlationId: string;
}

/**
 * Replays a locked loan from its schedule, product rules and money events to its business date (or
 * its state's date, if end of day is ahead), then, on the caller's transaction: posts the difference
 * between its live ledger effects and the replay's (contra-entries + new entries), writes its state,
 * balances, delinquency history, the repayments' allocations and the lifecycle events from the
 * affected date on (ids derive from engine keys: one already on the outbox inserts nothing).
 * Failure: engine-refused (naming /valueDate for an event before the first disbursement).
 */
export async function replayLoan(deps: ReplayDeps, client: pg.PoolClient, r: ReplayRequest): Promise<Outcome<AccountResult>> {
  const { loan } = r;
  const schedule = engineSchedule((await scheduleOf(client, [loan.id])).get(loan.id) ?? []);
  const definition = await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
  const replayed = replayAccount({
    schedule,
    product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT,
    events: engineEvents(r.transactions),
    businessDate: parseIsoDate(maxDate(r.businessDate, loan.asOf)),
  });
  if (!replayed.ok) {
    const pointer = replayed.error.code === 'event-before-disbursement' || replayed.error.code === 'disbursement-after-first-due-date' ? '/valueDate' : '/';
    return { ok: false, error: failure('engine-refused', pointer, `${replayed.error.code}: ${replayed.error.message}`) };
  }
  const result = replayed.value;
  // Everything before the affected date folds exactly as before (same events, same day step), so only
  // the effects and allocations from that date on can differ: read and compare just those.
  const from = parseIsoDate(r.affectedFrom);
  const diff = diffEffects(await deps.ledger.liveEffects(client, loan.id, r.affectedFrom), result.effects.filter((e) => e.date >= from));
  if (diff.reverse.length > 0 || diff.post.length > 0) {
    const chart = definition?.chartOfAccounts ?? deps.ledger.defaultChart();
    await deps.ledger.post(client, { tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, chart, postedOn: r.businessDate, reverse: diff.reverse, post: diff.post });
  }
  await saveStates(client, [{ loanId: loan.id, tenantId: loan.tenantId, snapshot: result.snapshot, state: result.state, historyFrom: r.affectedFrom, history: result.delinquencyHistory }]);
  await saveAllocations(client, result.allocations.filter((a) => a.date >= from));
  if (result.state.asOf !== null) await upsertLoanBalances(client, [balancesRow(loan, result.state)]);
  await enqueue(client, envelopesOf(deps, r, result).map((e) => ({ id: e.id, key: loan.id, value: e })));
  return { ok: true, value: result };
}

function envelopesOf(deps: ReplayDeps, r: ReplayRequest, result: AccountResult): LifecycleEnvelope[] {
  const { loan } = r;
  const ctx: LifecycleContext = {
    tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, correlationId: r.correlationId,
    ...(r.notice ? { causationId: r.notice.transaction.id } : {}), occurredAt: deps.now().toISOString(),
  };
  const from = parseIsoDate(r.affectedFrom);
  const engine = toLifecycleEnvelopes({ ...ctx, events: result.events.filter((e) => e.date >= from), state: result.state, delinquencyHistory: result.delinquencyHistory });
  return [...noticeEnvelopes(ctx, r, result), ...engine];
}

function noticeEnvelopes(ctx: LifecycleContext, r: ReplayRequest, result: AccountResult): LifecycleEnvelope[] {
  const n = r.notice;
  if (!n) return [];
  const t = n.transaction;
  const businessDate = parseIsoDate(r.businessDate);
  if (n.kind === 'disbursed') {
    const disbursement = { kind: 'disbursement' as const, id: t.id, valueDate: parseIsoDate(t.valueDate), amountMinor: t.amountMinor! };
    return [loanDisbursedEnvelope(ctx, { disbursement, cumulativeDisbursedMinor: result.state.balances.disbursed, payoutReference: t.reference ?? t.id, businessDate })];
  }
  if (n.kind === 'repayment-received') {
    const allocation = findRepaymentAllocation(result.allocations, t.id);
    return allocation ? [repaymentReceivedEnvelope(ctx, { allocation, channel: t.channel as RepaymentChannel, reference: t.reference ?? '', businessDate })] : [];
  }
  const reversal = { kind: 'reversal' as const, id: t.id, targetId: n.target.id, valueDate: parseIsoDate(t.valueDate) };
  return [transactionReversedEnvelope(ctx, { reversal, reversedAmountMinor: n.target.amountMinor!, reason: t.reason ?? '', businessDate })];
}
