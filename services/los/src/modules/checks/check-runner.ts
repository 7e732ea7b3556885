import type { Money } from '@lendstack/contracts';

/**
 * The seam between the checks workflow (which decides when a check runs, retries it and records it) and
 * each check (which talks to one vendor, or to our own data, and says what it found). A check never
 * decides the application; it reports an outcome with its evidence.
 */
export const CHECK_KINDS = ['kyc', 'document-ocr', 'bureau', 'income', 'duplicate', 'velocity', 'device', 'sanctions'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/**
 * pass: nothing found. refer: a finding an operator must look at (KYC `consider`, a fuzzy sanctions
 * hit, OCR net pay below stated income). fail: a hard stop (exact sanctions match, KYC rejected).
 */
export type CheckResult = 'pass' | 'refer' | 'fail';

export interface CheckReason {
  /** Stable, machine-readable: `sanctions-match`, `name-mismatch`, `net-pay-disagrees`, `seen-elsewhere` … */
  readonly code: string;
  readonly detail: string;
}

export interface CheckOutcome {
  readonly kind: CheckKind;
  readonly result: CheckResult;
  /** 0..1 where the check has one (match score, risk score); a bureau score goes in evidence. */
  readonly score?: number;
  readonly reasons: readonly CheckReason[];
  /** The vendor's id for this check (Onfido check id, bureau report id), when a vendor was called. */
  readonly vendorReference?: string;
  /** What the outcome relied on, masked: matched list entry, extracted fields, derived bureau features. Never a clear PII value. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface ApplicationDocumentRef {
  readonly id: string;
  readonly kind: 'identity' | 'payslip' | 'bank-statement' | 'other';
  readonly contentType: 'image/jpeg' | 'image/png' | 'application/pdf';
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Where the blob store keeps it; read through the BlobStore port. */
  readonly blobKey: string;
}

/** What a check may know about the application. Clear PII only through reveal(), inside the adapter that sends it. */
export interface CheckSubject {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly applicant: {
    readonly name: { readonly given: string; readonly family: string };
    readonly contact: { readonly email: string; readonly phone: string };
    readonly country: string;
    readonly nationalIdType: string;
    readonly nationalIdMasked: string;
    readonly nationalIdToken: string;
    readonly bankAccountToken: string;
  };
  readonly statedMonthlyIncome: Money | null;
  readonly employerName: string | null;
  readonly requestedPrincipal: Money;
  /**
   * The requested loan's installment as a monthly amount, for FOIR: the largest scheduled installment, times
   * periods per year / 12 for other frequencies (rounded up); null when the terms give no schedule.
   */
  readonly proposedMonthlyInstallment: Money | null;
  readonly device: { readonly fingerprint: string; readonly ip: string } | null;
  readonly documents: readonly ApplicationDocumentRef[];
  reveal(field: 'national-id' | 'date-of-birth' | 'bank-account'): Promise<string>;
}

export interface CheckContext {
  /** Stable per (application, check kind, attempt group): send it to the vendor so a retried call is not a second check. */
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
}

/** A vendor that timed out, answered 5xx or could not be reached: the workflow retries with backoff, then parks the check as `exception`. */
export class VendorUnavailableError extends Error {
  constructor(readonly vendor: string, detail: string) {
    super(`${vendor} unavailable: ${detail}`);
    this.name = 'VendorUnavailableError';
  }
}

/** A vendor answer we cannot use (malformed JSON, a schema it does not follow, a 4xx about our request): not retried; recorded as a failed check with its reason. */
export class VendorResponseError extends Error {
  constructor(readonly vendor: string, detail: string) {
    super(`${vendor} answered unusably: ${detail}`);
    this.name = 'VendorResponseError';
  }
}

export interface CheckRunner {
  readonly kind: CheckKind;
  run(subject: CheckSubject, ctx: CheckContext): Promise<CheckOutcome>;
}
