// A loan's account statement, pure: the borrower's balances before the range, each ledger entry in it
// with the running balance, and the balances at its end. Everything comes from the general ledger
// (journal lines, reversals included as their contra-lines), so a statement for any past range
// reproduces the balances the books held at both ends, whatever today's state is.

/** The borrower-facing balances (minor units), read from the loan's receivable and excess accounts. */
export interface StatementBalances {
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly penalties: bigint;
  readonly excess: bigint;
  /** principal + interest + fees + penalties − excess: what the borrower owes. */
  readonly total: bigint;
}

export interface LedgerLine {
  readonly entryId: string;
  readonly seq: bigint;
  readonly kind: string;
  readonly effectKey: string;
  readonly valueDate: string;
  readonly logicalAccount: string;
  readonly side: 'debit' | 'credit';
  readonly amountMinor: bigint;
}

export interface StatementRow {
  readonly date: string;
  readonly entryId: string;
  readonly kind: string;
  readonly description: string;
  /** Change of each balance by this entry (positive: the borrower owes more). */
  readonly change: Omit<StatementBalances, 'total'>;
  readonly amount: bigint;
  readonly balance: bigint;
}

export interface ScheduleRow {
  readonly number: number;
  readonly dueDate: string;
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly total: bigint;
  readonly balanceAfter: bigint;
}

export interface Statement {
  readonly loanId: string;
  readonly currency: string;
  readonly scale: number;
  readonly from: string;
  readonly to: string;
  readonly opening: StatementBalances;
  readonly rows: readonly StatementRow[];
  readonly closing: StatementBalances;
  readonly scheduleAhead: readonly ScheduleRow[];
}

/** Logical account → the balance it feeds and its sign for the borrower (receivables debit-normal, excess credit-normal). */
const FEEDS: Readonly<Record<string, { readonly field: keyof Omit<StatementBalances, 'total'>; readonly debitSign: 1n | -1n }>> = {
  'loan-portfolio': { field: 'principal', debitSign: 1n },
  'interest-receivable': { field: 'interest', debitSign: 1n },
  'fees-receivable': { field: 'fees', debitSign: 1n },
  'penalties-receivable': { field: 'penalties', debitSign: 1n },
  'excess-liability': { field: 'excess', debitSign: -1n },
};

export const ZERO_BALANCES: StatementBalances = { principal: 0n, interest: 0n, fees: 0n, penalties: 0n, excess: 0n, total: 0n };

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  disbursement: 'Disbursement', repayment: 'Repayment', accrual: 'Interest accrued', 'interest-accrual': 'Interest accrued',
  'due': 'Instalment due', fee: 'Fee charged', penalty: 'Penalty charged', 'charge-off': 'Charged off', recovery: 'Recovery',
};

/** Adds one line's effect to `b` (or subtracts it: `sign` −1 for taking lines out). */
export function applyLine(b: StatementBalances, line: Pick<LedgerLine, 'logicalAccount' | 'side' | 'amountMinor'>): StatementBalances {
  const feed = FEEDS[line.logicalAccount];
  if (!feed) return b;
  const delta = (line.side === 'debit' ? feed.debitSign : -feed.debitSign) * line.amountMinor;
  const next = { ...b, [feed.field]: b[feed.field] + delta };
  return { ...next, total: next.principal + next.interest + next.fees + next.penalties - next.excess };
}

/** Opening balances from summed lines before the range; one row per entry in the range, in posting order. */
export function buildStatement(input: {
  readonly loanId: string; readonly currency: string; readonly scale: number; readonly from: string; readonly to: string;
  readonly openingLines: readonly Pick<LedgerLine, 'logicalAccount' | 'side' | 'amountMinor'>[];
  readonly lines: readonly LedgerLine[];
  readonly scheduleAhead: readonly ScheduleRow[];
}): Statement {
  const opening = input.openingLines.reduce(applyLine, ZERO_BALANCES);
  const byEntry = new Map<string, LedgerLine[]>();
  for (const l of [...input.lines].sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : Number(a.seq - b.seq)))) {
    const group = byEntry.get(l.entryId) ?? [];
    group.push(l);
    byEntry.set(l.entryId, group);
  }
  let running = opening;
  const rows: StatementRow[] = [];
  for (const [entryId, group] of byEntry) {
    const after = group.reduce(applyLine, running);
    const change = { principal: after.principal - running.principal, interest: after.interest - running.interest, fees: after.fees - running.fees, penalties: after.penalties - running.penalties, excess: after.excess - running.excess };
    const first = group[0]!;
    if (Object.values(change).some((v) => v !== 0n)) {
      rows.push({ date: first.valueDate, entryId, kind: first.kind, description: describe(first), change, amount: after.total - running.total, balance: after.total });
    }
    running = after;
  }
  return { loanId: input.loanId, currency: input.currency, scale: input.scale, from: input.from, to: input.to, opening, rows, closing: running, scheduleAhead: input.scheduleAhead };
}

function describe(line: LedgerLine): string {
  const base = DESCRIPTIONS[line.kind] ?? line.kind.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return line.effectKey.startsWith('reversal:') ? `Reversal: ${base.toLowerCase()}` : base;
}

/** A range the statement refuses: more than ten years, or from after to (the query field it names). */
export function rangeProblem(from: string, to: string): { readonly pointer: string; readonly detail: string } | undefined {
  if (from > to) return { pointer: '/query/from', detail: `from ${from} is after to ${to}` };
  const limit = new Date(`${from}T00:00:00Z`);
  limit.setUTCFullYear(limit.getUTCFullYear() + 10);
  if (to > limit.toISOString().slice(0, 10)) return { pointer: '/query/to', detail: `a statement covers at most ten years (to at most ${limit.toISOString().slice(0, 10)})` };
  return undefined;
}

/** "123456" minor units at scale 2 → "1234.56" (no float). */
export function decimal(minor: bigint, scale: number): string {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${whole}` : whole;
}
