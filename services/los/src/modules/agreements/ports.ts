import type { Application, ApplicationStatus } from '../applications/domain/application.js';
import type { Offer } from '../offers/domain/offers.js';
import type { Claimed, DecisionAuditEntry, IdempotencyClaim } from '../review/ports.js';
import type { AgreementStatus, Stamp } from './domain/agreement.js';

/** One event of the e-sign vendor's audit trail (DocuSign envelope audit events): who did what, when, from where. */
export interface ESignAuditEvent {
  readonly at: string;
  readonly action: string;
  readonly user: string;
  readonly message: string;
  readonly envelopeStatus: string;
  readonly ip: string | null;
  readonly source: string;
}

export interface EnvelopeRequest {
  /** Sender-generated id the vendor keeps with the envelope: a retry finds the envelope it created instead of sending twice. */
  readonly transactionId: string;
  readonly subject: string;
  readonly document: { readonly name: string; readonly pdf: Buffer };
  readonly signer: { readonly name: string; readonly email: string; readonly clientUserId: string };
  /** Where the signer lands after the embedded signing ceremony. */
  readonly returnUrl: string;
}

/**
 * The e-signature vendor. `send` is safe to repeat with the same transaction id (one envelope). Failures are
 * thrown: VendorUnavailableError (unreachable, timeout, 5xx: try again later), VendorResponseError (it refused).
 */
export interface ESignPort {
  /** Names the vendor in stored rows and audit entries (`esign:<vendor>`). */
  readonly vendor: string;
  send(request: EnvelopeRequest): Promise<{ envelopeId: string; signingUrl: string }>;
  auditEvents(envelopeId: string): Promise<ESignAuditEvent[]>;
}

export interface StampRequest {
  /** The vendor's idempotency key: the same agreement asks once, whatever the retries. */
  readonly reference: string;
  readonly state: string;
  readonly article: string;
  readonly description: string;
  readonly firstParty: string;
  readonly secondParty: string;
  readonly considerationMinor: bigint;
  readonly dutyMinor: bigint;
}

/** An Indian e-stamping vendor (SHCIL / state e-stamp): duty paid for an instrument, evidenced by a certificate number. Failures as for ESignPort. */
export interface EStampPort {
  stamp(request: StampRequest): Promise<{ certificateNumber: string; issuedAt: string }>;
}

export interface StoredAgreement {
  readonly id: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly offerId: string;
  readonly templateVersion: string;
  readonly documentSha256: string;
  readonly pdf: Buffer;
  readonly stamp: Stamp;
  readonly status: AgreementStatus;
  readonly esignVendor: string;
  readonly envelopeId: string | null;
  readonly signingUrl: string | null;
  readonly esignEvents: readonly ESignAuditEvent[];
  readonly signedDocumentSha256: string | null;
  readonly signedAt: Date | null;
  readonly declinedReason: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

/** What an agreement is made from: the application's current run, its accepted offer and the consent. */
export interface AgreementSource {
  readonly status: ApplicationStatus;
  readonly checksRun: number;
  readonly applicant: Application['applicant'];
  readonly offer: Offer | undefined;
  readonly acceptance: { readonly offerId: string; readonly kfsReference: string; readonly kfsVersion: string; readonly kfsSha256: string; readonly acceptedBy: string; readonly acceptedAt: Date } | undefined;
  readonly agreement: StoredAgreement | undefined;
}

/** Inside one transaction on the agreement's row (locked by `lock`). */
export interface AgreementTransaction {
  lock(agreementId: string): Promise<StoredAgreement | undefined>;
  update(agreementId: string, change: Partial<Pick<StoredAgreement, 'status' | 'envelopeId' | 'signingUrl' | 'esignEvents' | 'signedDocumentSha256' | 'signedAt' | 'declinedReason' | 'sentAt'>>, at: Date): Promise<void>;
  audit(entry: DecisionAuditEntry): Promise<void>;
  /** Whether a signature over `signedSha256` was already refused for this agreement (a redelivered refusal is audited once). */
  refusedBefore(agreementId: string, applicationId: string, signedSha256: string | null): Promise<boolean>;
  claim(tenantId: string, claim: IdempotencyClaim): Promise<Claimed>;
  remember(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  /** The origination step this signature completes (the lead's completion: approves once every step is in). */
  stepDone(step: { tenantId: string; applicationId: string; checksRun: number; actor: string; at: Date }): Promise<void>;
}

export interface AgreementStore {
  /** The answer already given to an Idempotency-Key (read only): none, the same request's answer, or another request's key. */
  answered(tenantId: string, claim: IdempotencyClaim): Promise<Claimed | { kind: 'none' }>;
  source(tenantId: string, applicationId: string): Promise<AgreementSource | undefined>;
  /** Stores a generated agreement with its audit entry; when the run already has one (a concurrent request), returns that one instead. */
  insertGenerated(agreement: StoredAgreement, audit: DecisionAuditEntry): Promise<StoredAgreement>;
  byEnvelope(vendor: string, envelopeId: string): Promise<StoredAgreement | undefined>;
  /**
   * Runs `work` (the vendor calls that send the agreement) while holding a session lock on the agreement, no
   * transaction open; `undefined` when another request holds it (two concurrent sends would create two envelopes).
   */
  whileSending<T>(agreementId: string, work: () => Promise<T>): Promise<T | undefined>;
  transaction<T>(work: (tx: AgreementTransaction) => Promise<T>): Promise<T>;
}
