import type { Logger } from '@lendstack/platform';
import type { ServicingDeps } from '../../servicing/use-cases/apply-money-event.js';
import { processRepaymentFile, type ProcessOptions } from '../use-cases/process-file.js';
import { unfinishedFiles } from './repayment-files.repository.js';

export interface RepaymentFileRunner {
  /** Processes a file in the background (no-op if this process or another already does). */
  start(fileId: string): void;
  /** Resumes every unfinished file (after a restart: its pending rows are posted, posted ones are not). */
  resumePending(): Promise<void>;
  /** Waits for the files being processed. */
  stop(): Promise<void>;
}

/** Files resumed at start, oldest first. */
const RESUME_LIMIT = 100;

/**
 * Processes repayment files in this process. A session advisory lock on the file id makes one
 * process work on a file at a time, whatever the number of LMS replicas.
 */
export function createRepaymentFileRunner(deps: ServicingDeps & { logger: Logger }, options: ProcessOptions = {}): RepaymentFileRunner {
  const running = new Map<string, Promise<void>>();
  const execute = async (fileId: string) => {
    const client = await deps.pool.connect();
    try {
      const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`repayment-file:${fileId}`])).rows[0]!.ok;
      if (!locked) return;
      try {
        const file = await processRepaymentFile(deps, fileId, options);
        deps.logger.info({ fileId, status: file?.status }, 'repayment file processed');
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`repayment-file:${fileId}`]);
      }
    } catch (error) {
      deps.logger.error({ err: error, fileId }, 'repayment file processing stopped; its pending rows resume on the next start');
    } finally {
      client.release();
    }
  };
  return {
    start(fileId) {
      if (running.has(fileId)) return;
      running.set(fileId, execute(fileId).finally(() => running.delete(fileId)));
    },
    async resumePending() {
      for (const id of await unfinishedFiles(deps.pool, RESUME_LIMIT)) this.start(id);
    },
    async stop() {
      await Promise.allSettled([...running.values()]);
    },
  };
}
