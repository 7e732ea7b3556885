import { describe, expect, it } from 'vitest';
import { crossCheckDocument, shortfallBasisPoints, type StatedFacts } from './cross-check.js';

const stated: StatedFacts = {
  fullName: 'Priya Sharma', nationalId: 'ABCPS1234K', dateOfBirth: '1990-03-14', employerName: 'Acme Technologies',
  statedMonthlyIncome: { amount: '8500000', currency: 'INR', scale: 2 },
};
const payslip = { name: 'PRIYA SHARMA', idNumber: null, dateOfBirth: null, employer: 'Acme Technologies Pvt Ltd', netPay: { amount: '8500000', currency: 'INR', scale: 2 as const } };

describe('documents against the application', () => {
  it('finds nothing when the payslip agrees', () => {
    const check = crossCheckDocument('payslip', payslip, stated);
    expect(check.findings).toEqual([]);
    expect(check.nameScore).toBe(1);
  });

  it('finds a forged payslip whose net pay is far below the stated income', () => {
    const check = crossCheckDocument('payslip', { ...payslip, netPay: { amount: '4200000', currency: 'INR', scale: 2 } }, stated);
    expect(check.findings.map((f) => f.code)).toEqual(['net-pay-disagrees']);
    expect(check.evidence.netPayShortfallBasisPoints).toBe(5058);
  });

  it('tolerates a small shortfall, and names another employer or person', () => {
    expect(crossCheckDocument('payslip', { ...payslip, netPay: { amount: '8000000', currency: 'INR', scale: 2 } }, stated).findings).toEqual([]);
    const other = crossCheckDocument('payslip', { ...payslip, name: 'RAHUL VERMA', employer: 'Globex Retail Ltd' }, stated);
    expect(other.findings.map((f) => f.code)).toEqual(['name-mismatch', 'employer-mismatch']);
  });

  it('checks an identity document: id number, date of birth, masked in evidence', () => {
    const good = crossCheckDocument('identity', { name: 'PRIYA SHARMA', idNumber: 'ABCPS1234K', dateOfBirth: '1990-03-14', employer: null, netPay: null }, stated);
    expect(good.findings).toEqual([]);
    expect(good.evidence).toMatchObject({ idNumber: 'XXXXXX234K', idMatches: true, dobMatches: true });
    const bad = crossCheckDocument('identity', { name: 'PRIYA SHARMA', idNumber: 'ZZCPS9999K', dateOfBirth: '1991-03-14', employer: null, netPay: null }, stated);
    expect(bad.findings.map((f) => f.code)).toEqual(['id-number-mismatch', 'dob-mismatch']);
    expect(JSON.stringify(bad)).not.toContain('1991-03-14');
  });

  it('computes shortfalls in basis points without floats', () => {
    expect(shortfallBasisPoints(9_000n, 10_000n)).toBe(1000);
    expect(shortfallBasisPoints(11_000n, 10_000n)).toBe(0);
  });
});
