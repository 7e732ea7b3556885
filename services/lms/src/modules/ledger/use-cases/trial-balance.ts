import { buildTrialBalance, type CurrencyTrialBalance } from '../domain/trial-balance.js';
import type { LedgerQueries } from '../ports.js';

export interface TrialBalanceDeps {
  readonly queries: Pick<LedgerQueries, 'accountTurnovers'>;
  readonly log: { error(obj: object, msg: string): void };
}

/**
 * The tenant's trial balance as of a value date, per currency. Totals of debits and credits must
 * agree: a difference means the books are broken (the database refuses unbalanced entries), so it
 * is logged loudly and thrown (a 500), never returned.
 */
export async function trialBalance(deps: TrialBalanceDeps, tenantId: string, asOf: string, currency?: string): Promise<CurrencyTrialBalance[]> {
  const result = buildTrialBalance(await deps.queries.accountTurnovers(tenantId, asOf, currency));
  if (!result.ok) {
    const { currency: unbalanced, debitMinor, creditMinor } = result.error;
    deps.log.error({ alert: 'ledger-trial-balance-unbalanced', tenantId, asOf, currency: unbalanced, debitMinor: debitMinor.toString(), creditMinor: creditMinor.toString() }, 'GENERAL LEDGER OUT OF BALANCE: trial balance debits differ from credits');
    throw new Error(`trial balance of ${tenantId} in ${unbalanced} as of ${asOf} does not balance: debits ${debitMinor}, credits ${creditMinor}`);
  }
  return result.value;
}
