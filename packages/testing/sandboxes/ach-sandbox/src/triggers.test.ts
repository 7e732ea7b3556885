import { describe, expect, it } from 'vitest';
import { decideFate } from './triggers.js';

describe('ACH sandbox triggers', () => {
  it('returns a credit to an account ending 0003 with R03 and 0002 with R02, but never a credit R01', () => {
    expect(decideFate({ transactionCode: 22, rdfiRouting: '021000021', accountNumber: '5550003' })).toEqual({ kind: 'return', code: 'R03' });
    expect(decideFate({ transactionCode: 32, rdfiRouting: '021000021', accountNumber: '5550002' })).toEqual({ kind: 'return', code: 'R02' });
    expect(decideFate({ transactionCode: 22, rdfiRouting: '021000021', accountNumber: '5550001' })).toEqual({ kind: 'settle' });
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5550001' })).toEqual({ kind: 'return', code: 'R01' });
  });
  it('settles, then returns, an account ending 0103 (a late R03); a NOC routing settles with C01', () => {
    expect(decideFate({ transactionCode: 22, rdfiRouting: '021000021', accountNumber: '5550103' })).toEqual({ kind: 'late-return', code: 'R03' });
    expect(decideFate({ transactionCode: 22, rdfiRouting: '121000358', accountNumber: '123456789' })).toEqual({ kind: 'settle-with-change', code: 'C01', correctedData: '123456780' });
    expect(decideFate({ transactionCode: 22, rdfiRouting: '021000021', accountNumber: '5550099' })).toEqual({ kind: 'settle' });
  });
  it('returns a debit to an account ending 0007 R07 and 0010 R10 (debits only); 98NN settles with the change CNN', () => {
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5550007' })).toEqual({ kind: 'return', code: 'R07' });
    expect(decideFate({ transactionCode: 37, rdfiRouting: '021000021', accountNumber: '5550010' })).toEqual({ kind: 'return', code: 'R10' });
    expect(decideFate({ transactionCode: 22, rdfiRouting: '021000021', accountNumber: '5550007' })).toEqual({ kind: 'settle' });
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5559801' })).toEqual({ kind: 'settle-with-change', code: 'C01', correctedData: '5559802' });
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5559805' })).toEqual({ kind: 'settle-with-change', code: 'C05', correctedData: '37' });
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5559807' })).toEqual({ kind: 'settle-with-change', code: 'C07', correctedData: '0110000155559808          37' });
    expect(decideFate({ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5559804' })).toEqual({ kind: 'settle' });
  });
});
