import type pg from 'pg';
import type { AuditSource, ChainContent } from '../domain/chain.js';
import type { AuditChainReader, TenantChainView } from '../ports.js';

/**
 * Each source's entry as it is stored NOW, in the fields the chaining triggers hashed (migration
 * 20261205400000_audit_chain builds the same; the verifier keeps its own copy on purpose, so a changed
 * database function cannot make a changed row look intact).
 */
const ENTRY_OF_LINK = `
  SELECT d.tenant_id, d.at, d.actor, d.action, d.application_id::text AS subject, d.checks_run::text AS checks_run, d.detail::text AS detail
    FROM decision_audit d WHERE c.source = 'decision' AND d.id = c.source_id
  UNION ALL
  SELECT s.tenant_id, s.at, s.actor, s.setting, s.setting_key, '', jsonb_build_object('previous', s.previous, 'current', s.current)::text
    FROM review_settings_audit s WHERE c.source = 'review-settings' AND s.id = c.source_id
  UNION ALL
  SELECT p.tenant_id, p.at, p.actor, p.action, p.policy_id::text || '/' || p.version::text, '', p.detail::text
    FROM policy_change_audit p WHERE c.source = 'policy' AND p.id = c.source_id`;

interface LinkRow {
  seq: string; source: AuditSource; source_id: string; prev_hash: string; hash: string;
  entry_tenant: string | null; at: Date | null; actor: string; action: string; subject: string; checks_run: string; detail: string;
}

function view(c: pg.PoolClient, tenantId: string): TenantChainView {
  return {
    async head() {
      const { rows } = await c.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = $1', [tenantId]);
      return rows[0] ? { seq: BigInt(rows[0].seq), hash: rows[0].hash } : undefined;
    },
    async links(afterSeq, limit) {
      const { rows } = await c.query<LinkRow>(
        `SELECT c.seq::text AS seq, c.source, c.source_id::text AS source_id, c.prev_hash, c.hash, e.tenant_id AS entry_tenant, e.at, e.actor, e.action, e.subject, e.checks_run, e.detail
           FROM audit_chain c LEFT JOIN LATERAL (${ENTRY_OF_LINK}) e ON true
          WHERE c.tenant_id = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3`,
        [tenantId, afterSeq.toString(), limit]);
      return rows.map((r) => {
        const link = { tenantId, seq: BigInt(r.seq), source: r.source, sourceId: r.source_id, prevHash: r.prev_hash, hash: r.hash };
        const content: ChainContent | undefined = r.entry_tenant === null || r.at === null ? undefined
          : { tenantId: r.entry_tenant, source: r.source, sourceId: r.source_id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, qualifier: r.checks_run, detail: r.detail };
        return { link, content };
      });
    },
    async unchained() {
      const { rows } = await c.query<{ source: AuditSource; n: number; first: string }>(
        `SELECT 'decision' AS source, count(*)::int AS n, min(x.id)::text AS first FROM decision_audit x WHERE x.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.source = 'decision' AND c.source_id = x.id)
         UNION ALL
         SELECT 'review-settings', count(*)::int, min(x.id)::text FROM review_settings_audit x WHERE x.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.source = 'review-settings' AND c.source_id = x.id)
         UNION ALL
         SELECT 'policy', count(*)::int, min(x.id)::text FROM policy_change_audit x WHERE x.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.source = 'policy' AND c.source_id = x.id)`,
        [tenantId]);
      return rows.filter((r) => r.n > 0).map((r) => ({ source: r.source, count: r.n, firstId: r.first }));
    },
  };
}

export function createPgAuditChainReader(pool: pg.Pool): AuditChainReader {
  return {
    async nextTenant(after) {
      // Every place a tenant's trail can be: a chain cut off at its head, or entries never chained, still count.
      const { rows } = await pool.query<{ tenant_id: string | null }>(
        `SELECT LEAST(
           (SELECT min(tenant_id) FROM audit_chain_heads WHERE tenant_id > $1),
           (SELECT min(tenant_id) FROM audit_chain WHERE tenant_id > $1),
           (SELECT min(tenant_id) FROM decision_audit WHERE tenant_id > $1),
           (SELECT min(tenant_id) FROM review_settings_audit WHERE tenant_id > $1),
           (SELECT min(tenant_id) FROM policy_change_audit WHERE tenant_id > $1)) AS tenant_id`,
        [after ?? '']);
      return rows[0]?.tenant_id ?? null;
    },
    async withTenant(tenantId, work) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await work(view(c, tenantId));
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
