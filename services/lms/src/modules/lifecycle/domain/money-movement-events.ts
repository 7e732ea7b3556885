import {
  loanDisbursedV1Schema,
  repaymentReallocatedV1Schema,
  repaymentReceivedV1Schema,
  transactionReversedV1Schema,
  type LoanDisbursedV1,
  type RepaymentAllocationV1,
  type RepaymentReallocatedV1,
  type RepaymentReceivedV1,
  type RepaymentReceivedV1Payload,
  type TransactionReversedV1,
} from '@lendstack/contracts';
import type { DayNumber, MoneyEvent, PaymentAllocation } from '@lendstack/loan-engine';
import { sealed, wireDate, wireMoney, type LifecycleContext } from './envelope.js';

export type RepaymentChannel = RepaymentReceivedV1Payload['channel'];
type Disbursement = Extract<MoneyEvent, { kind: 'disbursement' }>;
type Reversal = Extract<MoneyEvent, { kind: 'reversal' }>;
/** A repayment's allocation; `excess-applied` (excess used at a due date) moves no money in. */
export type RepaymentAllocation = PaymentAllocation & { readonly kind: 'repayment' | 'recovery' };

/**
 * LoanDisbursed for one tranche the LMS paid out. `cumulativeDisbursedMinor` includes this tranche;
 * `businessDate` is the LMS business date it was recorded on (the value date may be earlier).
 * Id from (loan id, `disbursement:<id>`), the engine's effect key.
 */
export function loanDisbursedEnvelope(
  ctx: LifecycleContext,
  input: { disbursement: Disbursement; cumulativeDisbursedMinor: bigint; payoutReference: string; businessDate: DayNumber },
): LoanDisbursedV1 {
  const { disbursement } = input;
  const effectKey = `disbursement:${disbursement.id}`;
  return sealed(loanDisbursedV1Schema, 'LoanDisbursed', ctx, effectKey, {
    loanId: ctx.loanId,
    trancheId: disbursement.id,
    effectKey,
    amount: wireMoney(ctx, disbursement.amountMinor),
    valueDate: wireDate(disbursement.valueDate),
    cumulativeDisbursed: wireMoney(ctx, input.cumulativeDisbursedMinor),
    payoutReference: input.payoutReference,
    businessDate: wireDate(input.businessDate),
  });
}

/** The allocation the engine made of one repayment (`result.allocations`), if it has taken effect. */
export function findRepaymentAllocation(allocations: readonly PaymentAllocation[], transactionId: string): RepaymentAllocation | undefined {
  return allocations.find((a): a is RepaymentAllocation => a.source === transactionId && (a.kind === 'repayment' || a.kind === 'recovery'));
}

/**
 * RepaymentReceived from the engine's allocation of the repayment (its `source` is the transaction id,
 * its date the value date): by component, by installment, the excess kept and, on a charged-off loan, the
 * recovery; the schema checks the parts sum to the amount. Id from (loan id, `repayment:<id>`).
 * Throws on an `excess-applied` allocation: that is not money received.
 */
export function repaymentReceivedEnvelope(
  ctx: LifecycleContext,
  input: { allocation: PaymentAllocation; channel: RepaymentChannel; reference: string; businessDate: DayNumber },
): RepaymentReceivedV1 {
  const a = input.allocation;
  if (a.kind === 'excess-applied') throw new Error(`allocation ${a.source} is excess applied at a due date, not a repayment`);
  const effectKey = `repayment:${a.source}`;
  return sealed(repaymentReceivedV1Schema, 'RepaymentReceived', ctx, effectKey, {
    loanId: ctx.loanId,
    transactionId: a.source,
    effectKey,
    amount: wireMoney(ctx, a.amountMinor),
    valueDate: wireDate(a.date),
    channel: input.channel,
    reference: input.reference,
    allocation: wireAllocation(ctx, a),
    businessDate: wireDate(input.businessDate),
  });
}

