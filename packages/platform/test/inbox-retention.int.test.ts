import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneInbox } from '../src/inbox-retention.js';

// Against the LMS test database's real inbox table (infra/test.sh migrated it).
let pool: pg.Pool;

beforeAll(() => {
  pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 2 });
});

afterAll(async () => {
  await pool?.end();
});

describe('inbox retention', () => {
  it('forgets event ids applied before the window and keeps the ones inside it', async () => {
    const old = [randomUUID(), randomUUID()];
    const recent = randomUUID();
    for (const id of old) await pool.query(`INSERT INTO inbox (event_id, type, version, applied_at) VALUES ($1, 'LoanApproved', 1, now() - interval '60 days')`, [id]);
    await pool.query(`INSERT INTO inbox (event_id, type, version, applied_at) VALUES ($1, 'LoanApproved', 1, now() - interval '10 days')`, [recent]);

    const deleted = await pruneInbox(pool, 45 * 86_400_000);

    expect(deleted).toBeGreaterThanOrEqual(2);
    const { rows } = await pool.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE event_id = ANY($1)', [[...old, recent]]);
    expect(rows.map((r) => r.event_id)).toEqual([recent]);
  });
});
