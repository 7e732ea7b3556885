import { describe, expect, it } from 'vitest';
import { buildStatement, decimal, rangeProblem } from './statement.js';

describe('statement domain', () => {
  it('given lines before and inside the range, when built, then opening, running and closing balances follow the ledger', () => {
    const line = (entryId: string, seq: bigint, kind: string, valueDate: string, logicalAccount: string, side: 'debit' | 'credit', amountMinor: bigint) => ({ entryId, seq, kind, effectKey: `${kind}:${seq}`, valueDate, logicalAccount, side, amountMinor });
    const s = buildStatement({
      loanId: 'L1', currency: 'INR', scale: 2, from: '2026-02-01', to: '2026-02-28', scheduleAhead: [],
      openingLines: [{ logicalAccount: 'loan-portfolio', side: 'debit', amountMinor: 1000n }, { logicalAccount: 'disbursement-clearing', side: 'credit', amountMinor: 1000n }],
      lines: [
        line('e2', 2n, 'repayment', '2026-02-10', 'collection-clearing', 'debit', 150n), line('e2', 2n, 'repayment', '2026-02-10', 'loan-portfolio', 'credit', 100n),
        line('e2', 2n, 'repayment', '2026-02-10', 'excess-liability', 'credit', 50n),
        line('e1', 1n, 'interest-accrual', '2026-02-05', 'interest-receivable', 'debit', 7n), line('e1', 1n, 'interest-accrual', '2026-02-05', 'interest-income', 'credit', 7n),
      ],
    });
    expect(s.opening.total).toBe(1000n);
    expect(s.rows.map((r) => [r.entryId, r.amount, r.balance])).toEqual([['e1', 7n, 1007n], ['e2', -150n, 857n]]);
    expect(s.closing).toEqual({ principal: 900n, interest: 7n, fees: 0n, penalties: 0n, excess: 50n, total: 857n });
  });

  it('refuses from after to and more than ten years, naming the query field', () => {
    expect(rangeProblem('2026-02-01', '2026-01-31')?.pointer).toBe('/query/from');
    expect(rangeProblem('2016-01-01', '2026-01-02')?.pointer).toBe('/query/to');
    expect(rangeProblem('2016-01-01', '2026-01-01')).toBeUndefined();
  });

  it('writes minor units as decimals without floats', () => {
    expect([decimal(123456n, 2), decimal(5n, 2), decimal(-5n, 2), decimal(7n, 0)]).toEqual(['1234.56', '0.05', '-0.05', '7']);
  });
});
