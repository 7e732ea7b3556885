import type pg from 'pg';
import { unwrapDataKey, wrapDataKey } from './envelope-cipher.js';
import type { Keyring } from './keyring.js';

/**
 * KEK rotation: every data key wrapped by another KEK than the active one is unwrapped and wrapped again
 * by the active KEK, one row at a time under a row lock (a concurrent rotation skips locked rows). The
 * data keys themselves do not change, so nothing sealed with them is re-encrypted. Afterwards the old KEK
 * can leave LOS_PII_KEKS. `tenantIds` limits a rotation to those tenants (e.g. to rotate in stages).
 * Returns how many data keys were re-wrapped.
 */
export async function rotateDataKeys(pool: pg.Pool, keyring: Keyring, options: { tenantIds?: readonly string[]; batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  let rewrapped = 0;
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ tenant_id: string; kek_id: string; wrapped_key: Buffer }>(
        `SELECT tenant_id, kek_id, wrapped_key FROM pii_data_keys WHERE kek_id <> $1 AND ($3::text[] IS NULL OR tenant_id = ANY($3))
         ORDER BY tenant_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [keyring.activeId, batchSize, options.tenantIds ?? null],
      );
      for (const row of rows) {
        const dek = unwrapDataKey(keyring, row.tenant_id, row.kek_id, row.wrapped_key);
        const next = wrapDataKey(keyring, row.tenant_id, dek);
        await client.query('UPDATE pii_data_keys SET kek_id = $2, wrapped_key = $3, rewrapped_at = now() WHERE tenant_id = $1', [row.tenant_id, next.kekId, next.wrapped]);
      }
      await client.query('COMMIT');
      rewrapped += rows.length;
      if (rows.length < batchSize) return rewrapped;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
