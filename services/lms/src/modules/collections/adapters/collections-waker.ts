import type { Logger } from '@lendstack/platform';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import { collectionsWorkflowId } from '../../loans/domain/loan-account.js';
import { clearWakeups, dueWakeups } from './collector.repository.js';
import { wakeSignal } from '../workflows/collections.workflow.js';

export interface CollectionsWakerOptions {
  readonly pool: pg.Pool;
  readonly temporal: Client;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly idleMs?: number;
  /**
   * Only tenants whose id starts with this (LMS_COLLECTIONS_TENANT_PREFIX, as the starter): another tenant's
   * workflow is not this collector's to find, and "not found" would drop its wake-up.
   */
  readonly tenantPrefix?: string;
  /** Also each round: resend what Temporal did not take earlier (collector actions). */
  readonly resend?: () => Promise<unknown>;
}

export interface CollectionsWaker {
  /** Look now (after an end of day or a business-date change) instead of at the next idle tick. */
  wake(): void;
  /** Runs one round to completion (tests, the end-of-day hook); resolves with the workflows signalled. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Signals `wake` to every collections workflow whose requested business date its tenant has reached — by end of
 * day, a PUT of the business date, or simply the day passing — then deletes the wake-up it signalled (unless the
 * workflow already asked for a later one). Set-based and keyset-paged: only loans with something to do that day
 * are signalled, so a million-loan book costs what its due dates cost. A wake-up survives a crash or a Temporal
 * outage in its table and is signalled on the next round; a workflow that has ended has its row dropped.
 */
export function startCollectionsWaker(options: CollectionsWakerOptions): CollectionsWaker {
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 16;
  const log = options.logger.child({ component: 'collections-waker' });
  let running = true;
  let wakeUp: (() => void) | undefined;
  let round: Promise<number> | undefined;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeUp = () => { clearTimeout(timer); resolve(); };
  });

  const signalOne = async (w: { loanId: string; businessDate: string }) => {
    try {
      await options.temporal.workflow.getHandle(collectionsWorkflowId(w.loanId)).signal(wakeSignal, { businessDate: w.businessDate });
    } catch (error) {
      // Ended (closed, charged off, terminated) or never started: nothing to wake; the row goes.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  };

  const once = async (): Promise<number> => {
    let signalled = 0;
    await options.resend?.();
    for (;;) {
      const due = await dueWakeups(options.pool, batchSize, options.tenantPrefix ?? null);
      if (due.length === 0) return signalled;
      for (let i = 0; i < due.length; i += concurrency) {
        const group = due.slice(i, i + concurrency);
        await Promise.all(group.map(signalOne));
        await clearWakeups(options.pool, group);
        signalled += group.length;
      }
      if (due.length < batchSize) return signalled;
    }
  };
  const drain = () => {
    round ??= once().finally(() => { round = undefined; });
    return round;
  };

  const loop = async () => {
    let failures = 0;
    while (running) {
      try {
        await drain();
        failures = 0;
        await pause(options.idleMs ?? 1_000);
      } catch (error) {
        failures += 1;
        const backoffMs = Math.min(10_000, 200 * 2 ** Math.min(failures, 8));
        log.warn({ err: error, backoffMs }, 'waking collections workflows failed; will retry');
        await pause(backoffMs);
      }
    }
  };
  const done = loop();
  return {
    wake: () => wakeUp?.(),
    drain,
    stop: async () => { running = false; wakeUp?.(); await done; },
  };
}
