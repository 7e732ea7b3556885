import { LEDGER_ACCOUNTS, parseIsoDate as d, type Effect } from '@lendstack/loan-engine';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHART_OF_ACCOUNTS } from '../../products/domain/product.js';
import { ACCOUNT_TYPES, contraLines, defaultChart, differingMonths, effectDigest, effectDigests, sameEffect, validatePostings, type PostingShape } from './ledger.js';
import { buildTrialBalance } from './trial-balance.js';

const accrual = (amount: bigint, key = 'accrual:2027-01-02'): Effect => ({
  key, date: d('2027-01-02'), kind: 'interest-accrual',
  lines: [{ account: 'interest-receivable', side: 'debit', amountMinor: amount }, { account: 'interest-income', side: 'credit', amountMinor: amount }],
});
const posting = (change: Partial<PostingShape> = {}): PostingShape => ({ tenantId: 't', loanId: 'L1', currency: 'INR', scale: 2, chart: defaultChart(), postedOn: '2027-01-02', reverse: [], post: [], ...change });

describe('the ledger rules', () => {
  it('given the products default chart, defaultChart is a copy of it with a type for every account', () => {
    expect(defaultChart()).toEqual(DEFAULT_CHART_OF_ACCOUNTS);
    expect(defaultChart()).not.toBe(DEFAULT_CHART_OF_ACCOUNTS);
    for (const a of LEDGER_ACCOUNTS) expect(ACCOUNT_TYPES[a]).toBeDefined();
  });

  it('accepts a balanced posting and names the first problem of a bad one', () => {
    expect(validatePostings([posting({ post: [accrual(5n)] })])).toBeUndefined();
    expect(validatePostings([posting({ post: [{ ...accrual(5n), lines: [accrual(5n).lines[0]!] }] })])?.code).toBe('unbalanced-effect');
    expect(validatePostings([posting({ post: [{ ...accrual(5n), lines: [...accrual(5n).lines, { account: 'fee-income', side: 'credit', amountMinor: 1n }] }] })])?.code).toBe('unbalanced-effect');
    expect(validatePostings([posting({ post: [accrual(5n), accrual(6n)] })])?.code).toBe('duplicate-effect-key');
    expect(validatePostings([posting({ post: [accrual(5n, 'reversal:x')] })])?.code).toBe('invalid-posting');
    expect(validatePostings([posting({ postedOn: '2027-02-30' })])?.code).toBe('invalid-posting');
    expect(validatePostings([posting({ currency: 'inr' })])?.code).toBe('invalid-posting');
  });

  it('a contra-entry swaps sides; the same effect ignores nothing but GL codes', () => {
    expect(contraLines(accrual(5n).lines).map((l) => l.side)).toEqual(['credit', 'debit']);
    expect(sameEffect(accrual(5n), accrual(5n))).toBe(true);
    expect(sameEffect(accrual(5n), accrual(6n))).toBe(false);
    expect(sameEffect(accrual(5n), { ...accrual(5n), date: d('2027-01-03') })).toBe(false);
  });

  it('a trial balance nets each account into one column, and refuses totals that differ', () => {
    const row = (code: string, debitMinor: bigint, creditMinor: bigint) => ({ currency: 'INR', scale: 2, code, name: code, type: 'asset' as const, debitMinor, creditMinor });
    const ok = buildTrialBalance([row('1100', 300n, 100n), row('1200', 0n, 200n)]);
    expect(ok).toEqual({ ok: true, value: [{ currency: 'INR', scale: 2, accounts: [
      { code: '1100', name: '1100', type: 'asset', debitMinor: 200n, creditMinor: 0n },
      { code: '1200', name: '1200', type: 'asset', debitMinor: 0n, creditMinor: 200n },
    ], totals: { debitMinor: 200n, creditMinor: 200n } }] });
    expect(buildTrialBalance([row('1100', 300n, 100n), row('1200', 0n, 199n)])).toMatchObject({ ok: false, error: { code: 'trial-balance-unbalanced', currency: 'INR' } });
  });
});

describe('effect digests', () => {
  const effect = (key: string, date: string, amountMinor: bigint, kind: Effect['kind'] = 'interest-accrual'): Effect => ({
    key, date: d(date), kind,
    lines: [{ account: 'interest-receivable', side: 'debit', amountMinor }, { account: 'interest-income', side: 'credit', amountMinor }],
  });
  const book = [effect('a:1', '2030-01-05', 100n), effect('a:2', '2030-01-06', 100n), effect('r:1', '2030-02-01', 5_000n, 'repayment'), effect('a:3', '2030-02-02', 99n)];

  it('sums per month and does not depend on order', () => {
    const digests = effectDigests(book);
    expect([...digests.keys()].sort()).toEqual(['2030-01', '2030-02']);
    expect(effectDigests([...book].reverse())).toEqual(digests);
    expect(digests.get('2030-01')).toBe((effectDigest(book[0]!) + effectDigest(book[1]!)).toString());
  });

  it('changes with every part of an effect, and only in its own month', () => {
    const base = effectDigests(book);
    const variants: Effect[] = [
      { ...book[3]!, key: 'a:4' },
      { ...book[3]!, date: d('2030-02-03') },
      { ...book[3]!, kind: 'penal-interest' },
      effect('a:3', '2030-02-02', 98n),
      { ...book[3]!, lines: [...book[3]!.lines].reverse() },
      { ...book[3]!, lines: book[3]!.lines.map((l) => ({ ...l, account: l.account === 'interest-income' ? 'penalty-income' : l.account })) },
    ];
    for (const v of variants) {
      const changed = effectDigests([...book.slice(0, 3), v]);
      expect(differingMonths(base, changed)).toEqual(['2030-02']);
    }
    expect(differingMonths(base, effectDigests(book.slice(0, 2)))).toEqual(['2030-02']);
    expect(differingMonths(base, base)).toEqual([]);
  });

  it('is exact for amounts beyond 2⁵³ and tells them apart', () => {
    const big = 123_456_789_012_345_678n;
    expect(effectDigest(effect('x', '2030-01-01', big))).not.toBe(effectDigest(effect('x', '2030-01-01', big + 1n)));
    expect(effectDigest(effect('x', '2030-01-01', 2n ** 40n))).not.toBe(effectDigest(effect('x', '2030-01-01', 2n ** 40n + 1n)));
  });
});
