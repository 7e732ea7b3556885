import type { CheckKind, CheckOutcome, CheckReason, CheckResult } from './check-runner.js';

export type CheckStatus = 'queued' | 'running' | 'completed' | 'failed' | 'exception';

/** One check of an application as stored (application_checks) and listed by the API. */
export interface CheckRecord {
  readonly applicationId: string;
  readonly tenantId: string;
  readonly kind: CheckKind;
  readonly run: number;
  readonly status: CheckStatus;
  readonly result: CheckResult | null;
  readonly score: number | null;
  readonly reasons: readonly CheckReason[];
  readonly vendorReference: string | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly attempts: number;
  readonly idempotencyKey: string;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly durationMs: number | null;
}

/** What the workflow runs in one pass: each kind and the kinds whose outcome it waits for. */
export interface PlannedCheck {
  readonly kind: CheckKind;
  readonly dependsOn: readonly CheckKind[];
}

export interface ChecksRepository {
  /**
   * Starts run `run` of the application's checks (idempotent: a retried call changes nothing twice). Run 1
   * creates a queued row per registered kind; a re-run's rows were queued by the re-run itself. Moves the
   * application to checks-running with ApplicationChecksStarted when it is not already. Returns the kinds
   * of this run still to do (none when the application was decided meanwhile).
   */
  beginRun(input: { tenantId: string; applicationId: string; run: number; kinds: readonly CheckKind[] }): Promise<CheckKind[]>;
  /** Marks an attempt; undefined when the check is no longer this run's or already has an outcome (a resumed workflow calls nothing twice). */
  startAttempt(applicationId: string, kind: CheckKind, run: number): Promise<CheckRecord | undefined>;
  complete(applicationId: string, kind: CheckKind, run: number, outcome: CheckOutcome): Promise<void>;
  /** `failed`: an unusable vendor answer; `exception`: the vendor stayed down after every retry. */
  park(applicationId: string, kind: CheckKind, run: number, status: 'failed' | 'exception', reason: CheckReason): Promise<void>;
  /** While a vendor is down: the latest error, so the API shows why a check is still running. */
  noteRetry(applicationId: string, kind: CheckKind, run: number, reason: CheckReason): Promise<void>;
  /** When no check is queued or running: checks-complete or checks-exception, with its event. */
  conclude(tenantId: string, applicationId: string): Promise<'checks-complete' | 'checks-exception' | undefined>;
  list(tenantId: string, applicationId: string): Promise<CheckRecord[]>;
}
