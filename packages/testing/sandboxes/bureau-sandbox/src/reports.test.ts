import { describe, expect, it } from 'vitest';
import { bureauScenario, buildReport } from './reports.js';

const at = new Date('2026-12-02T10:00:00Z');

describe('bureau sandbox reports', () => {
  it('picks the scenario by the last four digits of the national id', () => {
    expect(bureauScenario('ABCPE9001F')).toEqual({ scenario: 'thin-file', fault: 'none' });
    expect(bureauScenario('123-45-9500')).toEqual({ scenario: 'clean', fault: 'server-error' });
    expect(bureauScenario('ABCPE1234F').scenario).toBe('clean');
  });

  it('builds the same report for the same id, with 24-month profiles', () => {
    const a = buildReport({ id: 'r1', nationalId: 'ABCPE1234F', name: 'Priya Sharma', country: 'IN', at });
    const b = buildReport({ id: 'r1', nationalId: 'ABCPE1234F', name: 'Priya Sharma', country: 'IN', at });
    expect(a).toEqual(b);
    expect(a.currency).toBe('INR');
    expect(a.tradelines).toHaveLength(3);
    for (const t of a.tradelines) expect(t.paymentHistoryProfile).toMatch(/^[0-6BDEGHJKL]{24}$/);
    expect(a.consumer.nationalIdMasked).toBe('XXXXXX234F');
  });

  it('marks the delinquency scenarios in the profile', () => {
    const late = buildReport({ id: 'r2', nationalId: 'ABCPE9002F', name: 'x', country: 'IN', at });
    expect(late.tradelines[0]!.paymentHistoryProfile.slice(0, 6)).toBe('012321');
    const chargedOff = buildReport({ id: 'r3', nationalId: '123-45-9006', name: 'x', country: 'US', at });
    expect(chargedOff.tradelines[1]).toMatchObject({ accountStatus: '97', paymentRating: 'L' });
    expect(chargedOff.currency).toBe('USD');
  });
});
