import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleRequestArb } from './fuzz-arbitraries.js';
import { schedule } from './schedule.js';
import { scheduleRequestSchema } from './schedule-request.js';

/** Generous: big terms with 18-digit amounts at 1000 % take a while on a busy machine. */
const FUZZ_TIMEOUT_MS = 300_000;

// Whatever scheduleRequestSchema accepts, schedule() must answer: a throw there is a bug (or a
// missing validation issue). LOANCALC_FUZZ_RUNS=30000 for a deeper audit.
describe('schedule() on the schema\'s own input space (fuzz)', () => {
  it('whatever scheduleRequestSchema accepts, schedule() answers with a well-formed schedule', () => {
    let accepted = 0;
    fc.assert(
      fc.property(scheduleRequestArb, (r) => {
        const parsed = scheduleRequestSchema.safeParse(r);
        if (!parsed.success) return;
        accepted += 1;
        const out = schedule(r);
        const rows = out.installments.filter((i) => i.number > 0);
        expect(rows.length).toBe(r.method === 'bullet' ? 1 : r.termPeriods);
        expect(out.installments.every((i) => /^\d{4}-\d{2}-\d{2}$/.test(i.dueDate) && !i.balanceAfter.startsWith('-'))).toBe(true);
        expect(out.installments.at(-1)?.balanceAfter).toMatch(/^0(\.0+)?$/);
      }),
      { numRuns: Number(process.env['LOANCALC_FUZZ_RUNS'] ?? 2000) },
    );
    expect(accepted).toBeGreaterThan(200); // the fuzz must reach the engine, not only the schema
  }, FUZZ_TIMEOUT_MS);
});
