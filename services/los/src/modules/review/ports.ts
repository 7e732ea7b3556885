import type { DecisionAuditEntry } from '../applications/ports.js';
import type { ApplicationStatus } from '../applications/domain/application.js';
import type { AdverseActionNoticeContent, CreditorProfile } from './domain/adverse-action-notice.js';
import type { Review, ReviewedApplication, ReviewKind } from './domain/review.js';

export type { DecisionAuditEntry };

/** A generated notice, ready to store with the decline it belongs to. */
export interface NoticeDraft {
  readonly pdf: Buffer;
  readonly sha256: string;
  readonly content: AdverseActionNoticeContent;
}

export interface StoredNotice extends NoticeDraft {
  readonly applicationId: string;
  readonly checksRun: number;
  readonly createdAt: Date;
}

export interface StoredAuditEntry extends DecisionAuditEntry {
  readonly id: string;
}

export interface IdempotencyClaim {
  readonly key: string;
  readonly path: string;
  readonly requestHash: string;
}

export type Claimed = { readonly kind: 'go' } | { readonly kind: 'replay'; readonly status: number; readonly body: unknown } | { readonly kind: 'reused' };

/** Reads and writes inside one database transaction (rows read with `lock` stay locked until it ends). */
export interface ReviewTransaction {
  /** Takes an Idempotency-Key for this transaction's write, or returns the first answer given to it. */
  claim(tenantId: string, claim: IdempotencyClaim): Promise<Claimed>;
  remember(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  lockApplication(tenantId: string, applicationId: string): Promise<ReviewedApplication | undefined>;
  review(applicationId: string, checksRun: number): Promise<Review | undefined>;
  saveReview(review: Review): Promise<void>;
  /** Moves the application (optimistic on its status) and records who decided and why on a decline. */
  setStatus(applicationId: string, from: ApplicationStatus, to: ApplicationStatus, decline?: { by: string; reason: string; at: Date }): Promise<void>;
  audit(entry: DecisionAuditEntry): Promise<void>;
  saveNotice(tenantId: string, applicationId: string, checksRun: number, notice: NoticeDraft, at: Date): Promise<void>;
  approvalLimit(tenantId: string, roles: readonly string[], currency: string): Promise<bigint | null>;
}

export type StaffRole = 'operator' | 'approver' | 'admin';

export interface ApprovalLimit {
  readonly role: StaffRole;
  readonly currency: string;
  readonly maxPrincipalMinor: bigint;
  readonly updatedAt: Date;
}

/** What a PUT of a setting did: the value before (null: none was set), after, and whether it changed (an unchanged PUT writes no audit entry). */
export interface SettingChange<T> {
  readonly previous: T | null;
  readonly current: T;
  readonly changed: boolean;
}

/** A tenant's approval limits and creditor profile, changed by its admins; each change appends to review_settings_audit in its transaction. */
export interface ReviewSettingsStore {
  approvalLimits(tenantId: string): Promise<ApprovalLimit[]>;
  setApprovalLimit(tenantId: string, limit: { role: StaffRole; currency: string; maxPrincipalMinor: bigint }, by: { actor: string; at: Date }): Promise<SettingChange<ApprovalLimit>>;
  setCreditor(tenantId: string, profile: CreditorProfile, by: { actor: string; at: Date }): Promise<SettingChange<CreditorProfile>>;
}

export interface QueueQuery {
  readonly limit: number;
  readonly after?: { readonly createdAt: Date; readonly id: string };
  readonly stage?: 'awaiting-recommendation' | 'awaiting-decision';
  readonly kind?: ReviewKind;
  readonly productCode?: string;
}

export interface ReviewStore extends ReviewSettingsStore {
  transaction<T>(work: (tx: ReviewTransaction) => Promise<T>): Promise<T>;
  /** Open reviews, oldest first (keyset on opened_at, application id); at most `limit + 1` rows. */
  queue(tenantId: string, query: QueueQuery): Promise<Review[]>;
  /** Undefined when the tenant has no such application (another tenant's is no different from none). */
  auditTrail(tenantId: string, applicationId: string, query: { limit: number; afterId?: string }): Promise<StoredAuditEntry[] | undefined>;
  /** The notice of the application's latest declined checks run. */
  notice(tenantId: string, applicationId: string): Promise<StoredNotice | undefined>;
  creditor(tenantId: string): Promise<CreditorProfile | undefined>;
  approvalLimit(tenantId: string, roles: readonly string[], currency: string): Promise<bigint | null>;
  /** Sets a tenant's approval limits and creditor profile where it has none (demo data at boot, tests). */
  seed(tenantId: string, data: { limits: readonly { role: StaffRole; currency: string; maxPrincipalMinor: bigint }[]; creditor: CreditorProfile }): Promise<void>;
}
