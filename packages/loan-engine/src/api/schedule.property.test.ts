import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_COUNTS } from '../daycount/day-count.js';
import { FREQUENCIES } from '../dates/frequency.js';
import { formatIsoDate, fromCivil } from '../dates/local-date.js';
import { ROUNDING_MODES } from '../math/rounding.js';
import { METHODS } from '../schedule/types.js';
import { schedule } from './schedule.js';
import { scheduleRequestSchema, type ScheduleRequest } from './schedule-request.js';

const day = fc.integer({ min: fromCivil(2000, 1, 1), max: fromCivil(2045, 12, 31) });
const currency = fc.constantFrom(['USD', 2], ['JPY', 0], ['KWD', 3], ['INR', 2]) as fc.Arbitrary<[string, number]>;

const req: fc.Arbitrary<ScheduleRequest> = fc
  .record({
    currency,
    principalUnits: fc.integer({ min: 1, max: 1_000_000_000 }),
    rateBp: fc.integer({ min: 0, max: 9_999 }),
    termPeriods: fc.integer({ min: 1, max: 360 }),
    frequency: fc.constantFrom(...FREQUENCIES),
    method: fc.constantFrom(...METHODS),
    daily: fc.boolean(),
    dayCount: fc.constantFrom(...DAY_COUNTS),
    disbursed: day,
    firstGap: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    mode: fc.constantFrom(...ROUNDING_MODES),
    grace: fc.record({ principalPeriods: fc.nat(3), interestPeriods: fc.nat(3), moratoriumPeriods: fc.nat(2) }),
    fee: fc.option(fc.record({ units: fc.integer({ min: 0, max: 10_000 }), timing: fc.constantFrom('upfront' as const, 'financed' as const, 'per-installment' as const) }), { nil: undefined }),
    holidays: fc.array(day, { maxLength: 5 }),
    convention: fc.constantFrom('none' as const, 'following' as const, 'modified-following' as const, 'preceding' as const),
  })
  .map((x) => {
    const [code, scale] = x.currency;
    const amount = (units: number): string => (scale === 0 ? String(units) : (units / 10 ** scale).toFixed(scale));
    return {
      principal: amount(x.principalUnits),
      currency: code,
      annualRatePercent: x.method === 'zero-interest-split' ? '0' : (x.rateBp / 100).toFixed(2),
      termPeriods: x.termPeriods,
      frequency: x.frequency,
      method: x.method,
      interestCalculation: x.daily ? 'daily' : 'per-period',
      dayCount: x.dayCount,
      disbursementDate: formatIsoDate(x.disbursed),
      firstDueDate: x.firstGap === undefined ? undefined : formatIsoDate(x.disbursed + x.firstGap),
      rounding: { mode: x.mode },
      grace: x.method === 'flat' ? { ...x.grace, moratoriumPeriods: 0 } : x.grace,
      fees: x.fee ? [{ name: 'fee', amount: amount(x.fee.units), timing: x.fee.timing }] : undefined,
      businessDays: { convention: x.convention, holidays: x.holidays.map(formatIsoDate) },
    } satisfies ScheduleRequest;
  });

/** Generous: the machine running the suite may be busy; a property run is a few seconds. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe('schedule() on any request the schema accepts (property)', () => {
  it('never throws; amounts carry exactly the currency scale; the balance ends at zero', () => {
    fc.assert(
      fc.property(req, (r) => {
        if (!scheduleRequestSchema.safeParse(r).success) return; // e.g. grace longer than the term
        const out = schedule(r);
        const scale = { USD: 2, JPY: 0, KWD: 3, INR: 2 }[r.currency as 'USD'];
        const pattern = scale === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${scale}}$`);
        for (const i of out.installments) {
          for (const v of [i.principal, i.interest, i.fees, i.total, i.balanceAfter]) expect(v).toMatch(pattern);
          expect(i.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
        expect(out.installments.at(-1)?.balanceAfter).toMatch(/^0(\.0+)?$/);
        expect(out.apr === null || /^-?\d+\.\d{4}$/.test(out.apr)).toBe(true);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
