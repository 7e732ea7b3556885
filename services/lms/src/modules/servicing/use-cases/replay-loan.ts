import { diffEffects, formatIsoDate, parseIsoDate, type AccountResult, type Delinquency, type Effect, type EffectDiff, type PaymentAllocation } from '@lendstack/loan-engine';
import type pg from 'pg';
import {
  findRepaymentAllocation,
  lifecycleEventId,
  loanDisbursedEnvelope,
  repaymentReallocatedEnvelope,
  repaymentReceivedEnvelope,
  toLifecycleEnvelopes,
  transactionReversedEnvelope,
  type LifecycleContext,
  type LifecycleEnvelope,
  type RepaymentChannel,
} from '../../lifecycle/domain/lifecycle-events.js';
import { differingMonths, effectDigests } from '../../ledger/domain/ledger.js';
import { toAccountProduct } from '../../products/domain/product.js';
import {
  balancesRow,
  historyFrom,
  NO_HISTORY_CHANGE,
  outboxIdsPresent,
  productDefinition,
  saveAllocations,
  saveStates,
  scheduleOf,
  storedAllocations,
  type ServicedLoan,
} from '../adapters/servicing.repository.js';
import { onCommit } from '../../../platform/pg-transaction.js';
import { processCheckpoints, replayFromCheckpoint, type KnownInputs, type ReplayCheckpoints } from '../adapters/replay-checkpoints.js';
import { failure, type Outcome } from '../domain/failures.js';
import {
  allocationDigest,
  allocationFromStored,
  carryAllocationDigest,
  DEFAULT_ACCOUNT_PRODUCT,
  engineEvents,
  engineSchedule,
  historyRow,
  maxDate,
  type HistoryRow,
  reallocatedRepayments,
  type LoanTransaction,
} from '../domain/servicing.js';
import type { LedgerPort } from '../ports.js';

export interface ReplayDeps {
  readonly ledger: LedgerPort;
  /** Wall-clock time stamped on outbox envelopes (`occurredAt`); never used for money. */
  readonly now: () => Date;
  /** Engine checkpoints a replay resumes from (default: this process's, adapters/replay-checkpoints.ts). */
  readonly checkpoints?: ReplayCheckpoints;
}

/** The money movement that caused a replay, for its own lifecycle event (stored before the engine's). */
export type TransactionNotice =
  | { readonly kind: 'disbursed'; readonly transaction: LoanTransaction }
  | { readonly kind: 'repayment-received'; readonly transaction: LoanTransaction }
  /** `writtenOffMinor`: the principal an undone write-off had written off, or the arrears an undone re-age moved (its TransactionReversed amount). */
  | { readonly kind: 'transaction-reversed'; readonly transaction: LoanTransaction; readonly target: LoanTransaction; readonly writtenOffMinor?: bigint };

export interface ReplayRequest {
  readonly loan: ServicedLoan;
  readonly businessDate: string;
  /** Every transaction of the loan, the new one included. */
  readonly transactions: readonly LoanTransaction[];
  /** The earliest value date the change affects: delinquency history and events are redone from it. */
  readonly affectedFrom: string;
  /** The transaction that caused the replay: announced first, and the cause of any RepaymentReallocated. */
  readonly notice: TransactionNotice;
  readonly correlationId: string;
  /**
   * The loan's schedule and product version as kept from its last replay (replay-checkpoints.ts), when the
   * caller found them kept for the version it locked and wrote neither since; else they are read.
   */
  readonly known?: Omit<KnownInputs, 'version' | 'transactions'>;
}

/**
 * Replays a locked loan from its schedule, product rules and money events to its business date (or
 * its state's date, if end of day is ahead), then, on the caller's transaction: posts the difference
 * between its live ledger effects and the replay's (contra-entries + new entries), writes its state,
 * balances, delinquency history, the repayments' allocations and the lifecycle events from the
 * affected date on (ids derive from engine keys: one already on the outbox inserts nothing), with a
 * RepaymentReallocated for each repayment already announced whose split the replay changed.
 * The replay resumes from the loan's last engine checkpoint before the affected date when this process
 * keeps one (replay-checkpoints.ts), so the result's effects, events, allocations and delinquency
 * history may start after the loan's beginning (never after the affected date); its state is whole.
 * Failure: engine-refused (naming /valueDate for an event before the first disbursement).
 */
