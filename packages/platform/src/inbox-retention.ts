import type pg from 'pg';
import type { Logger } from './logger.js';

/**
 * The inbox only has to remember an event id for as long as Kafka could deliver that event again:
 * the topic's retention plus a margin. Older rows are deleted in bounded batches, so the table stays
 * the size of that window instead of growing with every loan ever booked.
 */
export interface InboxRetentionOptions {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly retainMs: number;
  readonly intervalMs?: number;
}

const BATCH_ROWS = 10_000;

/** Deletes inbox rows applied before the retention window; returns how many it deleted. */
export async function pruneInbox(pool: pg.Pool, retainMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox WHERE applied_at < now() - make_interval(secs => $1) LIMIT ${BATCH_ROWS})`,
      [retainMs / 1000],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < BATCH_ROWS) return total;
  }
}

export function startInboxRetention(options: InboxRetentionOptions): { stop(): void } {
  const log = options.logger.child({ component: 'inbox-retention' });
  const sweep = () =>
    pruneInbox(options.pool, options.retainMs).then(
      (deleted) => deleted > 0 && log.info({ deleted }, 'pruned inbox rows past retention'),
      (error: unknown) => log.warn({ err: error }, 'inbox pruning failed; will retry'),
    );
  const timer = setInterval(sweep, options.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
