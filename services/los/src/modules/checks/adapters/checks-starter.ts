import { eachLimited, type Logger } from '@lendstack/platform';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type pg from 'pg';
import { applicationChecksWorkflow, checksWorkflowId, type CheckRetryPolicy } from '../workflows/application-checks.workflow.js';

export interface ChecksStarter {
  /** Start pending runs now (after a submission or re-run committed) instead of at the next poll. */
  kick(): void;
  stop(): Promise<void>;
}

/** Bound on runs started per pass. */
const BATCH = 100;

/**
 * Starts the checks workflow of every run an application still waits for (applications.checks_pending_run,
 * written in the submission's or re-run's transaction), then clears the mark. Polls, so a submission
 * committed while Temporal was down starts once it is back; the workflow id derives from (application,
 * run), so starting one twice is harmless.
 */
export function startChecksStarter(deps: {
  pool: pg.Pool;
  temporal: Client;
  taskQueue: string;
  policy: CheckRetryPolicy;
  logger: Logger;
  pollMs?: number;
  /** Workflow starts in flight at once (default 16). */
  startConcurrency?: number;
  /** Only applications of tenants whose id starts with this (a process checking some tenants only, e.g. a test's). */
  tenantPrefix?: string;
}): ChecksStarter {
  let stopped = false;
  let wake: (() => void) | undefined;
  let again = false;
  const pass = async (): Promise<number> => {
    const { rows } = await deps.pool.query<{ id: string; tenant_id: string; run: number }>(
      `SELECT id, tenant_id, checks_pending_run AS run FROM applications
       WHERE checks_pending_run IS NOT NULL AND ($2::text IS NULL OR left(tenant_id, length($2)) = $2) ORDER BY created_at LIMIT $1`,
      [BATCH, deps.tenantPrefix ?? null],
    );
    // Several starts in flight at once: each is a round trip to Temporal, and one at a time bounded the
    // whole checks pipeline (BENCHMARKS.md, "LOS: submit → checks completed").
    await eachLimited(rows, deps.startConcurrency ?? 16, async (row) => {
      if (stopped) return;
      try {
        await deps.temporal.workflow.start(applicationChecksWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId: checksWorkflowId(row.id, row.run),
          args: [{ tenantId: row.tenant_id, applicationId: row.id, run: row.run, policy: deps.policy }],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      await deps.pool.query('UPDATE applications SET checks_pending_run = NULL WHERE id = $1 AND checks_pending_run = $2', [row.id, row.run]);
    });
    return rows.length;
  };
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      again = false;
      try {
        const started = await pass();
        failures = 0;
        if (started === BATCH || again) continue;
      } catch (error) {
        failures += 1;
        deps.logger.warn({ err: error, failures }, 'cannot start application checks yet; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, failures > 0 ? Math.min(10_000, 500 * 2 ** failures) : (deps.pollMs ?? 2_000));
        wake = () => { clearTimeout(timer); resolve(); };
      });
      wake = undefined;
    }
  })();
  return {
    kick() {
      again = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
