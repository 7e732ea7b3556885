import type pg from 'pg';
import type { PageKey } from '../pagination.js';
import { newApiKey, type Scope } from './credentials.js';

/** A partner API key as its tenant's admin sees it: never its secret. */
export interface ApiKeyView {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly rateLimitPerMinute: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** What verifying a presented key needs. */
export interface ApiKeyRecord extends ApiKeyView {
  readonly digest: Buffer;
}

interface Row {
  id: string; tenant_id: string; name: string; scopes: Scope[]; rate_limit_per_minute: number; created_by: string;
  created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null; secret_sha256: Buffer;
}

const COLUMNS = 'id, tenant_id, name, scopes, rate_limit_per_minute, created_by, created_at, expires_at, revoked_at, last_used_at, secret_sha256';

const view = (row: Row): ApiKeyView => ({
  id: row.id, tenantId: row.tenant_id, name: row.name, scopes: row.scopes, rateLimitPerMinute: row.rate_limit_per_minute,
  createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at,
});

export interface CreateApiKey {
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly rateLimitPerMinute: number;
  readonly expiresAt: Date | null;
  readonly createdBy: string;
  readonly idempotencyKey: string | undefined;
}

/**
 * Creates a key, or (same tenant and Idempotency-Key) returns the one a first request created — without
 * its secret, which was shown once and is not kept.
 */
export async function createApiKey(pool: pg.Pool, input: CreateApiKey): Promise<{ key: ApiKeyView; token?: string }> {
  const fresh = newApiKey();
  const inserted = await pool.query<Row>(
    `INSERT INTO api_keys (id, tenant_id, name, scopes, rate_limit_per_minute, created_by, expires_at, secret_sha256, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
    [fresh.id, input.tenantId, input.name, input.scopes, input.rateLimitPerMinute, input.createdBy, input.expiresAt, fresh.digest, input.idempotencyKey ?? null],
  );
  if (inserted.rows[0]) return { key: view(inserted.rows[0]), token: fresh.token };
  const earlier = await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND idempotency_key = $2`, [input.tenantId, input.idempotencyKey]);
  return { key: view(earlier.rows[0]!) };
}

export async function apiKeyById(pool: pg.Pool, id: string): Promise<ApiKeyRecord | undefined> {
  const row = (await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id])).rows[0];
  return row ? { ...view(row), digest: row.secret_sha256 } : undefined;
}

export async function tenantApiKey(pool: pg.Pool, tenantId: string, id: string): Promise<ApiKeyView | undefined> {
  const row = (await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0];
  return row ? view(row) : undefined;
}

/** Newest first, keyset-paged on (created_at, id). */
export async function listApiKeys(pool: pg.Pool, tenantId: string, after: PageKey | undefined, limit: number): Promise<ApiKeyView[]> {
  const rows = after
    ? await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4`, [tenantId, after.createdAt, after.id, limit])
    : await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [tenantId, limit]);
  return rows.rows.map(view);
}

/** Revokes at once (verification reads the row on every request); revoking twice keeps the first time. */
export async function revokeApiKey(pool: pg.Pool, tenantId: string, id: string, by: string): Promise<ApiKeyView | undefined> {
  const row = (await pool.query<Row>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $3) WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, by],
  )).rows[0];
  return row ? view(row) : undefined;
}

/** Records use at most once a minute per key, so a busy key costs no write per request. */
export async function touchApiKey(pool: pg.Pool, id: string): Promise<void> {
  await pool.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id]);
}
