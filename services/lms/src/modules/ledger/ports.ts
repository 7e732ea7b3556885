import type { Effect, LedgerAccount } from '@lendstack/loan-engine';
import type pg from 'pg';
import type { AccountTurnover } from './domain/trial-balance.js';

export { defaultChart, LedgerPostingError, type LedgerPostingErrorCode, type Chart } from './domain/ledger.js';

/** One loan's change of books: contra-entries of `reverse`, then entries of `post`. */
export interface LedgerPosting {
  tenantId: string;
  loanId: string;
  currency: string;
  scale: number;
  chart: Record<LedgerAccount, { code: string; name: string }>;
  /** Business date, YYYY-MM-DD. */
  postedOn: string;
  /** Live effects to contra-post (from diffEffects(...).reverse). */
  reverse: readonly Effect[];
  /** New effects to post. */
  post: readonly Effect[];
}

/**
 * Writes inside the CALLER's transaction (`client` has BEGIN'd). Throws LedgerPostingError (and
 * writes nothing) when an effect is unbalanced, a key is live with other lines, or a reversal's
 * target is not live with those lines; the caller should roll back. Idempotent: an effect already
 * live with the same lines, or a reversal already made, is skipped. Entries get the GL codes of
 * `chart` (accounts are created from it when first posted to).
 */
export interface LedgerWriter {
  post(client: pg.PoolClient, posting: LedgerPosting): Promise<{ posted: number; reversed: number }>;
  /** Several loans in the same handful of statements. */
  postBatch(client: pg.PoolClient, postings: readonly LedgerPosting[]): Promise<{ posted: number; reversed: number }>;
  /**
   * End of day's quiet loans: each loan's interest accrual of `day` (key `accrual:<day>`, debit interest
   * receivable, credit interest income), the same entries and digests postBatch writes for that effect, set-based
   * in one statement. Only for effects the caller knows are new (the loan's books stand at the day before): there
   * is no read of stored entries, so an accrual already posted is not skipped but refused by the database (one live
   * entry per loan and key) and the caller's transaction fails. Amounts of 0 post nothing. Returns the entries posted.
   */
  postDailyAccruals(client: pg.PoolClient, batch: DailyAccruals): Promise<number>;
}

export interface DailyAccruals {
  readonly tenantId: string;
  /** Business date, YYYY-MM-DD: the value date and the posting date. */
  readonly day: string;
  readonly rows: readonly { readonly loanId: string; readonly currency: string; readonly scale: number; readonly chart: LedgerPosting['chart']; readonly amountMinor: bigint }[];
}

export interface LedgerReader {
  /** The engine's Effect objects of the loan's live entries (value date ≥ fromDate; only in `months` when given), in (date, key) order. */
  liveEffects(client: pg.PoolClient | pg.Pool, loanId: string, fromDate?: string, months?: readonly string[]): Promise<Effect[]>;
  /** effectDigests of the loan's live effects dated ≥ fromDate, from the digests stored with them: month (YYYY-MM) → sum ('unknown' if any entry has none). */
  liveDigests(client: pg.PoolClient | pg.Pool, loanId: string, fromDate: string): Promise<Map<string, string>>;
}

export interface JournalLineRow {
  readonly lineNo: number;
  readonly accountCode: string;
  readonly logicalAccount: string;
  readonly side: 'debit' | 'credit';
  readonly amountMinor: bigint;
}

export interface JournalEntryRow {
  readonly id: string;
  readonly seq: bigint;
  readonly loanId: string;
  readonly effectKey: string;
  readonly kind: string;
  readonly valueDate: string;
  readonly postedOn: string;
  readonly currency: string;
  readonly scale: number;
  readonly reverses: string | null;
  readonly reversedBy: string | null;
  readonly lines: readonly JournalLineRow[];
}

export interface JournalEntryQuery {
  readonly loanId?: string;
  /** GL account code: entries with at least one line on it. */
  readonly account?: string;
  /** Value date range, inclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Entries with seq below this (the next page, newest first). */
  readonly beforeSeq?: bigint;
  /** At most limit + 1 rows are returned. */
  readonly limit: number;
}

export interface ReconciliationDifference {
  readonly loanId: string;
  readonly account: LedgerAccount;
  readonly currency: string;
  readonly scale: number;
  /** loan_balances when its as_of is the date asked for, else recomputed from the live entries. */
  readonly source: 'loan-balances' | 'journal';
  readonly subLedgerMinor: bigint;
  readonly generalLedgerMinor: bigint;
}

export interface ControlAccountTotal {
  readonly account: LedgerAccount;
  readonly currency: string;
  readonly scale: number;
  readonly subLedgerMinor: bigint;
  readonly generalLedgerMinor: bigint;
}

export interface ReconciliationRows {
  readonly loansCompared: number;
  readonly loansFromBalances: number;
  readonly differenceCount: number;
  /** The largest differences first, at most `limit`. */
  readonly differences: readonly ReconciliationDifference[];
  readonly controlAccounts: readonly ControlAccountTotal[];
}

/** Set-based reads behind the ledger's HTTP API (always one tenant). */
export interface LedgerQueries {
  /** Σ debits and Σ credits per currency and GL account of lines with value date ≤ asOf, by currency then code. */
  accountTurnovers(tenantId: string, asOf: string, currency?: string): Promise<AccountTurnover[]>;
  journalEntries(tenantId: string, query: JournalEntryQuery): Promise<JournalEntryRow[]>;
  reconcile(tenantId: string, asOf: string, limit: number): Promise<ReconciliationRows>;
}
