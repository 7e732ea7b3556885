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
