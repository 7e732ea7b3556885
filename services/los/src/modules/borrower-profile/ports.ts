import type { LoanRecord, RepaymentEvent } from './domain/repayment-profile.js';

/** What applying a chunk of lifecycle events did. */
export interface RecordedRepaymentEvents {
  /** Events new to the inbox (the others were applied before: a replay). */
  readonly fresh: number;
  /** Fresh events about a loan no application of the tenant produced (not ours, or another tenant's): skipped. */
  readonly unknownLoans: number;
}

/** The borrower a repayment profile is about: the applicant's national-id vault token, within the tenant. */
export interface BorrowerOfApplication {
  readonly borrowerKey: string;
  /** The loan a top-up application names (submission field `topUpOf`); null for any other application. */
  readonly topUpOf: string | null;
}

export interface RepaymentProfileStore {
  /**
   * Applies the events (once per event id: inbox, same transaction) to the loans of applications of their
   * tenant; one transaction and one statement per table for the chunk.
   */
  record(events: readonly RepaymentEvent[]): Promise<RecordedRepaymentEvents>;
  /** The borrower's loans with their installment counts and their worst DPD reported in the 12 months up to `asOf` (YYYY-MM-DD). */
  loansOf(tenantId: string, borrowerKey: string, asOf: string): Promise<LoanRecord[]>;
  /** The borrower of an application; undefined when there is no such application in the tenant. */
  borrowerOf(tenantId: string, applicationId: string): Promise<BorrowerOfApplication | undefined>;
}
