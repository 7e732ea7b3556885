import { z } from 'zod';
import { loanDateSchema } from '../loan-terms.js';
import { nonNegativeMoneySchema } from '../money.js';

/**
 * Parts shared by the v1 loan lifecycle events (LoanDisbursed, RepaymentReceived, TransactionReversed,
 * Installment*, DelinquencyChanged, AccrualStatusChanged, LoanChargedOff, LoanClosed). A v2 of any of
 * them gets its own copy of what it changes; these stay as v1 published them.
 *
 * Every payload names its loan (also the envelope subject and Kafka key) and the LMS business date the
 * event belongs to. Events derived by the loan engine carry its `eventKey` (e.g. `installment-due:3`), money
 * movements the engine's `effectKey` (e.g. `repayment:<transaction id>`): both are stable across replays,
 * and the envelope id is derived from (loan id, key), so a consumer deduplicates a replayed event by id.
 */
export const lifecycleLoanIdSchema = z.string().min(1).max(100);
export const engineKeySchema = z.string().min(1).max(200);
export const installmentNumberSchema = z.number().int().min(1).max(600);
export const dpdSchema = z.number().int().min(0).max(100_000);

/** The engine's US delinquency bucket label: `current`, a range such as `30-59`, or the last bucket such as `120+`. */
export const usBucketSchema = z.string().regex(/^(current|\d{1,5}-\d{1,5}|\d{1,5}\+)$/, 'a bucket label: current, 30-59 or 120+');
/** RBI IRAC classes (circular of 12 Nov 2021): SMA-0 1–30 days, SMA-1 31–60, SMA-2 61–90, NPA over 90. */
export const rbiClassSchema = z.enum(['standard', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA']);
export const accrualStatusSchema = z.enum(['accruing', 'non-accrual']);

/** Fields of every engine-derived lifecycle payload. */
export const engineEventShape = {
  loanId: lifecycleLoanIdSchema,
  eventKey: engineKeySchema.describe('The loan engine key of this event, stable across replays; the envelope id derives from it and the loan id'),
  businessDate: loanDateSchema(),
};

/** Amounts by component; each is zero or more, in the loan's currency. */
export const componentAmountsSchema = z
  .object({
    principal: nonNegativeMoneySchema,
    interest: nonNegativeMoneySchema,
    fees: nonNegativeMoneySchema,
    penalties: nonNegativeMoneySchema,
  })
  .strict();

/** The scheduled amounts of one installment (without penalties, which depend on how late it is paid). */
export const scheduledAmountsSchema = z
  .object({
    principal: nonNegativeMoneySchema,
    interest: nonNegativeMoneySchema,
    fees: nonNegativeMoneySchema,
    total: nonNegativeMoneySchema,
  })
  .strict();

/** The installment fields of InstallmentDue, InstallmentOverdue and InstallmentPaid. */
export const installmentShape = {
  ...engineEventShape,
  installmentNumber: installmentNumberSchema,
  dueDate: loanDateSchema(),
  scheduled: scheduledAmountsSchema,
};

type Wire = { amount: string; currency: string; scale: number };
const isMoney = (v: unknown): v is Wire =>
  typeof v === 'object' && v !== null && typeof (v as Wire).amount === 'string' && typeof (v as Wire).currency === 'string' && typeof (v as Wire).scale === 'number';

/** Every money value of a payload is in one currency and scale (the loan's): the first found sets it. */
export function checkOneCurrency(payload: unknown, ctx: z.core.$RefinementCtx): void {
  let first: Wire | undefined;
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (isMoney(value)) {
      first ??= value;
      if (value.currency !== first.currency || value.scale !== first.scale) {
        ctx.addIssue({ code: 'custom', path, message: `must be in ${first.currency} with scale ${first.scale}, like the other amounts` });
      }
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(payload, []);
}

/** Σ of the amounts, when all are well formed and not negative (anything else already has its own issue). */
export function sumMinor(values: readonly { readonly amount: string }[]): bigint | undefined {
  let sum = 0n;
  for (const v of values) {
    if (!/^\d{1,18}$/.test(v.amount)) return undefined;
    sum += BigInt(v.amount);
  }
  return sum;
}

/** `scheduled.total` = principal + interest + fees. */
export function checkScheduledTotal(payload: { scheduled: z.infer<typeof scheduledAmountsSchema> }, ctx: z.core.$RefinementCtx): void {
  const { principal, interest, fees, total } = payload.scheduled;
  const parts = sumMinor([principal, interest, fees]);
  const whole = sumMinor([total]);
  if (parts !== undefined && whole !== undefined && parts !== whole) {
    ctx.addIssue({ code: 'custom', path: ['scheduled', 'total'], message: 'must equal principal + interest + fees' });
  }
}
