import type pg from 'pg';

/** Work to do once the transaction a client is in commits (inTransaction), never on a rollback. */
const afterCommit = new WeakMap<pg.PoolClient, (() => void)[]>();

/**
 * Runs `fn` after the transaction `client` is in commits, if inTransaction runs it (a client used
 * outside inTransaction never runs it). For what may only be believed once the writes are durable,
 * such as a cache of what the database now holds.
 */
export function onCommit(client: pg.PoolClient, fn: () => void): void {
  const list = afterCommit.get(client);
  if (list) list.push(fn);
  else afterCommit.set(client, [fn]);
}

/**
 * Runs `work` in one transaction on a pooled client: commits when it returns `{ ok: true }`, rolls
 * back when it returns a failure (nothing is written) or throws; what onCommit registered runs after
 * the commit. A unique violation (two requests
 * racing for one Idempotency-Key) is retried once: the retry finds the winner's row.
 */
export async function inTransaction<T extends { ok: boolean }>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const client = await pool.connect();
    afterCommit.delete(client);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      const committed = result.ok ? afterCommit.get(client) : undefined;
      afterCommit.delete(client);
      for (const fn of committed ?? []) fn();
      return result;
    } catch (error) {
      afterCommit.delete(client);
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code === '23505' && attempt === 0) continue;
      throw error;
    } finally {
      client.release();
    }
  }
}
