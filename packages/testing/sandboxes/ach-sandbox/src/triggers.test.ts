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
});
