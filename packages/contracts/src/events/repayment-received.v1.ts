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
const allocationSchema = z
  .object({
    byComponent: componentAmountsSchema,
    installments: z.array(allocationLineSchema).max(600),
    excess: nonNegativeMoneySchema,
    recovery: nonNegativeMoneySchema,
  })
  .strict();

type Payload = { amount: { amount: string }; allocation: z.infer<typeof allocationSchema> };
const COMPONENTS = ['principal', 'interest', 'fees', 'penalties'] as const;

/** The parts sum to the whole, and the lines to the components (each issue names its field). */
function checkAllocationSums(p: Payload, ctx: z.core.$RefinementCtx): void {
  const a = p.allocation;
  const total = sumMinor([...COMPONENTS.map((c) => a.byComponent[c]), a.excess, a.recovery]);
  const amount = sumMinor([p.amount]);
  if (total !== undefined && amount !== undefined && total !== amount) {
    ctx.addIssue({ code: 'custom', path: ['allocation'], message: 'byComponent + excess + recovery must equal amount' });
  }
  for (const c of COMPONENTS) {
    const lines = sumMinor(a.installments.map((l) => l[c]));
    const component = sumMinor([a.byComponent[c]]);
    if (lines !== undefined && component !== undefined && lines !== component) {
      ctx.addIssue({ code: 'custom', path: ['allocation', 'byComponent', c], message: `must equal the sum of the installments' ${c}` });
    }
  }
  const numbers = a.installments.map((l) => l.installmentNumber);
  if (new Set(numbers).size !== numbers.length) ctx.addIssue({ code: 'custom', path: ['allocation', 'installments'], message: 'one line per installment' });
}

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
    allocation: allocationSchema,
    businessDate: loanDateSchema(),
  })
  .strict()
  .superRefine(checkOneCurrency)
  .superRefine(checkAllocationSums);
export type RepaymentReceivedV1Payload = z.infer<typeof repaymentReceivedV1PayloadSchema>;

/** RepaymentReceived v1. Envelope id derived from (loan id, effect key). */
export const repaymentReceivedV1Schema = envelopeSchema('RepaymentReceived', 1, repaymentReceivedV1PayloadSchema);
export type RepaymentReceivedV1 = z.infer<typeof repaymentReceivedV1Schema>;
