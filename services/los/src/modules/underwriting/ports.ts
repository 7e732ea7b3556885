import type { DecisionOutcome } from './domain/decision.js';
import type { FeatureSet } from './domain/features.js';
import type { PolicyDocument } from './domain/policy.js';
import type { PolicyEvaluation } from './domain/policy-engine.js';
import type { ScoreResult } from './domain/scorecard.js';
import type { NoticeDraft } from '../review/ports.js';

export interface PolicyVersion {
  readonly policyId: string;
  readonly tenantId: string;
  readonly productCode: string;
  readonly version: number;
  readonly status: 'draft' | 'approved';
  readonly document: PolicyDocument;
  readonly documentSha256: string;
  readonly effectiveFrom: Date;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly approvedBy: string | null;
  readonly approvedAt: Date | null;
  readonly seeded: boolean;
}

export type PolicyWriteError =
  | { readonly kind: 'idempotency-key-reused' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'maker-cannot-approve'; readonly createdBy: string }
  | { readonly kind: 'already-approved'; readonly approvedBy: string | null };

export type PolicyWrite = { ok: true; version: PolicyVersion; replayed: boolean } | { ok: false; error: PolicyWriteError };

export interface IdempotentRequest {
  readonly key: string;
  readonly requestHash: string;
  readonly path: string;
}

export interface PolicyRepository {
  /** A new draft version of the tenant's policy for the product (the policy is created with its first version). */
  createDraft(input: { tenantId: string; productCode: string; document: PolicyDocument; effectiveFrom: Date; createdBy: string; now: Date; idempotency: IdempotentRequest }): Promise<PolicyWrite>;
  /** draft → approved by a second person; approving again by the same checker is a replay. */
  approve(input: { tenantId: string; policyId: string; version: number; approver: string; now: Date; idempotency: IdempotentRequest }): Promise<PolicyWrite>;
  list(tenantId: string): Promise<PolicyVersion[]>;
  /** The approved version in effect at `at`: the latest effective_from not after it (then the highest version). */
  effective(tenantId: string, productCode: string, at: Date): Promise<PolicyVersion | undefined>;
  find(tenantId: string, policyId: string, version: number): Promise<PolicyVersion | undefined>;
  /** Seeds an approved default policy per product the tenant has none for; returns the codes seeded. */
  seed(tenantId: string, policies: readonly { productCode: string; document: PolicyDocument }[], now: Date): Promise<string[]>;
}

export interface StoredDecision {
  readonly applicationId: string;
  readonly checksRun: number;
  readonly tenantId: string;
  readonly outcome: DecisionOutcome;
  readonly reasons: readonly string[];
  readonly policyId: string;
  readonly policyVersion: number;
  readonly modelVersion: string;
  readonly asOf: string;
  readonly features: FeatureSet;
  readonly evaluation: PolicyEvaluation;
  readonly scorecard: ScoreResult;
  readonly offer: { band: string; annualRatePercent: string; maxPrincipalMinor: number; maxTermPeriods: number } | null;
  readonly decidedAt: Date;
}

export interface DecisionRepository {
  /**
   * Saves the decision of an application's checks run; one already saved for that run wins and is returned.
   * A new decision moves its application in the same transaction (modules/review applyAutomatedDecision):
   * its status, a referral's review, a decline's `notice`, the audit entry.
   */
  save(decision: StoredDecision, effects: { readonly notice: NoticeDraft | null }): Promise<{ decision: StoredDecision; created: boolean }>;
  /** The latest run's decision. */
  find(tenantId: string, applicationId: string): Promise<StoredDecision | undefined>;
}
