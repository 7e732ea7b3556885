// Public API of @lendstack/loan-engine. Pure: no I/O, no clock. See README.md.

// Request/response API: decimal strings in major units, validated with zod (errors carry field paths).
export { scheduleRequestSchema, type ScheduleRequest, type ParsedScheduleRequest } from './api/schedule-request.js';
export { schedule, formatSchedule, APR_DECIMALS, type ScheduleResult, type InstallmentView } from './api/schedule.js';
export { apr, aprRequestSchema, type AprRequest, type AprResponse } from './api/apr.js';
export { yearFrac, yearFracRequestSchema, type YearFracRequest, type YearFracResponse } from './api/yearfrac.js';
export { allocate, allocateRequestSchema, type AllocateRequest, type AllocateResponse } from './api/allocate.js';
export {
  payoff,
  payoffRequestSchema,
  prepay,
  prepayRequestSchema,
  accrue,
  accrueRequestSchema,
  rescheduleLoan,
  rescheduleRequestSchema,
  ServicingFailure,
  type RescheduleRequest,
  type RescheduleResponse,
  type PayoffRequest,
  type PayoffResponse,
  type PrepayRequest,
  type PrepayResponse,
  type AccrueRequest,
} from './api/servicing.js';
export { toLoanTerms, percentToRate } from './api/to-terms.js';

// Minor-unit API: bigint minor units, exact rationals, day numbers.
export { buildSchedule } from './schedule/engine.js';
export { levelInstallment } from './schedule/annuity.js';
export type * from './schedule/types.js';
export { METHODS } from './schedule/types.js';
export { MAX_TERM_PERIODS } from './schedule/validate.js';

export { regZApr, regZAprTimed, type AprResult, type DatedAmount, type TimedAmount } from './apr/reg-z.js';
export { irrApr, type IrrResult } from './apr/irr.js';
export { scheduleApr } from './apr/schedule-apr.js';
export { unitTime, UNIT_PERIODS, type UnitPeriod, type UnitTime } from './apr/unit-period.js';
export { inferUnitPeriod } from './apr/infer-unit.js';

export {
  allocatePayment,
  NAMED_STRATEGIES,
  type AllocationInput,
  type AllocationResult,
  type AllocationStrategy,
  type OutstandingInstallment,
  type Component,
  type Bucket,
  type StrategyName,
} from './allocation/allocate.js';

// Loan account: replayable servicing state, ledger effects and lifecycle events from money events.
export { replayAccount, resumeAccount, advanceAccount } from './account/account.js';
export { diffEffects, netBalances, isBalanced, type EffectDiff } from './account/diff.js';
export { compareEvents, DEFAULT_NON_ACCRUAL_DPD, DEFAULT_CHARGE_OFF_DPD, DEFAULT_BUCKET_LOWER_BOUNDS_DAYS } from './account/rules.js';
export { LEDGER_ACCOUNTS } from './account/types.js';
export { accountPayoffQuote, quoteOf, type AccountPayoffQuote, type AccountPayoffParts, type AccountPayoffOptions, type AccountPayoffError } from './account/payoff.js';
export type * from './account/types.js';

export { payoffQuote, type PayoffInput, type PayoffQuote, type PrepaymentCharge } from './servicing/payoff.js';
export { partialPrepayment, remainingTerms, type PrepaymentInput, type PrepaymentResult, type PrepaymentStrategy } from './servicing/prepayment.js';
export { reschedule, type RescheduleInput, type RescheduleResult } from './servicing/reschedule.js';
export { accruedInterest, dailyAccruals, type AccrualInput, type DailyAccrual } from './servicing/accrual.js';
export type { Result, ServicingError } from './servicing/result.js';

export { yearFraction, dayCountDays, DAY_COUNTS, DAY_COUNT_ALIASES, type DayCount, type DayCountContext } from './daycount/day-count.js';
export { nthDate, dateSeries, FREQUENCIES, PERIODS_PER_YEAR, type Frequency } from './dates/frequency.js';
export { adjustDate, makeCalendar, isBusinessDay, type BusinessDayConvention, type HolidayCalendar } from './dates/business-days.js';
export { parseIsoDate, formatIsoDate, tryParseIsoDate, fromCivil, toCivil, type DayNumber } from './dates/local-date.js';

export { divRound, roundToMultiple, ROUNDING_MODES, type RoundingMode } from './math/rounding.js';
export { rat, mul, add, sub, div, reduce, parseDecimal, toDecimalString, type Rational } from './math/rational.js';
export { findCurrency, DECIMAL_CURRENCIES, type Currency } from './money/currency.js';
export { LOAN_DATE_RANGE, MAX_INTEGER_DIGITS, loanDateString } from './api/common-schemas.js';
export { parseMoney, formatMoney, toDinero, fromDinero, toWireMoney, fromWireMoney, type WireMoney } from './money/money.js';
export { installmentsAsDinero, type DineroInstallment } from './api/dinero-view.js';
