// Public types of the replayable loan account. See README.md, "Loan account".
import type { AllocationStrategy, Component, StrategyName } from '../allocation/allocate.js';
import type { DayNumber } from '../dates/local-date.js';

/** One booked installment; interest period i runs from due date i−1 (the first disbursement for i = 1) to `dueDate`. */
export interface ScheduledInstallment {
  readonly number: number;
  readonly dueDate: DayNumber;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feesMinor: bigint;
}

export type LateFeeRule =
  | { readonly kind: 'flat'; readonly amountMinor: bigint }
  /** `percent` (decimal string, "5" = 5 %) of the installment's unpaid principal + interest + fees when charged. */
  | { readonly kind: 'percent'; readonly percent: string; readonly capMinor?: bigint };

export interface AccountProduct {
  readonly strategy: StrategyName | AllocationStrategy;
  /** Days overdue before the late fee, penal interest and a bucket move out of `current`. */
  readonly graceDays: number;
  readonly lateFee?: LateFeeRule;
  /** Annual penal interest on overdue principal, decimal percent ("24" = 24 %), actual/365. */
  readonly penalAnnualPercent?: string;
  /** Default 90. */
  readonly nonAccrualDpd?: number;
  /** Default 120. */
  readonly chargeOffDpd?: number;
  /** Lower DPD bounds of the buckets after `current`, strictly increasing; default [1, 30, 60, 90, 120]. */
  readonly bucketLowerBoundsDays?: readonly number[];
  /**
   * Charged on a foreclosure: `percentOfPrincipal` (decimal string, "2" = 2 %) of the principal
   * outstanding, rounded half-even to the minor unit, plus `fixedMinor`. Posted to fee income.
   */
  readonly prepaymentCharge?: { readonly percentOfPrincipal: string; readonly fixedMinor: bigint };
}

export type MoneyEvent =
  /**
   * A restructure taking effect at the end of its value date (a due date), after that day's penalties: the
   * schedule given already holds the new installments after it. With `capitaliseArrears` every installment
   * due is settled by it: unpaid principal rescheduled, unpaid interest, fees and penalties capitalised into
   * principal (loan-portfolio debited, their receivables credited); without it nothing moves. See restructure.ts.
   */
  | { readonly kind: 'restructure'; readonly id: string; readonly valueDate: DayNumber; readonly capitaliseArrears: boolean }
  /**
   * Re-ages a delinquent loan on its value date, after that day's payments: the unpaid principal, interest and
   * fees of the installments due move to installments the schedule given already holds at its end; DPD is 0
   * from that day. See reage.ts. A reversal targeting it removes it (give the schedule without those installments).
   */
  | { readonly kind: 're-age'; readonly id: string; readonly valueDate: DayNumber }
  | { readonly kind: 'disbursement'; readonly id: string; readonly valueDate: DayNumber; readonly amountMinor: bigint }
  | { readonly kind: 'repayment'; readonly id: string; readonly valueDate: DayNumber; readonly amountMinor: bigint }
  | { readonly kind: 'reversal'; readonly id: string; readonly targetId: string; readonly valueDate: DayNumber }
  /**
   * Pays the loan off at the end of its value date (after that day's accrual and penalties, so it meets a
   * payoff quote as of that date exactly): when it covers the payoff, every balance is settled and the loan
   * closes; when it falls short (a later backdated change raised the payoff) it is allocated like a repayment
   * and the loan stays open (`LoanReopened`).
   */
  | {
      readonly kind: 'foreclosure';
      readonly id: string;
      readonly valueDate: DayNumber;
      readonly amountMinor: bigint;
      /**
       * `top-up`: paid from a new (top-up) loan's disbursement, not by the borrower: its money is taken from
       * `disbursement-clearing` (where the new loan's disbursement put it) instead of `collection-clearing`,
       * and the closure's reason is `top-up`.
       */
      readonly fundedBy?: 'top-up';
    }
  /**
   * Principal paid ahead (`amountMinor`), with the product's prepayment charge on it paid on top (money received
   * = amount + charge). The schedule given is the one re-amortised after it: the prepayment itself only moves
   * principal (and the charge to fee income).
   */
  | { readonly kind: 'prepayment'; readonly id: string; readonly valueDate: DayNumber; readonly amountMinor: bigint }
  /**
   * Writes the loan off on demand at the end of its value date (after that day's penalties, classification and
   * accrual status), exactly as the product's charge-off at chargeOffDpd does: principal outstanding to
   * write-off expense, receivable interest, fees and penalties reversed, the memorandum cleared; the loan is
   * charged off and later money is a recovery. `accelerate`: the installments not yet due fall due on that day
   * (maturity accelerated; the interest of periods not yet begun is not charged). No effect on a loan no longer
   * active on that day. A reversal targeting it removes it (and so everything it did).
   */
  | { readonly kind: 'write-off'; readonly id: string; readonly valueDate: DayNumber; readonly accelerate: boolean };

