import { z } from 'zod';
import { FREQUENCIES } from '../dates/frequency.js';
import { DAY_COUNTS, dayCountDays, needsFrequency, yearFraction, type DayCountContext } from '../daycount/day-count.js';
import { parseIsoDate } from '../dates/local-date.js';
import { reduce, toDecimalString } from '../math/rational.js';
import { isoDateString } from './common-schemas.js';

/** Decimals in the yearFraction string (the issue asks for at least 10). */
export const YEAR_FRACTION_DECIMALS = 12;

/** The extra inputs of 30E/360 ISDA and Actual/Actual ICMA (ignored by the other conventions). */
export const dayCountContextFields = {
  /** 30E/360 ISDA: the termination date (its February month-end is not moved to the 30th). */
  terminationDate: isoDateString.optional(),
  /** Actual/Actual ICMA: the coupon frequency, required for that convention. */
  frequency: z.enum(FREQUENCIES).optional(),
  /** Actual/Actual ICMA: one regular coupon date of the series (defaults to the end date). */
  referenceDate: isoDateString.optional(),
};

/** Asks for `frequency` where the convention needs it. */
export function requireFrequency(req: { frequency?: string | undefined }, convention: (typeof DAY_COUNTS)[number], ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  if (needsFrequency(convention) && req.frequency === undefined) {
    ctx.addIssue({ code: 'custom', path: [...path, 'frequency'], message: `is required for ${convention}` });
  }
}

export function contextOf(req: { terminationDate?: string | undefined; frequency?: (typeof FREQUENCIES)[number] | undefined; referenceDate?: string | undefined }): DayCountContext {
  return {
    ...(req.terminationDate === undefined ? {} : { terminationDate: parseIsoDate(req.terminationDate) }),
    ...(req.frequency === undefined ? {} : { frequency: req.frequency }),
    ...(req.referenceDate === undefined ? {} : { referenceDate: parseIsoDate(req.referenceDate) }),
  };
}

export const yearFracRequestSchema = z
  .object({
    convention: z.enum(DAY_COUNTS),
    start: isoDateString,
    end: isoDateString,
    ...dayCountContextFields,
  })
  .superRefine((req, ctx) => requireFrequency(req, req.convention, ctx));

export type YearFracRequest = z.input<typeof yearFracRequestSchema>;

export interface YearFracResponse {
  convention: string;
  yearFraction: string;
  /** The exact fraction, "numerator/denominator" in lowest terms. */
  exact: string;
  /** Day count numerator under the convention (30/360 counts 30-day months). */
  days: number;
}

export function yearFrac(request: YearFracRequest): YearFracResponse {
  const req = yearFracRequestSchema.parse(request);
  const [start, end] = [parseIsoDate(req.start), parseIsoDate(req.end)];
  const context = contextOf(req);
  const f = reduce(yearFraction(req.convention, start, end, context));
  return {
    convention: req.convention,
    yearFraction: toDecimalString(f, YEAR_FRACTION_DECIMALS),
    exact: `${f.n}/${f.d}`,
    days: dayCountDays(req.convention, Math.min(start, end), Math.max(start, end), context) * (end < start ? -1 : 1),
  };
}
