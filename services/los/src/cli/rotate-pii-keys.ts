// Re-wraps every tenant's PII data key under LOS_PII_ACTIVE_KEK (LOS_PII_KEKS must still list the old
// KEKs). Run after adding a new KEK and making it active: `pnpm --filter @lendstack/los rotate-pii-keys`.
// Then the old KEK can leave LOS_PII_KEKS. Safe to run twice, or while the LOS serves (row locks).
import pg from 'pg';
import { loadConfig } from '../config.js';
import { parseKeyring } from '../modules/pii/keyring.js';
import { rotateDataKeys } from '../modules/pii/rotate-data-keys.js';

const config = loadConfig();
const pool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: 2 });
try {
  const keyring = parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK);
  const rewrapped = await rotateDataKeys(pool, keyring);
  const { rows } = await pool.query<{ kek_id: string; n: string }>('SELECT kek_id, count(*) AS n FROM pii_data_keys GROUP BY kek_id ORDER BY kek_id');
  console.log(`re-wrapped ${rewrapped} data key(s) under ${keyring.activeId}; data keys by KEK: ${rows.map((r) => `${r.kek_id}=${r.n}`).join(', ') || 'none'}`);
} finally {
  await pool.end();
}
