import fc from 'fast-check';
import { BUSINESS_DAY_CONVENTIONS } from '../dates/business-days.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { formatIsoDate, fromCivil } from '../dates/local-date.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { METHODS } from '../schedule/types.js';
import type { ScheduleRequest } from './schedule-request.js';

// Test support: fast-check arbitraries over the request schemas' own input space — edge amounts
// (one minor unit, 18 digits), rates up to 1000 %, terms up to 1200, every date the date format
// allows, long odd first periods, grace up to the term, huge installment multiples, dense holiday
// calendars. Most draws are valid; the rest exercise the schemas' refusals.

export const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min, max }).chain((n) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join('')));

export const decimal: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '0.01', '0.001', '1', '0.5', '999999999999999999', '100', '1000.00'),
  fc.tuple(digits(1, 18), fc.option(digits(1, 3), { nil: undefined })).map(([i, f]) => (f === undefined ? i : `${i}.${f}`)),
  { arbitrary: fc.integer({ min: 1, max: 10_000_000 }).map((n) => String(n)), weight: 2 },
);
export const smallAmount = fc.oneof(fc.constantFrom('0', '0.01', '1', '25'), decimal);

export const rate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '1000', '0.000000000001', '999.999999999999', '36'),
  fc.integer({ min: 0, max: 100_000 }).map((bp) => (bp / 100).toFixed(2)),
);

const MIN_DAY = fromCivil(1900, 1, 1);
const MAX_DAY = fromCivil(2999, 12, 31);
export const day = fc.oneof(
  fc.integer({ min: fromCivil(0, 1, 1), max: fromCivil(9999, 12, 31) }), // isoDateString's whole space
  fc.integer({ min: MIN_DAY, max: MAX_DAY }),
  fc.integer({ min: MAX_DAY - 400, max: MAX_DAY }),
  fc.integer({ min: MIN_DAY, max: MIN_DAY + 400 }),
  fc.integer({ min: fromCivil(2020, 1, 1), max: fromCivil(2030, 12, 31) }),
);
const period = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 6 }, fc.integer({ min: 0, max: 1200 }));

export const scheduleRequestArb: fc.Arbitrary<ScheduleRequest> = fc
  .record({
    principal: decimal,
    currency: fc.constantFrom('USD', 'JPY', 'KWD', 'INR', 'EUR', 'BHD'),
    annualRatePercent: rate,
    termPeriods: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1200 })),
    frequency: fc.constantFrom(...FREQUENCIES),
    method: fc.constantFrom(...METHODS),
    interestCalculation: fc.constantFrom('per-period' as const, 'daily' as const),
    dayCount: fc.constantFrom(...DAY_COUNTS),
    disbursed: day,
    firstGapDays: fc.option(fc.oneof(fc.integer({ min: -5, max: 120 }), fc.integer({ min: 1, max: 400_000 })), { nil: undefined }),
    rounding: fc.option(fc.record({ mode: fc.constantFrom(...ROUNDING_MODES), installmentMultipleOf: fc.option(decimal, { nil: undefined }) }, { requiredKeys: ['mode'] }), { nil: undefined }),
    grace: fc.option(fc.record({ principalPeriods: period, interestPeriods: period, moratoriumPeriods: period }), { nil: undefined }),
    fees: fc.option(fc.array(fc.record({ name: fc.constant('fee'), amount: smallAmount, timing: fc.constantFrom('upfront' as const, 'financed' as const, 'per-installment' as const), includeInApr: fc.boolean() }), { maxLength: 3 }), { nil: undefined }),
    downPayment: fc.option(smallAmount, { nil: undefined, freq: 2 }),
    businessDays: fc.option(
      fc.record({
        convention: fc.constantFrom(...BUSINESS_DAY_CONVENTIONS),
        holidays: fc.oneof(
          fc.array(day, { maxLength: 10 }).map((days) => ({ days })),
          // A run of consecutive holidays starting `from` days after the disbursement date.
          fc.record({ from: fc.integer({ min: -30, max: 400 }), length: fc.integer({ min: 100, max: 800 }) }),
        ),
        weekendDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ disbursed, firstGapDays, businessDays, ...x }) => {
    const r: ScheduleRequest = { ...x, disbursementDate: formatIsoDate(disbursed) };
    if (firstGapDays !== undefined) r.firstDueDate = formatIsoDate(disbursed + firstGapDays);
    if (businessDays) {
      const h = businessDays.holidays;
      const days = 'days' in h ? h.days : Array.from({ length: h.length }, (_, i) => disbursed + h.from + i);
      r.businessDays = { ...businessDays, holidays: days.map(formatIsoDate) };
    }
    return r;
  });

