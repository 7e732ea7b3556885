import type { Chart, LedgerReader, LedgerWriter } from '../ledger/ports.js';

export type { PayoutPort } from '../payouts/ports.js';

/**
 * The general ledger as servicing uses it (modules/ledger: createPgLedger). Every call runs on the
 * caller's client, inside the caller's transaction, so a loan's state and its journal commit together.
 */
export type LedgerPort = LedgerWriter & LedgerReader & { defaultChart(): Chart };

/** A loan's sub-ledger balances after a change, written to `loan_balances` (the ledger's table). */
export interface LoanBalancesRow {
  readonly loanId: string;
  readonly tenantId: string;
  readonly asOf: string;
  readonly currency: string;
  readonly scale: number;
  readonly principalOutstanding: bigint;
  readonly interestReceivable: bigint;
  readonly feesReceivable: bigint;
  readonly penaltiesReceivable: bigint;
  readonly excess: bigint;
  readonly memoInterest: bigint;
  readonly memoPenalties: bigint;
  readonly principalWrittenOff: bigint;
  readonly recovered: bigint;
}

