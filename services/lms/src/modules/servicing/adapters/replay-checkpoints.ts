// What the last replays of recently changed loans left, kept in this process's memory (nothing
// persisted), so the next backdated repayment or reversal on one of them does less:
// - engine checkpoints: its replay resumes from the loan's last checkpoint before the affected date
//   instead of folding every day from the disbursement. A checkpoint is only a head start:
//   resumeAccount refuses one whose schedule, product or events up to its day are not the loan's now
//   (another process changed the loan, a transaction rolled back), and the replay then starts from
//   the beginning, so a checkpoint never changes a result;
// - the ledger effects the replay left live on the loan's books, believed only after its transaction
//   committed (onCommit) and only while loan_servicing.version is still the one that transaction wrote
//   (every change to a loan's books writes its servicing row in the same transaction: replays, end of
//   day), so the next replay diffs against them instead of reading the books;
// - the replay's inputs and what it left (the loan's transactions, schedule, product version, repayment
//   splits, announced events, stored delinquency history), believed on the same terms: every write of a
//   loan's transactions or schedule moves its servicing version in the same statement (a trigger, whoever
//   writes: migration 20261208000000_servicing_inputs_version), so a version still the one a committed
//   replay wrote means they are what that replay left, and the next request on the loan does not read them.
import type { ProductDefinition } from '@lendstack/contracts';
import { replayAccount, resumeAccount, type AccountCheckpoint, type AccountError, type AccountInput, type AccountResult, type DayNumber, type Effect, type PaymentAllocation, type Result, type ScheduledInstallment } from '@lendstack/loan-engine';
import type { HistoryRow, LoanTransaction } from '../domain/servicing.js';

/** A checkpoint at the end of every December a replay folds. */
export const CHECKPOINT_EVERY_MONTHS = 12;

/**
 * What is kept at most, in installment figures of checkpoints (one checkpoint of a 360-installment loan
 * holds 360) plus ledger effects: tens of MB at most.
 */
export const DEFAULT_MAX_INSTALLMENTS = 300_000;

/** A loan's live ledger effects dated from `from` on, as its books held them at servicing version `version`. */
interface KnownBooks {
  readonly version: number;
  readonly from: DayNumber;
  readonly effects: readonly Effect[];
}

/** What a replay reads besides the books, as the loan held them at servicing version `version`. */
export interface KnownInputs {
  readonly version: number;
  /** Every transaction of the loan in order, as transactionsOf reads them for a replay (allocation JSON left out). */
  readonly transactions: readonly LoanTransaction[];
  readonly schedule: readonly ScheduledInstallment[];
  readonly definition: ProductDefinition | undefined;
  /** The repayments' splits that replay computed (their digests are known: an equal split is not hashed again). */
  readonly allocations: readonly PaymentAllocation[];
  /** Keys of engine events whose lifecycle envelopes are on the outbox (not looked up or built again). */
  readonly announced: ReadonlySet<string>;
  /** The loan's delinquency history points dated from `from` on, as stored (historyFrom's rows). */
  readonly history: { readonly from: string; readonly points: readonly HistoryRow[] };
}

interface Kept {
  readonly checkpoints: readonly AccountCheckpoint[];
  readonly books?: KnownBooks;
  readonly inputs?: KnownInputs;
}

export class ReplayCheckpoints {
  /** Least recently used first (a Map keeps insertion order; a use re-inserts). */
  private readonly loans = new Map<string, Kept>();
  private held = 0;

  constructor(private readonly maxInstallments = DEFAULT_MAX_INSTALLMENTS) {}

  /** The loan's latest checkpoint dated before `day` (undefined: none kept). */
  before(loanId: string, day: DayNumber): AccountCheckpoint | undefined {
    const kept = this.loans.get(loanId)?.checkpoints;
    if (kept === undefined) return undefined;
    for (let i = kept.length - 1; i >= 0; i -= 1) if ((kept[i] as AccountCheckpoint).asOf < day) return kept[i];
    return undefined;
  }

