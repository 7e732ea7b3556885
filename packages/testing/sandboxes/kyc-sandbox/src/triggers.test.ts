import { describe, expect, it } from 'vitest';
import { onfidoBehaviour, panCategory, panRecord } from './triggers.js';

describe('KYC sandbox triggers', () => {
  it('chooses Onfido outcomes by last name, clear otherwise', () => {
    expect(onfidoBehaviour('Sharma')).toEqual({ fault: 'none', consider: [], documentSubResult: 'caution', silent: false });
    expect(onfidoBehaviour('CONSIDER').consider).toEqual(['document']);
    expect(onfidoBehaviour('Rejected')).toMatchObject({ consider: ['document'], documentSubResult: 'rejected' });
    expect(onfidoBehaviour('Watchlist').consider).toEqual(['watchlist_standard']);
    expect(onfidoBehaviour('Timeout').fault).toBe('timeout');
    expect(onfidoBehaviour('Silent').silent).toBe(true);
  });

  it('chooses the PAN record by its last four digits', () => {
    expect(panRecord('ABCPE1234F')).toMatchObject({ status: 'valid', nameMatches: true, fault: 'none' });
    expect(panRecord('ABCPE9101F')).toMatchObject({ status: 'invalid', remarks: 'Marked as Fake' });
    expect(panRecord('ABCPE9110F')).toMatchObject({ status: 'valid', nameMatches: false });
    expect(panRecord('ABCPE9500F').fault).toBe('server-error');
    expect(panCategory('ABCPE1234F')).toBe('individual');
    expect(panCategory('ABCCE1234F')).toBe('company');
  });
});
