/**
 * A borrower's repayment record with this lender, from the LMS's lifecycle events: per loan the facts the
 * events state (disbursed, each installment due / overdue / settled, the DPD of each delinquency change,
 * closed, charged off, the NPA early warnings the LMS raised, the latest flag its collector raised), and per
 * borrower the profile underwriting reads (loans held, on-time ratio, current and worst DPD, closures,
 * charge-offs, open loans under an early warning or a collections flag).
 *
 * Facts merge order-independently, so a replayed or late event cannot undo a newer one: dates by min / max,
 * flags by or, the current DPD only from an observation of a later business date than the one held. The
 * adapter's upsert applies the same rules (pg-repayment-profile.store.ts); `mergeLoanFacts` is their
 * definition. DPD is what the LMS last reported: it publishes DelinquencyChanged when the loan moves between
 * buckets or RBI classes, so between two moves the real DPD grows past the one held (`dpdAsOf` says from when).
 * Pure: no clock, no I/O.
 */
import type {
  CollectionsFlagRaisedV2, DelinquencyChangedV1, InstallmentDueV1, InstallmentOverdueV1, InstallmentPaidV1, LoanChargedOffV1, LoanClosedV1, LoanDisbursedV1, LoanEarlyWarningRaisedV1,
} from '@lendstack/contracts';

/** The lifecycle events the profile is built from. */
/** CollectionsFlagRaised at its latest version: the consumer upcasts v1 (upcastEvent). */
export type RepaymentEvent = LoanDisbursedV1 | InstallmentDueV1 | InstallmentOverdueV1 | InstallmentPaidV1 | DelinquencyChangedV1 | LoanClosedV1 | LoanChargedOffV1 | LoanEarlyWarningRaisedV1 | CollectionsFlagRaisedV2;
export const REPAYMENT_EVENT_TYPES: readonly RepaymentEvent['type'][] = ['LoanDisbursed', 'InstallmentDue', 'InstallmentOverdue', 'InstallmentPaid', 'DelinquencyChanged', 'LoanClosed', 'LoanChargedOff', 'LoanEarlyWarningRaised', 'CollectionsFlagRaised'];

/**
 * How long an early warning counts: the model's horizon (P(90+ DPD within 90 days)). The LMS raises one when a
 * loan's score crosses the threshold and nothing when it falls back, so a warning older than this has lapsed.
 */
export const EARLY_WARNING_HORIZON_DAYS = 90;

/** The latest NPA early warning the LMS raised on a loan (LoanEarlyWarningRaised). */
export interface EarlyWarningFact {
  /** The business date it was raised on. */
  readonly asOf: string;
  /** P(90+ DPD within 90 days), a decimal string with four places. */
  readonly probability: string;
  readonly model: string;
}
/** The latest flag the LMS's collector raised on a loan (CollectionsFlagRaised). */
export interface CollectionsFlagFact {
  /** The business date it was raised on. */
  readonly asOf: string;
  /** bounced-twice, promise-broken, dpd-rising or npa-risk. */
  readonly flag: string;
  /** npa-risk: the early-warning probability (four places) and model it acted on; null for the other flags. */
  readonly probability: string | null;
  readonly model: string | null;
}
export const isRepaymentEventType = (type: string): type is RepaymentEvent['type'] => (REPAYMENT_EVENT_TYPES as readonly string[]).includes(type);

/** Dates are `YYYY-MM-DD` business dates; they order as text. */
export interface LoanFacts {
  readonly tenantId: string;
  readonly loanId: string;
  readonly disbursedOn: string | null;
  readonly closedOn: string | null;
  readonly closureReason: string | null;
  readonly chargedOffOn: string | null;
  /** The DPD of the latest delinquency observation (DelinquencyChanged, LoanChargedOff) and its business date. */
  readonly dpd: { readonly value: number; readonly asOf: string } | null;
  readonly worstDpd: number;
  /** The latest early warning (by business date); null when none was raised. */
  readonly earlyWarning: EarlyWarningFact | null;
  /** The latest collections flag (by business date); null when none was raised. */
  readonly collectionsFlag: CollectionsFlagFact | null;
  readonly lastBusinessDate: string;
  /** The latest envelope occurredAt, ISO 8601. */
  readonly lastEventAt: string;
}

export interface InstallmentFacts {
  readonly loanId: string;
  readonly installmentNumber: number;
  readonly dueDate: string;
  readonly fellDue: boolean;
  readonly overdue: boolean;
  /** The business date it was settled (the latest, when settled again after a reversal). */
  readonly paidOn: string | null;
}

export interface DpdFact {
  readonly loanId: string;
  readonly businessDate: string;
  readonly dpd: number;
}

export interface RepaymentFacts {
  readonly loans: readonly LoanFacts[];
  readonly installments: readonly InstallmentFacts[];
  readonly dpd: readonly DpdFact[];
}

const min = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a <= b ? a : b);
const max = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a >= b ? a : b);
const later = <T extends { asOf: string }>(a: T | null, b: T | null) => (a === null ? b : b === null ? a : b.asOf >= a.asOf ? b : a);

