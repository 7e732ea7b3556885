import { describe, expect, it } from 'vitest';
import { classifyNameMatch, nameMatchScore, normaliseName } from './name-match.js';

describe('name matching', () => {
  it('normalises case, punctuation and diacritics', () => {
    expect(normaliseName('  José  O\'Brien-Núñez ')).toBe('JOSE O BRIEN NUNEZ');
  });

  it('scores the same name in another order or case as a match', () => {
    expect(nameMatchScore('Priya Sharma', 'SHARMA PRIYA')).toBe(1);
    expect(classifyNameMatch(nameMatchScore('Priya Sharma', 'PRIYA SHARMA'))).toBe('match');
  });

  it('keeps an OCR slip or a middle name close, and another person apart', () => {
    expect(classifyNameMatch(nameMatchScore('Priya Sharma', 'PRIYA SHARNA'))).toBe('match');
    expect(classifyNameMatch(nameMatchScore('Priya Sharma', 'PRIYA K SHARMA'))).not.toBe('mismatch');
    expect(classifyNameMatch(nameMatchScore('Priya Sharma', 'RAHUL VERMA'))).toBe('mismatch');
    expect(nameMatchScore('', 'X')).toBe(0);
  });
});
