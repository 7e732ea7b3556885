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
  // Refuse before touching anything when some data key is wrapped by a KEK this configuration does not
  // hold: that key could not be unwrapped, and a rotation stopped half-way helps nobody.
  const { rows: unknown } = await pool.query<{ kek_id: string; n: string }>('SELECT kek_id, count(*) AS n FROM pii_data_keys WHERE NOT (kek_id = ANY($1)) GROUP BY kek_id ORDER BY kek_id', [[...keyring.keys.keys()]]);
  if (unknown.length > 0) {
    console.error(`refused: ${unknown.map((r) => `${r.n} data key(s) are wrapped by KEK ${r.kek_id}`).join('; ')}, which LOS_PII_KEKS does not list. Add the old KEK(s) to LOS_PII_KEKS (keeping ${keyring.activeId} active) and run again; nothing was changed.`);
    process.exitCode = 2;
  } else {
    const rewrapped = await rotateDataKeys(pool, keyring);
    const { rows } = await pool.query<{ kek_id: string; n: string }>('SELECT kek_id, count(*) AS n FROM pii_data_keys GROUP BY kek_id ORDER BY kek_id');
    console.log(`re-wrapped ${rewrapped} data key(s) under ${keyring.activeId}; data keys by KEK: ${rows.map((r) => `${r.kek_id}=${r.n}`).join(', ') || 'none'}`);
  }
} finally {
  await pool.end();
}
