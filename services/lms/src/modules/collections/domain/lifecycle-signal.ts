import type {
  DelinquencyChangedV1,
  InstallmentDueV1,
  InstallmentOverdueV1,
  InstallmentPaidV1,
  LoanChargedOffV1,
  LoanClosedV1,
  LoanEarlyWarningRaisedV1,
  Money,
  RepaymentReceivedV1,
  TransactionReversedV1,
} from '@lendstack/contracts';

/**
 * What the collections workflow is told about one lifecycle event: only the fields a collector acts on,
 * so a loan's workflow history stays small. `eventId` is the envelope id (derived from loan id and engine
 * key by the LMS), by which the workflow ignores a redelivered event. Types only cross into workflow code.
 */
export type LifecycleSignal =
  | (SignalBase & { readonly type: 'InstallmentDue' | 'InstallmentOverdue'; readonly installmentNumber: number; readonly dueDate: string; readonly scheduledTotal: Money })
  | (SignalBase & { readonly type: 'InstallmentPaid'; readonly installmentNumber: number; readonly dueDate: string; readonly totalPaid: Money })
  | (SignalBase & { readonly type: 'RepaymentReceived'; readonly transactionId: string; readonly amount: Money; readonly valueDate: string; readonly channel: string; readonly installments: readonly number[] })
  | (SignalBase & { readonly type: 'TransactionReversed'; readonly reversedTransactionId: string; readonly amount: Money; readonly valueDate: string })
  | (SignalBase & { readonly type: 'DelinquencyChanged'; readonly dpd: number; readonly usBucket: string; readonly rbiClass: string })
  | (SignalBase & { readonly type: 'LoanChargedOff'; readonly dpd: number })
  | (SignalBase & { readonly type: 'LoanClosed'; readonly closedOn: string; readonly reason: string })
  | (SignalBase & { readonly type: 'LoanEarlyWarningRaised' } & EarlyWarningScore);

/** The NPA early-warning score a LoanEarlyWarningRaised carries (probability and contributions as four-place decimals). */
export interface EarlyWarningScore {
  readonly probability: string;
  readonly threshold: string;
  readonly model: string;
  readonly dpd: number;
  /** At most five (the contract's bound), largest first. */
  readonly topFactors: readonly { readonly feature: string; readonly value: number; readonly contribution: string }[];
}

interface SignalBase {
  readonly eventId: string;
  readonly loanId: string;
  /** The LMS business date the event belongs to. */
  readonly businessDate: string;
}

/** The lifecycle events the collector cares about (every other type on the topic passes it by). */
export type CollectorEvent =
  | InstallmentDueV1
  | InstallmentOverdueV1
  | InstallmentPaidV1
  | RepaymentReceivedV1
  | TransactionReversedV1
  | DelinquencyChangedV1
  | LoanChargedOffV1
  | LoanClosedV1
  | LoanEarlyWarningRaisedV1;

export const collectorEventTypes: ReadonlySet<string> = new Set<CollectorEvent['type']>([
  'InstallmentDue',
  'InstallmentOverdue',
  'InstallmentPaid',
  'RepaymentReceived',
  'TransactionReversed',
  'DelinquencyChanged',
  'LoanChargedOff',
  'LoanClosed',
  'LoanEarlyWarningRaised',
]);

/** The signal of a lifecycle event. Pure. */
export function toLifecycleSignal(event: CollectorEvent): LifecycleSignal {
  const p = event.payload;
  const base = { eventId: event.id, loanId: p.loanId, businessDate: p.businessDate };
  switch (event.type) {
    case 'InstallmentDue':
    case 'InstallmentOverdue':
      return { ...base, type: event.type, installmentNumber: event.payload.installmentNumber, dueDate: event.payload.dueDate, scheduledTotal: event.payload.scheduled.total };
    case 'InstallmentPaid':
      return { ...base, type: event.type, installmentNumber: event.payload.installmentNumber, dueDate: event.payload.dueDate, totalPaid: event.payload.totalPaid };
    case 'RepaymentReceived': {
      const r = event.payload;
      return { ...base, type: event.type, transactionId: r.transactionId, amount: r.amount, valueDate: r.valueDate, channel: r.channel, installments: r.allocation.installments.map((l) => l.installmentNumber) };
    }
    case 'TransactionReversed':
      return { ...base, type: event.type, reversedTransactionId: event.payload.reversedTransactionId, amount: event.payload.amount, valueDate: event.payload.valueDate };
    case 'DelinquencyChanged':
      return { ...base, type: event.type, dpd: event.payload.dpd, usBucket: event.payload.usBucket, rbiClass: event.payload.rbiClass };
    case 'LoanChargedOff':
      return { ...base, type: event.type, dpd: event.payload.dpd };
    case 'LoanClosed':
      return { ...base, type: event.type, closedOn: event.payload.closedOn, reason: event.payload.reason };
    case 'LoanEarlyWarningRaised': {
      const w = event.payload;
      return { ...base, type: event.type, probability: w.probability, threshold: w.threshold, model: w.model, dpd: w.dpd, topFactors: w.topFactors.map((f) => ({ feature: f.feature, value: f.value, contribution: f.contribution })) };
    }
  }
}
