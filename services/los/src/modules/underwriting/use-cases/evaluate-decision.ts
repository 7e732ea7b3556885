import type { ApplicationStore } from '../../applications/ports.js';
import { lenderHistoryOf, type RepaymentProfileStore } from '../../borrower-profile/index.js';
import type { ChecksRepository } from '../../checks/ports.js';
import type { PiiReader } from '../../pii/pii-store.js';
import { underwrite } from '../domain/decision.js';
import { deriveFeatures } from '../domain/features.js';
import type { PolicyEngine } from '../domain/policy-engine.js';
import type { ScorecardModel } from '../domain/scorecard.js';
import type { DecisionRepository, PolicyRepository, StoredDecision } from '../ports.js';
import { prepareNotice, type NoticeDeps } from '../../review/use-cases/prepare-notice.js';

export interface EvaluateDecisionDeps {
  readonly applications: ApplicationStore;
  readonly checks: Pick<ChecksRepository, 'list'>;
  readonly pii: PiiReader;
  readonly policies: PolicyRepository;
  readonly decisions: DecisionRepository;
  /** The applicant's repayment profile at this lender (modules/borrower-profile), for repeat and top-up applications. */
  readonly profiles: RepaymentProfileStore;
  readonly engine: PolicyEngine;
  readonly model: ScorecardModel;
  readonly now: () => Date;
  /** A decline's adverse-action notice (modules/review). */
  readonly notices: NoticeDeps;
}

export type EvaluateError =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'checks-not-complete'; readonly status: string }
  | { readonly kind: 'no-policy'; readonly productCode: string };

export type EvaluateResult = { ok: true; decision: StoredDecision; created: boolean } | { ok: false; error: EvaluateError };

/**
 * The automated decision of an application whose checks completed: its features from the stored check
 * results and from the applicant's repayment profile at this lender as it stands now (the features are stored
 * with the decision, so it replays), the scorecard, and the policy version in effect now for its product. One decision per checks run:
 * evaluating again returns the stored one (so a retry or a concurrent call decides once). The decision moves
 * the application in the same transaction: approve → policy-approved, refer → referred (review queue),
 * decline → declined with its adverse-action notice. Failures: not-found,
 * checks-not-complete (checks still running or parked), no-policy (no approved version in effect).
 */
export async function evaluateDecision(deps: EvaluateDecisionDeps, input: { tenantId: string; applicationId: string }): Promise<EvaluateResult> {
  const app = await deps.applications.find(input.tenantId, input.applicationId);
  if (!app) return { ok: false, error: { kind: 'not-found' } };
  if (app.status !== 'checks-complete') {
    const existing = await deps.decisions.find(input.tenantId, input.applicationId);
    if (existing && existing.checksRun === app.checksRun) return { ok: true, decision: existing, created: false };
    return { ok: false, error: { kind: 'checks-not-complete', status: app.status } };
  }
  const existing = await deps.decisions.find(input.tenantId, input.applicationId);
  if (existing && existing.checksRun === app.checksRun) return { ok: true, decision: existing, created: false };

  const now = deps.now();
  const policy = await deps.policies.effective(app.tenantId, app.loanRequest.productCode, now);
  if (!policy) return { ok: false, error: { kind: 'no-policy', productCode: app.loanRequest.productCode } };
  const checks = await deps.checks.list(app.tenantId, app.id);
  const dateOfBirth = app.dateOfBirthMasked ? await deps.pii.reveal(app.tenantId, app.id, 'date-of-birth') : null;
  const asOf = now.toISOString().slice(0, 10);
  const lender = await lenderHistoryOf(deps, { tenantId: app.tenantId, applicationId: app.id, asOf });
  const features = deriveFeatures({ applicant: app.applicant, loanRequest: app.loanRequest, employment: app.employment, checks, dateOfBirth, asOf, ...(lender ? { lender } : {}) });
  const decided = await underwrite(deps, policy.document, features);
  const notice = decided.outcome === 'decline'
    ? await prepareNotice(deps.notices, { app, reasons: decided.reasons, decidedBy: 'automated underwriting', features, scorecard: decided.scorecard, checks, now })
    : null;
  const saved = await deps.decisions.save({
    applicationId: app.id, checksRun: app.checksRun, tenantId: app.tenantId, outcome: decided.outcome, reasons: decided.reasons,
    policyId: policy.policyId, policyVersion: policy.version, modelVersion: deps.model.version, asOf,
    features, evaluation: decided.evaluation, scorecard: decided.scorecard, offer: decided.offer, decidedAt: now,
  }, { notice });
  return { ok: true, ...saved };
}

export type ReplayResult =
  | { ok: true; same: boolean; original: StoredDecision; replayed: Pick<StoredDecision, 'outcome' | 'reasons' | 'evaluation' | 'scorecard' | 'offer'> }
  | { ok: false; error: { kind: 'not-found' } | { kind: 'model-unavailable'; modelVersion: string } };

/**
 * Re-evaluates a stored decision against the policy version and features it recorded (not today's policy),
 * with the scorecard model of the version it used, and says whether the answer is the same.
 */
export async function replayDecision(deps: Pick<EvaluateDecisionDeps, 'policies' | 'decisions' | 'engine' | 'model'>, input: { tenantId: string; applicationId: string }): Promise<ReplayResult> {
  const original = await deps.decisions.find(input.tenantId, input.applicationId);
  if (!original) return { ok: false, error: { kind: 'not-found' } };
  if (original.modelVersion !== deps.model.version) return { ok: false, error: { kind: 'model-unavailable', modelVersion: original.modelVersion } };
  const policy = await deps.policies.find(input.tenantId, original.policyId, original.policyVersion);
  if (!policy) return { ok: false, error: { kind: 'not-found' } };
  const again = await underwrite(deps, policy.document, original.features);
  const replayed = { outcome: again.outcome, reasons: again.reasons, evaluation: again.evaluation, scorecard: again.scorecard, offer: again.offer };
  const comparable = (d: typeof replayed) => JSON.stringify(normalise(d));
  return { ok: true, same: comparable(replayed) === comparable({ outcome: original.outcome, reasons: original.reasons, evaluation: original.evaluation, scorecard: original.scorecard, offer: original.offer }), original, replayed };
}

/** JSONB does not keep key order: compare with sorted keys. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, normalise(x)]));
  return v;
}
