import { add, mul, ZERO, type Rational } from '../math/rational.js';
import { divRound, divRoundToMultiple, RatioRounder, type RoundingMode } from '../math/rounding.js';
import { levelInstallment } from './annuity.js';
import { hasOddFirstPeriod, periodicRate, periodsBetween, type Period } from './periods.js';
import type { LoanTerms } from './types.js';

/**
 * How a method splits each installment: the interest it accrues and the principal it repays.
 * Plans are classes rather than closures: they are built once per schedule on the hot path.
 */
export interface PrincipalPlan {
  interest(k: number, balance: bigint): bigint;
  /** Principal repaid at installment k (not the last one, which always takes the balance). */
  principal(k: number, balance: bigint, accruedInterest: bigint): bigint;
  /** The level installment, once known (equal-installment and flat). */
  installment(): bigint | undefined;
}

/**
 * `levelMode` rounds the equal installment: the terms' mode, or `down` when the installment so
 * rounded repaid the loan before the last installment (the engine then builds the schedule again).
 */
export function makePrincipalPlan(
  terms: LoanTerms,
  periods: readonly Period[],
  opening: bigint,
  levelMode: RoundingMode = terms.rounding.mode,
): PrincipalPlan {
  switch (terms.method) {
    case 'equal-installment':
      return new EqualInstallmentPlan(terms, periods, levelMode);
    case 'equal-principal':
    case 'zero-interest-split':
      return new EqualPrincipalPlan(terms, periods);
    case 'interest-only':
      return new InterestOnlyPlan(terms, periods);
    case 'flat':
      return new FlatPlan(terms, periods, opening);
    case 'bullet':
      throw new RangeError('bullet loans have no amortisation plan');
  }
}

function clamp(value: bigint, balance: bigint): bigint {
  return value < 0n ? 0n : value > balance ? balance : value;
}

/** Declining-balance interest: balance × the period's factor, rounded once. */
abstract class DecliningBalancePlan implements PrincipalPlan {
  protected readonly amortStart: number;
  protected level: bigint | undefined;
  private lastFactor: Rational | undefined;
  private rounder: RatioRounder | undefined;

  constructor(
    protected readonly terms: LoanTerms,
    protected readonly periods: readonly Period[],
  ) {
    this.amortStart = terms.grace.moratoriumPeriods + terms.grace.principalPeriods;
  }

  interest(k: number, balance: bigint): bigint {
    const f = (this.periods[k] as Period).factor;
    if (f !== this.lastFactor || this.rounder === undefined) {
      // Periods sharing one factor object (every regular period) share one rounder.
      this.lastFactor = f;
      this.rounder = new RatioRounder(f.n, f.d, this.terms.rounding.mode);
    }
    return this.rounder.round(balance);
  }

  abstract principal(k: number, balance: bigint, accruedInterest: bigint): bigint;

  installment(): bigint | undefined {
    return undefined;
  }
}

class EqualInstallmentPlan extends DecliningBalancePlan {
  constructor(
    terms: LoanTerms,
    periods: readonly Period[],
    private readonly levelMode: RoundingMode,
  ) {
    super(terms, periods);
  }

  principal(k: number, balance: bigint, accrued: bigint): bigint {
    if (k < this.amortStart) return 0n;
    this.level ??= this.terms.fixedInstallmentMinor ?? emi(this.terms, this.periods, k, balance, this.levelMode);
    return clamp(this.level - accrued, balance);
  }

  override installment(): bigint | undefined {
    return this.level;
  }
}

/**
 * Equal principal parts; zero-interest split is the same with no interest at all. The part is
 * rounded DOWN (to the installment multiple) whatever the mode: (count − 1) parts then never
 * reach the balance, so there are always `termPeriods` installments and the last one takes the
 * remainder. Rounded up or half-up, 1000.00 in 600 parts of 1.67 would be repaid in 599.
 */
class EqualPrincipalPlan extends DecliningBalancePlan {
  override interest(k: number, balance: bigint): bigint {
    return this.terms.method === 'zero-interest-split' ? 0n : super.interest(k, balance);
  }

  principal(k: number, balance: bigint): bigint {
    if (k < this.amortStart) return 0n;
    this.level ??= divRoundToMultiple(balance, BigInt(this.terms.termPeriods - k), this.terms.rounding.installmentMultipleMinor, 'down');
    return clamp(this.level, balance);
  }
}

class InterestOnlyPlan extends DecliningBalancePlan {
  principal(): bigint {
    return 0n;
  }
}

export function emi(terms: LoanTerms, periods: readonly Period[], k: number, balance: bigint, mode: RoundingMode): bigint {
  const rate = periodicRate(terms);
  const first = periods[k] as Period;
  const oddFirst = k === 0 && hasOddFirstPeriod(terms);
  const firstFactor = oddFirst ? mul(rate, periodsBetween(terms, first.start, first.end)) : rate;
  const unit = terms.rounding.installmentMultipleMinor;
  return levelInstallment(balance, rate, firstFactor, terms.termPeriods - k, unit, mode);
}

/**
 * Flat rate: interest is charged on the original balance for the whole term and spread evenly
 * (shares rounded down, remainder on the last installment so no share is ever negative). The
 * installment is rounded with the terms' mode unless its principal part would repay the loan
 * before the last installment; then it is rounded down, which never does.
 */
class FlatPlan implements PrincipalPlan {
  private readonly share: bigint;
  private readonly lastShare: bigint;
  private readonly level: bigint;
  private readonly amortStart: number;

  constructor(
    private readonly terms: LoanTerms,
    periods: readonly Period[],
    opening: bigint,
  ) {
    const n = BigInt(terms.termPeriods);
    const factor = periods.reduce<Rational>((sum, p) => add(sum, p.factor), ZERO);
    const total = factor.n === 0n ? 0n : divRound(opening * factor.n, factor.d, terms.rounding.mode);
    this.amortStart = terms.grace.principalPeriods;
    this.share = total / n;
    this.lastShare = total - this.share * (n - 1n);
    const paying = BigInt(terms.termPeriods - this.amortStart);
    const unit = terms.rounding.installmentMultipleMinor;
    const level = divRoundToMultiple(opening + this.share * paying, paying, unit, terms.rounding.mode);
    const repaidEarly = (level - this.share) * (paying - 1n) >= opening;
    this.level = repaidEarly ? divRoundToMultiple(opening + this.share * paying, paying, unit, 'down') : level;
  }

  interest(k: number): bigint {
    return k === this.terms.termPeriods - 1 ? this.lastShare : this.share;
  }

  principal(k: number, balance: bigint): bigint {
    return k < this.amortStart ? 0n : clamp(this.level - this.share, balance);
  }

  installment(): bigint | undefined {
    return this.level;
  }
}
