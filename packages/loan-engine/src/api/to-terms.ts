import { makeCalendar } from '../dates/business-days.js';
import { parseIsoDate } from '../dates/local-date.js';
import { parseDecimal, POW10_DOUBLE, rat, reduce, reducedFromDoubles, smallDecimal } from '../math/rational.js';
import { findCurrency, type Currency } from '../money/currency.js';
import { parseMoney } from '../money/money.js';
import type { LoanTerms } from '../schedule/types.js';
import type { ParsedScheduleRequest } from './schedule-request.js';

export function requireCurrency(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) throw new RangeError(`unknown currency ${code}`);
  return currency;
}

/** Percent string → exact annual rate fraction ("10.5" → 21/200). */
export function percentToRate(percent: string): ReturnType<typeof rat> {
  const small = smallDecimal(percent);
  // 10^(decimals + 2) ≤ 10^17 = 2^17 · 5^17 is an exact double, and so is every divisor's quotient.
  if (small !== undefined) return reducedFromDoubles(small.numerator, POW10_DOUBLE[small.decimals + 2] as number);
  const p = parseDecimal(percent);
  return reduce(rat(p.n, p.d * 100n));
}

/** Maps a validated request (major-unit strings) onto the minor-unit API's LoanTerms. */
export function toLoanTerms(req: ParsedScheduleRequest): LoanTerms {
  const currency = requireCurrency(req.currency);
  const multiple = req.rounding?.installmentMultipleOf;
  const bd = req.businessDays;
  return {
    currency,
    principalMinor: parseMoney(req.principal, currency),
    annualRate: percentToRate(req.annualRatePercent),
    termPeriods: req.termPeriods,
    frequency: req.frequency,
    method: req.method,
    interestCalculation: req.interestCalculation,
    dayCount: req.dayCount,
    disbursementDate: parseIsoDate(req.disbursementDate),
    firstDueDate: req.firstDueDate === undefined ? undefined : parseIsoDate(req.firstDueDate),
    rounding: {
      mode: req.rounding?.mode ?? 'half-up',
      installmentMultipleMinor: multiple === undefined ? 1n : parseMoney(multiple, currency),
    },
    grace: {
      principalPeriods: req.grace?.principalPeriods ?? 0,
      interestPeriods: req.grace?.interestPeriods ?? 0,
      moratoriumPeriods: req.grace?.moratoriumPeriods ?? 0,
    },
    fees: req.fees === undefined || req.fees.length === 0 ? [] : toFees(req.fees, currency),
    downPaymentMinor: req.downPayment === undefined ? 0n : parseMoney(req.downPayment, currency),
    businessDays: bd && {
      convention: bd.convention,
      calendar: makeCalendar(bd.holidays.map(parseIsoDate), bd.weekendDays),
    },
  };
}

function toFees(fees: NonNullable<ParsedScheduleRequest['fees']>, currency: Currency): LoanTerms['fees'] {
  return fees.map((f) => ({
    name: f.name,
    amountMinor: parseMoney(f.amount, currency),
    timing: f.timing,
    includeInApr: f.includeInApr,
  }));
}
