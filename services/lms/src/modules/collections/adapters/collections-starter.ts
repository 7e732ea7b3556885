import { contextFrom, eachLimited, type Logger, type Metrics } from '@lendstack/platform';
import { context } from '@opentelemetry/api';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { collectionsWorkflow } from '../workflows/collections.workflow.js';

export interface CollectionsStarterOptions {
  readonly pool: pg.Pool;
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly idleMs?: number;
  /** Only loans of tenants whose id starts with this (LMS_COLLECTIONS_TENANT_PREFIX). */
  readonly tenantPrefix?: string;
}

export interface CollectionsStarter {
  wake(): void;
  stop(): Promise<void>;
  started(): number;
}

/**
 * Starts the collections workflow of every booked loan that has none yet, then stamps the loan.
 * Decoupled from booking so a slow or absent Temporal never holds up Kafka consumption, and a crash
 * between booking and starting only delays the start: the workflow id is derived from the loan id,
 * so a start that already happened is recognised and simply stamped.
 */
export function startCollectionsStarter(options: CollectionsStarterOptions): CollectionsStarter {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 16;
  const log = options.logger.child({ component: 'collections-starter' });
  let running = true;
  let startedCount = 0;
  let wakeUp: (() => void) | undefined;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeUp = () => { clearTimeout(timer); resolve(); };
  });

  const startOne = async (loan: { id: string; collections_workflow_id: string; traceparent: string | null }) => {
    const parent = loan.traceparent ? contextFrom({ traceparent: loan.traceparent }) : context.active();
    await context.with(parent, async () => {
      try {
        await options.temporal.workflow.start<typeof collectionsWorkflow>('collectionsWorkflow', {
          workflowId: loan.collections_workflow_id,
          taskQueue: options.taskQueue,
          args: [{ loanId: loan.id }],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    });
  };

  const loop = async () => {
    let failures = 0;
    while (running) {
      try {
        const { rows } = await options.pool.query<{ id: string; collections_workflow_id: string; traceparent: string | null }>(
          `SELECT id, collections_workflow_id, traceparent FROM loan_accounts
           WHERE collections_started_at IS NULL AND ($2::text IS NULL OR left(tenant_id, length($2)) = $2) ORDER BY created_at LIMIT $1`,
          [batchSize, options.tenantPrefix ?? null],
        );
        // `concurrency` starts always in flight (no barrier per group), then one stamp for the batch: a crash
        // before the stamp only repeats starts, which the derived workflow id makes harmless.
        if (rows.length > 0) {
          await eachLimited(rows, concurrency, startOne);
          await options.pool.query('UPDATE loan_accounts SET collections_started_at = now() WHERE id = ANY($1)', [rows.map((l) => l.id)]);
          startedCount += rows.length;
          options.metrics?.workflowsStarted.inc(rows.length);
        }
        failures = 0;
        if (rows.length < batchSize) await pause(options.idleMs ?? 500);
      } catch (error) {
        failures += 1;
        const backoffMs = Math.min(10_000, 200 * 2 ** Math.min(failures, 8));
        log.warn({ err: error, backoffMs }, 'starting collections workflows failed; will retry');
        await pause(backoffMs);
      }
    }
  };
  const done = loop();
  return {
    wake: () => wakeUp?.(),
    started: () => startedCount,
    stop: async () => { running = false; wakeUp?.(); await done; },
  };
}
