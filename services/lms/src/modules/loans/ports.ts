import type { LoanApprovedV1 } from '@lendstack/contracts';
import type { PageKey } from '@lendstack/platform';
import type { LoanAccount, ScheduledInstallment, ScheduleRows } from './domain/loan-account.js';

export interface NewBooking {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventVersion: number;
  readonly account: LoanAccount;
  /** Trace context of the consumer's work, so the collections workflow continues the same trace. */
  readonly traceparent: string | undefined;
}

export interface LoanBookingStore {
  /**
   * In ONE transaction: records every event id in the inbox and books the accounts whose event was
   * not seen before. Returns the loan ids booked now (a redelivered event books nothing) and the ids
   * of new events naming a loan that another event already booked (they change nothing).
   */
  bookNew(bookings: readonly NewBooking[]): Promise<{ booked: string[]; conflicts: string[] }>;
  /**
   * The `tenant:code` pairs (of those given) that name no product of a tenant that HAS a catalogue.
   * A tenant without any product is not checked (the LOS applies the same rule at submission).
   */
  productsNotInCatalogue(pairs: readonly { tenantId: string; productCode: string }[]): Promise<Set<string>>;
  /**
   * Why each top-up (of those given) cannot be booked, by event id: the loan it names is not the tenant's,
   * is another borrower's or in another currency, or is not active (pending disbursement, closed, charged off).
   * Absent: bookable (its payoff is checked when the new loan is disbursed).
   */
  topUpRefusals(topUps: readonly TopUpRequest[]): Promise<Map<string, string>>;
}

/** A LoanApproved naming a loan to top up, as the booking checks it. */
export interface TopUpRequest {
  readonly eventId: string;
  readonly tenantId: string;
  readonly oldLoanId: string;
  readonly borrowerId: string;
  readonly currency: string;
}

/** Computes the repayment schedule an approved loan's terms describe (the loan calculation engine). */
export type ScheduleCalculator = (event: LoanApprovedV1) => ScheduleRows;

/**
 * A booked installment as the schedule shows it: `status` is the servicing state's (not-due, due, overdue, paid)
 * once the loan is serviced, else the booking's (`scheduled`); `paid` (minor units, all components with
 * penalties) and `paidOn` come from the servicing state too.
 */
export type InstallmentView = ScheduledInstallment & { readonly status: string; readonly paidMinor?: bigint; readonly paidOn?: string | null };

export type LoanAccountView = Omit<LoanAccount, 'installments' | 'terms'> & { status: string; createdAt: Date; collectionsStartedAt: Date | null; productVersion: number | null };

export interface LoanReader {
  find(tenantId: string, loanId: string): Promise<LoanAccountView | undefined>;
  /** Newest first; at most `limit + 1` rows so the caller can tell whether another page follows. */
  list(tenantId: string, query: { after?: PageKey; limit: number }): Promise<LoanAccountView[]>;
  schedule(tenantId: string, loanId: string): Promise<{ currency: string; scale: number; installments: InstallmentView[] } | undefined>;
}
