// A trial balance from per-account debit and credit sums: each account's NET balance in the
// debit or the credit column, and the totals of both, which must agree.
import type { AccountType } from './ledger.js';

export interface AccountTurnover {
  readonly currency: string;
  readonly scale: number;
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly debitMinor: bigint;
  readonly creditMinor: bigint;
}

export interface TrialBalanceLine {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly debitMinor: bigint;
  readonly creditMinor: bigint;
}

export interface CurrencyTrialBalance {
  readonly currency: string;
  readonly scale: number;
  readonly accounts: readonly TrialBalanceLine[];
  readonly totals: { readonly debitMinor: bigint; readonly creditMinor: bigint };
}

export type TrialBalanceResult =
  | { readonly ok: true; readonly value: CurrencyTrialBalance[] }
  | { readonly ok: false; readonly error: { readonly code: 'trial-balance-unbalanced'; readonly currency: string; readonly debitMinor: bigint; readonly creditMinor: bigint } };

/** Groups by currency (in the order given), nets each account; an account netting to zero stays listed. */
export function buildTrialBalance(rows: readonly AccountTurnover[]): TrialBalanceResult {
  const groups = new Map<string, { scale: number; accounts: TrialBalanceLine[]; debit: bigint; credit: bigint }>();
  for (const r of rows) {
    let g = groups.get(r.currency);
    if (!g) groups.set(r.currency, (g = { scale: r.scale, accounts: [], debit: 0n, credit: 0n }));
    const net = r.debitMinor - r.creditMinor;
    const line = { code: r.code, name: r.name, type: r.type, debitMinor: net > 0n ? net : 0n, creditMinor: net < 0n ? -net : 0n };
    g.accounts.push(line);
    g.debit += line.debitMinor;
    g.credit += line.creditMinor;
  }
  const value: CurrencyTrialBalance[] = [];
  for (const [currency, g] of groups) {
    if (g.debit !== g.credit) return { ok: false, error: { code: 'trial-balance-unbalanced', currency, debitMinor: g.debit, creditMinor: g.credit } };
    value.push({ currency, scale: g.scale, accounts: g.accounts, totals: { debitMinor: g.debit, creditMinor: g.credit } });
  }
  return { ok: true, value };
}
