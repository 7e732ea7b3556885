// Input validation: the product's rules normalised, and the events sorted and filtered.
import { NAMED_STRATEGIES, type AllocationStrategy } from '../allocation/allocate.js';
import type { DayNumber } from '../dates/local-date.js';
import { parseDecimal, type Rational } from '../math/rational.js';
import { ok, type Result } from '../servicing/result.js';
import type { AccountError, AccountErrorCode, AccountProduct, LateFeeRule, MoneyEvent, ScheduledInstallment } from './types.js';

export const DEFAULT_NON_ACCRUAL_DPD = 90;
export const DEFAULT_CHARGE_OFF_DPD = 120;
export const DEFAULT_BUCKET_LOWER_BOUNDS_DAYS: readonly number[] = [1, 30, 60, 90, 120];

export interface Rules {
  readonly strategy: AllocationStrategy;
  readonly graceDays: number;
  readonly lateFee: LateFeeRule | undefined;
  /** Late fee percent as a fraction of 1 (5 % = 1/20). */
  readonly lateFeeRate: Rational | undefined;
  /** Annual penal rate as a fraction of 1; undefined when there is none. */
  readonly penalRate: Rational | undefined;
  readonly nonAccrualDpd: number;
  readonly chargeOffDpd: number;
  readonly bucketBounds: readonly number[];
  readonly bucketLabels: readonly string[];
  /** The prepayment charge a foreclosure pays: rate (fraction of 1) of the principal outstanding, plus fixed. */
  readonly prepaymentCharge: { readonly rate: Rational; readonly fixedMinor: bigint } | undefined;
}

/** A money event that takes effect: reversed repayments and not-yet-effective events removed. */
export type AppliedEvent = Extract<MoneyEvent, { kind: 'disbursement' | 'repayment' | 'prepayment' | 'foreclosure' | 'write-off' | 'restructure' | 're-age' }>;
/** An applied event that moves money (all but a write-off and a restructure). */
export type CashEvent = Extract<AppliedEvent, { amountMinor: bigint }>;

const fail = (code: AccountErrorCode, message: string, eventId?: string): Result<never, AccountError> => ({
  ok: false,
  error: eventId === undefined ? { code, message } : { code, message, eventId },
});

const isDay = (d: number): boolean => Number.isSafeInteger(d);
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export function validateSchedule(schedule: readonly ScheduledInstallment[]): Result<true, AccountError> {
  if (schedule.length === 0) return fail('invalid-schedule', 'the schedule has no installments');
  const numbers = new Set<number>();
  let previous = -Infinity;
  for (const i of schedule) {
    if (!isDay(i.dueDate) || i.dueDate <= previous) return fail('invalid-schedule', `installment ${i.number}: due dates must strictly increase`);
    if (i.principalMinor < 0n || i.interestMinor < 0n || i.feesMinor < 0n) return fail('invalid-schedule', `installment ${i.number}: negative amount`);
    if (numbers.has(i.number)) return fail('invalid-schedule', `installment number ${i.number} repeats`);
    numbers.add(i.number);
    previous = i.dueDate;
  }
  return ok(true);
}

function percentRate(text: string): Rational | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const r = parseDecimal(text);
  return { n: r.n, d: r.d * 100n };
}

export function normaliseProduct(p: AccountProduct): Result<Rules, AccountError> {
  const strategy = typeof p.strategy === 'string' ? NAMED_STRATEGIES[p.strategy] : p.strategy;
  if (strategy === undefined) return fail('invalid-product', `unknown allocation strategy ${String(p.strategy)}`);
  const nonAccrualDpd = p.nonAccrualDpd ?? DEFAULT_NON_ACCRUAL_DPD;
  const chargeOffDpd = p.chargeOffDpd ?? DEFAULT_CHARGE_OFF_DPD;
  if (!isCount(p.graceDays)) return fail('invalid-product', 'graceDays must be a non-negative integer');
  if (!isCount(nonAccrualDpd) || nonAccrualDpd < 1 || !isCount(chargeOffDpd) || chargeOffDpd < 1) {
    return fail('invalid-product', 'nonAccrualDpd and chargeOffDpd must be positive integers');
  }
  const bounds = p.bucketLowerBoundsDays ?? DEFAULT_BUCKET_LOWER_BOUNDS_DAYS;
  if (bounds.length === 0 || bounds.some((b, k) => !isCount(b) || b < 1 || (k > 0 && b <= (bounds[k - 1] as number)))) {
    return fail('invalid-product', 'bucketLowerBoundsDays must be positive and strictly increasing');
  }
  let lateFeeRate: Rational | undefined;
  if (p.lateFee?.kind === 'flat' && p.lateFee.amountMinor < 0n) return fail('invalid-product', 'late fee must not be negative');
  if (p.lateFee?.kind === 'percent') {
    lateFeeRate = percentRate(p.lateFee.percent);
    if (lateFeeRate === undefined || (p.lateFee.capMinor ?? 0n) < 0n) return fail('invalid-product', 'late fee percent must be a non-negative decimal string');
  }
  const penalRate = p.penalAnnualPercent === undefined ? undefined : percentRate(p.penalAnnualPercent);
  if (p.penalAnnualPercent !== undefined && penalRate === undefined) return fail('invalid-product', 'penalAnnualPercent must be a non-negative decimal string');
  const charge = p.prepaymentCharge;
  const chargeRate = charge === undefined ? undefined : percentRate(charge.percentOfPrincipal);
  if (charge !== undefined && (chargeRate === undefined || charge.fixedMinor < 0n)) {
    return fail('invalid-product', 'prepaymentCharge needs a non-negative decimal percent and a non-negative fixed amount');
  }
  const bucketLabels = ['current', ...bounds.map((b, k) => (k + 1 < bounds.length ? `${b}-${(bounds[k + 1] as number) - 1}` : `${b}+`))];
  return ok({
    strategy,
    graceDays: p.graceDays,
    lateFee: p.lateFee,
    lateFeeRate,
    penalRate: penalRate === undefined || penalRate.n === 0n ? undefined : penalRate,
    nonAccrualDpd,
    chargeOffDpd,
    bucketBounds: bounds,
    bucketLabels,
    prepaymentCharge: charge === undefined || chargeRate === undefined ? undefined : { rate: chargeRate, fixedMinor: charge.fixedMinor },
  });
}

