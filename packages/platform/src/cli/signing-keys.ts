import pg from 'pg';
import { DEV_AUTH_TOKEN_SECRET } from '../auth.js';
import { rotateSigningKey } from '../access/signing-keys.js';

// Rotates a service's client-credentials signing key: pnpm -s signing-keys rotate <los|lms>
// Reads LOS_DATABASE_URL / LMS_DATABASE_URL and AUTH_TOKEN_SECRET like the service does. The new key signs
// from the next key-ring refresh (a minute at most); the key it replaces keeps verifying; older ones retire.
const [command, service] = process.argv.slice(2);
if (command !== 'rotate' || (service !== 'los' && service !== 'lms')) {
  console.error('usage: pnpm -s signing-keys rotate <los|lms>');
  process.exit(2);
}
const variable = `${service.toUpperCase()}_DATABASE_URL`;
const url = process.env[variable];
if (!url) {
  console.error(`${variable} is not set`);
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const { kid, retired } = await rotateSigningKey(pool, process.env.AUTH_TOKEN_SECRET ?? DEV_AUTH_TOKEN_SECRET);
  const active = await pool.query<{ kid: string; created_at: Date }>('SELECT kid, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC');
  console.log(`${service}: new signing key ${kid}; retired ${retired.length === 0 ? 'none' : retired.join(', ')}`);
  for (const row of active.rows) console.log(`  ${row.kid === kid ? 'signs  ' : 'verifies'} ${row.kid} (since ${row.created_at.toISOString()})`);
} finally {
  await pool.end();
}