export interface AccountInput {
  readonly schedule: readonly ScheduledInstallment[];
  readonly product: AccountProduct;
  /** In any order; sorted inside by (valueDate, kind: disbursement < repayment < prepayment < foreclosure < reversal < write-off < restructure < re-age, id). */
  readonly events: readonly MoneyEvent[];
  /** The replay runs through the end of this day; later-dated events are not yet effective. */
  readonly businessDate: DayNumber;
}

/** For advanceAccount: only events dated after the snapshot's `asOf` (earlier ones need a replay). */
export type AdvanceInput = Omit<AccountInput, 'businessDate'>;

export type LedgerAccount =
  | 'loan-portfolio'
  | 'interest-receivable'
  | 'fees-receivable'
  | 'penalties-receivable'
  | 'interest-income'
  | 'fee-income'
  | 'penalty-income'
  | 'excess-liability'
  | 'disbursement-clearing'
  | 'collection-clearing'
  | 'write-off-expense'
  | 'recovery-income'
  | 'memo-interest-receivable'
  | 'memo-interest-suspense'
  | 'memo-penalties-receivable'
  | 'memo-penalties-suspense';

export const LEDGER_ACCOUNTS: readonly LedgerAccount[] = [
  'loan-portfolio',
  'interest-receivable',
  'fees-receivable',
  'penalties-receivable',
  'interest-income',
  'fee-income',
  'penalty-income',
  'excess-liability',
  'disbursement-clearing',
  'collection-clearing',
  'write-off-expense',
  'recovery-income',
  'memo-interest-receivable',
  'memo-interest-suspense',
  'memo-penalties-receivable',
  'memo-penalties-suspense',
];

export interface PostingLine {
  readonly account: LedgerAccount;
  readonly side: 'debit' | 'credit';
  /** Always > 0. */
  readonly amountMinor: bigint;
}

export type EffectKind =
  | 'disbursement'
  | 'interest-accrual'
  | 'fee-due'
  | 'repayment'
  | 'recovery'
  | 'excess-applied'
  | 'late-fee'
  | 'penal-interest'
  | 'non-accrual'
  | 'accrual-resumed'
  | 'charge-off'
  | 'foreclosure'
  | 'prepayment'
  | 'restructure'
  | 're-age';

/** A balanced ledger posting. `key` is stable across replays: the LMS diffs effects by key. */
export interface Effect {
  readonly key: string;
  readonly date: DayNumber;
  readonly kind: EffectKind;
  readonly lines: readonly PostingLine[];
}

export type AccountStatus = 'pending-disbursement' | 'active' | 'closed' | 'charged-off';
export type AccrualStatus = 'accruing' | 'non-accrual';
export type RbiClass = 'standard' | 'SMA-0' | 'SMA-1' | 'SMA-2' | 'NPA';