/** The merge of two sets of facts about one loan; commutative, associative and idempotent. */
export function mergeLoanFacts(a: LoanFacts, b: LoanFacts): LoanFacts {
  const closedOn = max(a.closedOn, b.closedOn);
  return {
    tenantId: a.tenantId,
    loanId: a.loanId,
    disbursedOn: min(a.disbursedOn, b.disbursedOn),
    closedOn,
    closureReason: closedOn === null ? null : closedOn === b.closedOn ? b.closureReason : a.closureReason,
    chargedOffOn: min(a.chargedOffOn, b.chargedOffOn),
    dpd: later(a.dpd, b.dpd),
    worstDpd: Math.max(a.worstDpd, b.worstDpd),
    earlyWarning: later(a.earlyWarning, b.earlyWarning),
    collectionsFlag: later(a.collectionsFlag, b.collectionsFlag),
    lastBusinessDate: max(a.lastBusinessDate, b.lastBusinessDate)!,
    lastEventAt: a.lastEventAt >= b.lastEventAt ? a.lastEventAt : b.lastEventAt,
  };
}

export function mergeInstallmentFacts(a: InstallmentFacts, b: InstallmentFacts): InstallmentFacts {
  return { ...a, dueDate: b.dueDate, fellDue: a.fellDue || b.fellDue, overdue: a.overdue || b.overdue, paidOn: max(a.paidOn, b.paidOn) };
}

/** What one event says about its loan, its installment and its DPD. */
export function factsOf(event: RepaymentEvent): { loan: LoanFacts; installment?: InstallmentFacts; dpd?: DpdFact } {
  const p = event.payload;
  const loan: LoanFacts = {
    tenantId: event.tenantId, loanId: p.loanId, disbursedOn: null, closedOn: null, closureReason: null, chargedOffOn: null, dpd: null, worstDpd: 0, earlyWarning: null, collectionsFlag: null,
    lastBusinessDate: p.businessDate, lastEventAt: new Date(event.occurredAt).toISOString(),
  };
  const installment = (fellDue: boolean, overdue: boolean, paidOn: string | null) => {
    const i = event.payload as InstallmentDueV1['payload'];
    return { loanId: p.loanId, installmentNumber: i.installmentNumber, dueDate: i.dueDate, fellDue, overdue, paidOn };
  };
  const observed = (dpd: number) => ({ loan: { ...loan, dpd: { value: dpd, asOf: p.businessDate }, worstDpd: dpd }, dpd: { loanId: p.loanId, businessDate: p.businessDate, dpd } });
  switch (event.type) {
    case 'LoanDisbursed':
      return { loan: { ...loan, disbursedOn: event.payload.valueDate } };
    case 'InstallmentDue':
      return { loan, installment: installment(true, false, null) };
    case 'InstallmentOverdue':
      return { loan, installment: installment(true, true, null) };
    case 'InstallmentPaid':
      // Settled on its business date; an installment paid before it fell due is not yet counted as due.
      return { loan, installment: installment(event.payload.businessDate >= event.payload.dueDate, false, event.payload.businessDate) };
    case 'DelinquencyChanged':
      return observed(event.payload.dpd);
    case 'LoanChargedOff':
      return { ...observed(event.payload.dpd), loan: { ...observed(event.payload.dpd).loan, chargedOffOn: event.payload.businessDate } };
    case 'LoanClosed':
      return { loan: { ...loan, closedOn: event.payload.closedOn, closureReason: event.payload.reason } };
    case 'LoanEarlyWarningRaised':
      return { loan: { ...loan, earlyWarning: { asOf: event.payload.businessDate, probability: event.payload.probability, model: event.payload.model } } };
    case 'CollectionsFlagRaised': {
      const f = event.payload;
      return { loan: { ...loan, collectionsFlag: { asOf: f.businessDate, flag: f.flag, probability: f.probability ?? null, model: f.model ?? null } } };
    }
  }
}

/** The facts of a chunk of events, one entry per loan, per installment and per DPD date (a set-based upsert touches each row once). */
export function foldRepaymentEvents(events: readonly RepaymentEvent[]): RepaymentFacts {
  const loans = new Map<string, LoanFacts>();
  const installments = new Map<string, InstallmentFacts>();
  const dpd = new Map<string, DpdFact>();
  for (const event of events) {
    const f = factsOf(event);
    const held = loans.get(f.loan.loanId);
    loans.set(f.loan.loanId, held ? mergeLoanFacts(held, f.loan) : f.loan);
    if (f.installment) {
      const key = `${f.installment.loanId}:${f.installment.installmentNumber}`;
      const had = installments.get(key);
      installments.set(key, had ? mergeInstallmentFacts(had, f.installment) : f.installment);
    }
    if (f.dpd) dpd.set(`${f.dpd.loanId}:${f.dpd.businessDate}`, f.dpd);
  }
  return { loans: [...loans.values()], installments: [...installments.values()], dpd: [...dpd.values()] };
}