const KIND_RANK = { disbursement: 0, repayment: 1, prepayment: 2, foreclosure: 3, reversal: 4, 'write-off': 5, restructure: 6, 're-age': 7 } as const;

/** The documented total order: value date, then disbursement < repayment < prepayment < foreclosure < reversal < write-off < restructure < re-age, then id (code units). */
export function compareEvents(a: MoneyEvent, b: MoneyEvent): number {
  return a.valueDate - b.valueDate || KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface EventContext {
  /** Events dated after this day are not yet effective. */
  readonly horizon: DayNumber;
  /** Events on or before this day are already in the snapshot (advance); null for a replay. */
  readonly after: DayNumber | null;
  readonly firstDisbursementDate: DayNumber | null;
  readonly firstDueDate: DayNumber;
}

/**
 * Checks the events and returns the effective disbursements and repayments in the documented order.
 * A reversal takes effect on its value date and removes its target entirely (as if it never happened).
 */
export function applicableEvents(events: readonly MoneyEvent[], ctx: EventContext): Result<AppliedEvent[], AccountError> {
  const byId = new Map<string, MoneyEvent>();
  for (const e of events) {
    if (byId.has(e.id)) return fail('duplicate-event-id', `event id ${e.id} repeats`, e.id);
    if (!isDay(e.valueDate)) return fail('invalid-event', `event ${e.id}: valueDate is not a day number`, e.id);
    if ('amountMinor' in e && e.amountMinor <= 0n) return fail('invalid-event', `event ${e.id}: amount must be positive`, e.id);
    if (ctx.after !== null && e.valueDate <= ctx.after) {
      return fail('replay-required', `event ${e.id} is dated on or before the snapshot (${ctx.after}): replay the loan`, e.id);
    }
    byId.set(e.id, e);
  }
  const reversed = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'reversal') continue;
    const target = byId.get(e.targetId);
    if (target === undefined) {
      const code = ctx.after === null ? 'unknown-reversal-target' : 'replay-required';
      return fail(code, `reversal ${e.id}: no event ${e.targetId} ${ctx.after === null ? 'exists' : 'after the snapshot'}`, e.id);
    }
    if (target.kind === 'reversal') return fail('reversal-of-reversal', `reversal ${e.id} targets reversal ${target.id}`, e.id);
    if (target.kind === 'disbursement') return fail('reversal-of-disbursement', `reversal ${e.id} targets disbursement ${target.id}`, e.id);
    if (reversed.has(target.id)) return fail('repayment-already-reversed', `repayment ${target.id} is reversed twice`, e.id);
    reversed.add(target.id);
  }
  const effective = events.filter((e) => e.valueDate <= ctx.horizon);
  const removed = new Set(effective.filter((e) => e.kind === 'reversal').map((e) => (e as { targetId: string }).targetId));
  const applied = effective.filter((e): e is AppliedEvent => e.kind !== 'reversal' && !removed.has(e.id)).sort(compareEvents);
  return checkDisbursementOrder(applied, ctx);
}

function checkDisbursementOrder(applied: AppliedEvent[], ctx: EventContext): Result<AppliedEvent[], AccountError> {
  let first = ctx.firstDisbursementDate;
  for (const e of applied) {
    if (e.kind === 'disbursement') {
      if (first === null && e.valueDate >= ctx.firstDueDate) {
        return fail('disbursement-after-first-due-date', `disbursement ${e.id} is on or after the first due date`, e.id);
      }
      first ??= e.valueDate;
    } else if (first === null) {
      return fail('event-before-disbursement', `repayment ${e.id} comes before any disbursement`, e.id);
    }
  }
  return ok(applied);
}