export type LifecycleEvent =
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'InstallmentDue'; readonly installment: number }
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'InstallmentOverdue'; readonly installment: number }
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'InstallmentPaid'; readonly installment: number }
  | {
      readonly key: string;
      readonly date: DayNumber;
      readonly kind: 'DelinquencyChanged';
      readonly dpd: number;
      readonly usBucket: string;
      readonly rbiClass: RbiClass;
    }
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'AccrualStatusChanged'; readonly accrualStatus: AccrualStatus }
  /** `writeOffId` is set when a write-off event charged it off (else the product's chargeOffDpd did). */
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'LoanChargedOff'; readonly writeOffId?: string; readonly accelerated?: boolean; readonly acceleratedPrincipalMinor?: bigint }
  /** `reason` is set when a foreclosure closed the loan (`top-up` when a top-up loan paid it); otherwise it closed by its schedule. */
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'LoanClosed'; readonly reason?: 'foreclosed' | 'top-up' }
  /** A foreclosure that closed the loan no longer covers its payoff: the loan is open again. */
  | { readonly key: string; readonly date: DayNumber; readonly kind: 'LoanReopened'; readonly foreclosureId: string; readonly shortfallMinor: bigint };

export interface AccountBalances {
  /** = loan-portfolio: disbursed − principal repaid − principal written off. */
  readonly principalOutstanding: bigint;
  /** Unpaid principal of installments due on or before the business date. */
  readonly principalDue: bigint;
  /** = interest-receivable: interest accrued into income and not yet paid (0 while non-accrual). */
  readonly interestAccrued: bigint;
  /** Unpaid interest of due installments. */
  readonly interestDue: bigint;
  /** = fees-receivable: unpaid scheduled fees of due installments. */
  readonly feesDue: bigint;
  /** Unpaid late fees and penal interest (= penalties-receivable + memo-penalties-receivable). */
  readonly penaltiesDue: bigint;
  /** = excess-liability: money received beyond what was due, owed back or applied at the next due date. */
  readonly excess: bigint;
  /** principalDue + interestDue + feesDue + penaltiesDue. */
  readonly totalDueNow: bigint;
  /** = memo-interest-receivable: interest accrued while non-accrual, not in income. */
  readonly interestSuspended: bigint;
  /** = memo-penalties-receivable. */
  readonly penaltiesSuspended: bigint;
  readonly disbursed: bigint;
  /** = write-off-expense. */
  readonly principalWrittenOff: bigint;
  /** = recovery-income. */
  readonly recovered: bigint;
}

export interface ComponentAmounts {
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly penalties: bigint;
}

export interface InstallmentState {
  readonly number: number;
  readonly dueDate: DayNumber;
  readonly status: 'not-due' | 'due' | 'overdue' | 'paid';
  /** Scheduled principal/interest/fees; `penalties` = late fee + penal interest charged to it. */
  readonly charged: ComponentAmounts;
  readonly paid: ComponentAmounts;
  readonly lateFeeMinor: bigint;
  readonly overdueSince: DayNumber | null;
  readonly paidOn: DayNumber | null;
}

export interface Delinquency {
  readonly dpd: number;
  readonly usBucket: string;
  readonly rbiClass: RbiClass;
  /** Due date of the oldest installment with principal, interest or fees unpaid and past due. */
  readonly oldestUnpaidDueDate: DayNumber | null;
  readonly npaSince: DayNumber | null;
}

/** A change point: dpd on any later day until the next point is `day − oldestUnpaidDueDate`. */
export interface DelinquencyPoint extends Delinquency {
  readonly date: DayNumber;
}

export interface AllocationLine {
  readonly installment: number;
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly penalties: bigint;
}

/** How one payment (or the excess applied at a due date) was split. parts + excessMinor = amountMinor. */
export interface PaymentAllocation {
  /** The repayment's event id, or `excess:<date>` for excess applied at a due date. */
  readonly source: string;
  readonly date: DayNumber;
  readonly kind: 'repayment' | 'excess-applied' | 'recovery' | 'foreclosure' | 'prepayment';
  readonly amountMinor: bigint;
  readonly installments: readonly AllocationLine[];
  readonly byComponent: Readonly<Record<Component, bigint>>;
  /** Part kept as excess (a repayment) — for a recovery, the whole amount is recovery income and this is 0. */
  readonly excessMinor: bigint;
  readonly recoveryMinor: bigint;
  /**
   * A foreclosure that closed the loan: the prepayment charge it paid and the excess already held that it
   * used. Then amountMinor + excessUsedMinor = byComponent + prepaymentChargeMinor + excessMinor.
   * A prepayment: amountMinor (money received) = byComponent.principal + prepaymentChargeMinor.
   */
  readonly prepaymentChargeMinor?: bigint;
  readonly excessUsedMinor?: bigint;
}

