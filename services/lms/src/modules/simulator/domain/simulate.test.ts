import { describe, expect, it } from 'vitest';
import { simulatedProducts } from '../use-cases/simulate-book.js';
import { amortise, simulateLoan, toDay } from './simulate.js';

const products = simulatedProducts();
const start = toDay('2025-01-01');
const end = toDay('2026-11-30');

describe('simulateLoan', () => {
  it('is deterministic by seed and loan number, and another seed gives another book', () => {
    expect(simulateLoan(7, 42, products, start, end)).toEqual(simulateLoan(7, 42, products, start, end));
    const a = Array.from({ length: 50 }, (_, n) => simulateLoan(7, n, products, start, end).points.length);
    const b = Array.from({ length: 50 }, (_, n) => simulateLoan(8, n, products, start, end).points.length);
    expect(a).not.toEqual(b);
  });

  it('posts balanced entries, never repays more principal than was lent, and keeps points in date order', () => {
    for (let n = 1; n <= 300; n += 1) {
      const loan = simulateLoan(3, n, products, start, end);
      for (const e of loan.entries) {
        const debit = e.lines.filter((l) => l[1] === 'debit').reduce((s, l) => s + l[2], 0);
        const credit = e.lines.filter((l) => l[1] === 'credit').reduce((s, l) => s + l[2], 0);
        expect(debit).toBe(credit);
      }
      const portfolio = loan.entries.flatMap((e) => e.lines).filter((l) => l[0] === 'loan-portfolio').reduce((s, l) => s + (l[1] === 'debit' ? l[2] : -l[2]), 0);
      expect(portfolio).toBeGreaterThanOrEqual(0);
      if (loan.status !== 'active') expect(portfolio).toBe(0);
      const dates = loan.points.map((p) => p.from);
      expect([...dates].sort()).toEqual(dates);
      expect(new Set(dates).size).toBe(dates.length);
    }
  });

  it('gives a book with cures, defaults and broken promises', () => {
    const loans = Array.from({ length: 2000 }, (_, n) => simulateLoan(1, n, products, start, end));
    const cured = loans.filter((l) => l.points.some((p, k) => k > 0 && p.anchor === null)).length;
    const charged = loans.filter((l) => l.status === 'charged-off').length;
    const broken = loans.filter((l) => l.promises.some((p) => p.status === 'broken')).length;
    expect(cured).toBeGreaterThan(100);
    expect(charged).toBeGreaterThan(20);
    expect(broken).toBeGreaterThan(100);
  });
});

describe('amortise', () => {
  it('splits the principal exactly over the instalments', () => {
    const schedule = amortise(1_234_567, 14.5, 17, toDay('2026-01-31'));
    expect(schedule.reduce((s, i) => s + i.principalMinor, 0)).toBe(1_234_567);
    expect(schedule.at(-1)!.balanceAfterMinor).toBe(0);
    expect(schedule[0]!.due).toBe('2026-02-28');
  });
});
