import type pg from 'pg';
import type { RowError, RowFields } from '../domain/repayment-row.js';

export type FileStatus = 'queued' | 'processing' | 'completed';
export type RowStatus = 'pending' | 'posted' | 'failed' | 'duplicate';

export interface RepaymentFile {
  readonly id: string;
  readonly tenantId: string;
  readonly sha256: string;
  readonly byteSize: number;
  readonly idempotencyKey: string | null;
  readonly status: FileStatus;
  readonly rowsTotal: number;
  readonly uploadedBy: string;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly completedAt: Date | null;
}

export interface NewRow {
  readonly rowNumber: number;
  readonly loanId: string | null;
  readonly fields: Partial<RowFields>;
  readonly status: 'pending' | 'failed' | 'duplicate';
  readonly error: RowError | null;
  readonly duplicateOf: string | null;
}

export interface StoredRow {
  readonly rowNumber: number;
  readonly loanId: string | null;
  readonly fields: Partial<RowFields>;
  readonly status: RowStatus;
  readonly transactionId: string | null;
  readonly error: RowError | null;
  readonly duplicateOf: string | null;
}

const FILE_COLUMNS = `id, tenant_id AS "tenantId", sha256, byte_size AS "byteSize", idempotency_key AS "idempotencyKey", status, rows_total AS "rowsTotal",
  uploaded_by AS "uploadedBy", error, created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt"`;
const ROW_COLUMNS = `row_number AS "rowNumber", loan_id AS "loanId", fields, status, transaction_id AS "transactionId", error, duplicate_of AS "duplicateOf"`;

type Db = pg.Pool | pg.PoolClient;

export async function fileById(db: Db, id: string, tenantId?: string): Promise<RepaymentFile | undefined> {
  const r = await db.query<RepaymentFile>(`SELECT ${FILE_COLUMNS} FROM repayment_files WHERE id = $1 ${tenantId ? 'AND tenant_id = $2' : ''}`, tenantId ? [id, tenantId] : [id]);
  return r.rows[0];
}

