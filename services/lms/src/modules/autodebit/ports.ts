/**
 * Auto-debit collection rails. One port for every rail that pulls an instalment from the borrower's account
 * under a standing authorisation: US ACH (NACHA PPD/WEB debits through an ODFI, this module's first adapter),
 * India NACH e-mandates, UPI AutoPay and card-on-file. A rail is asynchronous and batch-shaped: present() hands
 * a batch of debits to the rail and answers what it took; results (settlements, returns, notifications of
 * change, declines) arrive later and are fetched with results(). What a result means for the loan is decided by
 * the rail's pure rules (domain/), as an action the use cases carry out through the LMS's own use cases.
 *
 * Presenting again with the same presentment ids is safe: the batch id is the rail's idempotency key, so a
 * retried present() never debits twice.
 */

export type CollectionRail = 'us-ach' | 'in-nach' | 'upi-autopay' | 'card-on-file';

export interface DebitMoney {
  readonly amountMinor: bigint;
  /** ISO 4217. */
  readonly currency: string;
  readonly scale: number;
}

/**
 * The borrower's account as the rail debits it. PII stays tokenised: the adapter resolves the token to the
 * account number when it writes the rail's file or request (payouts' AchAccountResolver does the same).
 */
export interface DebitAccount {
  readonly accountToken: string;
  /** ABA routing number (ACH), IFSC (NACH), VPA handle (UPI) or card network (cards). */
  readonly bankCode: string;
  /** ACH: checking → transaction code 27, savings → 37. */
  readonly accountType: 'checking' | 'savings';
  readonly holderName: string;
  readonly accountNumberMasked?: string;
  /** The standing authorisation: ACH authorisation id, NACH UMRN, UPI mandate id, card-on-file agreement id. */
  readonly authorisationId: string;
  /** ACH: PPD for a written/signed authorisation, WEB for one obtained online. */
  readonly achSecCode?: 'PPD' | 'WEB';
  /** An account number a notification of change gave us: used instead of the token's until new account data. */
  readonly correctedAccountNumber?: string;
}

/** One debit of one instalment, one attempt. */
export interface Presentment {
  /** Ours, stable: `${loan}:${installment}:${attempt}`-derived. Posting is keyed on it, so a result posts once. */
  readonly presentmentId: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly installmentNumber: number;
  readonly amount: DebitMoney;
  readonly rail: CollectionRail;
  /** 1 for the first presentment, 2 and 3 for re-presentments (ACH reinitiations). */
  readonly attempt: number;
  /** The first attempt's id; re-presentments name it (ACH: same company, amount; window from its settlement). */
  readonly originalPresentmentId?: string;
  /** The date the debit is meant to settle (ACH effective entry date), a banking day. */
  readonly effectiveDate: string;
  readonly account: DebitAccount;
  /**
   * Unique among this rail's presentments, allotted when the presentment is batched and kept, so a batch sent
   * again is the same bytes (ACH: the 7-digit trace sequence after the ODFI's 8 digits).
   */
  readonly railSequence: number;
}

export interface PresentmentBatch {
  /** The rail's idempotency key: the same batch sent twice is one submission. */
  readonly batchId: string;
  readonly rail: CollectionRail;
  /** The creation date and time the rail's file header carries (the caller's clock, passed in). */
  readonly createdAt: Date;
  /** 0-based number of this batch among the rail's batches created the same day (ACH: the file id modifier A–Z, 0–9). */
  readonly sequenceOfDay: number;
  readonly presentments: readonly Presentment[];
}

/** The rail took the batch (each presentment gets the rail's reference: an ACH trace number) or refused it whole. */
export type PresentAnswer =
  | {
    readonly kind: 'accepted'; readonly railBatchId: string; readonly references: ReadonlyMap<string, string>; readonly sha256?: string;
    /** Presentments of the batch the rail (or the adapter, by the rail's rules) refused one by one, by presentment id; the rest were taken. */
    readonly refused?: ReadonlyMap<string, { readonly field: string; readonly rule: string; readonly detail: string }>;
  }
  | { readonly kind: 'rejected'; readonly detail: string; readonly record?: number; readonly field?: string; readonly rule?: string };

/** Account data a notification of change corrects (only the fields it names). */
export interface AccountCorrection {
  readonly accountNumber?: string;
  readonly bankCode?: string;
  readonly accountType?: 'checking' | 'savings';
  readonly holderName?: string;
}

/** What the rail says about one presentment, named by the rail's reference (ACH: original trace number). */
export type PresentmentResult =
  | { readonly kind: 'settled'; readonly reference: string; readonly settlementDate: string }
  | { readonly kind: 'returned'; readonly reference: string; readonly code: string; readonly description: string; readonly returnedOn: string; readonly record?: number }
  | { readonly kind: 'changed'; readonly reference: string; readonly code: string; readonly description: string; readonly correction: AccountCorrection; readonly record?: number };

/** One results document from the rail (an ACH return/NOC file, a NACH response file, a webhook batch). */
export interface ResultDocument {
  /** The rail's id of the document: applying the same document twice changes nothing. */
  readonly documentId: string;
  readonly rail: CollectionRail;
  readonly receivedOn: string;
  readonly results: readonly PresentmentResult[];
}

