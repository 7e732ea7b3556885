import { z } from 'zod';
import { inferUnitPeriod } from '../apr/infer-unit.js';
import { irrApr } from '../apr/irr.js';
import { regZAprTimed, type DatedAmount, type TimedAmount } from '../apr/reg-z.js';
import { UNIT_PERIODS, unitPeriodsPerYear, unitTime, type UnitPeriod } from '../apr/unit-period.js';
import { parseIsoDate, type DayNumber } from '../dates/local-date.js';
import { mul, parseDecimal, rat, toDecimalString, type Rational } from '../math/rational.js';
import { decimals, decimalString, isDecimal, isoDateString } from './common-schemas.js';

const MAX_FLOWS = 2000;
const DAYS_PER_YEAR = 365n;
/** Percent places for APR output; the issue asks for at least 4. */
export const APR_PERCENT_DECIMALS = 4;

const flowSchema = z.object({ date: isoDateString, amount: decimalString });

export const aprRequestSchema = z
  .object({
    method: z.enum(['reg-z', 'irr']),
    advances: z.array(flowSchema).min(1).max(MAX_FLOWS),
    payments: z.array(flowSchema).min(1).max(MAX_FLOWS),
    /** Defaults to the most common payment interval (Appendix J (b)(4)); four-weekly and two-monthly are Appendix J's every 4 weeks and every 2 months. */
    unitPeriod: z.enum(UNIT_PERIODS).optional(),
  })
  .superRefine((req, ctx) => {
    const firstAdvance = Math.min(...req.advances.map((a) => safeDate(a.date)));
    req.payments.forEach((p, i) => {
      if (safeDate(p.date) < firstAdvance) {
        ctx.addIssue({ code: 'custom', path: ['payments', i, 'date'], message: 'must not be before the first advance' });
      }
    });
    const nonZero = (list: { amount: string }[], field: string): void =>
      list.forEach((x, i) => {
        if (isDecimal(x.amount) && !/[1-9]/.test(x.amount)) {
          ctx.addIssue({ code: 'custom', path: [field, i, 'amount'], message: 'must be greater than zero' });
        }
      });
    nonZero(req.advances, 'advances');
    nonZero(req.payments, 'payments');
  });

function safeDate(text: string): DayNumber {
  try {
    return parseIsoDate(text);
  } catch {
    return Number.NaN;
  }
}

export type AprRequest = z.input<typeof aprRequestSchema>;

export interface AprResponse {
  method: 'reg-z' | 'irr';
  /** Annual percentage rate in percent. */
  apr: string | null;
  unitPeriod: UnitPeriod | 'single-payment-term';
  unitPeriodsPerYear: string;
  periodicRatePercent: string | null;
  /** IRR method only: (1 + periodic rate)^(periods per year) − 1, in percent. */
  effectiveAnnualRatePercent?: string | null;
}

const pct = (r: Rational, places = APR_PERCENT_DECIMALS): string => toDecimalString(mul(r, rat(100n)), places);

/** APR of dated advances and payments by Regulation Z Appendix J or annualised IRR. */
export function apr(request: AprRequest): AprResponse {
  const req = aprRequestSchema.parse(request);
  const scale = Math.max(...[...req.advances, ...req.payments].map((f) => decimals(f.amount)));
  const toMinor = (amount: string): bigint => {
    const r = parseDecimal(amount);
    return (r.n * 10n ** BigInt(scale)) / r.d;
  };
  const adv = req.advances.map((a) => ({ date: parseIsoDate(a.date), amountMinor: toMinor(a.amount) }));
  const pay = req.payments.map((p) => ({ date: parseIsoDate(p.date), amountMinor: toMinor(p.amount) }));
  if (adv.length === 1 && pay.length === 1 && req.unitPeriod === undefined) return singlePayment(req.method, adv[0]!, pay[0]!);
  const unit = req.unitPeriod ?? inferUnitPeriod(pay.map((p) => p.date));
  const start = Math.min(...adv.map((a) => a.date));
  const place = (x: { date: DayNumber; amountMinor: bigint }): TimedAmount => ({
    time: unitTime(start, x.date, unit),
    amountMinor: x.amountMinor,
  });
  const [a, p] = [adv.map(place), pay.map(place)];
  const common = (r: { apr: Rational; periodicRate: Rational } | undefined) => ({
    apr: r ? pct(r.apr) : null,
    unitPeriod: unit,
    unitPeriodsPerYear: String(unitPeriodsPerYear(unit)),
    periodicRatePercent: r ? pct(r.periodicRate, 10) : null,
  });
  if (req.method === 'reg-z') return { method: 'reg-z', ...common(regZAprTimed(a, p, unit)) };
  const r = irrApr(a, p, unit);
  return { method: 'irr', ...common(r), effectiveAnnualRatePercent: r ? pct(r.effectiveAnnualRate) : null };
}

/**
 * One advance, one payment: the unit-period is the whole term and there are 365 ÷ days of them in
 * a year (Appendix J (b)(5)); both methods agree: APR = (P − A) / A × 365 / days, exactly.
 */
function singlePayment(method: 'reg-z' | 'irr', a: DatedAmount, p: DatedAmount): AprResponse {
  const days = BigInt(Math.max(1, p.date - a.date));
  const periodic = rat(p.amountMinor - a.amountMinor, a.amountMinor);
  const annual = rat(periodic.n * DAYS_PER_YEAR, periodic.d * days);
  const base: AprResponse = {
    method,
    apr: pct(annual),
    unitPeriod: 'single-payment-term',
    unitPeriodsPerYear: toDecimalString(rat(DAYS_PER_YEAR, days), 10),
    periodicRatePercent: pct(periodic, 10),
  };
  return method === 'irr' ? { ...base, effectiveAnnualRatePercent: null } : base;
}
