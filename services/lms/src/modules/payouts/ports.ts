/**
 * Disbursement rail. RBI's Digital Lending Directions: the lender pays out only to the borrower's own bank
 * account, never through a third party's pooled account, so a payout's beneficiary is the account token the
 * LOS put in LoanApproved, nothing else. PII is tokenised by the LOS: the LMS only ever holds the token; a
 * real deployment resolves it to the account number inside the adapter, through the LOS's vault.
 *
 * The rail is asynchronous: submit() answers that the provider took the payout; the outcome arrives later as
 * a signed webhook (verifyWebhook) or by polling status(). Submitting again with the same payoutId is safe:
 * it is the provider's idempotency key, so a retried submit never pays twice.
 */

export interface PayoutMoney {
  readonly amountMinor: bigint;
  /** ISO 4217. */
  readonly currency: string;
  /** Digits after the decimal point of `amountMinor` (2 for INR paise). */
  readonly scale: number;
}

export interface PayoutBeneficiary {
  /** The borrower's own account, as the LOS's token (from LoanApproved). */
  readonly accountToken: string;
  /** Bank routing code: an IFSC in India, the 9-digit ABA routing number in the US. */
  readonly bankCode: string;
  readonly holderName: string;
  /** The LOS's masked account number (X's and at most the last four digits), as LoanApproved carries it. */
  readonly accountNumberMasked?: string;
}

export interface PayoutRequest {
  /** Ours, stable across retries: the provider's idempotency key and reference (4–36 of [A-Za-z0-9_- ]; a UUID fits). */
  readonly payoutId: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly amount: PayoutMoney;
  readonly beneficiary: PayoutBeneficiary;
  /** Shown on the borrower's statement; the adapter trims it to what the rail allows. */
  readonly narration: string;
}

export type PayoutStatus = 'queued' | 'processing' | 'processed' | 'failed' | 'reversed';
export type PayoutFinalStatus = 'processed' | 'failed' | 'reversed';

/**
 * The provider's view of a payout. A first submit answers `queued` or `processing`; a replayed submit (same
 * payoutId) answers the payout's latest state, which may already be final.
 */
export interface PayoutSnapshot {
  readonly providerPayoutId: string;
  readonly status: PayoutStatus;
  /** Provider-neutral UPPER_SNAKE reason when failed or reversed, e.g. BENEFICIARY_BANK_DOWN, INVALID_ACCOUNT. */
  readonly failureReason?: string;
  /** The provider's words for the reason, for operators. */
  readonly failureDetail?: string;
  /** Bank reference (UTR) once the bank has it. */
  readonly utr?: string;
}

/** The provider refused the request itself (nothing was created): bad data, or the key reused with another body. */
export interface PayoutRefused {
  readonly error: {
    readonly code: 'invalid-request' | 'idempotency-conflict' | 'unsupported-currency';
    readonly detail: string;
    /** The request field the provider named, if any. */
    readonly field?: string;
  };
}

/** A verified, parsed webhook that settles a payout. */
export interface PayoutOutcome {
  /** The provider's event id: the same delivery retried carries the same id (dedupe on it, or on payoutId + status). */
  readonly eventId: string;
  readonly payoutId: string;
  readonly providerPayoutId: string;
  readonly status: PayoutFinalStatus;
  readonly failureReason?: string;
  readonly failureDetail?: string;
  readonly utr?: string;
  /** When the provider created the event. */
  readonly at: Date;
}

/** A genuine webhook that settles nothing (e.g. payout.initiated): acknowledge it, act on nothing. */
export interface PayoutWebhookIgnored {
  readonly ignored: string;
}

/** Not genuine or not readable: refuse it (the provider retries, an attacker gets nothing). */
export interface PayoutWebhookRefused {
  readonly error: 'missing-signature' | 'bad-signature' | 'stale' | 'malformed';
  readonly detail: string;
}

export type PayoutWebhookResult = PayoutOutcome | PayoutWebhookIgnored | PayoutWebhookRefused;
export type PayoutWebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface PayoutPort {
  /**
   * Hands the payout to the provider. Returns the snapshot, or PayoutRefused when the provider refused the
   * request. Throws PayoutRailUnavailableError when the provider could not be reached or kept failing (5xx)
   * within the bounded retries: the outcome is then unknown, and submitting again with the same payoutId is
   * the way to find out.
   */
  submit(request: PayoutRequest): Promise<PayoutSnapshot | PayoutRefused>;
  /** The provider's latest state of a payout, or `{ error: 'not-found' }`. Throws PayoutRailUnavailableError like submit. */
  status(providerPayoutId: string): Promise<PayoutSnapshot | { readonly error: 'not-found' }>;
  /** Checks the signature (timing-safe) over the raw body and the event's age, then parses it. */
  verifyWebhook(rawBody: Buffer, headers: PayoutWebhookHeaders): PayoutWebhookResult;
}

/** The rail could not be reached or kept failing; nothing is known about the payout's fate. */
export class PayoutRailUnavailableError extends Error {
  override readonly name = 'PayoutRailUnavailableError';
}

export const isPayoutRefused = (r: PayoutSnapshot | PayoutRefused): r is PayoutRefused => 'error' in r;
export const isPayoutOutcome = (r: PayoutWebhookResult): r is PayoutOutcome => 'payoutId' in r;
