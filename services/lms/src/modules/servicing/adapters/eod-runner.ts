import type { Logger } from '@lendstack/platform';
import { runEndOfDay, type EodDeps, type RunOptions } from '../use-cases/end-of-day.js';

export interface EodRunner {
  /** Runs a queued run in the background (no-op if this process or another already runs it). */
  start(runId: string): void;
  /** Resumes every queued or running run (after a restart: a killed run continues where it stopped). */
  resumePending(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs end-of-day runs in this process. A session advisory lock on the run id makes one process run
 * a run at a time, whatever the number of LMS replicas.
 */
export function createEodRunner(deps: EodDeps & { logger: Logger }, options: RunOptions = {}): EodRunner {
  const running = new Map<string, Promise<void>>();
  const execute = async (runId: string) => {
    const client = await deps.pool.connect();
    try {
      const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`eod:${runId}`])).rows[0]!.ok;
      if (!locked) return;
      try {
        const run = await runEndOfDay(deps, runId, options);
        deps.logger.info({ runId, status: run.status, progress: run.progress }, 'end-of-day run finished');
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`eod:${runId}`]);
      }
    } catch (error) {
      deps.logger.error({ err: error, runId }, 'end-of-day run failed');
    } finally {
      client.release();
    }
  };
  return {
    start(runId) {
      if (running.has(runId)) return;
      const p = execute(runId).finally(() => running.delete(runId));
      running.set(runId, p);
    },
    async resumePending() {
      const rows = await deps.pool.query<{ id: string }>(`SELECT id FROM eod_runs WHERE status IN ('queued', 'running') ORDER BY created_at LIMIT 100`);
      for (const r of rows.rows) this.start(r.id);
    },
    async stop() {
      await Promise.allSettled([...running.values()]);
    },
  };
}
