import { describe, expect, it } from 'vitest';
import { apr } from '../api/apr.js';

const monthlyPayments = (first: string, n: number, amount: string, step: (k: number) => string): { date: string; amount: string }[] =>
  Array.from({ length: n }, (_, k) => ({ date: k === 0 ? first : step(k), amount }));

function series(first: string, n: number, amount: string, unit: 'monthly' | 'quarterly' | 'weekly'): { date: string; amount: string }[] {
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  const at = (k: number): string => {
    if (unit === 'weekly') {
      const t = new Date(Date.UTC(y, m - 1, d + 7 * k));
      return t.toISOString().slice(0, 10);
    }
    const months = unit === 'monthly' ? k : 3 * k;
    const t = new Date(Date.UTC(y, m - 1 + months, d));
    return t.toISOString().slice(0, 10);
  };
  return monthlyPayments(first, n, amount, at);
}

describe('Regulation Z, Appendix J (c) examples (12 CFR 1026)', () => {
  it('Appendix J (c)(1)(i): monthly, regular first period — $5,000, 24 × $230, APR 9.69 %', () => {
    const r = apr({ method: 'reg-z', advances: [{ date: '1978-01-10', amount: '5000' }], payments: series('1978-02-10', 24, '230', 'monthly') });
    expect(r.unitPeriod).toBe('monthly');
    expect(Number(r.apr)).toBeCloseTo(9.69, 2);
  });

  it('Appendix J (c)(1)(ii): monthly, long first period (t = 1, f = 19/30) — $6,000, 36 × $200, APR 11.82 %', () => {
    const r = apr({ method: 'reg-z', advances: [{ date: '1978-02-10', amount: '6000' }], payments: series('1978-04-01', 36, '200', 'monthly') });
    expect(Number(r.apr)).toBeCloseTo(11.82, 2);
  });

  it('Appendix J (c)(1)(iv): quarterly, long first period (t = 1, f = 39/90) — $10,000, 40 × $385, APR 8.97 %', () => {
    const r = apr({ method: 'reg-z', advances: [{ date: '1978-05-23', amount: '10000' }], payments: series('1978-10-01', 40, '385', 'quarterly') });
    expect(r.unitPeriod).toBe('quarterly');
    expect(Number(r.apr)).toBeCloseTo(8.97, 2);
  });

  it('Appendix J (c)(1)(v): weekly, long first period (t = 4, f = 4/7) — $500, 30 × $17.60, APR 14.96 %', () => {
    const r = apr({ method: 'reg-z', advances: [{ date: '1978-03-20', amount: '500' }], payments: series('1978-04-21', 30, '17.60', 'weekly') });
    expect(r.unitPeriod).toBe('weekly');
    expect(Number(r.apr)).toBeCloseTo(14.96, 2);
  });
});

