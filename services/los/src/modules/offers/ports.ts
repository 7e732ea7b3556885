import type { ApplicationStatus, LoanTerms } from '../applications/domain/application.js';
import type { IdempotencyClaim } from '../review/ports.js';
import type { Offer, PricingBand } from './domain/offers.js';

export interface OfferTransaction {
  claim(tenantId: string, claim: IdempotencyClaim): Promise<{ kind: 'go' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'reused' }>;
  remember(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  /** The application, locked: its status, run and requested terms. */
  lockApplication(tenantId: string, id: string): Promise<{ status: ApplicationStatus; checksRun: number; loanRequest: LoanTerms } | undefined>;
  /** The pricing band of the decision of that run (null: the decision set none, e.g. a decline overridden). */
  pricingBand(applicationId: string, checksRun: number): Promise<PricingBand | null>;
  offers(applicationId: string, checksRun: number): Promise<Offer[]>;
  insert(tenantId: string, applicationId: string, checksRun: number, offers: readonly Offer[]): Promise<void>;
  audit(entry: { tenantId: string; applicationId: string; checksRun: number; action: string; actor: string; detail: Record<string, unknown>; at: Date }): Promise<void>;
}

export interface OfferStore {
  transaction<T>(work: (tx: OfferTransaction) => Promise<T>): Promise<T>;
  /** The offers of the application's current checks run. */
  list(tenantId: string, applicationId: string): Promise<Offer[] | undefined>;
}
