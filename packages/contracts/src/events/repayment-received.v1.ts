import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import { loanDateSchema } from '../loan-terms.js';
import { nonNegativeMoneySchema, positiveMoneySchema } from '../money.js';
import { checkOneCurrency, componentAmountsSchema, engineKeySchema, installmentNumberSchema, lifecycleLoanIdSchema, sumMinor } from './loan-lifecycle.v1.js';

/** How the money came in. The list grows additively; a consumer should accept a channel it does not know. */
export const repaymentChannelSchema = z.enum([
  'ach',
  'nach',
  'upi-autopay',
  'upi',
  'card',
  'bank-transfer',
  'cash',
  'cheque',
  'other',
]);

const allocationLineSchema = z
  .object({
    installmentNumber: installmentNumberSchema,
    principal: nonNegativeMoneySchema,
    interest: nonNegativeMoneySchema,
    fees: nonNegativeMoneySchema,
    penalties: nonNegativeMoneySchema,
  })
  .strict();

/**
 * How the payment was split, by the product's allocation order over the installments due on its value
 * date: `byComponent` sums the `installments` lines; `excess` is what was kept as a credit (owed back or
 * applied when the next installment falls due); `recovery` is a payment on a charged-off loan, all recovery
 * income. byComponent + excess + recovery = amount.
 */
export const repaymentAllocationV1Schema = z
  .object({
    byComponent: componentAmountsSchema,
    installments: z.array(allocationLineSchema).max(600),
    excess: nonNegativeMoneySchema,
    recovery: nonNegativeMoneySchema,
  })
  .strict();

export type RepaymentAllocationV1 = z.infer<typeof repaymentAllocationV1Schema>;
const COMPONENTS = ['principal', 'interest', 'fees', 'penalties'] as const;

/**
 * The parts of the allocation at `field` sum to `amount`, and its lines to its components (each issue
 * names its field). Shared with RepaymentReallocated v1, whose two allocations follow the same rules.
 */
export function checkAllocationParts(amount: { amount: string }, a: RepaymentAllocationV1, field: string, ctx: z.core.$RefinementCtx): void {
  const total = sumMinor([...COMPONENTS.map((c) => a.byComponent[c]), a.excess, a.recovery]);
  const whole = sumMinor([amount]);
  if (total !== undefined && whole !== undefined && total !== whole) {
    ctx.addIssue({ code: 'custom', path: [field], message: 'byComponent + excess + recovery must equal amount' });
  }
  for (const c of COMPONENTS) {
    const lines = sumMinor(a.installments.map((l) => l[c]));
    const component = sumMinor([a.byComponent[c]]);
    if (lines !== undefined && component !== undefined && lines !== component) {
      ctx.addIssue({ code: 'custom', path: [field, 'byComponent', c], message: `must equal the sum of the installments' ${c}` });
    }
  }
  const numbers = a.installments.map((l) => l.installmentNumber);
  if (new Set(numbers).size !== numbers.length) ctx.addIssue({ code: 'custom', path: [field, 'installments'], message: 'one line per installment' });
}

const checkAllocationSums = (p: { amount: { amount: string }; allocation: RepaymentAllocationV1 }, ctx: z.core.$RefinementCtx): void =>
  checkAllocationParts(p.amount, p.allocation, 'allocation', ctx);

/**
 * A repayment took effect on the loan (value date on or before the business date). On a charged-off
 * loan it is a recovery. A repayment recorded with a later value date is published once it is effective.
 */
export const repaymentReceivedV1PayloadSchema = z
  .object({
    loanId: lifecycleLoanIdSchema,
    transactionId: z.string().min(1).max(100),
    effectKey: engineKeySchema.describe('The loan engine effect key, repayment:<transactionId>'),
    amount: positiveMoneySchema,
    valueDate: loanDateSchema(),
    channel: repaymentChannelSchema,
    reference: z.string().min(1).max(100).describe("The payment rail's reference (UTR, ACH trace, UMRN debit id)"),
    allocation: repaymentAllocationV1Schema,
    businessDate: loanDateSchema(),
  })
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine(checkAllocationSums);
export type RepaymentReceivedV1Payload = z.infer<typeof repaymentReceivedV1PayloadSchema>;

/** RepaymentReceived v1. Envelope id derived from (loan id, effect key). */
export const repaymentReceivedV1Schema = envelopeSchema('RepaymentReceived', 1, repaymentReceivedV1PayloadSchema);
export type RepaymentReceivedV1 = z.infer<typeof repaymentReceivedV1Schema>;