describe('Regulation Z, Appendix J (c)(1)(iii)–(c)(4)(ii): odd first and final payments, semimonthly, 4-week and 2-month unit periods', () => {
  const days = (first: string, n: number, step: number): string[] =>
    Array.from({ length: n }, (_, k) => new Date(Date.parse(`${first}T00:00:00Z`) + k * step * 86_400_000).toISOString().slice(0, 10));
  const months = (first: string, n: number, step: number): string[] => {
    const [y, m, d] = first.split('-').map(Number) as [number, number, number];
    return Array.from({ length: n }, (_, k) => new Date(Date.UTC(y, m - 1 + k * step, d)).toISOString().slice(0, 10));
  };
  const pay = (dates: string[], amount: string): { date: string; amount: string }[] => dates.map((date) => ({ date, amount }));
  const regZ = (advance: { date: string; amount: string }, payments: { date: string; amount: string }[]) =>
    apr({ method: 'reg-z', advances: [advance], payments });

  it('(c)(1)(iii): semimonthly, short first period (f = 6/15) — $5,000 on 1978-02-23, 24 × $219.17 from 1978-03-01, APR 10.34 %', () => {
    const semimonths = months('1978-03-01', 12, 1).flatMap((d) => [d, d.replace(/-01$/, '-16')]);
    const r = regZ({ date: '1978-02-23', amount: '5000' }, pay(semimonths, '219.17'));
    expect(r.unitPeriod).toBe('semi-monthly');
    expect(Number(r.apr)).toBeCloseTo(10.34, 2);
  });

  it('(c)(2)(i): monthly, irregular first payment — $5,000 on 1978-01-10, $250 then 23 × $230, APR 10.08 %', () => {
    const r = regZ({ date: '1978-01-10', amount: '5000' }, [{ date: '1978-02-10', amount: '250' }, ...pay(months('1978-03-10', 23, 1), '230')]);
    expect(Number(r.apr)).toBeCloseTo(10.08, 2);
  });

  it('(c)(2)(ii): every 4 weeks, long first period (t = 1, f = 5/28) and irregular first payment — $400, $39.50 then 11 × $38.31, APR 28.50 %', () => {
    const r = regZ({ date: '1978-03-18', amount: '400' }, [{ date: '1978-04-20', amount: '39.50' }, ...pay(days('1978-05-18', 11, 28), '38.31')]);
    expect(r).toMatchObject({ unitPeriod: 'four-weekly', unitPeriodsPerYear: '13' });
    expect(Number(r.apr)).toBeCloseTo(28.5, 2);
  });

  it('(c)(3)(i): monthly, irregular final payment — $5,000, 23 × $230 then $280, APR 10.50 %', () => {
    const r = regZ({ date: '1978-01-10', amount: '5000' }, [...pay(months('1978-02-10', 23, 1), '230'), { date: '1980-01-10', amount: '280' }]);
    expect(Number(r.apr)).toBeCloseTo(10.5, 2);
  });

  it('(c)(3)(ii): every 2 weeks, short first period and irregular final payment — $200, 19 × $9.50 then $30, APR 12.22 %', () => {
    const r = regZ({ date: '1978-04-03', amount: '200' }, [...pay(days('1978-04-11', 19, 14), '9.50'), { date: days('1978-04-11', 20, 14)[19] as string, amount: '30' }]);
    expect(r.unitPeriod).toBe('biweekly');
    expect(Number(r.apr)).toBeCloseTo(12.22, 2);
  });

  it('(c)(4)(i): monthly, irregular first and final payments — $5,000, $250, 22 × $230, $280, APR 10.90 %', () => {
    const r = regZ({ date: '1978-01-10', amount: '5000' }, [{ date: '1978-02-10', amount: '250' }, ...pay(months('1978-03-10', 22, 1), '230'), { date: '1980-01-10', amount: '280' }]);
    expect(Number(r.apr)).toBeCloseTo(10.9, 2);
  });

  it('(c)(4)(ii): every 2 months, short first period ((b)(5)(iii): 30 + 22 days, f = 52/60), irregular first and final payments — $8,000, $449.36, 18 × $465, $200, APR 7.30 %', () => {
    const r = regZ({ date: '1978-01-10', amount: '8000' }, [{ date: '1978-03-01', amount: '449.36' }, ...pay(months('1978-05-01', 18, 2), '465'), { date: '1981-05-01', amount: '200' }]);
    expect(r).toMatchObject({ unitPeriod: 'two-monthly', unitPeriodsPerYear: '6' });
    expect(Number(r.apr)).toBeCloseTo(7.3, 2);
  });

  it('(c)(5)(i): single advance, single payment, term under a year in days — $1,000 on 1978-01-03, $1,080 on 1978-09-15, APR 11.45 %', () => {
    const r = regZ({ date: '1978-01-03', amount: '1000' }, [{ date: '1978-09-15', amount: '1080' }]);
    expect(r.unitPeriod).toBe('single-payment-term');
    expect(Number(r.apr)).toBeCloseTo(11.45, 2);
  });

  it('a 28-day interval that is a calendar month (Feb 10 → Mar 10) is still monthly; an explicit unit period overrides the inference', () => {
    const r = regZ({ date: '1978-01-10', amount: '500' }, pay(['1978-02-10', '1978-03-10'], '260'));
    expect(r.unitPeriod).toBe('monthly');
    const fourWeekly = apr({ method: 'reg-z', unitPeriod: 'four-weekly', advances: [{ date: '1978-01-10', amount: '500' }], payments: pay(['1978-02-07', '1978-03-07'], '260') });
    expect(fourWeekly.unitPeriod).toBe('four-weekly');
  });
});

describe('single-payment loans', () => {
  it('CFPB payday-loan example: $15 per $100 for two weeks is an APR of almost 400 % (391.07 %)', () => {
    for (const method of ['reg-z', 'irr'] as const) {
      const r = apr({ method, advances: [{ date: '2024-01-01', amount: '100' }], payments: [{ date: '2024-01-15', amount: '115' }] });
      expect(r.apr).toBe('391.0714');
    }
  });
});

