import type { CheckContext, CheckReason, CheckSubject } from '../checks/check-runner.js';

/** What a KYC vendor concluded: clear, consider (an operator looks), or rejected (a hard stop). */
export interface KycVerification {
  readonly vendor: string;
  readonly vendorReference: string;
  readonly result: 'clear' | 'consider' | 'rejected';
  readonly findings: readonly CheckReason[];
  /** Masked: report names and results, match flags; never a clear national id or date of birth. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/**
 * A KYC provider. An adapter reads the clear national id and date of birth through `subject.reveal()` and
 * sends them only to its vendor. Failures: VendorUnavailableError (timeout, 5xx, unreachable: retried),
 * VendorResponseError (malformed or refused answer: not retried).
 */
export interface KycPort {
  readonly vendor: string;
  verify(subject: CheckSubject, ctx: CheckContext): Promise<KycVerification>;
}

/** What an adapter created at a vendor for one idempotency key, so a retry continues instead of starting over. */
export interface KycVendorRecord {
  readonly applicantId: string | null;
  /** Our document id → the vendor's document id. */
  readonly documentIds: Readonly<Record<string, string>>;
  readonly checkId: string | null;
}

export interface KycVendorRecords {
  find(idempotencyKey: string, vendor: string): Promise<KycVendorRecord | undefined>;
  save(idempotencyKey: string, vendor: string, record: KycVendorRecord): Promise<void>;
}

export interface KycWebhookEvent {
  /** SHA-256 of the raw signed body. */
  readonly eventId: string;
  readonly vendor: string;
  readonly resourceType: string;
  readonly action: string;
  readonly objectId: string;
  readonly objectStatus: string | null;
  readonly occurredAt: Date;
}

/** Verified webhooks: recorded once (a second delivery of the same event is a replay), read by waiting runners. */
export interface KycWebhookInbox {
  record(event: KycWebhookEvent): Promise<'recorded' | 'replayed'>;
  /** True once `action` arrived for the vendor object (e.g. check.completed for a check id). */
  has(vendor: string, objectId: string, action: string): Promise<boolean>;
}
