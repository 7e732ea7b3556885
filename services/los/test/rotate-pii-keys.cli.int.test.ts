/** `pnpm --filter @lendstack/los rotate-pii-keys` as an operator runs it, against the real test database. */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { infrastructure } from '@lendstack/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const tenantId = `rotate-cli-${randomUUID().slice(0, 8)}`;
let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: (await infrastructure()).losDatabaseUrl, max: 2 });
});
afterAll(async () => {
  await pool.query('DELETE FROM pii_data_keys WHERE tenant_id = $1', [tenantId]);
  await pool.end();
});

describe('rotate-pii-keys', () => {
  it('refuses, changing nothing, when a data key is wrapped by a KEK the configuration does not list', async () => {
    const gone = `gone-kek-${randomUUID().slice(0, 8)}`;
    await pool.query('INSERT INTO pii_data_keys (tenant_id, kek_id, wrapped_key) VALUES ($1, $2, $3)', [tenantId, gone, randomBytes(60)]);
    const before = (await pool.query('SELECT kek_id, wrapped_key FROM pii_data_keys ORDER BY tenant_id')).rows;
    const run = spawnSync('pnpm', ['exec', 'tsx', 'src/cli/rotate-pii-keys.ts'], { cwd, env: process.env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`1 data key(s) are wrapped by KEK ${gone}`);
    expect(run.stderr).toContain('nothing was changed');
    expect((await pool.query('SELECT kek_id, wrapped_key FROM pii_data_keys ORDER BY tenant_id')).rows).toEqual(before);
  });
});
