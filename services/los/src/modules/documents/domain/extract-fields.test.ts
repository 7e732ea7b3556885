import { describe, expect, it } from 'vitest';
import { extractFields, repairPan } from './extract-fields.js';

describe('field extraction from OCR text', () => {
  it('reads a payslip', () => {
    const text = 'ACME TECHNOLOGIES PVT LTD\nPAYSLIP FOR OCTOBER 2026\nEmployee Name: Priya Sharma\nEmployer: Acme Technologies Pvt Ltd\nPAN: ABCPS1234K\nGross Pay: INR 1,02,500.00\nNet Pay: INR 85,000.00\n';
    expect(extractFields(text)).toEqual({
      name: 'Priya Sharma', idNumber: 'ABCPS1234K', dateOfBirth: null, employer: 'Acme Technologies Pvt Ltd',
      netPay: { amount: '8500000', currency: 'INR', scale: 2 },
    });
  });

  it('reads an identity card, repairing OCR letter/digit slips', () => {
    const text = 'INCOME TAX DEPARTMENT\nName: PRIYA SHARMA\nPermanent Account Number: ABCPSI234K\nDate of Birth: 14/03/1990\n';
    expect(extractFields(text)).toMatchObject({ name: 'PRIYA SHARMA', idNumber: 'ABCPS1234K', dateOfBirth: '1990-03-14', netPay: null });
    expect(repairPan('A8CPS12З4K')).toBeNull();
    // A heading that starts like a label is not the number.
    expect(extractFields('PERMANENT ACCOUNT NUMBER CARD\nName: PRIYA SHARMA\nPAN: ABCPS1234K').idNumber).toBe('ABCPS1234K');
    expect(extractFields('SOCIAL SECURITY\nSSN: 078-05-112O').idNumber).toBe('078-05-1120');
    expect(repairPan('ABCP5I234K')).toBe('ABCPS1234K');
  });

  it('leaves out what it cannot read rather than guessing', () => {
    expect(extractFields('just some words\nDate of Birth: 31/02/1990\nNet Pay: n/a')).toEqual({ name: null, idNumber: null, dateOfBirth: null, employer: null, netPay: null });
    expect(extractFields('Net Pay: $4,250.5').netPay).toEqual({ amount: '425050', currency: 'USD', scale: 2 });
    expect(extractFields('Date of Birth: 1988-07-09').dateOfBirth).toBe('1988-07-09');
  });
});