export async function replayLoan(deps: ReplayDeps, client: pg.PoolClient, request: ReplayRequest): Promise<Outcome<AccountResult>> {
  const r = { ...request, affectedFrom: comparedFrom(request.affectedFrom, request.loan.asOf) };
  const { loan } = r;
  const checkpoints = deps.checkpoints ?? processCheckpoints;
  const schedule = r.known?.schedule ?? engineSchedule((await scheduleOf(client, [loan.id])).get(loan.id) ?? []);
  const definition = r.known ? r.known.definition : await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
  const input = {
    schedule,
    product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT,
    events: engineEvents(r.transactions),
    businessDate: parseIsoDate(maxDate(r.businessDate, loan.asOf)),
  };
  // Read before the replay, which drops them until its own transaction commits.
  const known = checkpoints.liveEffects(loan.id, loan.version, parseIsoDate(r.affectedFrom));
  const { replayed, resumedFrom } = replayFromCheckpoint(checkpoints, loan.id, input, parseIsoDate(r.affectedFrom));
  if (!replayed.ok) {
    const pointer = replayed.error.code === 'event-before-disbursement' || replayed.error.code === 'disbursement-after-first-due-date' ? '/valueDate' : '/';
    return { ok: false, error: failure('engine-refused', pointer, `${replayed.error.code}: ${replayed.error.message}`) };
  }
  const result = replayed.value;
  // Everything before the affected date folds exactly as before (same events, same day step), so only
  // the effects and allocations from that date on can differ: compare just those, with what the last
  // replay in this process left on the books if it is still what they hold, else with the books.
  const from = parseIsoDate(r.affectedFrom);
  const next = result.effects.filter((e) => e.date >= from);
  const diff = known !== undefined ? diffEffects(known, next) : await booksDiff(deps, client, loan.id, r.affectedFrom, next);
  if (diff.reverse.length > 0 || diff.post.length > 0) {
    const chart = definition?.chartOfAccounts ?? deps.ledger.defaultChart();
    await deps.ledger.post(client, { tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, chart, postedOn: r.businessDate, reverse: diff.reverse, post: diff.post });
  }
  const allocated = result.allocations.filter((a) => a.date >= from);
  if (r.known) carryDigests(r.known.allocations, allocated);
  const digests = new Map(r.transactions.map((t) => [t.id, t.allocationDigest]));
  const reallocations = await reallocationsOf(client, r, allocated, digests);
  // The last write of the loan's transactions (each moves its servicing version, by trigger), so the
  // version saveStates returns below is the one this transaction commits.
  await saveAllocations(client, allocated, digests);
  const nextHistory = result.delinquencyHistory.map(historyRow).filter((p) => p.fromDate >= r.affectedFrom);
  const kept = r.known?.history;
  const storedHistory = kept !== undefined && kept.from <= r.affectedFrom ? kept.points.filter((p) => p.fromDate >= r.affectedFrom) : await historyFrom(client, loan.id, r.affectedFrom);
  const historyChange = firstHistoryChange(storedHistory, nextHistory);
  // Every engine event from the affected date on is on the outbox once this commits (inserted now or there before).
  const candidates = result.events.filter((e) => e.date >= from);
  const outbox = (await envelopesOf(deps, client, r, result, candidates, reallocations, resumedFrom?.delinquency)).map((e) => ({ id: e.id, key: loan.id, value: e }));
  const saved = await saveStates(client, [{ loanId: loan.id, tenantId: loan.tenantId, snapshot: result.snapshot, state: result.state, historyFrom: historyChange, history: result.delinquencyHistory }], {
    ...(result.state.asOf !== null ? { balances: [balancesRow(loan, result.state)] } : {}),
    outbox,
  });
  // The books now hold the replay's effects from its first day on (older ones were equal), the loan the
  // transactions, schedule and product version replayed, and its servicing row the version saveStates
  // left: believed once this transaction commits.
  const version = saved.get(loan.id)!;
  const books = { version, from: resumedFrom ? resumedFrom.asOf + 1 : Number.NEGATIVE_INFINITY, effects: result.effects };
  const announced = new Set(r.known?.announced);
  for (const e of candidates) announced.add(e.key);
  // The stored history from the affected date on is now the replay's (equal up to historyChange, rewritten from it).
  const inputs = { version, transactions: withDigests(r.transactions, allocated), schedule, definition, allocations: result.allocations, announced, history: { from: r.affectedFrom, points: nextHistory } };
  onCommit(client, () => checkpoints.books(loan.id, books, inputs));
  return { ok: true, value: result };
}

