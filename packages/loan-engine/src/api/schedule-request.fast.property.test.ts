import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goldenRequests } from '../golden/golden-cases.js';
import { request } from '../test-support.js';
import { scheduleRequestArb } from './fuzz-arbitraries.js';
import { parseScheduleRequest, parseValidRequest, scheduleRequestSchema } from './schedule-request.js';

// parseValidRequest answers without zod only for requests zod certainly accepts, with zod's output;
// everything else (every refusal) is left to zod. Checked on fuzzed requests, on the same requests
// with one field broken or of the wrong type, and on the golden set.

const PROPERTY_TIMEOUT_MS = 120_000;

/** One field replaced by a value of another type, out of range, or removed. */
const breakage = fc.record({
  path: fc.constantFrom(
    ['principal'], ['currency'], ['annualRatePercent'], ['termPeriods'], ['frequency'], ['method'], ['interestCalculation'], ['dayCount'],
    ['disbursementDate'], ['firstDueDate'], ['downPayment'], ['rounding'], ['rounding', 'mode'], ['rounding', 'installmentMultipleOf'],
    ['grace'], ['grace', 'moratoriumPeriods'], ['fees'], ['fees', 0], ['fees', 0, 'name'], ['fees', 0, 'includeInApr'], ['fees', 0, 'timing'],
    ['businessDays'], ['businessDays', 'holidays'], ['businessDays', 'holidays', 0], ['businessDays', 'weekendDays', 0], ['businessDays', 'convention'], ['extra'],
  ),
  value: fc.constantFrom<unknown>(undefined, null, '', 'x', '1.5', '-1', '01', 0, -1, 1.5, 7, 1201, NaN, Infinity, true, [], {}, [0], '2024-02-30', '1899-12-31', 'USD', 'monthly', 'ABC', 'a'.repeat(101)),
});

function withBreakage(input: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(input) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Record<string | number, unknown>;
  }
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function agreesWithZod(input: unknown): boolean {
  const fast = parseValidRequest(input);
  const zod = scheduleRequestSchema.safeParse(input);
  if (fast !== undefined) {
    expect(zod.success).toBe(true);
    expect(fast).toEqual(zod.data);
  }
  return fast !== undefined;
}

describe('parseValidRequest = zod on every request it answers (property)', () => {
  it('fuzzed requests, as drawn and with one field broken', () => {
    let answered = 0;
    let valid = 0;
    fc.assert(
      fc.property(scheduleRequestArb, breakage, (input, b) => {
        if (scheduleRequestSchema.safeParse(input).success) valid += 1;
        if (agreesWithZod(input)) answered += 1;
        agreesWithZod(withBreakage(input, b.path, b.value));
      }),
      { numRuns: 1500 },
    );
    expect(answered).toBe(valid); // every valid fuzzed request is answered without zod
  }, PROPERTY_TIMEOUT_MS);

  it('the golden requests: each valid one answered without zod, with zod’s output', () => {
    const requests = goldenRequests();
    let valid = 0;
    for (const r of requests) {
      const ok = scheduleRequestSchema.safeParse(r).success;
      if (ok) valid += 1;
      expect(agreesWithZod(r)).toBe(ok);
    }
    expect(valid).toBeGreaterThan(2000);
  }, PROPERTY_TIMEOUT_MS);

  it('refusals still come from zod, with its field paths and messages', () => {
    const bad = { ...request(), termPeriods: 0, principal: '1.234' };
    expect(parseValidRequest(bad)).toBeUndefined();
    expect(() => parseScheduleRequest(bad)).toThrowError(scheduleRequestSchema.safeParse(bad).error?.message);
    expect(parseValidRequest([request()])).toBeUndefined();
    expect(parseValidRequest(null)).toBeUndefined();
    expect(parseValidRequest({ ...request(), downPayment: '10000' })).toBeUndefined(); // cross-field: not below the principal
  });

  it('fills zod’s defaults and drops unknown keys', () => {
    const input = { ...request(), rounding: {}, grace: {}, fees: [{ name: 'f', amount: '1', timing: 'upfront' }], businessDays: { convention: 'following' }, extra: 1 };
    expect(parseValidRequest(input)).toEqual(scheduleRequestSchema.parse(input));
    expect(parseValidRequest(input)).toMatchObject({ rounding: { mode: 'half-up' }, grace: { moratoriumPeriods: 0 }, businessDays: { holidays: [], weekendDays: [0, 6] } });
    expect(parseValidRequest(input)).not.toHaveProperty('extra');
  });
});
