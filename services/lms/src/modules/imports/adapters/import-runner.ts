import type { Logger } from '@lendstack/platform';
import { processImport, type ProcessImportDeps, type ProcessImportOptions } from '../use-cases/process-import.js';
import { unfinishedImports } from './imports.repository.js';

export interface ImportRunner {
  /** Books an import in the background (no-op if this process or another already does). */
  start(importId: string): void;
  /** Resumes every unfinished import (after a restart: its pending records are booked, booked ones are not). */
  resumePending(): Promise<void>;
  /** Stops each import after its batch in flight and waits for it. */
  stop(): Promise<void>;
}

/** Imports resumed at start, oldest first. */
const RESUME_LIMIT = 100;

/**
 * Books migration imports in this process. A session advisory lock on the import id makes one
 * process work on an import at a time, whatever the number of LMS replicas (the CLI takes it too).
 */
export function createImportRunner(deps: ProcessImportDeps & { logger: Logger }, options: ProcessImportOptions = {}): ImportRunner {
  const running = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  const execute = async (importId: string) => {
    try {
      const done = await withImportLock(deps, importId, () => processImport(deps, importId, { ...options, signal: stopping.signal }));
      if (done !== null) deps.logger.info({ importId, status: done?.status }, 'loan import processed');
    } catch (error) {
      deps.logger.error({ err: error, importId }, 'loan import stopped; its pending records resume on the next start');
    }
  };
  return {
    start(importId) {
      if (running.has(importId) || stopping.signal.aborted) return;
      running.set(importId, execute(importId).finally(() => running.delete(importId)));
    },
    async resumePending() {
      for (const id of await unfinishedImports(deps.pool, RESUME_LIMIT)) this.start(id);
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}

/** Runs `work` holding the import's advisory lock; null when another session holds it. */
export async function withImportLock<T>(deps: Pick<ProcessImportDeps, 'pool'>, importId: string, work: () => Promise<T>): Promise<T | null> {
  const client = await deps.pool.connect();
  try {
    const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`loan-import:${importId}`])).rows[0]!.ok;
    if (!locked) return null;
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`loan-import:${importId}`]);
    }
  } finally {
    client.release();
  }
}