/** The last foreclosure applied to the account and what it did. */
export interface ForeclosureOutcome {
  readonly id: string;
  readonly date: DayNumber;
  readonly amountMinor: bigint;
  /** What closed the loan at the end of `date` (the payoff quote's total as of that date). */
  readonly payoffMinor: bigint;
  /** closed: it covered the payoff; short: it did not (allocated as a repayment, the loan stays open). */
  readonly outcome: 'closed' | 'short';
}

/** The write-off event that charged the account off, and what its acceleration made due. */
export interface WriteOffOutcome {
  readonly id: string;
  readonly date: DayNumber;
  readonly accelerated: boolean;
  /** Scheduled principal of the installments not yet due that the acceleration made due (0 without it). */
  readonly acceleratedPrincipalMinor: bigint;
}

export interface AccountState {
  /** Last day processed (end of day); null before the first disbursement is effective. */
  readonly asOf: DayNumber | null;
  readonly status: AccountStatus;
  readonly accrualStatus: AccrualStatus;
  readonly firstDisbursementDate: DayNumber | null;
  readonly closedOn: DayNumber | null;
  readonly chargedOffOn: DayNumber | null;
  readonly balances: AccountBalances;
  readonly installments: readonly InstallmentState[];
  readonly delinquency: Delinquency;
  /** Present once a foreclosure event took effect. */
  readonly foreclosure?: ForeclosureOutcome;
  /** Present when a write-off event charged the account off. */
  readonly writeOff?: WriteOffOutcome;
}

/** JSON-safe (bigints as decimal strings); opaque to the LMS, which stores it per loan. */
export interface AccountSnapshot {
  readonly version: 1;
  readonly asOf: DayNumber | null;
  readonly scalars: Readonly<Record<string, string | number | null>>;
  readonly installments: Readonly<Record<string, readonly (string | number)[]>>;
}

/**
 * The account at the end of day `asOf` of a run with `checkpointEveryMonths`, to resume a later replay
 * from (resumeAccount). Opaque beyond these fields; valid for the schedule, product and effective events
 * up to `asOf` it was taken with, which resumeAccount checks.
 */
export interface AccountCheckpoint {
  readonly asOf: DayNumber;
  /** The classification at the end of `asOf`: the `delinquencyBefore` of the days a resume folds. */
  readonly delinquency: Delinquency;
  /** Installments it holds figures for (what keeping it costs). */
  readonly size: number;
}

/** Options of replayAccount and resumeAccount. */
export interface ReplayOptions {
  /**
   * Keep a checkpoint at the end of the last day before every month whose index (year × 12 + month − 1)
   * is a multiple of this (1: every month end; 6: end of June and December); days the fold skips (a closed
   * or pending loan) keep none. Unset: none kept.
   */
  readonly checkpointEveryMonths?: number;
}

export interface AccountResult {
  readonly state: AccountState;
  readonly snapshot: AccountSnapshot;
  /** replayAccount: all; advanceAccount: only those of the days advanced. Same for the lists below. */
  readonly effects: readonly Effect[];
  readonly events: readonly LifecycleEvent[];
  readonly allocations: readonly PaymentAllocation[];
  readonly delinquencyHistory: readonly DelinquencyPoint[];
  /** With `checkpointEveryMonths`: the account at the end of each such month the run folded, oldest first. */
  readonly checkpoints?: readonly AccountCheckpoint[];
}

export type AccountErrorCode =
  | 'invalid-schedule'
  | 'invalid-product'
  | 'invalid-event'
  | 'duplicate-event-id'
  | 'unknown-reversal-target'
  | 'reversal-of-reversal'
  | 'reversal-of-disbursement'
  | 'repayment-already-reversed'
  | 'event-before-disbursement'
  | 'disbursement-after-first-due-date'
  | 'replay-required'
  | 'snapshot-mismatch'
  | 'checkpoint-mismatch';

export interface AccountError {
  readonly code: AccountErrorCode;
  readonly message: string;
  readonly eventId?: string;
}
