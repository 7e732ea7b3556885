// The general ledger's rules, pure: account types, what a valid posting is, when a stored entry is
// the same effect, and the contra-entry of one. The adapters do the I/O; the database re-checks
// balance, immutability and "one live entry per key" (migration 20261201030000_ledger).
import { formatIsoDate, isBalanced, LEDGER_ACCOUNTS, tryParseIsoDate, type Effect, type LedgerAccount, type PostingLine } from '@lendstack/loan-engine';
import { DEFAULT_CHART_OF_ACCOUNTS } from '../../products/domain/product.js';

export type Chart = Record<LedgerAccount, { readonly code: string; readonly name: string }>;
export type AccountType = 'asset' | 'liability' | 'income' | 'expense' | 'memo';
export type Side = PostingLine['side'];

/** A fresh copy of the products module's default chart (1xxx assets … 9xxx memo). */
export function defaultChart(): Chart {
  return Object.fromEntries(LEDGER_ACCOUNTS.map((a) => [a, { ...DEFAULT_CHART_OF_ACCOUNTS[a] }])) as Chart;
}

/**
 * Type and normal side of each logical account. Clearing accounts are assets (cash in transit);
 * memo receivables are debit-normal and their suspense accounts credit-normal, so the memorandum
 * balances on its own and the trial balance still sums to zero.
 */
export const ACCOUNT_TYPES: Readonly<Record<LedgerAccount, { readonly type: AccountType; readonly normalSide: Side }>> = {
  'loan-portfolio': { type: 'asset', normalSide: 'debit' },
  'interest-receivable': { type: 'asset', normalSide: 'debit' },
  'fees-receivable': { type: 'asset', normalSide: 'debit' },
  'penalties-receivable': { type: 'asset', normalSide: 'debit' },
  'disbursement-clearing': { type: 'asset', normalSide: 'debit' },
  'collection-clearing': { type: 'asset', normalSide: 'debit' },
  'excess-liability': { type: 'liability', normalSide: 'credit' },
  'interest-income': { type: 'income', normalSide: 'credit' },
  'fee-income': { type: 'income', normalSide: 'credit' },
  'penalty-income': { type: 'income', normalSide: 'credit' },
  'recovery-income': { type: 'income', normalSide: 'credit' },
  'write-off-expense': { type: 'expense', normalSide: 'debit' },
  'memo-interest-receivable': { type: 'memo', normalSide: 'debit' },
  'memo-interest-suspense': { type: 'memo', normalSide: 'credit' },
  'memo-penalties-receivable': { type: 'memo', normalSide: 'debit' },
  'memo-penalties-suspense': { type: 'memo', normalSide: 'credit' },
};

export const REVERSAL_PREFIX = 'reversal:';

export type LedgerPostingErrorCode =
  /** The posting's tenant, loan, currency, scale, business date or chart is malformed. */
  | 'invalid-posting'
  /** An effect with no lines, a line ≤ 0, or debits ≠ credits. */
  | 'unbalanced-effect'
  /** The same effect key twice for one loan in one `post` (or `reverse`) list. */
  | 'duplicate-effect-key'
  /** `post` names a key that is live with other lines: the caller must reverse it first. */
  | 'live-effect-differs'
  /** `reverse` names an effect that is neither live with those lines nor already reversed. */
  | 'reversal-target-not-live';

/** A posting the writer refuses; nothing of the batch is written (the caller's transaction should roll back). */
export class LedgerPostingError extends Error {
  constructor(
    readonly code: LedgerPostingErrorCode,
    message: string,
    readonly loanId?: string,
    readonly effectKey?: string,
  ) {
    super(message);
    this.name = 'LedgerPostingError';
  }
}

/** What `validatePosting` needs of a posting (ports.ts's LedgerPosting). */
export interface PostingShape {
  readonly tenantId: string;
  readonly loanId: string;
  readonly currency: string;
  readonly scale: number;
  readonly chart: Chart;
  readonly postedOn: string;
  readonly reverse: readonly Effect[];
  readonly post: readonly Effect[];
}

/** The first reason the batch cannot be posted, or undefined. Checked before anything is written. */
export function validatePostings(postings: readonly PostingShape[]): LedgerPostingError | undefined {
  const seen = { post: new Set<string>(), reverse: new Set<string>() };
  for (const p of postings) {
    const problem = validateHeader(p);
    if (problem) return new LedgerPostingError('invalid-posting', problem, p.loanId);
    for (const list of ['reverse', 'post'] as const) {
      for (const e of p[list]) {
        if (typeof e.key !== 'string' || e.key.length === 0 || e.key.length > 200 || e.key.startsWith(REVERSAL_PREFIX) || !Number.isInteger(e.date)) {
          return new LedgerPostingError('invalid-posting', `effect key ${JSON.stringify(e.key)} or its date is not valid`, p.loanId, e.key);
        }
        if (e.lines.length < 2 || !isBalanced(e) || e.lines.some((l) => !(l.account in ACCOUNT_TYPES))) {
          return new LedgerPostingError('unbalanced-effect', `effect ${e.key} is not balanced (debits must equal credits, every line > 0)`, p.loanId, e.key);
        }
        const id = `${p.loanId}\u0000${e.key}`;
        if (seen[list].has(id)) return new LedgerPostingError('duplicate-effect-key', `effect ${e.key} appears twice in ${list}`, p.loanId, e.key);
        seen[list].add(id);
      }
    }
  }
  return undefined;
}