/** Carries each unchanged split's digest over from the last replay's (allocationDigest then does not hash it again). */
function carryDigests(previous: readonly PaymentAllocation[], next: readonly PaymentAllocation[]): void {
  const bySource = new Map<string, PaymentAllocation>();
  for (const a of previous) if (a.kind !== 'excess-applied') bySource.set(a.source, a);
  for (const a of next) {
    const before = a.kind === 'excess-applied' ? undefined : bySource.get(a.source);
    if (before !== undefined) carryAllocationDigest(before, a);
  }
}

/** The transactions as saveAllocations leaves them: each repayment split from the affected date on carries its new digest. */
function withDigests(transactions: readonly LoanTransaction[], allocated: readonly PaymentAllocation[]): LoanTransaction[] {
  const next = new Map<string, string>();
  for (const a of allocated) if (a.kind !== 'excess-applied') next.set(a.source, allocationDigest(a).digest);
  return transactions.map((t) => {
    const digest = next.get(t.id);
    return digest === undefined || digest === t.allocationDigest ? t : { ...t, allocationDigest: digest };
  });
}

/**
 * The difference between the loan's live books from `affectedFrom` on and the replay's effects `next`
 * (dated from it), read month by month: digests first (computed in the database), then in full only
 * the months that differ — a backdated payment on a long loan usually changes a few months of its
 * books, not all that follow.
 */
async function booksDiff(deps: ReplayDeps, client: pg.PoolClient, loanId: string, affectedFrom: string, next: readonly Effect[]): Promise<EffectDiff> {
  const months = differingMonths(await deps.ledger.liveDigests(client, loanId, affectedFrom), effectDigests(next));
  if (months.length === 0) return { reverse: [], post: [] };
  const changed = new Set(months);
  return diffEffects(await deps.ledger.liveEffects(client, loanId, affectedFrom, months), next.filter((e) => changed.has(formatIsoDate(e.date).slice(0, 7))));
}

interface Reallocation {
  readonly previous: PaymentAllocation;
  readonly allocation: PaymentAllocation;
}

/**
 * The repayments already announced whose split this replay changes, with the split stored before it
 * (read before saveAllocations overwrites it). The notice's own repayment is announced by RepaymentReceived.
 */
async function reallocationsOf(client: pg.PoolClient, r: ReplayRequest, allocated: readonly PaymentAllocation[], digests: ReadonlyMap<string, string | null>): Promise<Reallocation[]> {
  const changed = reallocatedRepayments(allocated, digests, new Set([r.notice.transaction.id]));
  const stored = await storedAllocations(client, changed.map((a) => a.source));
  return changed.map((allocation) => {
    const previous = stored.get(allocation.source);
    if (!previous) throw new Error(`repayment ${allocation.source} has an allocation digest but no stored allocation`);
    return { previous: allocationFromStored(allocation.source, previous), allocation };
  });
}

