import type { Money } from '@lendstack/contracts';
import type { ApplicationStatus, LoanTerms } from '../applications/domain/application.js';
import type { OriginationStep } from '../applications/use-cases/complete-origination.js';
import type { Claimed, DecisionAuditEntry, IdempotencyClaim } from '../review/ports.js';
import type { MandateFrequency, MandateRail, MandateStatus } from './domain/mandate.js';

/** What a processor is asked to register: the debtor's account, the mandate's terms and the borrower's consent. */
export interface MandateRegistration {
  /** Ours (application_mandates.id), sent as the processor's reference. */
  readonly mandateId: string;
  readonly applicationId: string;
  readonly debtor: { readonly holderName: string; readonly accountNumber: string; readonly bankCode: string };
  readonly maxAmount: Money;
  readonly frequency: MandateFrequency;
  readonly validFrom: string;
  readonly validUntil: string;
  /** How the borrower authenticates a NACH e-mandate at their bank. */
  readonly authentication: 'net_banking' | 'debit_card';
  /** The borrower's acceptance (the offer's consent): ACH needs it with the authorisation. */
  readonly consent: { readonly ip: string; readonly userAgent: string; readonly acceptedAt: Date };
}

/** A processor's view of one mandate, in our words. */
export interface VendorMandate {
  readonly vendorMandateId: string;
  /** A second id some processors have (Stripe's SetupIntent). */
  readonly vendorSetupId: string | null;
  readonly status: MandateStatus;
  readonly mandateReference: string | null;
  /** Where the borrower authenticates, while pending. */
  readonly authenticationUrl: string | null;
  readonly reasonCode: string | null;
  readonly reason: string | null;
}

export type Registered = { readonly ok: true; readonly mandate: VendorMandate } | { readonly ok: false; readonly pointer: string; readonly detail: string };

/** A processor's signed callback, once its signature and timestamp are verified. */
export type WebhookVerdict = { readonly ok: true; readonly vendorMandateId: string; readonly eventType: string } | { readonly ok: false; readonly status: 401 | 422; readonly pointer: string; readonly detail: string };

/** A mandate processor for one rail: registration, its current state, and its webhooks' verification. */
export interface MandatePort {
  readonly rail: MandateRail;
  /** Names the processor in stored rows (application_mandates.vendor) and webhook paths. */
  readonly vendor: string;
  /** The same idempotency key answers the same mandate (a retry after a lost answer registers nothing new). */
  register(request: MandateRegistration, idempotencyKey: string): Promise<Registered>;
  current(ids: { vendorMandateId: string; vendorSetupId: string | null }): Promise<VendorMandate>;
  /** Verifies a webhook over its raw bytes; the body is not believed beyond the id it names. */
  verifyWebhook(raw: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>, now: Date): WebhookVerdict;
}

/** The processor could not be reached or answered 5xx; nothing was stored, the request may be retried. */
export class MandateProcessorUnavailableError extends Error {
  constructor(readonly vendor: string, detail: string) {
    super(`${vendor}: ${detail}`);
  }
}

export interface StoredMandate {
  readonly id: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly rail: MandateRail;
  readonly status: MandateStatus;
  readonly mandateReference: string | null;
  readonly maxAmount: Money;
  readonly frequency: MandateFrequency;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly vendor: string;
  readonly vendorMandateId: string;
  readonly vendorSetupId: string | null;
  readonly authenticationUrl: string | null;
  readonly reasonCode: string | null;
  readonly reason: string | null;
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly activatedAt: Date | null;
}

/** The accepted offer of a checks run, with the consent recorded with it. */
export interface AcceptedOffer {
  readonly offerId: string;
  readonly kfsReference: string;
  readonly terms: LoanTerms;
  readonly installment: Money | null;
  readonly ip: string;
  readonly userAgent: string;
  readonly acceptedAt: Date;
}

export interface MandateTransaction {
  claim(tenantId: string, claim: IdempotencyClaim): Promise<Claimed>;
  remember(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  lockApplication(tenantId: string, id: string): Promise<{ status: ApplicationStatus; checksRun: number; holderName: string; bankCode: string } | undefined>;
  acceptedOffer(applicationId: string, checksRun: number): Promise<AcceptedOffer | undefined>;
  liveMandate(applicationId: string, checksRun: number): Promise<StoredMandate | undefined>;
  insert(mandate: StoredMandate, consent: Record<string, unknown>): Promise<void>;
  /** The mandate, locked. */
  lockMandate(id: string): Promise<StoredMandate | undefined>;
  activate(id: string, reference: string, at: Date): Promise<void>;
  reject(id: string, code: string | null, reason: string, at: Date): Promise<void>;
  audit(entry: DecisionAuditEntry): Promise<void>;
  /** The lead's completion step (OriginationStepDone) on this transaction's client. */
  stepDone(step: OriginationStep): Promise<void>;
}

export interface MandateStore {
  transaction<T>(work: (tx: MandateTransaction) => Promise<T>): Promise<T>;
  /** The application's mandate of its current checks run: the live one, else the latest. */
  ofApplication(tenantId: string, applicationId: string): Promise<{ found: boolean; mandate?: StoredMandate }>;
  byVendor(vendor: string, vendorMandateId: string): Promise<StoredMandate | undefined>;
  /** Pending mandates, any tenant, not updated since `before`, least recently updated first. */
  pendingQuietSince(before: Date, limit: number): Promise<StoredMandate[]>;
  /** Marks a pending mandate as just read back (its updated_at), so a poller reads others first. */
  touch(id: string, at: Date): Promise<void>;
}

/** The debtor's clear account number (sealed PII), revealed only to register the mandate. */
export type AccountNumberOf = (tenantId: string, applicationId: string) => Promise<string>;