describe('annualised IRR (RBI Key Fact Statement method: periodic IRR × periods per year)', () => {
  it('equals the nominal rate for a fee-free loan with regular periods (Excel PMT example flows)', () => {
    const payments = series('2024-02-01', 10, '1037.03', 'monthly');
    const r = apr({ method: 'irr', unitPeriod: 'monthly', advances: [{ date: '2024-01-01', amount: '10000' }], payments });
    expect(Number(r.apr)).toBeCloseTo(8, 2);
    expect(Number(r.effectiveAnnualRatePercent)).toBeCloseTo(8.3, 1);
  });

  it('rises above the nominal rate when an upfront fee is deducted from the advance', () => {
    const payments = series('2024-02-01', 12, '8884.88', 'monthly');
    const r = apr({ method: 'irr', advances: [{ date: '2024-01-01', amount: '98000' }], payments });
    expect(Number(r.apr)).toBeGreaterThan(12);
  });

  it('agrees with Reg Z when there are no odd days, and differs only slightly with them', () => {
    const payments = series('1978-04-20', 36, '200', 'monthly');
    const reg = apr({ method: 'reg-z', advances: [{ date: '1978-02-10', amount: '6000' }], payments });
    const irr = apr({ method: 'irr', advances: [{ date: '1978-02-10', amount: '6000' }], payments });
    expect(Math.abs(Number(reg.apr) - Number(irr.apr))).toBeLessThan(0.05);
  });
});

describe('multiple advances (Appendix J (b)(8) general equation)', () => {
  it('two advances and irregular payments solve to a positive rate that balances the flows', () => {
    const r = apr({
      method: 'reg-z',
      unitPeriod: 'monthly',
      advances: [
        { date: '2024-01-01', amount: '5000' },
        { date: '2024-03-01', amount: '5000' },
      ],
      payments: [
        { date: '2024-06-01', amount: '3500' },
        { date: '2024-09-01', amount: '3500' },
        { date: '2024-12-01', amount: '3600' },
      ],
    });
    expect(Number(r.apr)).toBeGreaterThan(10);
    expect(Number(r.apr)).toBeLessThan(30);
  });
});

describe('odd-day fractions above one unit-period', () => {
  it('IRR with a 91-day stub before four quarters (fraction 91/90) answers instead of throwing', () => {
    const out = apr({ method: 'irr', unitPeriod: 'quarterly', advances: [{ date: '1900-08-30', amount: '1' }], payments: [{ date: '1901-11-29', amount: '1' }] });
    expect(out.apr).toBe('0.0000');
  });
});

describe('Regulation Z, Appendix J multiple advances (general equation (b)(8), advances discounted like payments)', () => {
  it('two advances a month apart repaid by one payment at 1 % a month: APR 12.0000 % exactly', () => {
    // 1000 + 1000/1.01 = 2030.10/1.01²: both sides of (b)(8) agree at i = 1 % with whole unit-periods only.
    const r = apr({
      method: 'reg-z',
      advances: [
        { date: '2024-01-01', amount: '1000' },
        { date: '2024-02-01', amount: '1000' },
      ],
      payments: [{ date: '2024-03-01', amount: '2030.10' }],
    });
    expect(r.unitPeriod).toBe('monthly');
    expect(r.apr).toBe('12.0000');
  });

  it('a second advance part-way through a unit-period is discounted by (1 + f i): f = 15/30 of a month', () => {
    // Built at i = 1 % a month: the payment on Apr 1 (t = 3 from Jan 1) repays 1000 advanced on Jan 1
    // and 500 on Jan 16 (t = 0, f = 15/30), rounded to the cent.
    const payment = ((1000 + 500 / 1.005) * 1.01 ** 3).toFixed(2);
    const r = apr({
      method: 'reg-z',
      unitPeriod: 'monthly',
      advances: [
        { date: '2024-01-01', amount: '1000' },
        { date: '2024-01-16', amount: '500' },
      ],
      payments: [{ date: '2024-04-01', amount: payment }],
    });
    expect(Number(r.apr)).toBeCloseTo(12, 2);
    // Counting the second advance as made on Jan 1 (undiscounted) would give a lower rate.
    const asOne = apr({ method: 'reg-z', unitPeriod: 'monthly', advances: [{ date: '2024-01-01', amount: '1500' }], payments: [{ date: '2024-04-01', amount: payment }] });
    expect(Number(asOne.apr)).toBeLessThan(Number(r.apr) - 0.5);
  });
});
