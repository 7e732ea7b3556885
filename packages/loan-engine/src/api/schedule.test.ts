import { describe, expect, it } from 'vitest';
import { request } from '../test-support.js';
import { schedule } from './schedule.js';
import { scheduleRequestSchema } from './schedule-request.js';

describe('schedule: equal installments, per-period interest', () => {
  it('Excel PMT documentation example: PMT(8%/12, 10, 10000) = -1037.03', () => {
    const r = schedule(request({ principal: '10000', annualRatePercent: '8', termPeriods: 10 }));
    expect(r.installmentAmount).toBe('1037.03');
    expect(r.installments.slice(0, 9).every((i) => i.total === '1037.03')).toBe(true);
  });

  it('Excel PPMT documentation example: PPMT(10%/12, 1, 2*12, 2000) = -75.62', () => {
    const r = schedule(request({ principal: '2000', annualRatePercent: '10', termPeriods: 24 }));
    expect(r.installments[0]?.principal).toBe('75.62');
  });

  it('Excel IPMT documentation example: IPMT(10%/12, 1, 3*12, 8000) = -66.67', () => {
    const r = schedule(request({ principal: '8000', annualRatePercent: '10', termPeriods: 36 }));
    expect(r.installments[0]?.interest).toBe('66.67');
  });

  it('puts the residual on the last installment and ends at exactly zero', () => {
    const r = schedule(request({ principal: '10000', annualRatePercent: '8', termPeriods: 10 }));
    const last = r.installments.at(-1);
    expect(last).toMatchObject({ principal: '1030.20', interest: '6.87', total: '1037.07', balanceAfter: '0.00' });
    expect(r.totals).toMatchObject({ principal: '10000.00', interest: '370.34', payable: '10370.34' });
  });

  it('formats amounts with the currency scale: JPY 0 decimals, KWD 3', () => {
    const jpy = schedule(request({ currency: 'JPY', principal: '1000000', termPeriods: 12 }));
    expect(jpy.installments[0]?.total).toMatch(/^\d+$/);
    const kwd = schedule(request({ currency: 'KWD', principal: '1000.5', termPeriods: 12 }));
    expect(kwd.installments[0]?.total).toMatch(/^\d+\.\d{3}$/);
    expect(kwd.totals.principal).toBe('1000.500');
  });

  it('keeps the anchor day: Jan 31 disbursement falls due Feb 29, Mar 31, Apr 30 (2024)', () => {
    const r = schedule(request({ disbursementDate: '2024-01-31', termPeriods: 3 }));
    expect(r.installments.map((i) => i.dueDate)).toEqual(['2024-02-29', '2024-03-31', '2024-04-30']);
  });

  it('reports the APR of a fee-free loan as the nominal rate', () => {
    const r = schedule(request({ principal: '5000', annualRatePercent: '9', termPeriods: 24 }));
    expect(Number(r.apr)).toBeCloseTo(9, 2);
  });
});

describe('scheduleRequestSchema', () => {
  it('names the field of each problem', () => {
    const bad = scheduleRequestSchema.safeParse({ ...request(), principal: '12.345', termPeriods: 0 });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['principal', 'termPeriods']));
  });

  it('survives garbage in every field without throwing', () => {
    const garbage = { principal: 'abc', currency: 7, annualRatePercent: 'x', termPeriods: 'n', fees: 'no', grace: 3 };
    expect(scheduleRequestSchema.safeParse(garbage).success).toBe(false);
  });
});

describe('scheduleRequestSchema as a contract for the quote API', () => {
  it('converts to JSON Schema (for the LOS OpenAPI document) with enums, bounds and date formats', async () => {
    const { z } = await import('zod');
    const js = z.toJSONSchema(scheduleRequestSchema, { io: 'input' }) as { properties: Record<string, { enum?: string[]; format?: string; maximum?: number }>; required: string[] };
    expect(js.properties.frequency?.enum).toContain('semi-monthly');
    expect(js.properties.disbursementDate?.format).toBe('date');
    expect(js.properties.termPeriods?.maximum).toBe(1200);
    expect(js.required).toEqual(expect.arrayContaining(['principal', 'currency', 'annualRatePercent', 'disbursementDate']));
  });
});

describe('installmentsAsDinero', () => {
  it('gives dinero.js objects that format like the schedule strings', async () => {
    const { toDecimal } = await import('dinero.js/bigint');
    const { buildSchedule } = await import('../schedule/engine.js');
    const { installmentsAsDinero } = await import('./dinero-view.js');
    const { toLoanTerms } = await import('./to-terms.js');
    const terms = toLoanTerms(scheduleRequestSchema.parse(request({ termPeriods: 10 })));
    const rows = installmentsAsDinero(buildSchedule(terms));
    expect(toDecimal(rows[0]!.total)).toBe('1037.03');
  });
});
