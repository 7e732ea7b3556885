import { describe, expect, it } from 'vitest';
import { runCommand } from '../cli/commands.js';
import { request } from '../test-support.js';
import { schedule } from './schedule.js';
import { accrue } from './servicing.js';
import { yearFrac } from './yearfrac.js';

const money = (x: string | undefined): number => Number(x);

describe('day counts named unambiguously, end to end through the JSON API', () => {
  it('"30/360" is a documented alias of "30/360-us": the same schedule and the same year fraction', () => {
    const old = schedule(request({ interestCalculation: 'daily', dayCount: '30/360', firstDueDate: '2024-03-01' }));
    const named = schedule(request({ interestCalculation: 'daily', dayCount: '30/360-us', firstDueDate: '2024-03-01' }));
    expect(named.installments).toEqual(old.installments);
    expect(yearFrac({ convention: '30/360-us', start: '2007-02-28', end: '2007-03-31' })).toMatchObject({ days: 30, exact: '1/12' });
    expect(yearFrac({ convention: '30/360', start: '2007-02-28', end: '2007-03-31' })).toMatchObject({ convention: '30/360', days: 30 });
  });

  it('30E/360 ISDA in a schedule: February month-end is the 30th except on the maturity date', () => {
    // Monthly from 2024-08-31: Jan 31 → Feb 28 2025 is 30 days when Feb 28 is not the maturity (12 periods)...
    const long = schedule(request({ interestCalculation: 'daily', dayCount: '30e/360-isda', disbursementDate: '2024-08-31', termPeriods: 12 }));
    const feb = long.installments.find((r) => r.dueDate === '2025-02-28');
    const euro = schedule(request({ interestCalculation: 'daily', dayCount: '30e/360', disbursementDate: '2024-08-31', termPeriods: 12 }));
    const febEuro = euro.installments.find((r) => r.dueDate === '2025-02-28');
    // ... 28 days under 30E/360 (Eurobond), so the interest on about the same balance is 30/28 of it.
    expect(money(feb?.interest) / money(febEuro?.interest)).toBeCloseTo(30 / 28, 2);
    // At maturity (6 periods, last due Feb 28 2025) the day stays the 28th: 28 days, as 30E/360.
    const short = schedule(request({ interestCalculation: 'daily', dayCount: '30e/360-isda', disbursementDate: '2024-08-31', termPeriods: 6 }));
    const shortEuro = schedule(request({ interestCalculation: 'daily', dayCount: '30e/360', disbursementDate: '2024-08-31', termPeriods: 6 }));
    expect(short.installments.at(-1)).toEqual(shortEuro.installments.at(-1));
  });

  it('Actual/Actual ICMA in a schedule: each regular month is 1/12 (as per-period interest), the stub its share of the reference month', () => {
    const perPeriod = schedule(request({ termPeriods: 10 }));
    const icma = schedule(request({ termPeriods: 10, interestCalculation: 'daily', dayCount: 'actual/actual-icma' }));
    expect(icma.installments.map((r) => r.interest)).toEqual(perPeriod.installments.map((r) => r.interest));
    // Disbursed Jan 15, first due Feb 1: 17 days of the reference month Jan 1 → Feb 1 (31 days).
    const stub = schedule(request({ interestCalculation: 'daily', dayCount: 'actual/actual-icma', firstDueDate: '2024-02-01' }));
    expect(stub.installments[0]?.interest).toBe((Math.round(((10000 * 0.08 * 17) / (12 * 31)) * 100) / 100).toFixed(2));
  });

  it('yearfrac and accrue take the termination date, frequency and reference date; ICMA without a frequency names the field', () => {
    expect(runCommand('yearfrac', { convention: 'actual/actual-icma', start: '2003-12-18', end: '2004-02-01' })).toMatchObject({
      ok: false,
      error: { error: 'invalid_request', issues: [{ field: 'frequency' }] },
    });
    expect(yearFrac({ convention: 'actual/actual-icma', start: '2003-12-18', end: '2004-02-01', frequency: 'quarterly' })).toMatchObject({ exact: '45/368', days: 45 });
    expect(yearFrac({ convention: '30e/360-isda', start: '2008-08-31', end: '2009-02-28', terminationDate: '2009-02-28' })).toMatchObject({ days: 178 });
    expect(yearFrac({ convention: '30e/360-isda', start: '2008-08-31', end: '2009-02-28' })).toMatchObject({ days: 180 });
    expect(runCommand('accrue', { currency: 'USD', balance: '1000', annualRatePercent: '12', dayCount: 'actual/actual-icma', from: '2024-01-01', to: '2024-02-01' })).toMatchObject({
      ok: false,
      error: { issues: [{ field: 'frequency' }] },
    });
    expect(accrue({ currency: 'USD', balance: '1000', annualRatePercent: '12', dayCount: 'actual/actual-icma', frequency: 'monthly', from: '2024-01-01', to: '2024-02-01' })).toEqual({ interest: '10.00' });
  });
});