/** An engine allocation as RepaymentReceived v1 (and RepaymentReallocated v1) carry it. */
function wireAllocation(ctx: LifecycleContext, a: PaymentAllocation): RepaymentAllocationV1 {
  const m = (minor: bigint) => wireMoney(ctx, minor);
  return {
    byComponent: { principal: m(a.byComponent.principal), interest: m(a.byComponent.interest), fees: m(a.byComponent.fees), penalties: m(a.byComponent.penalties) },
    installments: a.installments.map((l) => ({
      installmentNumber: l.installment,
      principal: m(l.principal),
      interest: m(l.interest),
      fees: m(l.fees),
      penalties: m(l.penalties),
    })),
    excess: m(a.excessMinor),
    recovery: m(a.recoveryMinor),
  };
}

/** The key of a correction of `transactionId`'s split caused by `causeTransactionId`: one event per pair. */
export const reallocationKey = (transactionId: string, causeTransactionId: string): string => `reallocation:${transactionId}:${causeTransactionId}`;

/**
 * RepaymentReallocated: a repayment already announced is split differently after a replay caused by
 * `causeTransactionId`. `previous` is the split last published (as stored), `allocation` the new one; both
 * are of the same repayment, so the same amount and value date. Id from (loan id,
 * `reallocation:<transaction id>:<cause id>`): a retried cause inserts nothing new. Throws on an
 * `excess-applied` allocation or two allocations of different repayments.
 */
export function repaymentReallocatedEnvelope(
  ctx: LifecycleContext,
  input: { previous: PaymentAllocation; allocation: PaymentAllocation; causeTransactionId: string; businessDate: DayNumber },
): RepaymentReallocatedV1 {
  const { previous, allocation: a } = input;
  if (a.kind === 'excess-applied' || previous.kind === 'excess-applied') throw new Error(`allocation ${a.source} is excess applied at a due date, not a repayment`);
  if (previous.source !== a.source || previous.amountMinor !== a.amountMinor) throw new Error(`allocations of ${previous.source} and ${a.source} are not of one repayment`);
  const eventKey = reallocationKey(a.source, input.causeTransactionId);
  return sealed(repaymentReallocatedV1Schema, 'RepaymentReallocated', ctx, eventKey, {
    loanId: ctx.loanId,
    transactionId: a.source,
    effectKey: `repayment:${a.source}`,
    eventKey,
    causeTransactionId: input.causeTransactionId,
    amount: wireMoney(ctx, a.amountMinor),
    valueDate: wireDate(a.date),
    previousAllocation: wireAllocation(ctx, previous),
    allocation: wireAllocation(ctx, a),
    businessDate: wireDate(input.businessDate),
  });
}

/**
 * TransactionReversed for a reversal of a repayment, for a disbursement the payout rail returned after it
 * was confirmed (`reversedKind: 'disbursement'`, reverseDisbursement), or for an undone write-off
 * (`reversedKind: 'write-off'`, write-off.ts). `reversedAmountMinor` is the reversed transaction's amount (a
 * write-off's: the principal it had written off). Id from (loan id, `reversal:<reversal id>`).
 */
export function transactionReversedEnvelope(
  ctx: LifecycleContext,
  input: { reversal: Reversal; reversedAmountMinor: bigint; reason: string; businessDate: DayNumber; reversedKind?: 'repayment' | 'disbursement' | 'write-off' | 're-age' },
): TransactionReversedV1 {
  const { reversal } = input;
  return sealed(transactionReversedV1Schema, 'TransactionReversed', ctx, `reversal:${reversal.id}`, {
    loanId: ctx.loanId,
    reversalId: reversal.id,
    reversedTransactionId: reversal.targetId,
    reversedEffectKey: `${input.reversedKind ?? 'repayment'}:${reversal.targetId}`,
    amount: wireMoney(ctx, input.reversedAmountMinor),
    reason: input.reason,
    valueDate: wireDate(reversal.valueDate),
    businessDate: wireDate(input.businessDate),
  });
}
