import { describe, expect, it } from 'vitest';
import { decideOutcome } from './triggers.js';

describe('sandbox triggers', () => {
  it('settles ordinary payouts as processed', () => {
    expect(decideOutcome({ amount: 5_000_000, accountNumber: 'tok_abc' })).toMatchObject({ status: 'processed', details: { reason: 'payout_processed' } });
  });
  it('fails an amount ending in 13 minor units with beneficiary_bank_down, whatever the account', () => {
    expect(decideOutcome({ amount: 1_013, accountNumber: 'tok_REVERSE' })).toMatchObject({ status: 'failed', details: { reason: 'beneficiary_bank_down' } });
    expect(decideOutcome({ amount: 1_113, accountNumber: 'tok_abc' }).status).toBe('failed');
    expect(decideOutcome({ amount: 1_130, accountNumber: 'tok_abc' }).status).toBe('processed');
  });
  it('fails a token ending in FAIL with invalid_account and reverses one ending in REVERSE', () => {
    expect(decideOutcome({ amount: 100, accountNumber: 'tok_FAIL' })).toMatchObject({ status: 'failed', details: { reason: 'invalid_account' } });
    expect(decideOutcome({ amount: 100, accountNumber: 'tok_REVERSE' })).toMatchObject({ status: 'reversed', details: { reason: 'beneficiary_bank_rejected' } });
  });
});
