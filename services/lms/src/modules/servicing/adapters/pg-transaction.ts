import type pg from 'pg';

/**
 * Runs `work` in one transaction on a pooled client: commits when it returns `{ ok: true }`, rolls
 * back when it returns a failure (nothing is written) or throws. A unique violation (two requests
 * racing for one Idempotency-Key) is retried once: the retry finds the winner's row.
 */
export async function inTransaction<T extends { ok: boolean }>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code === '23505' && attempt === 0) continue;
      throw error;
    } finally {
      client.release();
    }
  }
}