  /**
   * After a replay resumed from `from` (undefined: from the beginning) took `taken`: the checkpoints up
   * to `from` stay (the replay found the events up to it unchanged), those after it are replaced, and
   * the books kept for the loan are dropped until confirmed again (books()).
   */
  remember(loanId: string, from: AccountCheckpoint | undefined, taken: readonly AccountCheckpoint[]): void {
    const kept = from === undefined ? [] : (this.loans.get(loanId)?.checkpoints ?? []).filter((c) => c.asOf <= from.asOf);
    this.put(loanId, { checkpoints: [...kept, ...taken] });
  }

  /**
   * After the transaction that left the loan's books at `books` (and its servicing row at books.version)
   * committed, with the inputs it left (`inputs.version` is the same version).
   */
  books(loanId: string, books: KnownBooks, inputs?: KnownInputs): void {
    if (inputs !== undefined && inputs.version !== books.version) throw new Error(`inputs at version ${inputs.version} kept with books at ${books.version}`);
    this.put(loanId, { checkpoints: this.loans.get(loanId)?.checkpoints ?? [], books, ...(inputs ? { inputs } : {}) });
  }

  /** The loan's transactions, schedule and product version, if kept for the servicing version it has now (read under its row lock). */
  inputs(loanId: string, version: number): KnownInputs | undefined {
    const inputs = this.loans.get(loanId)?.inputs;
    return inputs !== undefined && inputs.version === version ? inputs : undefined;
  }

  /**
   * The loan's live ledger effects dated from `from` on, if kept for the servicing version it has now
   * (`version`, read under its row lock); undefined otherwise (read the books).
   */
  liveEffects(loanId: string, version: number, from: DayNumber): readonly Effect[] | undefined {
    const books = this.loans.get(loanId)?.books;
    if (books === undefined || books.version !== version || from < books.from) return undefined;
    return books.effects.filter((e) => e.date >= from);
  }

  forget(loanId: string): void {
    const kept = this.loans.get(loanId);
    if (kept === undefined) return;
    this.held -= cost(kept);
    this.loans.delete(loanId);
  }

  /** Installment figures and effects held now. */
  get size(): number {
    return this.held;
  }

  private put(loanId: string, next: Kept): void {
    this.forget(loanId);
    if (next.checkpoints.length === 0 && next.books === undefined) return;
    this.loans.set(loanId, next);
    this.held += cost(next);
    for (const [id] of this.loans) {
      if (this.held <= this.maxInstallments || id === loanId) break;
      this.forget(id);
    }
  }
}

const cost = (kept: Kept) =>
  kept.checkpoints.reduce((s, c) => s + c.size, 0) + (kept.books?.effects.length ?? 0) + (kept.inputs ? kept.inputs.transactions.length + kept.inputs.schedule.length + kept.inputs.allocations.length + kept.inputs.announced.size + kept.inputs.history.points.length : 0);

/** This process's checkpoints (replayLoan's default). */
export const processCheckpoints = new ReplayCheckpoints();

/**
 * The loan replayed through input.businessDate, resumed from its latest checkpoint before `affectedFrom`
 * when one is kept and still fits (`resumedFrom`: then the result's effects, events, allocations and
 * history are only those after resumedFrom.asOf, all the caller reads, being from affectedFrom on);
 * the checkpoints the run took are kept for the next replay.
 */
export function replayFromCheckpoint(
  checkpoints: ReplayCheckpoints,
  loanId: string,
  input: AccountInput,
  affectedFrom: DayNumber,
): { readonly replayed: Result<AccountResult, AccountError>; readonly resumedFrom?: AccountCheckpoint } {
  const options = { checkpointEveryMonths: CHECKPOINT_EVERY_MONTHS };
  const from = checkpoints.before(loanId, affectedFrom);
  if (from !== undefined) {
    const resumed = resumeAccount(from, input, options);
    if (resumed.ok) {
      checkpoints.remember(loanId, from, resumed.value.checkpoints ?? []);
      return { replayed: resumed, resumedFrom: from };
    }
    checkpoints.forget(loanId);
    if (resumed.error.code !== 'checkpoint-mismatch') return { replayed: resumed };
  }
  const replayed = replayAccount(input, options);
  if (replayed.ok) checkpoints.remember(loanId, undefined, replayed.value.checkpoints ?? []);
  return { replayed };
}
