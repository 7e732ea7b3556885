import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface OwnDatabase {
  /** The connection URL of the new database (same server and credentials as the base URL). */
  readonly url: string;
  /** Drops the database once its connections are gone (the caller ends its own pools first). */
  drop(): Promise<void>;
}

/**
 * A database of a test's own beside `baseUrl`'s, empty (the caller migrates it), for tests whose subject scans
 * a whole table (a background starter, a relay) and must not see the rows other test files write to the shared
 * test database meanwhile.
 */
export async function createOwnDatabase(baseUrl: string, prefix: string): Promise<OwnDatabase> {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name must be [a-z0-9_]+, got '${name}'`);
  const admin = new pg.Client({ connectionString: baseUrl.replace(/\/[^/?]+(\?.*)?$/, '/postgres$1') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: baseUrl.replace(/\/[^/?]+(\?.*)?$/, `/${name}$1`),
    drop: async () => {
      try {
        // pool.end() resolves once it has asked its connections to close, not once they have: a drop WITH (FORCE)
        // in that window terminates them (57P01), which an ended pool raises as an unhandled 'error'.
        for (let i = 0; i < 100; i += 1) {
          const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