export async function fileByKey(db: Db, tenantId: string, key: string): Promise<RepaymentFile | undefined> {
  return (await db.query<RepaymentFile>(`SELECT ${FILE_COLUMNS} FROM repayment_files WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key])).rows[0];
}

export async function fileBySha(db: Db, tenantId: string, sha256: string): Promise<RepaymentFile | undefined> {
  return (await db.query<RepaymentFile>(`SELECT ${FILE_COLUMNS} FROM repayment_files WHERE tenant_id = $1 AND sha256 = $2`, [tenantId, sha256])).rows[0];
}

export async function insertFile(db: Db, f: { id: string; tenantId: string; sha256: string; byteSize: number; idempotencyKey: string | null; uploadedBy: string }): Promise<void> {
  await db.query(`INSERT INTO repayment_files (id, tenant_id, sha256, byte_size, idempotency_key, status, uploaded_by) VALUES ($1, $2, $3, $4, $5, 'queued', $6)`,
    [f.id, f.tenantId, f.sha256, f.byteSize, f.idempotencyKey, f.uploadedBy]);
}

/** One INSERT for a chunk of rows (set-based through unnest). */
export async function insertRows(db: Db, fileId: string, tenantId: string, rows: readonly NewRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO repayment_file_rows (file_id, tenant_id, row_number, loan_id, fields, status, error, duplicate_of)
     SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::jsonb[], $6::text[], $7::jsonb[], $8::text[])`,
    [fileId, tenantId, rows.map((r) => r.rowNumber), rows.map((r) => r.loanId), rows.map((r) => JSON.stringify(r.fields)), rows.map((r) => r.status),
      rows.map((r) => (r.error ? JSON.stringify(r.error) : null)), rows.map((r) => r.duplicateOf)],
  );
}

export async function setRowsTotal(db: Db, fileId: string, total: number): Promise<void> {
  await db.query('UPDATE repayment_files SET rows_total = $2, updated_at = now() WHERE id = $1', [fileId, total]);
}

export async function setFileStatus(db: Db, fileId: string, status: FileStatus): Promise<void> {
  await db.query(`UPDATE repayment_files SET status = $2, updated_at = now(), completed_at = CASE WHEN $2 = 'completed' THEN now() END WHERE id = $1`, [fileId, status]);
}

/** The next pending rows in file order. */
export async function pendingRows(db: Db, fileId: string, limit: number): Promise<StoredRow[]> {
  return (await db.query<StoredRow>(`SELECT ${ROW_COLUMNS} FROM repayment_file_rows WHERE file_id = $1 AND status = 'pending' ORDER BY row_number LIMIT $2`, [fileId, limit])).rows;
}

/** Records a pending row's outcome (only once: a row already decided stays as it is). */
export async function markRow(db: Db, fileId: string, rowNumber: number, o: { status: 'posted' | 'failed' | 'duplicate'; transactionId?: string; error?: RowError; duplicateOf?: string }): Promise<void> {
  await db.query(`UPDATE repayment_file_rows SET status = $3, transaction_id = $4, error = $5, duplicate_of = $6, processed_at = now() WHERE file_id = $1 AND row_number = $2 AND status = 'pending'`,
    [fileId, rowNumber, o.status, o.transactionId ?? null, o.error ? JSON.stringify(o.error) : null, o.duplicateOf ?? null]);
}

/** Counts an attempt that ended in an exception; returns how many there were. */
export async function countAttempt(db: Db, fileId: string, rowNumber: number): Promise<number> {
  return (await db.query<{ attempts: number }>('UPDATE repayment_file_rows SET attempts = attempts + 1 WHERE file_id = $1 AND row_number = $2 RETURNING attempts', [fileId, rowNumber])).rows[0]?.attempts ?? 0;
}

export async function rowCounts(db: Db, fileId: string): Promise<Record<RowStatus, number>> {
  const r = await db.query<{ status: RowStatus; n: string }>('SELECT status, count(*) AS n FROM repayment_file_rows WHERE file_id = $1 GROUP BY status', [fileId]);
  const counts: Record<RowStatus, number> = { pending: 0, posted: 0, failed: 0, duplicate: 0 };
  for (const row of r.rows) counts[row.status] = Number(row.n);
  return counts;
}

export async function pageRows(db: Db, fileId: string, q: { status?: RowStatus; afterRow?: number; limit: number }): Promise<StoredRow[]> {
  return (await db.query<StoredRow>(
    `SELECT ${ROW_COLUMNS} FROM repayment_file_rows WHERE file_id = $1 AND ($2::text IS NULL OR status = $2) AND row_number > $3 ORDER BY row_number LIMIT $4`,
    [fileId, q.status ?? null, q.afterRow ?? 0, q.limit])).rows;
}

/** A live repayment on the loan with this channel and reference (posted by any path), if any. */
export async function repaymentWithReference(db: Db, tenantId: string, loanId: string, channel: string, reference: string): Promise<string | undefined> {
  const r = await db.query<{ id: string }>(
    `SELECT t.id FROM loan_transactions t WHERE t.tenant_id = $1 AND t.loan_id = $2 AND t.kind = 'repayment' AND t.channel = $3 AND t.reference = $4
       AND NOT EXISTS (SELECT 1 FROM loan_transactions r WHERE r.kind = 'reversal' AND r.target_id = t.id) LIMIT 1`, [tenantId, loanId, channel, reference]);
  return r.rows[0]?.id;
}

/** The transaction an Idempotency-Key produced, if any. */
export async function transactionIdByKey(db: Db, tenantId: string, key: string): Promise<string | undefined> {
  return (await db.query<{ id: string }>('SELECT id FROM loan_transactions WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key])).rows[0]?.id;
}

export async function unfinishedFiles(db: Db, limit: number): Promise<string[]> {
  return (await db.query<{ id: string }>(`SELECT id FROM repayment_files WHERE status <> 'completed' ORDER BY created_at LIMIT $1`, [limit])).rows.map((r) => r.id);
}
