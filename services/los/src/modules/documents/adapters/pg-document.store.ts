import type pg from 'pg';
import type { DocumentStore, StoredDocument } from '../ports.js';

interface Row {
  id: string; tenant_id: string; application_id: string; kind: StoredDocument['kind']; content_type: StoredDocument['contentType'];
  sha256: string; size_bytes: number; blob_key: string; file_name: string | null; idempotency_key: string | null; created_at: Date;
}
const COLUMNS = 'id, tenant_id, application_id, kind, content_type, sha256, size_bytes, blob_key, file_name, idempotency_key, created_at';
const toDocument = (r: Row): StoredDocument => ({
  id: r.id, tenantId: r.tenant_id, applicationId: r.application_id, kind: r.kind, contentType: r.content_type, sha256: r.sha256.trim(),
  sizeBytes: r.size_bytes, blobKey: r.blob_key, fileName: r.file_name, idempotencyKey: r.idempotency_key, createdAt: r.created_at,
});

/** application_documents (migration 20261202100000). */
export function createPgDocumentStore(pool: pg.Pool): DocumentStore {
  const findByKey = async (tenantId: string, key: string) => {
    const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM application_documents WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key]);
    return rows[0] ? toDocument(rows[0]) : undefined;
  };
  return {
    async applicationExists(tenantId, applicationId) {
      const { rowCount } = await pool.query('SELECT 1 FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      return (rowCount ?? 0) > 0;
    },
    async insert(d) {
      if (d.idempotencyKey) {
        const earlier = await findByKey(d.tenantId, d.idempotencyKey);
        if (earlier) return earlier.sha256 === d.sha256 && earlier.applicationId === d.applicationId && earlier.kind === d.kind ? { kind: 'existing', document: earlier } : { kind: 'key-reused', document: earlier };
      }
      try {
        const { rows } = await pool.query<Row>(
          `INSERT INTO application_documents (id, tenant_id, application_id, kind, content_type, sha256, size_bytes, blob_key, file_name, idempotency_key, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (tenant_id, application_id, sha256) DO NOTHING RETURNING ${COLUMNS}`,
          [d.id, d.tenantId, d.applicationId, d.kind, d.contentType, d.sha256, d.sizeBytes, d.blobKey, d.fileName, d.idempotencyKey, d.createdAt]);
        if (rows[0]) return { kind: 'created', document: toDocument(rows[0]) };
      } catch (error) {
        // Two uploads racing with one idempotency key: the loser reads the winner's document.
        if ((error as { code?: string }).code === '23505' && d.idempotencyKey) {
          const winner = await findByKey(d.tenantId, d.idempotencyKey);
          if (winner) return winner.sha256 === d.sha256 ? { kind: 'existing', document: winner } : { kind: 'key-reused', document: winner };
        }
        throw error;
      }
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM application_documents WHERE tenant_id = $1 AND application_id = $2 AND sha256 = $3`, [d.tenantId, d.applicationId, d.sha256]);
      return { kind: 'existing', document: toDocument(rows[0]!) };
    },
    findByIdempotencyKey: findByKey,
    async list(tenantId, applicationId) {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM application_documents WHERE tenant_id = $1 AND application_id = $2 ORDER BY created_at, id LIMIT 200`, [tenantId, applicationId]);
      return rows.map(toDocument);
    },
  };
}