/** One loan of the borrower as the store reads it back, with its installment counts and its worst DPD in the window. */
export interface LoanRecord {
  readonly loanId: string;
  readonly applicationId: string;
  readonly disbursedOn: string | null;
  readonly closedOn: string | null;
  readonly closureReason: string | null;
  readonly chargedOffOn: string | null;
  readonly currentDpd: number;
  readonly dpdAsOf: string | null;
  readonly worstDpd: number;
  /** The worst DPD the LMS reported with a business date in the 12 months up to the profile's date. */
  readonly worstDpd12m: number;
  readonly installmentsDue: number;
  readonly installmentsPaidOnTime: number;
  readonly earlyWarning: EarlyWarningFact | null;
  /** Absent where a record predates collections flags (read as none). */
  readonly collectionsFlag?: CollectionsFlagFact | null;
  readonly lastBusinessDate: string;
  readonly lastEventAt: string;
}

export type LoanStatus = 'open' | 'closed' | 'charged-off';

export interface RepaymentProfile {
  readonly borrowerKey: string;
  /** The date the 12-month window ends on. */
  readonly asOf: string;
  readonly loansOpen: number;
  readonly loansClosed: number;
  readonly loansChargedOff: number;
  readonly installmentsDue: number;
  readonly installmentsPaidOnTime: number;
  /** Installments paid by their due date ÷ installments due, basis points rounded down; null when none fell due. */
  readonly onTimeRatioBasisPoints: number | null;
  /** The highest current DPD of the loans not closed (0 when all are closed); null with no loans. */
  readonly currentDpd: number | null;
  readonly worstDpd: number | null;
  readonly worstDpd12m: number | null;
  /**
   * Open loans with an early warning raised in the EARLY_WARNING_HORIZON_DAYS up to `asOf` (raised on or before
   * it, and not more than the horizon before it).
   */
  readonly loansWithEarlyWarning: number;
  /** Open loans whose collector raised a flag (any pattern) in the EARLY_WARNING_HORIZON_DAYS up to `asOf`. */
  readonly loansWithCollectionsFlag: number;
  readonly lastEventAt: string | null;
  readonly loans: readonly (LoanRecord & { readonly status: LoanStatus })[];
}

/** True when the warning (or flag) was raised on or before `asOf` and at most EARLY_WARNING_HORIZON_DAYS before it. */
export function earlyWarningInForce(warning: { readonly asOf: string } | null, asOf: string): boolean {
  if (!warning || warning.asOf > asOf) return false;
  const days = (Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${warning.asOf}T00:00:00Z`)) / 86_400_000;
  return days <= EARLY_WARNING_HORIZON_DAYS;
}

export const statusOf = (l: Pick<LoanRecord, 'closedOn' | 'chargedOffOn'>): LoanStatus => (l.closedOn ? 'closed' : l.chargedOffOn ? 'charged-off' : 'open');

/** The profile of a borrower from their loans' records. */
export function repaymentProfile(borrowerKey: string, asOf: string, records: readonly LoanRecord[]): RepaymentProfile {
  const loans = records.map((l) => ({ ...l, status: statusOf(l) })).sort((a, b) => (a.disbursedOn ?? a.lastBusinessDate).localeCompare(b.disbursedOn ?? b.lastBusinessDate) || a.loanId.localeCompare(b.loanId));
  const owing = loans.filter((l) => l.status !== 'closed');
  const due = loans.reduce((s, l) => s + l.installmentsDue, 0);
  const onTime = loans.reduce((s, l) => s + l.installmentsPaidOnTime, 0);
  const none = loans.length === 0;
  return {
    borrowerKey,
    asOf,
    loansOpen: loans.filter((l) => l.status === 'open').length,
    loansClosed: loans.filter((l) => l.closedOn !== null).length,
    loansChargedOff: loans.filter((l) => l.chargedOffOn !== null).length,
    installmentsDue: due,
    installmentsPaidOnTime: onTime,
    onTimeRatioBasisPoints: due === 0 ? null : Math.floor((onTime * 10_000) / due),
    currentDpd: none ? null : Math.max(0, ...owing.map((l) => l.currentDpd)),
    worstDpd: none ? null : Math.max(...loans.map((l) => l.worstDpd)),
    // A delinquency still running counts in the window even when it was last reported before it.
    worstDpd12m: none ? null : Math.max(...loans.map((l) => Math.max(l.worstDpd12m, l.status === 'closed' ? 0 : l.currentDpd))),
    loansWithEarlyWarning: loans.filter((l) => l.status === 'open' && earlyWarningInForce(l.earlyWarning, asOf)).length,
    loansWithCollectionsFlag: loans.filter((l) => l.status === 'open' && earlyWarningInForce(l.collectionsFlag ?? null, asOf)).length,
    lastEventAt: none ? null : loans.map((l) => l.lastEventAt).reduce((a, b) => (a >= b ? a : b)),
    loans,
  };
}
