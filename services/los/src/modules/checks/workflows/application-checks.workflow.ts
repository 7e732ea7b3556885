import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { CheckActivities, CheckTarget } from '../activities/checks.activities.js';
import type { CheckKind } from '../check-runner.js';

/** How one check is attempted: a bound on each attempt and exponential backoff between them. */
export interface CheckRetryPolicy {
  readonly startToCloseMs: number;
  readonly initialIntervalMs: number;
  readonly maximumIntervalMs: number;
  readonly maximumAttempts: number;
}

export interface ApplicationChecksInput extends CheckTarget {
  readonly policy: CheckRetryPolicy;
}

/** Database-only steps: retried until the database answers (bounded so a bug cannot loop forever). */
const bookkeeping = proxyActivities<CheckActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100 },
});

/**
 * One run of an application's checks: plan, run every check (in parallel, each after the kinds it
 * depends on), park those whose vendor stayed down as exception, conclude. Deterministic: every effect is
 * an activity, so a worker killed mid-run resumes from its history and nothing completed runs again.
 */
export async function applicationChecksWorkflow(input: ApplicationChecksInput): Promise<string | undefined> {
  const target: CheckTarget = { tenantId: input.tenantId, applicationId: input.applicationId, run: input.run };
  const { runCheck } = proxyActivities<CheckActivities>({
    startToCloseTimeout: input.policy.startToCloseMs,
    retry: {
      initialInterval: input.policy.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: input.policy.maximumIntervalMs,
      maximumAttempts: input.policy.maximumAttempts,
    },
  });
  const planned = await bookkeeping.beginChecks(target);
  const inRun = new Map(planned.map((p) => [p.kind, p]));
  const running = new Map<CheckKind, Promise<void>>();
  const runOne = (kind: CheckKind): Promise<void> => {
    const existing = running.get(kind);
    if (existing) return existing;
    const plan = inRun.get(kind);
    const promise = (async () => {
      if (!plan) return;
      await Promise.all(plan.dependsOn.map(runOne));
      try {
        await runCheck({ ...target, kind });
      } catch (error) {
        const cause = error instanceof ActivityFailure ? error.cause : error;
        const reason = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(cause);
        await bookkeeping.parkCheck({ ...target, kind, reason, attempts: input.policy.maximumAttempts });
      }
    })();
    running.set(kind, promise);
    return promise;
  };
  await Promise.all(planned.map((p) => runOne(p.kind)));
  return bookkeeping.concludeChecks(target);
}

export const checksWorkflowId = (applicationId: string, run: number) => `application-checks-${applicationId}-r${run}`;
