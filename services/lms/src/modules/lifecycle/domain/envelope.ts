import {
  topics,
  type AccrualStatusChangedV1,
  type DelinquencyChangedV1,
  type InstallmentDueV1,
  type InstallmentOverdueV1,
  type InstallmentPaidV1,
  type LoanChargedOffV1,
  type LoanClosedV1,
  type LoanDisbursedV1,
  type LoanReopenedV1,
  type PrepaymentAppliedV1,
  type Money,
  type RepaymentReallocatedV1,
  type RepaymentReceivedV1,
  type TransactionReversedV1,
} from '@lendstack/contracts';
import { formatIsoDate, type DayNumber } from '@lendstack/loan-engine';
import type { z } from 'zod';
import { derivedUuid } from '../../../platform/ids.js';

/** Every lifecycle event the LMS publishes on `lendstack.servicing.loan-lifecycle`, keyed by loan id. */
export type LifecycleEnvelope =
  | LoanDisbursedV1
  | RepaymentReceivedV1
  | TransactionReversedV1
  | RepaymentReallocatedV1
  | InstallmentDueV1
  | InstallmentOverdueV1
  | InstallmentPaidV1
  | DelinquencyChangedV1
  | AccrualStatusChangedV1
  | LoanChargedOffV1
  | LoanClosedV1
  | LoanReopenedV1
  | PrepaymentAppliedV1;

export const lifecycleTopic = topics.loanLifecycle.name;
export const LMS_SOURCE = 'lendstack.lms';

/** What every lifecycle envelope of one loan shares. Time and ids come in: the mapping reads no clock. */
export interface LifecycleContext {
  readonly tenantId: string;
  readonly loanId: string;
  /** The loan's currency and scale: every amount the engine gives is minor units of it. */
  readonly currency: string;
  readonly scale: number;
  readonly correlationId: string;
  /** The command or event that caused the run (a repayment id, the end-of-day run id), when there is one. */
  readonly causationId?: string;
  /** Wall-clock time the LMS produced the envelopes (ISO 8601 with offset); not part of the id. */
  readonly occurredAt: string;
  /** Envelope id of an engine key; default `lifecycleEventId(loanId, key)`. Must be deterministic. */
  readonly newId?: (key: string) => string;
}

/**
 * The envelope id of a loan's event with the engine key `key` (`installment-due:3`, `repayment:<id>`):
 * a name-based UUID, so a replay or a second end-of-day run yields the same id and the outbox keeps one row.
 */
export function lifecycleEventId(loanId: string, key: string): string {
  return derivedUuid(`lendstack.lms/loan-lifecycle/${JSON.stringify([loanId, key])}`);
}

export const wireMoney = (ctx: LifecycleContext, minor: bigint): Money => ({ amount: minor.toString(), currency: ctx.currency, scale: ctx.scale });
export const wireDate = (day: DayNumber): string => formatIsoDate(day);

/** Wraps a payload in its envelope and validates it: the LMS never publishes what its own contract refuses. */
export function sealed<S extends z.ZodType>(schema: S, type: string, ctx: LifecycleContext, key: string, payload: object): z.infer<S> {
  const id = ctx.newId ? ctx.newId(key) : lifecycleEventId(ctx.loanId, key);
  return schema.parse({
    id,
    type,
    version: 1,
    source: LMS_SOURCE,
    subject: ctx.loanId,
    occurredAt: ctx.occurredAt,
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    ...(ctx.causationId === undefined ? {} : { causationId: ctx.causationId }),
    payload,
  });
}