/**
 * Where the replay's comparison with what is stored starts: the affected date, or the day after the
 * loan's stored state if that is earlier — days the loan has not been brought to yet (the business
 * date moved on without end of day) were never posted, so they are new whatever the change; a loan
 * never replayed is compared from its beginning.
 */
export function comparedFrom(affectedFrom: string, storedAsOf: string | null): string {
  if (storedAsOf === null) return FROM_THE_BEGINNING;
  const dayAfter = formatIsoDate(parseIsoDate(storedAsOf) + 1);
  return dayAfter < affectedFrom ? dayAfter : affectedFrom;
}

const FROM_THE_BEGINNING = '1900-01-01';

/**
 * The first date where the replay's delinquency points `next` differ from the `stored` ones (both dated
 * from the affected date on: a point added, removed or changed), so only the history from there is rewritten.
 */
function firstHistoryChange(stored: readonly HistoryRow[], next: readonly HistoryRow[]): string {
  const same = (a: HistoryRow, b: HistoryRow) =>
    a.fromDate === b.fromDate && a.dpd === b.dpd && a.dpdAnchor === b.dpdAnchor && a.usBucket === b.usBucket && a.rbiClass === b.rbiClass && a.npaSince === b.npaSince;
  for (let i = 0; i < Math.max(stored.length, next.length); i += 1) {
    const a = stored[i];
    const b = next[i];
    if (a === undefined || b === undefined || !same(a, b)) return [a?.fromDate, b?.fromDate].filter((d): d is string => d !== undefined).sort()[0]!;
  }
  return NO_HISTORY_CHANGE;
}

/**
 * The lifecycle envelopes of the replay from the affected date on. Their ids derive from engine keys,
 * so those already on the outbox are not built again (building one validates it against its contract).
 */
async function envelopesOf(
  deps: ReplayDeps,
  client: pg.PoolClient,
  r: ReplayRequest,
  result: AccountResult,
  candidates: AccountResult['events'],
  reallocations: readonly Reallocation[],
  delinquencyBefore: Delinquency | undefined,
): Promise<LifecycleEnvelope[]> {
  const { loan } = r;
  const ctx: LifecycleContext = {
    tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, correlationId: r.correlationId,
    causationId: r.notice.transaction.id, occurredAt: deps.now().toISOString(),
  };
  // Those the last replay in this process left on the outbox are neither looked up nor built.
  const unknown = r.known ? candidates.filter((e) => !r.known!.announced.has(e.key)) : candidates;
  const present = await outboxIdsPresent(client, unknown.map((e) => lifecycleEventId(loan.id, e.key)));
  const events = unknown.filter((e) => !present.has(lifecycleEventId(loan.id, e.key)));
  const writeOffReasons = new Map(r.transactions.filter((t) => t.kind === 'write-off').map((t) => [t.id, t.reason ?? '']));
  const engine = toLifecycleEnvelopes({ ...ctx, events, state: result.state, delinquencyHistory: result.delinquencyHistory, writeOffReasons, ...(delinquencyBefore ? { delinquencyBefore } : {}) });
  const businessDate = parseIsoDate(r.businessDate);
  const corrections = reallocations.map((c) => repaymentReallocatedEnvelope(ctx, { ...c, causeTransactionId: r.notice.transaction.id, businessDate }));
  return [...noticeEnvelopes(ctx, r, result), ...corrections, ...engine];
}

function noticeEnvelopes(ctx: LifecycleContext, r: ReplayRequest, result: AccountResult): LifecycleEnvelope[] {
  const n = r.notice;
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
  // An undone write-off or re-age moved no money of its own: its amount is the principal written off, or the arrears moved.
  const reversedAmountMinor = n.target.amountMinor ?? n.writtenOffMinor ?? 0n;
  const reversedKind = n.target.kind === 'disbursement' || n.target.kind === 'write-off' || n.target.kind === 're-age' ? n.target.kind : 'repayment';
  return [transactionReversedEnvelope(ctx, { reversal, reversedAmountMinor, reason: t.reason ?? '', businessDate, reversedKind })];
}
