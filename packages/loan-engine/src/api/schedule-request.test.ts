import { describe, expect, it } from 'vitest';
import { formatIsoDate, fromCivil } from '../dates/local-date.js';
import { request } from '../test-support.js';
import { schedule } from './schedule.js';
import { scheduleRequestSchema, type ScheduleRequest } from './schedule-request.js';

/** Field paths of the schema's issues, dotted ("businessDays.holidays"). */
const fieldsOf = (r: ScheduleRequest): string[] => {
  const parsed = scheduleRequestSchema.safeParse(r);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

const days = (from: string, count: number): string[] => {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => formatIsoDate(fromCivil(y, m, d) + i));
};

describe('business-day calendars that leave no business day (schema)', () => {
  it('given holidays covering 400 days, when validated, then an issue on businessDays.holidays (not a RangeError from schedule)', () => {
    const r = request({ disbursementDate: '2026-01-15', businessDays: { convention: 'following', holidays: days('2026-02-01', 400) } });
    expect(fieldsOf(r)).toEqual(['businessDays.holidays']);
    expect(() => schedule(r)).toThrow(/must leave a business day/);
  });

  it('given a whole leap year of holidays joined to weekends, when validated, then refused for every convention but none', () => {
    const holidays = days('2028-01-01', 366); // 2027-12-31 is a Friday, 2029-01-01 a Monday
    for (const convention of ['following', 'modified-following', 'preceding'] as const) {
      expect(fieldsOf(request({ businessDays: { convention, holidays, weekendDays: [0, 1, 5, 6] } }))).toEqual(['businessDays.holidays']);
    }
    expect(fieldsOf(request({ businessDays: { convention: 'none', holidays } }))).toEqual([]);
  });

  it('given 366 holidays (Tue–Wed) with business days either side, when validated, then accepted and scheduled', () => {
    const r = request({ disbursementDate: '2026-01-15', businessDays: { convention: 'modified-following', holidays: days('2026-03-03', 366) } });
    expect(fieldsOf(r)).toEqual([]);
    expect(schedule(r).installments).toHaveLength(12);
  });

  it('given every day of the week a weekend day, when validated, then an issue on businessDays.weekendDays', () => {
    const r = request({ businessDays: { convention: 'preceding', weekendDays: [0, 1, 2, 3, 4, 5, 6] } });
    expect(fieldsOf(r)).toEqual(['businessDays.weekendDays']);
  });
});

describe('dates are bounded so every due date stays a 4-digit ISO 8601 year (schema)', () => {
  it.each([
    ['disbursementDate', { disbursementDate: '1899-12-31' }],
    ['disbursementDate', { disbursementDate: '3000-01-01' }],
    ['disbursementDate', { disbursementDate: '9990-01-01', termPeriods: 1200, frequency: 'quarterly' }],
    ['firstDueDate', { disbursementDate: '2999-12-01', firstDueDate: '3000-01-01' }],
  ] as const)('given %s out of range (%o), when validated, then an issue on it', (field, overrides) => {
    expect(fieldsOf(request(overrides))).toContain(field);
  });

  it('given the latest dates allowed and the longest term, when scheduled, then the last due date is a valid ISO date', () => {
    const r = request({ disbursementDate: '2999-11-30', firstDueDate: '2999-12-31', termPeriods: 1200, frequency: 'quarterly' });
    expect(fieldsOf(r)).toEqual([]);
    expect(schedule(r).installments.at(-1)?.dueDate).toBe('3299-09-30');
  });

  it('given the earliest date allowed, when validated, then accepted', () => {
    expect(fieldsOf(request({ disbursementDate: '1900-01-01' }))).toEqual([]);
  });
});
