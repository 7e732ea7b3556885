import { entryHash, GENESIS_HASH, type AuditChainReader, type ChainContent } from '@lendstack/platform';
import type pg from 'pg';

/** The LMS's one audit source and the table it lives in (what verify names). */
export type LmsAuditSource = 'lms';
export const LMS_AUDIT_TABLES: Record<LmsAuditSource, string> = { lms: 'audit_log' };

export interface AuditRecord {
  readonly tenantId: string;
  readonly actor: string;
  /** e.g. `service-request.transitioned`, `product.published`, `business-date.set`. */
  readonly action: string;
  /** `<kind>/<id>` of what changed. */
  readonly subject: string;
  readonly requestId?: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly at: Date;
  readonly id: string;
}

/** What appendAudit needs of a transaction: a pg client, or a Prisma transaction through `prismaAuditSql`. */
export interface AuditSql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's own row type; each call site names its columns
  query(text: string, values: unknown[]): Promise<{ rows: any[] }>;
}

/** A Prisma interactive transaction as AuditSql (positional $n parameters, as pg takes them). */
export function prismaAuditSql(tx: { $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> }): AuditSql {
  return { query: async (text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) };
}

/**
 * Appends one entry to the tenant's audit chain inside the caller's transaction (it commits or rolls back
 * with the change it records). It takes the tenant's head row FOR UPDATE until that commit, so call it
 * LAST in the transaction, after every other lock (then two writers never deadlock, they take turns), in
 * READ COMMITTED, and for one tenant per transaction. Returns the entry's seq and hash.
 */
export async function appendAudit(tx: AuditSql, r: AuditRecord): Promise<{ seq: bigint; hash: string }> {
  await tx.query('INSERT INTO audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING', [r.tenantId, GENESIS_HASH]);
  const head = (await tx.query(
    'SELECT seq::text AS seq, hash, $2::jsonb::text AS detail, $3::timestamptz(3) AS at FROM audit_chain_heads WHERE tenant_id = $1 FOR UPDATE',
    [r.tenantId, JSON.stringify({ before: r.before ?? null, after: r.after ?? null }), r.at])).rows[0] as { seq: string; hash: string; detail: string; at: Date };
  const seq = BigInt(head.seq) + 1n;
  const content: ChainContent<LmsAuditSource> = { tenantId: r.tenantId, source: 'lms', sourceId: r.id, at: head.at, actor: r.actor, action: r.action, subject: r.subject, qualifier: r.requestId ?? '', detail: head.detail };
  const hash = entryHash(seq, head.hash, content);
  await tx.query(
    `INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, subject, request_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
    [r.tenantId, seq.toString(), r.id, head.at, r.actor, r.action, r.subject, content.qualifier, head.detail, head.hash, hash]);
  await tx.query('UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() WHERE tenant_id = $1', [r.tenantId, seq.toString(), hash]);
  return { seq, hash };
}

/** The chain as the shared verifier reads it: each audit_log row is both its link and its entry. */
export function createPgAuditLogReader(pool: pg.Pool): AuditChainReader<LmsAuditSource> {
  return {
    async nextTenant(after) {
      const { rows } = await pool.query<{ t: string }>(
        `SELECT min(t) AS t FROM (SELECT min(tenant_id) AS t FROM audit_chain_heads WHERE $1::text IS NULL OR tenant_id > $1
                                  UNION ALL SELECT min(tenant_id) FROM audit_log WHERE $1::text IS NULL OR tenant_id > $1) x`, [after]);
      return rows[0]?.t ?? null;
    },
    async withTenant(tenantId, work) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await work({
          async head() {
            const r = (await c.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = $1', [tenantId])).rows[0];
            return r ? { seq: BigInt(r.seq), hash: r.hash } : undefined;
          },
          async links(afterSeq, limit) {
            const { rows } = await c.query<{ seq: string; id: string; at: Date; actor: string; action: string; subject: string; request_id: string; detail: string; prev_hash: string; hash: string }>(
              `SELECT seq::text AS seq, id::text AS id, at, actor, action, subject, request_id, detail::text AS detail, prev_hash, hash
               FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY audit_log.seq LIMIT $3`, [tenantId, afterSeq.toString(), limit]);
            return rows.map((r) => ({
              link: { tenantId, seq: BigInt(r.seq), source: 'lms' as const, sourceId: r.id, prevHash: r.prev_hash, hash: r.hash },
              content: { tenantId, source: 'lms' as const, sourceId: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, qualifier: r.request_id, detail: r.detail },
            }));
          },
          // A row is its own link: there is no entry without one.
          unchained: async () => [],
        });
        await c.query('COMMIT');
        return result;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        c.release();
      }
    },
  };
}

export interface AuditLogRow {
  readonly seq: string; readonly id: string; readonly at: string; readonly actor: string; readonly action: string; readonly subject: string;
  readonly requestId: string; readonly before: unknown; readonly after: unknown; readonly hash: string;
}

/** A tenant's entries newest first, `limit + 1` read so the caller knows whether a next page exists. */
export async function pageAuditLog(pool: pg.Pool, tenantId: string, q: { readonly limit: number; readonly beforeSeq?: bigint; readonly subject?: string }): Promise<AuditLogRow[]> {
  const { rows } = await pool.query<{ seq: string; id: string; at: Date; actor: string; action: string; subject: string; request_id: string; detail: { before: unknown; after: unknown }; hash: string }>(
    `SELECT seq::text AS seq, id::text AS id, at, actor, action, subject, request_id, detail, hash FROM audit_log
     WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR subject = $3) ORDER BY audit_log.seq DESC LIMIT $4`,
    [tenantId, q.beforeSeq?.toString() ?? null, q.subject ?? null, q.limit + 1]);
  return rows.map((r) => ({ seq: r.seq, id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, subject: r.subject, requestId: r.request_id, before: r.detail.before, after: r.detail.after, hash: r.hash }));
}
