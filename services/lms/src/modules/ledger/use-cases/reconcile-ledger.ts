import type { LedgerQueries, ReconciliationRows } from '../ports.js';

export interface ReconcileLedgerDeps {
  readonly queries: Pick<LedgerQueries, 'reconcile'>;
  readonly log: { warn(obj: object, msg: string): void };
}

/**
 * Loans' sub-ledger vs the GL control accounts as of a value date. For loans whose loan_balances row
 * is as of that date (the current business date) the comparison is exact against what servicing
 * stored; for other loans (earlier dates) the sub-ledger side is recomputed from the loan's live
 * journal entries, so a difference there means a broken entry (a contra-entry that does not mirror
 * its original, or lines on the wrong account). Differences are logged as a warning and returned.
 */
export async function reconcileLedger(deps: ReconcileLedgerDeps, tenantId: string, asOf: string, limit: number): Promise<ReconciliationRows> {
  const result = await deps.queries.reconcile(tenantId, asOf, limit);
  if (result.differenceCount > 0) deps.log.warn({ alert: 'ledger-reconciliation-differences', tenantId, asOf, differences: result.differenceCount }, 'sub-ledger and general ledger differ');
  return result;
}
