import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { scheduleRequestArb } from '../api/fuzz-arbitraries.js';
import { schedule } from '../api/schedule.js';
import { scheduleRequestSchema, type ScheduleRequest } from '../api/schedule-request.js';
import { toLoanTerms } from '../api/to-terms.js';
import { scheduleApr } from '../apr/schedule-apr.js';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { formatIsoDate, fromCivil } from '../dates/local-date.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { buildSchedule } from '../schedule/engine.js';
import { METHODS } from '../schedule/types.js';

// Test support for the golden test: a fixed, seeded set of schedule requests and one digest per
// request of everything the engine answers for it — the minor-unit schedule (every field of every
// row), the exact Appendix J rate as a rational, and the JSON API's result (or its error). The
// fixture holds the digests the engine gave before its hot paths were rewritten for speed; the
// test recomputes them, so any change of any figure in any of these schedules fails it.

const day = fc.integer({ min: fromCivil(2000, 1, 1), max: fromCivil(2045, 12, 31) });

/** Loans as lenders write them: every method, frequency, day count and mode, grace, a fee, holidays. */
const typical: fc.Arbitrary<ScheduleRequest> = fc
  .record({
    currency: fc.constantFrom(['USD', 2], ['JPY', 0], ['KWD', 3], ['INR', 2]) as fc.Arbitrary<[string, number]>,
    principalUnits: fc.oneof(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 1_000_000, max: 10_000_000_000 })),
    rateBp: fc.integer({ min: 0, max: 9_999 }),
    termPeriods: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 480 })),
    frequency: fc.constantFrom(...FREQUENCIES),
    method: fc.constantFrom(...METHODS),
    daily: fc.boolean(),
    dayCount: fc.constantFrom(...DAY_COUNTS),
    disbursed: day,
    firstGap: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    mode: fc.constantFrom(...ROUNDING_MODES),
    multiple: fc.constantFrom(undefined, '1', '0.05'),
    grace: fc.option(fc.record({ principalPeriods: fc.nat(3), interestPeriods: fc.nat(3), moratoriumPeriods: fc.nat(2) }), { nil: undefined }),
    fee: fc.option(fc.record({ units: fc.integer({ min: 0, max: 10_000 }), timing: fc.constantFrom('upfront' as const, 'financed' as const, 'per-installment' as const), includeInApr: fc.boolean() }), { nil: undefined }),
    downUnits: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    holidays: fc.array(day, { maxLength: 5 }),
    convention: fc.constantFrom('none' as const, 'following' as const, 'modified-following' as const, 'preceding' as const),
  })
  .map((x): ScheduleRequest => {
    const [code, scale] = x.currency;
    const r: ScheduleRequest = {
      principal: String(x.principalUnits),
      currency: code,
      annualRatePercent: x.method === 'zero-interest-split' ? '0' : (x.rateBp / 100).toFixed(2),
      termPeriods: x.termPeriods,
      frequency: x.frequency,
      method: x.method,
      interestCalculation: x.daily ? 'daily' : 'per-period',
      dayCount: x.dayCount,
      disbursementDate: formatIsoDate(x.disbursed),
      rounding: { mode: x.mode, ...(x.multiple === undefined || scale === 0 ? {} : { installmentMultipleOf: x.multiple }) },
    };
    if (x.firstGap !== undefined) r.firstDueDate = formatIsoDate(x.disbursed + x.firstGap);
    if (x.grace && x.method !== 'flat') r.grace = x.grace;
    if (x.fee) r.fees = [{ name: 'fee', amount: String(x.fee.units), timing: x.fee.timing, includeInApr: x.fee.includeInApr }];
    if (x.downUnits !== undefined && x.downUnits < x.principalUnits) r.downPayment = String(x.downUnits);
    if (x.convention !== 'none') r.businessDays = { convention: x.convention, holidays: x.holidays.map(formatIsoDate) };
    return r;
  });

export const GOLDEN_SEED = 20261203;
export const GOLDEN_TYPICAL = 2500;
export const GOLDEN_FUZZ = 500;

export function goldenRequests(): ScheduleRequest[] {
  return [
    ...fc.sample(typical, { seed: GOLDEN_SEED, numRuns: GOLDEN_TYPICAL }),
    ...fc.sample(scheduleRequestArb, { seed: GOLDEN_SEED + 1, numRuns: GOLDEN_FUZZ }),
  ];
}

const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Digest (16 hex digits) of the minor schedule, the exact APR and the JSON API's answer. */
export function goldenDigest(request: ScheduleRequest): string {
  const parts: string[] = [];
  try {
    parts.push(json(schedule(request)));
    const terms = toLoanTerms(scheduleRequestSchema.parse(request));
    const minor = buildSchedule(terms);
    const apr = scheduleApr(terms, minor);
    parts.push(json(minor), apr ? `${apr.apr.n}/${apr.apr.d} ${apr.periodicRate.n}/${apr.periodicRate.d}` : 'no apr');
  } catch (error) {
    parts.push(error instanceof Error ? `${error.name}: ${errorText(error)}` : String(error));
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * An error as the fixture recorded it. A zod error's message is its issues as JSON; the `params` an issue may
 * carry (`documented`: which refinements a published schema also states, for the services' 400/422) are
 * metadata for callers, not part of the engine's answer, so they are left out.
 */
function errorText(error: Error): string {
  const issues = (error as { issues?: unknown }).issues;
  if (error.name !== 'ZodError' || !Array.isArray(issues)) return error.message;
  const bare = issues.map((issue: Record<string, unknown>) => Object.fromEntries(Object.entries(issue).filter(([key]) => key !== 'params')));
  return JSON.stringify(bare, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
}
