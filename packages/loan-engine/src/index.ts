// Public API of @lendstack/loan-engine. Pure: no I/O, no clock. See README.md.
export { scheduleRequestSchema, type ScheduleRequest, type ParsedScheduleRequest } from './api/schedule-request.js';
export { schedule, formatSchedule, type ScheduleResult, type InstallmentView } from './api/schedule.js';
export { toLoanTerms, percentToRate } from './api/to-terms.js';

export { buildSchedule } from './schedule/engine.js';
export { levelInstallment } from './schedule/annuity.js';
export type * from './schedule/types.js';
export { METHODS } from './schedule/types.js';

export { regZApr, regZAprTimed, type AprResult, type DatedAmount, type TimedAmount } from './apr/reg-z.js';
export { scheduleApr } from './apr/schedule-apr.js';

export { yearFraction, dayCountDays, DAY_COUNTS, type DayCount } from './daycount/day-count.js';
export { nthDate, FREQUENCIES, PERIODS_PER_YEAR, type Frequency } from './dates/frequency.js';
export { adjustDate, makeCalendar, isBusinessDay, type BusinessDayConvention, type HolidayCalendar } from './dates/business-days.js';
export { parseIsoDate, formatIsoDate, tryParseIsoDate, type DayNumber } from './dates/local-date.js';

export { divRound, roundToMultiple, ROUNDING_MODES, type RoundingMode } from './math/rounding.js';
export { rat, mul, add, sub, div, reduce, parseDecimal, toDecimalString, type Rational } from './math/rational.js';
export { findCurrency, type Currency } from './money/currency.js';
export { parseMoney, formatMoney, toDinero, fromDinero } from './money/money.js';
