import { divRound, divRoundToMultiple, type RoundingMode } from '../math/rounding.js';
import type { Period } from './periods.js';
import { emi } from './principal-plan.js';
import type { InstallmentMinor, LoanTerms } from './types.js';

/** What an amortisation run reports besides its rows (see engine.ts). */
export interface Amortised {
  /** The level installment, if the method has one. */
  readonly level: bigint | undefined;
  /** Whether some installment before the last was cut short so that the loan was not repaid early. */
  readonly capped: boolean;
}

/**
 * The schedule loop of engine.ts for the declining-balance methods without a moratorium
 * (equal-installment, equal-principal, interest-only, zero-interest-split): the same bigint
 * operations in the same order as the general loop with its principal plan, written as one
 * monomorphic loop — no plan or state objects, the interest rounding inlined with 2n and 2d
 * computed once per factor — because this is the engine's hot path. Returns undefined, having
 * appended nothing, for the other methods; the golden test holds both loops to the same rows.
 */
export function amortiseDecliningBalance(
  terms: LoanTerms,
  periods: readonly Period[],
  opening: bigint,
  perInstallmentFee: bigint,
  rows: InstallmentMinor[],
  levelMode: RoundingMode,
): Amortised | undefined {
  const method = terms.method;
  if (method === 'flat' || method === 'bullet' || terms.grace.moratoriumPeriods > 0) return undefined;
  const n = terms.termPeriods;
  const noInterest = method === 'zero-interest-split';
  const equalInstallment = method === 'equal-installment';
  const interestOnly = method === 'interest-only';
  const extraFirst = terms.extraFirstInterestMinor ?? 0n;
  const mode = terms.rounding.mode;
  const amortStart = terms.grace.principalPeriods;
  const graceEnd = terms.grace.interestPeriods;
  const first = (terms.seriesStart ?? 0) + 1;
  const keepsTerm = terms.fixedInstallmentMinor === undefined;
  const fee = perInstallmentFee;
  let balance = opening;
  let deferred = 0n;
  let level: bigint | undefined;
  let capped = false;
  let factor: Period['factor'] | undefined;
  let fn = 0n;
  let fd = 1n;
  let fn2 = 0n;
  let fd2 = 2n;
  for (let k = 0; k < n && (balance > 0n || keepsTerm); k += 1) {
    const period = periods[k] as Period;
    let accrued = 0n;
    if (!noInterest) {
      const f = period.factor;
      if (f !== factor) {
        factor = f;
        fn = f.n;
        fd = f.d;
        fn2 = 2n * fn;
        fd2 = 2n * fd;
      }
      // RatioRounder.round: balance × n / d rounded with the mode.
      if (mode === 'half-up') accrued = (balance * fn2 + fd) / fd2;
      else if (mode === 'down') accrued = (balance * fn) / fd;
      else if (mode === 'up') accrued = (balance * fn + fd - 1n) / fd;
      else accrued = divRound(balance * fn, fd, 'half-even');
    }
    if (k === 0 && extraFirst !== 0n) accrued += extraFirst;
    let interest = accrued;
    if (k < graceEnd && k < n - 1) {
      deferred += accrued;
      interest = 0n;
    } else if (deferred !== 0n) {
      interest = accrued + deferred;
      deferred = 0n;
    }
    let principal: bigint;
    if (k === n - 1) principal = balance;
    else if (k < amortStart || interestOnly) principal = 0n;
    else {
      level ??= equalInstallment
        ? (terms.fixedInstallmentMinor ?? emi(terms, periods, k, balance, levelMode))
        : divRoundToMultiple(balance, BigInt(n - k), terms.rounding.installmentMultipleMinor, 'down');
      const p = equalInstallment ? level - accrued : level;
      principal = p < 0n ? 0n : p > balance ? balance : p;
    }
    if (keepsTerm && k < n - 1 && principal >= balance && principal > 0n) {
      // Last resort (interest rounding drift on tiny loans): leave one minor unit for the last installment.
      principal = balance - 1n;
      capped = true;
    }
    balance -= principal;
    rows.push({
      number: first + k,
      dueDate: period.dueDate,
      periodStart: period.start,
      periodEnd: period.end,
      principal,
      interest,
      fees: fee,
      total: fee === 0n ? principal + interest : principal + interest + fee,
      balanceAfter: balance,
      capitalisedInterest: 0n,
    });
  }
  // Only the equal installment is reported as the level installment (as EqualInstallmentPlan does).
  return { level: equalInstallment ? level : undefined, capped };
}
