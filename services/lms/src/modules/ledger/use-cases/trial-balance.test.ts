import { describe, expect, it } from 'vitest';
import { trialBalance } from './trial-balance.js';

describe('trialBalance', () => {
  it('given books whose debits and credits differ, logs loudly and throws (a 500), never returns them', async () => {
    const errors: string[] = [];
    const deps = {
      queries: { accountTurnovers: async () => [{ currency: 'INR', scale: 2, code: '1100', name: 'x', type: 'asset' as const, debitMinor: 5n, creditMinor: 0n }] },
      log: { error: (_: object, msg: string) => void errors.push(msg) },
    };
    await expect(trialBalance(deps, 't', '2027-01-01')).rejects.toThrow(/does not balance/);
    expect(errors).toEqual([expect.stringMatching(/OUT OF BALANCE/)]);
  });
});
