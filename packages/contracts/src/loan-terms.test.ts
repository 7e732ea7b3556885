import { formatIsoDate, LOAN_DATE_RANGE, parseIsoDate } from '@lendstack/loan-engine';
import { describe, expect, it } from 'vitest';
import { checkBookable, type LoanTermsV1 } from './bookable.js';
import { LOAN_DATE_PATTERN, loanDateSchema } from './loan-terms.js';
import { moneySchema } from './money.js';

describe('loan dates', () => {
  it('the JSON Schema pattern accepts exactly the dates the engine calendar accepts (1890 to 3010, every day)', () => {
    const pattern = new RegExp(LOAN_DATE_PATTERN);
    const schema = loanDateSchema();
    const mismatches: string[] = [];
    for (let day = parseIsoDate('1890-01-01'); day <= parseIsoDate('3010-01-01'); day += 1) {
      const date = formatIsoDate(day);
      if (pattern.test(date) !== schema.safeParse(date).success) mismatches.push(date);
    }
    expect(mismatches).toEqual([]);
    expect(LOAN_DATE_RANGE).toEqual({ min: '1900-01-01', max: '2999-12-31' });
  });

  it.each(['1900-02-29', '2100-02-29', '2023-02-29', '2024-04-31', '9999-12-31'])('refuses %s', (date) => {
    expect(new RegExp(LOAN_DATE_PATTERN).test(date)).toBe(false);
  });
});

describe('money', () => {
  it.each([
    [{ amount: '1', currency: 'JPY', scale: 0 }, true],
    [{ amount: '1', currency: 'KWD', scale: 3 }, true],
    [{ amount: '999999999999999999', currency: 'INR', scale: 2 }, true],
    [{ amount: '1000000000000000000', currency: 'INR', scale: 2 }, false],
    [{ amount: '9223372036854775808', currency: 'INR', scale: 2 }, false],
    [{ amount: '1', currency: 'JPY', scale: 2 }, false],
    [{ amount: '1', currency: 'XXX', scale: 2 }, false],
    [{ amount: '1', currency: 'ZZZ', scale: 2 }, false],
    [{ amount: '1', currency: 'BTC', scale: 2 }, false],
  ])('%j valid: %s', (money, valid) => {
    expect(moneySchema.safeParse(money).success).toBe(valid);
  });

  it('names the scale when it is not the currency’s own', () => {
    const result = moneySchema.safeParse({ amount: '1', currency: 'KWD', scale: 2 });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['scale', 'scale must be 3 for KWD']]);
  });
});

describe('checkBookable', () => {
  const terms: LoanTermsV1 = {
    productCode: 'PL',
    principal: { amount: '50000000', currency: 'INR', scale: 2 },
    annualRatePercent: '14',
    termPeriods: 12,
    frequency: 'monthly',
    scheduleMethod: 'equal-installment',
    interestCalculation: 'per-period',
    dayCount: '30/360',
    expectedDisbursementDate: '2026-12-01',
    fees: [],
  };

  it('books ordinary terms with the engine schedule', () => {
    const result = checkBookable(terms);
    expect(result.ok && result.schedule.installments).toHaveLength(12);
  });

  it('refuses a schedule whose amounts exceed what an account holds, naming the principal', () => {
    const result = checkBookable({ ...terms, principal: { ...terms.principal, amount: '999999999999999999' }, annualRatePercent: '999', scheduleMethod: 'bullet', termPeriods: 600 });
    expect(result).toMatchObject({ ok: false, path: ['principal', 'amount'] });
  });
});
