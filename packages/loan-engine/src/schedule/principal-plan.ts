import { add, mul, ZERO, type Rational } from '../math/rational.js';
import { divRound, divRoundToMultiple } from '../math/rounding.js';
import { levelInstallment } from './annuity.js';
import { hasOddFirstPeriod, periodicRate, periodsBetween, type Period } from './periods.js';
import type { LoanTerms } from './types.js';

/** How a method splits each installment: the interest it accrues and the principal it repays. */
export interface PrincipalPlan {
  interest(k: number, balance: bigint): bigint;
  /** Principal repaid at installment k (not the last one, which always takes the balance). */
  principal(k: number, balance: bigint, accruedInterest: bigint): bigint;
  /** The level installment, once known (equal-installment and flat). */
  installment(): bigint | undefined;
}

export function makePrincipalPlan(terms: LoanTerms, periods: readonly Period[], opening: bigint): PrincipalPlan {
  const amortStart = terms.grace.moratoriumPeriods + terms.grace.principalPeriods;
  const mode = terms.rounding.mode;
  const unit = terms.rounding.installmentMultipleMinor;
  const interest = (k: number, balance: bigint): bigint => {
    const f = (periods[k] as Period).factor;
    return f.n === 0n ? 0n : divRound(balance * f.n, f.d, mode);
  };
  const clamp = (value: bigint, balance: bigint): bigint => (value < 0n ? 0n : value > balance ? balance : value);
  let level: bigint | undefined;

  switch (terms.method) {
    case 'equal-installment':
      return {
        interest,
        principal(k, balance, accrued) {
          if (k < amortStart) return 0n;
          if (level === undefined) level = terms.fixedInstallmentMinor ?? emi(terms, periods, k, balance);
          return clamp(level - accrued, balance);
        },
        installment: () => level,
      };
    case 'equal-principal':
    case 'zero-interest-split':
      return {
        interest: terms.method === 'zero-interest-split' ? () => 0n : interest,
        principal(k, balance) {
          if (k < amortStart) return 0n;
          level ??= divRoundToMultiple(balance, BigInt(terms.termPeriods - k), unit, mode);
          return clamp(level, balance);
        },
        installment: () => undefined,
      };
    case 'interest-only':
      return { interest, principal: () => 0n, installment: () => undefined };
    case 'flat':
      return flatPlan(terms, periods, opening, amortStart);
    case 'bullet':
      throw new RangeError('bullet loans have no amortisation plan');
  }
}

function emi(terms: LoanTerms, periods: readonly Period[], k: number, balance: bigint): bigint {
  const rate = periodicRate(terms);
  const first = periods[k] as Period;
  const oddFirst = k === 0 && hasOddFirstPeriod(terms);
  const firstFactor = oddFirst ? mul(rate, periodsBetween(terms, first.start, first.end)) : rate;
  const unit = terms.rounding.installmentMultipleMinor;
  return levelInstallment(balance, rate, firstFactor, terms.termPeriods - k, unit, terms.rounding.mode);
}

/**
 * Flat rate: interest is charged on the original balance for the whole term and spread evenly
 * (shares rounded down, remainder on the last installment so no share is ever negative).
 */
function flatPlan(terms: LoanTerms, periods: readonly Period[], opening: bigint, amortStart: number): PrincipalPlan {
  const n = BigInt(terms.termPeriods);
  const factor = periods.reduce<Rational>((sum, p) => add(sum, p.factor), ZERO);
  const totalInterest = factor.n === 0n ? 0n : divRound(opening * factor.n, factor.d, terms.rounding.mode);
  const share = totalInterest / n;
  const paying = BigInt(terms.termPeriods - amortStart);
  const unit = terms.rounding.installmentMultipleMinor;
  const level = divRoundToMultiple(opening + share * paying, paying, unit, terms.rounding.mode);
  const last = terms.termPeriods - 1;
  return {
    interest: (k) => (k === last ? totalInterest - share * n + share : share),
    principal(k, balance) {
      if (k < amortStart) return 0n;
      const value = level - share;
      return value < 0n ? 0n : value > balance ? balance : value;
    },
    installment: () => level,
  };
}
