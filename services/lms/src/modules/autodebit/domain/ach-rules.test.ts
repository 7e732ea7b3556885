import { describe, expect, it } from 'vitest';
import { checkReinitiation, decideAchChange, decideAchReturn } from './ach-rules.js';
import { addBankingDays, federalReserveHolidays, isBankingDay } from './banking-days.js';

// Research notes §7 (US ACH test vectors A1–A16); D = settlement date of the original entry.
const D = '2026-03-02';
const first = { attempt: 1, originalSettlementDate: D, posted: false };

describe('ACH return rules', () => {
  it('A1: an R01 on the first presentment is re-presented as attempt 2, two banking days after the return arrives', () => {
    // Returned Wednesday 4 March: retry settles Friday 6 March.
    expect(decideAchReturn(first, 'R01', '2026-03-04')).toEqual({ kind: 'retry-at', date: '2026-03-06', attempt: 2, reversePosted: false });
    // Returned Thursday: the weekend is skipped.
    expect(decideAchReturn(first, 'R09', '2026-03-05')).toEqual({ kind: 'retry-at', date: '2026-03-09', attempt: 2, reversePosted: false });
  });

  it('A2: an R09 on the third presentment stops for a person, the reinitiations are used up', () => {
    const action = decideAchReturn({ ...first, attempt: 3 }, 'R09', '2026-03-20');
    expect(action).toMatchObject({ kind: 'stop-manual-review' });
    expect((action as { reason: string }).reason).toMatch(/exhausted/);
  });

  it('A3: a fourth presentment, or a reinitiation 181 days after settlement, is refused', () => {
    expect(checkReinitiation('R01', 4, D, '2026-03-10')).toMatchObject({ ok: false, rule: 'reinitiation-limit' });
    expect(checkReinitiation('R01', 2, D, '2026-08-29')).toEqual({ ok: true }); // D + 180
    expect(checkReinitiation('R01', 2, D, '2026-08-30')).toMatchObject({ ok: false, rule: 'reinitiation-window' }); // D + 181
    expect(checkReinitiation('R02', 2, D, '2026-03-10')).toMatchObject({ ok: false, rule: 'reinitiation-code' });
    const late = decideAchReturn(first, 'R01', '2026-08-28');
    expect(late).toMatchObject({ kind: 'stop-manual-review' });
  });

  it('A5/A6: R02, R03, R04 stop and ask for new account data; A7/A9: R07 and R10 stop and revoke', () => {
    for (const code of ['R02', 'R03', 'R04']) expect(decideAchReturn(first, code, '2026-03-04')).toMatchObject({ kind: 'stop-new-account-data' });
    for (const code of ['R07', 'R10']) expect(decideAchReturn(first, code, '2026-04-20')).toMatchObject({ kind: 'stop-revoke-authorisation' });
    expect(decideAchReturn(first, 'R08', '2026-03-04')).toMatchObject({ kind: 'stop-manual-review' });
    expect(decideAchReturn(first, 'R16', '2026-03-04')).toMatchObject({ kind: 'stop-manual-review' });
  });

  it('a late return of a posted presentment asks for the repayment to be reversed', () => {
    expect(decideAchReturn({ ...first, posted: true }, 'R01', '2026-03-04')).toMatchObject({ kind: 'retry-at', reversePosted: true });
    expect(decideAchReturn({ ...first, posted: true }, 'R10', '2026-04-20')).toMatchObject({ kind: 'stop-revoke-authorisation', reversePosted: true });
  });
});

describe('ACH notifications of change', () => {
  it('A15/A16: each change code corrects only the fields it names', () => {
    const offered = { accountNumber: '123456780', bankCode: '011000015', accountType: 'savings' as const, holderName: 'JORDAN LEE' };
    expect(decideAchChange('C01', offered).correction).toEqual({ accountNumber: '123456780' });
    expect(decideAchChange('C02', offered).correction).toEqual({ bankCode: '011000015' });
    expect(decideAchChange('C03', offered).correction).toEqual({ bankCode: '011000015', accountNumber: '123456780' });
    expect(decideAchChange('C05', offered).correction).toEqual({ accountType: 'savings' });
    expect(decideAchChange('C06', offered).correction).toEqual({ accountNumber: '123456780', accountType: 'savings' });
    expect(decideAchChange('C07', offered).correction).toEqual({ bankCode: '011000015', accountNumber: '123456780', accountType: 'savings' });
    expect(decideAchChange('C09', offered).correction).toEqual({});
  });
});

describe('US banking days', () => {
  it('knows the 2026 Federal Reserve holidays, Sunday holidays moved to Monday, Saturday ones not', () => {
    expect([...federalReserveHolidays(2026)].sort()).toEqual(['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-04', '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25']);
    // 4 July 2027 is a Sunday: observed Monday 5 July.
    expect(federalReserveHolidays(2027).has('2027-07-05')).toBe(true);
    expect(federalReserveHolidays(2027).has('2027-07-04')).toBe(false);
    expect(isBankingDay('2026-07-03')).toBe(true);
    expect(addBankingDays('2026-11-25', 1)).toBe('2026-11-27');
    expect(addBankingDays('2026-12-24', 1)).toBe('2026-12-28');
  });
});
