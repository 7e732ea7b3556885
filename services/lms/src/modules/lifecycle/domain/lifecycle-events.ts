import {
  accrualStatusChangedV1Schema,
  delinquencyChangedV1Schema,
  installmentDueV1Schema,
  installmentOverdueV1Schema,
  installmentPaidV1Schema,
  loanChargedOffV1Schema,
  loanClosedV1Schema,
  loanReopenedV1Schema,
} from '@lendstack/contracts';
import type { AccountState, DayNumber, Delinquency, DelinquencyPoint, InstallmentState, LifecycleEvent } from '@lendstack/loan-engine';
import { sealed, wireDate, wireMoney, type LifecycleContext, type LifecycleEnvelope } from './envelope.js';

export * from './envelope.js';
export * from './money-movement-events.js';

/** What end of day or a replay hands over: the engine's new lifecycle events and the account they left. */
export interface LifecycleEventsInput extends LifecycleContext {
  /**
   * The engine's lifecycle events to publish, in engine order. After `advanceAccount`: `result.events`.
   * After a replay: all of `result.events` may be passed (ids derive from keys, so the outbox keeps one row per
   * event) or only those whose key was not published before.
   */
  readonly events: readonly LifecycleEvent[];
  /** `result.state` of the same run: installment amounts, principal written off, whether it was charged off. */
  readonly state: AccountState;
  /** `result.delinquencyHistory` of the same run: the classification on the day before a change. */
  readonly delinquencyHistory: readonly DelinquencyPoint[];
  /**
   * The delinquency before the run's first day (the previous snapshot's `state.delinquency`) for an
   * `advanceAccount` run; omit it for a replay from the first disbursement (then: nothing overdue).
   */
  readonly delinquencyBefore?: Delinquency;
  /** The operator's reason of each write-off transaction (by id), for a LoanChargedOff a write-off caused. */
  readonly writeOffReasons?: ReadonlyMap<string, string>;
}

const NOTHING_OVERDUE: Delinquency = { dpd: 0, usBucket: 'current', rbiClass: 'standard', oldestUnpaidDueDate: null, npaSince: null };

/**
 * The outbox envelopes of the engine's lifecycle events, each validated by its v1 schema (a schema
 * failure throws: it is a bug in the engine or here, not an expected outcome). Pure: the envelope id is
 * derived from (loan id, engine key), the time is `occurredAt`; one envelope per event, in input order.
 * Money movements (disbursement, repayment, reversal) are not engine lifecycle events: see
 * `loanDisbursedEnvelope`, `repaymentReceivedEnvelope`, `transactionReversedEnvelope`; store those first.
 */
export function toLifecycleEnvelopes(input: LifecycleEventsInput): LifecycleEnvelope[] {
  const installments = new Map(input.state.installments.map((i) => [i.number, i]));
  const delinquency = delinquencyLookup(input.delinquencyHistory, input.delinquencyBefore ?? NOTHING_OVERDUE);
  return input.events.map((event) => toEnvelope(input, event, installments, delinquency));
}

type Lookup = (day: DayNumber) => { dpd: number; usBucket: string; rbiClass: Delinquency['rbiClass']; at: Delinquency };

