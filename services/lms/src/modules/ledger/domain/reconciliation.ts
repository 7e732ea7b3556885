// Which GL control account each sub-ledger figure (loan_balances column) reconciles with, and with
// which sign: the figure = sign × (Σ debits − Σ credits) of the loan's lines on that account.
import type { LedgerAccount } from '@lendstack/loan-engine';

export interface ControlAccount {
  readonly account: LedgerAccount;
  /** Column of loan_balances. */
  readonly column: string;
  readonly sign: 1 | -1;
}

export const CONTROL_ACCOUNTS: readonly ControlAccount[] = [
  { account: 'loan-portfolio', column: 'principal_outstanding', sign: 1 },
  { account: 'interest-receivable', column: 'interest_receivable', sign: 1 },
  { account: 'fees-receivable', column: 'fees_receivable', sign: 1 },
  { account: 'penalties-receivable', column: 'penalties_receivable', sign: 1 },
  { account: 'excess-liability', column: 'excess', sign: -1 },
  { account: 'memo-interest-receivable', column: 'memo_interest', sign: 1 },
  { account: 'memo-interest-suspense', column: 'memo_interest', sign: -1 },
  { account: 'memo-penalties-receivable', column: 'memo_penalties', sign: 1 },
  { account: 'memo-penalties-suspense', column: 'memo_penalties', sign: -1 },
  { account: 'write-off-expense', column: 'principal_written_off', sign: 1 },
  { account: 'recovery-income', column: 'recovered', sign: -1 },
];

/** Bounds of the reconciliation's output. */
export const MAX_RECONCILIATION_DIFFERENCES = 1000;
export const DEFAULT_RECONCILIATION_DIFFERENCES = 100;
