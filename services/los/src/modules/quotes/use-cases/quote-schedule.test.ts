import { describe, expect, it } from 'vitest';
import { quoteRequestSchema } from '../adapters/quotes.schemas.js';
import { quoteSchedule } from './quote-schedule.js';

const terms = (overrides: Record<string, unknown> = {}) =>
  quoteRequestSchema.parse({
    principal: '12000', currency: 'USD', annualRatePercent: '12', termPeriods: 12, frequency: 'monthly',
    method: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', disbursementDate: '2026-01-15',
    ...overrides,
  });

describe('quoteSchedule', () => {
  it('given valid terms, when quoted, then returns the engine schedule with its APR', () => {
    const result = quoteSchedule(terms());
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.quote.installments).toHaveLength(12);
    expect(result.quote.totals.principal).toBe('12000.00');
    expect(result.quote.apr).toMatch(/^12\.\d{4}$/);
  });

  it('given more installments than the LOS originates, when quoted, then refuses naming termPeriods', () => {
    const result = quoteSchedule(terms({ termPeriods: 601, frequency: 'weekly' }));
    expect(result).toEqual({ ok: false, error: { kind: 'too-large', violations: [expect.objectContaining({ path: ['termPeriods'] })] } });
  });

  it('given a term longer than 50 years, when quoted, then refuses naming termPeriods', () => {
    const result = quoteSchedule(terms({ termPeriods: 204, frequency: 'quarterly' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.kind).toBe('too-large');
  });

});