function toEnvelope(input: LifecycleEventsInput, event: LifecycleEvent, installments: ReadonlyMap<number, InstallmentState>, delinquency: Lookup): LifecycleEnvelope {
  const base = { loanId: input.loanId, eventKey: event.key, businessDate: wireDate(event.date) };
  switch (event.kind) {
    case 'InstallmentDue':
      return sealed(installmentDueV1Schema, event.kind, input, event.key, { ...base, ...installmentFields(input, installments, event.installment) });
    case 'InstallmentOverdue':
      return sealed(installmentOverdueV1Schema, event.kind, input, event.key, { ...base, ...installmentFields(input, installments, event.installment) });
    case 'InstallmentPaid': {
      const paid = installmentOf(installments, event.installment).paid;
      return sealed(installmentPaidV1Schema, event.kind, input, event.key, {
        ...base,
        ...installmentFields(input, installments, event.installment),
        paid: { principal: wireMoney(input, paid.principal), interest: wireMoney(input, paid.interest), fees: wireMoney(input, paid.fees), penalties: wireMoney(input, paid.penalties) },
        totalPaid: wireMoney(input, paid.principal + paid.interest + paid.fees + paid.penalties),
      });
    }
    case 'DelinquencyChanged': {
      const { dpd, usBucket, rbiClass } = delinquency(event.date - 1);
      const now = delinquency(event.date).at;
      return sealed(delinquencyChangedV1Schema, event.kind, input, event.key, {
        ...base,
        dpd: event.dpd,
        usBucket: event.usBucket,
        rbiClass: event.rbiClass,
        previous: { dpd, usBucket, rbiClass },
        ...(now.oldestUnpaidDueDate === null ? {} : { oldestUnpaidDueDate: wireDate(now.oldestUnpaidDueDate) }),
        ...(now.npaSince === null ? {} : { npaSince: wireDate(now.npaSince) }),
      });
    }
    case 'AccrualStatusChanged':
      return sealed(accrualStatusChangedV1Schema, event.kind, input, event.key, {
        ...base,
        accrualStatus: event.accrualStatus,
        previousAccrualStatus: event.accrualStatus === 'accruing' ? 'non-accrual' : 'accruing',
        dpd: delinquency(event.date).dpd,
      });
    case 'LoanChargedOff':
      // One charge-off per account, and nothing is written off after it: the state's figure is this event's.
      return sealed(loanChargedOffV1Schema, event.kind, input, event.key, {
        ...base,
        principalWrittenOff: wireMoney(input, input.state.balances.principalWrittenOff),
        dpd: delinquency(event.date).dpd,
        ...(event.writeOffId === undefined ? {} : {
          writeOff: {
            transactionId: event.writeOffId, reason: input.writeOffReasons?.get(event.writeOffId) || 'write-off', accelerated: event.accelerated === true,
            acceleratedPrincipal: wireMoney(input, event.acceleratedPrincipalMinor ?? 0n),
          },
        }),
      });
    case 'LoanClosed':
      return sealed(loanClosedV1Schema, event.kind, input, event.key, {
        ...base,
        closedOn: base.businessDate,
        reason: event.reason ?? (input.state.chargedOffOn === null ? 'repaid' : 'charged-off-recovered'),
      });
    case 'LoanReopened':
      return sealed(loanReopenedV1Schema, event.kind, input, event.key, {
        ...base,
        foreclosureId: event.foreclosureId,
        foreclosureValueDate: wireDate(event.date),
        shortfall: wireMoney(input, event.shortfallMinor),
      });
  }
}

function installmentOf(installments: ReadonlyMap<number, InstallmentState>, number: number): InstallmentState {
  const installment = installments.get(number);
  if (!installment) throw new Error(`lifecycle event names installment ${number}, which the account state does not have`);
  return installment;
}

/** The scheduled amounts only: they do not depend on when the event is mapped (penalties and payments do). */
function installmentFields(ctx: LifecycleContext, installments: ReadonlyMap<number, InstallmentState>, number: number) {
  const { dueDate, charged } = installmentOf(installments, number);
  return {
    installmentNumber: number,
    dueDate: wireDate(dueDate),
    scheduled: {
      principal: wireMoney(ctx, charged.principal),
      interest: wireMoney(ctx, charged.interest),
      fees: wireMoney(ctx, charged.fees),
      total: wireMoney(ctx, charged.principal + charged.interest + charged.fees),
    },
  };
}

/**
 * The classification at the end of any day: the last change point on or before it (or the state before
 * the run), with dpd = day − oldest unpaid due date, as the engine defines its change points.
 */
function delinquencyLookup(history: readonly DelinquencyPoint[], before: Delinquency): Lookup {
  return (day) => {
    let [low, high] = [0, history.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((history[mid] as DelinquencyPoint).date <= day) low = mid + 1;
      else high = mid;
    }
    const at = low === 0 ? before : (history[low - 1] as DelinquencyPoint);
    const dpd = at.oldestUnpaidDueDate === null ? 0 : Math.max(0, day - at.oldestUnpaidDueDate);
    return { dpd, usBucket: at.usBucket, rbiClass: at.rbiClass, at };
  };
}