/** A results document the rail sent that cannot be read: refused whole, with the record, field and rule. */
export interface UnreadableDocument {
  readonly documentId: string;
  readonly record?: number;
  readonly field: string;
  readonly rule: string;
  readonly detail: string;
}

/**
 * What a result means for the loan (the rail's rules decide, domain/):
 * - post-repayment: the money arrived; post it through servicing, once, keyed on the presentment id;
 * - retry-at: re-present the same amount on `date` as attempt `attempt` (ACH: R01/R09, a `RETRY PYMT` batch);
 * - stop-new-account-data: no debit on this account until the borrower gives new account data (R02/R03/R04);
 * - stop-revoke-authorisation: the authorisation is revoked; no debit until a new one (R07/R10);
 * - stop-manual-review: no automatic retry; an operator decides (e.g. R08 stop payment, R16 frozen, exhausted retries);
 * - update-account: store the corrected account data before the next debit (ACH NOC).
 * A return after the repayment was posted also reverses it (`reversePosted`).
 */
export type ResultAction =
  | { readonly kind: 'post-repayment'; readonly valueDate: string }
  | { readonly kind: 'retry-at'; readonly date: string; readonly attempt: number; readonly reversePosted: boolean }
  | { readonly kind: 'stop-new-account-data'; readonly reason: string; readonly reversePosted: boolean }
  | { readonly kind: 'stop-revoke-authorisation'; readonly reason: string; readonly reversePosted: boolean }
  | { readonly kind: 'stop-manual-review'; readonly reason: string; readonly reversePosted: boolean }
  | { readonly kind: 'update-account'; readonly correction: AccountCorrection };

export interface CollectionRailPort {
  readonly rail: CollectionRail;
  /**
   * Days before its charge date a presentment is handed to the rail (ACH: 0, on the effective date; NACH: the
   * INPUT batch a day or two ahead, at most 7; UPI AutoPay: the pre-debit notification at least 24 h ahead).
   */
  readonly presentAheadDays?: number;
  /** Batches the rail takes per creation day (ACH: 36 file id modifiers); more wait, still scheduled, for the next day. */
  readonly batchesPerDay?: number;
  /**
   * Days after a settlement the rail may still return the debit (NACH's late return); batches with presentments
   * settled that recently stay among `openBatchIds`. Absent: the rail reports late returns otherwise (ACH's files).
   */
  readonly lateReturnDays?: number;
  /** The reference a presentment with this rail sequence will carry (ACH: the trace number), known before it is sent. */
  referenceFor(railSequence: number): string;
  /** Hand the batch to the rail. Throws CollectionRailUnavailableError when the rail cannot be reached (retry later, same batch id). */
  present(batch: PresentmentBatch): Promise<PresentAnswer>;
  /**
   * Results documents the rail has for us, oldest first, with those it cannot read kept apart. `openBatchIds`
   * are the rail's ids of batches with presentments still awaiting a result (where the rail reports
   * settlements per batch); `receivedOn` is the date the caller stamps the documents with (no wall clock).
   */
  results(openBatchIds: readonly string[], receivedOn: string): Promise<{ readonly documents: readonly ResultDocument[]; readonly unreadable: readonly UnreadableDocument[] }>;
}

/** The rail could not be reached or answered 5xx after the adapter's bounded retries: nothing is known to have happened. */
export class CollectionRailUnavailableError extends Error {}

/**
 * Standing authorisations at an India rail's processor: a NACH e-mandate through the sponsor bank, a UPI
 * AutoPay mandate through the PSP. `key` is the Idempotency-Key the processor sees (the same on a retry).
 */
export interface MandateRegistration {
  readonly key: string;
  /** Ours: the mandate's id in the LMS. */
  readonly reference: string;
  /** NACH: the debtor's account number and IFSC; UPI: the payer's VPA in bankCode. */
  readonly accountNumber?: string;
  readonly bankCode: string;
  readonly holderName: string;
  readonly maxAmountMinor: bigint;
  readonly frequency: string;
  readonly category: string;
  readonly validFrom: string;
  readonly validUntil?: string;
}

export type MandateAnswer =
  | { readonly kind: 'active'; readonly processorId: string; readonly umrn: string }
  | { readonly kind: 'rejected'; readonly processorId: string; readonly code: string; readonly reason: string }
  /** The processor refused the request itself (4xx): the field it names, mapped to ours. */
  | { readonly kind: 'refused'; readonly status: number; readonly field: string; readonly rule: string; readonly detail: string };

export interface MandatePort {
  readonly rail: 'in-nach' | 'upi-autopay';
  register(r: MandateRegistration): Promise<MandateAnswer>;
  amend(processorId: string, change: { readonly maxAmountMinor?: bigint; readonly validUntil?: string }, key: string): Promise<MandateAnswer>;
  cancel(processorId: string, key: string): Promise<MandateAnswer | { readonly kind: 'cancelled' }>;
}
