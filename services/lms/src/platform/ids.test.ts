import { describe, expect, it } from 'vitest';
import { derivedUuid } from './ids.js';

describe('derivedUuid', () => {
  it('is stable: ids of events already published must not change (value from before the helper moved here)', () => {
    expect(derivedUuid('LoanBookingRejected:5b1f2a3c-4d5e-4f60-8a71-9b0c1d2e3f40')).toBe('9e2f4310-4f02-53e4-8893-6e52f6de7497');
  });

  it('is a version 5, RFC 9562 variant UUID, different for different names', () => {
    const [a, b] = [derivedUuid('a'), derivedUuid('b')];
    expect(a).toMatch(/^[\da-f]{8}-[\da-f]{4}-5[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
    expect(a).not.toBe(b);
  });
});
