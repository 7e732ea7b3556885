import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '@lendstack/platform';
import type { ApplicationStore } from '../../applications/ports.js';
import type { PiiReader } from '../../pii/pii-store.js';
import { VendorResponseError, VendorUnavailableError, type ApplicationDocumentRef, type CheckKind } from '../check-runner.js';
import { checkSubjectOf } from '../check-subject.js';
import type { ChecksRepository, PlannedCheck } from '../ports.js';
import type { RegisteredRunner } from '../runners.js';

export interface CheckActivitiesDeps {
  readonly checks: ChecksRepository;
  readonly applications: ApplicationStore;
  readonly pii: PiiReader;
  readonly runners: readonly RegisteredRunner[];
  readonly logger: Logger;
  /** The application's uploaded documents (oldest first), for the KYC, document and income checks. */
  readonly documentsOf: (tenantId: string, applicationId: string) => Promise<readonly ApplicationDocumentRef[]>;
  /**
   * What happens once an application's checks are concluded (the automated underwriting decision). Called on
   * every conclude attempt, so a retried activity still gets there; it must be idempotent and do nothing for
   * an application that is not checks-complete.
   */
  readonly onChecksConcluded?: (target: CheckTarget) => Promise<void>;
}

export interface CheckTarget {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly run: number;
}

/** Error type names the workflow's retry policy acts on. */
export const VENDOR_UNAVAILABLE = 'VendorUnavailableError';

/** Activities of the checks workflow: plan a run, run one check, park one, conclude. Each is idempotent. */
export function createCheckActivities(deps: CheckActivitiesDeps) {
  const byKind = new Map(deps.runners.map((r) => [r.runner.kind, r]));
  return {
    async beginChecks(target: CheckTarget): Promise<PlannedCheck[]> {
      const kinds = await deps.checks.beginRun({ ...target, kinds: [...byKind.keys()] });
      return kinds.map((kind) => ({ kind, dependsOn: [...(byKind.get(kind)?.dependsOn ?? [])] }));
    },

    /**
     * Runs one check once per attempt. A check that already has an outcome is not run again (a resumed
     * workflow or a redelivered task calls no vendor twice); the runner gets the same idempotency key on
     * every attempt of a run. VendorUnavailableError → retried by the workflow's policy; VendorResponseError
     * → recorded as failed with its reason, not retried.
     */
    async runCheck(target: CheckTarget & { kind: CheckKind }): Promise<'completed' | 'failed' | 'skipped'> {
      const { tenantId, applicationId, run, kind } = target;
      const registered = byKind.get(kind);
      if (!registered) {
        await deps.checks.park(applicationId, kind, run, 'exception', { code: 'no-runner', detail: `no check runner is registered for ${kind}` });
        return 'failed';
      }
      const attempt = await deps.checks.startAttempt(applicationId, kind, run);
      if (!attempt) return 'skipped';
      const app = await deps.applications.find(tenantId, applicationId);
      if (!app) throw ApplicationFailure.nonRetryable(`application ${applicationId} not found`);
      const documents = await deps.documentsOf(tenantId, applicationId);
      const subject = checkSubjectOf(app, { pii: deps.pii, documents });
      const log = deps.logger.child({ applicationId, kind, run, attempt: attempt.attempts });
      try {
        const outcome = await registered.runner.run(subject, { idempotencyKey: attempt.idempotencyKey, signal: Context.current().cancellationSignal });
        await deps.checks.complete(applicationId, kind, run, { ...outcome, kind });
        log.info({ result: outcome.result, score: outcome.score }, 'check completed');
        return 'completed';
      } catch (error) {
        if (error instanceof VendorResponseError) {
          await deps.checks.park(applicationId, kind, run, 'failed', { code: 'vendor-response-unusable', detail: error.message });
          log.warn({ vendor: error.vendor, reason: error.message }, 'check failed: unusable vendor answer');
          return 'failed';
        }
        const detail = error instanceof Error ? error.message : String(error);
        const code = error instanceof VendorUnavailableError ? 'vendor-unavailable' : 'check-error';
        await deps.checks.noteRetry(applicationId, kind, run, { code, detail: `attempt ${attempt.attempts}: ${detail}` });
        log.warn({ reason: detail }, 'check attempt failed; retried with backoff');
        throw ApplicationFailure.retryable(detail, error instanceof VendorUnavailableError ? VENDOR_UNAVAILABLE : 'CheckError');
      }
    },

    /** After the last retry: the check is parked as exception for an operator, never passed. */
    async parkCheck(target: CheckTarget & { kind: CheckKind; reason: string; attempts: number }): Promise<void> {
      await deps.checks.park(target.applicationId, target.kind, target.run, 'exception', {
        code: 'vendor-unavailable',
        detail: `gave up after ${target.attempts} attempts: ${target.reason}`.slice(0, 1000),
      });
    },

    async concludeChecks(target: CheckTarget): Promise<string | undefined> {
      const concluded = await deps.checks.conclude(target.tenantId, target.applicationId);
      await deps.onChecksConcluded?.(target);
      return concluded;
    },
  };
}

export type CheckActivities = ReturnType<typeof createCheckActivities>;
