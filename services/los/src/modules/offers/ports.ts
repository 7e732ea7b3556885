import type { ApplicationStatus, LoanTerms } from '../applications/domain/application.js';
import type { IdempotencyClaim } from '../review/ports.js';
import type { OfferAcceptance } from './domain/acceptance.js';
import type { KfsContent, KfsVariant } from './domain/kfs.js';
import type { Offer, PricingBand } from './domain/offers.js';

/** A Key Fact Statement as issued: stored once per offer and variant, never changed. */
export interface StoredKfs {
  readonly reference: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  readonly offerId: string;
  readonly variant: KfsVariant;
  readonly templateVersion: string;
  readonly content: KfsContent;
  readonly sha256: string;
  readonly issuedAt: Date;
}

export interface OfferTransaction {
  claim(tenantId: string, claim: IdempotencyClaim): Promise<{ kind: 'go' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'reused' }>;
  remember(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  /** The application, locked: its status, run and requested terms. */
  lockApplication(tenantId: string, id: string): Promise<{ status: ApplicationStatus; checksRun: number; loanRequest: LoanTerms } | undefined>;
  /** The pricing band of the decision of that run (null: the decision set none, e.g. a decline overridden). */
  pricingBand(applicationId: string, checksRun: number): Promise<PricingBand | null>;
  offers(applicationId: string, checksRun: number): Promise<Offer[]>;
  insert(tenantId: string, applicationId: string, checksRun: number, offers: readonly Offer[]): Promise<void>;
  /** One offer of that run (undefined: no such offer in it). */
  offer(applicationId: string, checksRun: number, offerId: string): Promise<Offer | undefined>;
  acceptance(applicationId: string, checksRun: number): Promise<OfferAcceptance | undefined>;
  /** The stored KFS with this reference, if it was issued for that offer. */
  kfs(tenantId: string, offerId: string, reference: string): Promise<StoredKfs | undefined>;
  insertAcceptance(acceptance: OfferAcceptance & { readonly tenantId: string }): Promise<void>;
  /** Moves the application (optimistic on its status). */
  setStatus(applicationId: string, from: ApplicationStatus, to: ApplicationStatus): Promise<void>;
  audit(entry: { tenantId: string; applicationId: string; checksRun: number; action: string; actor: string; detail: Record<string, unknown>; at: Date }): Promise<void>;
}

export interface OfferStore {
  transaction<T>(work: (tx: OfferTransaction) => Promise<T>): Promise<T>;
  /** The offers of the application's current checks run. */
  list(tenantId: string, applicationId: string): Promise<Offer[] | undefined>;
  /** The application's current checks run: its offers and the accepted one, if any. */
  current(tenantId: string, applicationId: string): Promise<{ checksRun: number; offers: Offer[]; acceptance: OfferAcceptance | undefined } | undefined>;
  /** The KFS issued for an offer in a variant. */
  kfs(tenantId: string, offerId: string, variant: KfsVariant): Promise<StoredKfs | undefined>;
  /** Stores a KFS unless one was issued for its offer and variant first; returns the one stored. */
  issueKfs(kfs: StoredKfs): Promise<StoredKfs>;
}
