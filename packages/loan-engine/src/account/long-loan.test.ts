import { describe, expect, it } from 'vitest';
import { replayAccount } from './account.js';
import { isBalanced, netBalances } from './diff.js';
import { longLoan } from './long-loan.js';
import { unwrap } from './test-fixtures.js';

describe('a 30-year loan with 360 installments and 1,000 repayments', () => {
  // Not a timing assertion (machines are noisy): bench/account.bench.ts measures it.
  it('replays over ~11,000 days to a balanced ledger that matches the state', () => {
    const input = longLoan();
    const r = unwrap(replayAccount(input));
    expect(r.allocations.filter((a) => a.kind === 'repayment')).toHaveLength(1000);
    expect(r.effects.every(isBalanced)).toBe(true);
    const net = netBalances(r.effects);
    expect(net['loan-portfolio']).toBe(r.state.balances.principalOutstanding);
    expect(net['interest-receivable']).toBe(r.state.balances.interestAccrued);
    expect(net['excess-liability']).toBe(-r.state.balances.excess);
    expect(r.state.asOf).toBe(input.businessDate);
    expect(r.state.status).toBe('closed');
    expect(r.effects.filter((e) => e.kind === 'late-fee')).toHaveLength(9);
  });
});
