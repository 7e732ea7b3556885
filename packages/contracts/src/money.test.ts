import { describe, expect, it } from 'vitest';
import { positiveMoneySchema } from './money.js';

describe('positiveMoneySchema', () => {
  it('reports a malformed amount as an issue on amount instead of throwing', () => {
    const result = positiveMoneySchema.safeParse({ amount: '1.5', currency: 'INR', scale: 2 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['amount']);
  });

  it('refuses zero and accepts one minor unit', () => {
    expect(positiveMoneySchema.safeParse({ amount: '0', currency: 'INR', scale: 2 }).success).toBe(false);
    expect(positiveMoneySchema.safeParse({ amount: '1', currency: 'INR', scale: 2 }).success).toBe(true);
  });
});