function validateHeader(p: PostingShape): string | undefined {
  if (!p.tenantId || !p.loanId || p.loanId.length > 64) return 'tenantId and loanId (at most 64 characters) are required';
  if (!/^[A-Z]{3}$/.test(p.currency)) return `currency ${p.currency} is not an ISO 4217 code`;
  if (!Number.isInteger(p.scale) || p.scale < 0 || p.scale > 18) return `scale ${p.scale} is not 0..18`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(p.postedOn) || tryParseIsoDate(p.postedOn) === undefined) return `postedOn ${p.postedOn} is not a YYYY-MM-DD date`;
  for (const a of LEDGER_ACCOUNTS) if (!p.chart[a]?.code || !p.chart[a]?.name) return `chart has no code and name for ${a}`;
  return undefined;
}

/** Same effect as far as the books go: date, kind and the lines in order (GL codes may differ by chart version). */
export function sameEffect(a: Effect, b: Effect): boolean {
  if (a.date !== b.date || a.kind !== b.kind || a.lines.length !== b.lines.length) return false;
  return a.lines.every((l, i) => {
    const m = b.lines[i]!;
    return l.account === m.account && l.side === m.side && l.amountMinor === m.amountMinor;
  });
}

/** The lines of a contra-entry: the same accounts and amounts with the sides swapped. */
export function contraLines(lines: readonly PostingLine[]): PostingLine[] {
  return lines.map((l) => ({ account: l.account, side: l.side === 'debit' ? 'credit' : 'debit', amountMinor: l.amountMinor }));
}

/**
 * An effect's digest: a 64-bit hash (two 32-bit lanes, murmur-style mixing) of its key, value date,
 * kind and lines (account, side, amount), stored as a signed bigint with each original journal entry
 * (journal_entries.digest) when it is posted. Not cryptographic: it guards against our own
 * differences (the books and a replay), not against a forger, and costs well under a microsecond.
 */
export function effectDigest(e: Effect): bigint {
  const [hi, lo] = digestLanes(e);
  return BigInt(hi) * 4_294_967_296n + BigInt(lo);
}

const M1 = 2_654_435_761;
const M2 = 1_597_334_677;

/** [high lane as a signed 32-bit integer, low lane unsigned]: digest = high · 2³² + low. */
function digestLanes(e: Effect): [number, number] {
  // Fields in order, each string preceded by its length and each amount as two 32-bit words
  // (amounts are positive and below 10¹⁸; one beyond 2⁵³ is hashed as its decimal text).
  let h1 = 0xdeadbeef ^ e.key.length;
  let h2 = 0x41c6ce57 ^ e.key.length;
  for (let i = 0; i < e.key.length; i += 1) {
    const c = e.key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, M1);
    h2 = Math.imul(h2 ^ c, M2);
  }
  const words: (number | string)[] = [e.date, e.kind, e.lines.length];
  for (const l of e.lines) {
    const n = Number(l.amountMinor);
    words.push(l.account, l.side === 'debit' ? 1 : 2);
    if (Number.isSafeInteger(n)) words.push(n % 4_294_967_296, Math.floor(n / 4_294_967_296));
    else words.push(l.amountMinor.toString());
  }
  for (const w of words) {
    if (typeof w === 'number') {
      h1 = Math.imul(h1 ^ w, M1);
      h2 = Math.imul(h2 ^ w, M2);
      continue;
    }
    h1 = Math.imul(h1 ^ w.length, M1);
    h2 = Math.imul(h2 ^ w.length, M2);
    for (let i = 0; i < w.length; i += 1) {
      const c = w.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, M1);
      h2 = Math.imul(h2 ^ c, M2);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507) ^ Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507) ^ Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
  return [h2 | 0, h1 >>> 0];
}

/**
 * Per month of value date (YYYY-MM), the exact sum of the effects' digests, as text: order-free, so
 * the database sums the stored digests of the live entries (pg-ledger.repository.ts, liveDigests) and
 * a replay compares its effects with the books month by month, reading in full only the months that
 * differ. The lanes are summed apart (exact in a double below 2²¹ effects a month) and joined once.
 */
export function effectDigests(effects: readonly Effect[]): Map<string, string> {
  const sums = new Map<string, [number, number]>();
  const monthOf = new Map<number, string>();
  for (const e of effects) {
    let month = monthOf.get(e.date);
    if (month === undefined) {
      month = formatIsoDate(e.date).slice(0, 7);
      monthOf.set(e.date, month);
    }
    const [hi, lo] = digestLanes(e);
    const sum = sums.get(month);
    if (sum) {
      sum[0] += hi;
      sum[1] += lo;
    } else sums.set(month, [hi, lo]);
  }
  return new Map([...sums].map(([m, [hi, lo]]) => [m, (BigInt(hi) * 4_294_967_296n + BigInt(lo)).toString()]));
}

/** Months whose digests differ (present on one side only, or with another digest). */
export function differingMonths(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const months = new Set([...a.keys(), ...b.keys()]);
  return [...months].filter((m) => a.get(m) !== b.get(m)).sort();
}
