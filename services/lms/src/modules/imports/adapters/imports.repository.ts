// SQL of the migration import's own tables (loan_imports, loan_import_rows, imported_loans), on the caller's client.
import type pg from 'pg';
import type { RecordError } from '../domain/import-record.js';

export type ImportFormat = 'ndjson' | 'csv';
export type ImportStatus = 'queued' | 'processing' | 'completed';
export type RowStatus = 'pending' | 'imported' | 'rejected' | 'duplicate';

export interface LoanImport {
  readonly id: string;
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly sha256: string;
  readonly byteSize: number;
  readonly format: ImportFormat;
  readonly status: ImportStatus;
  readonly rowsTotal: number;
  readonly rowsImported: number;
  readonly rowsRejected: number;
  readonly rowsDuplicate: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
}

export interface NewImportRow {
  readonly recordNumber: number;
  readonly externalId: string | null;
  readonly record: unknown;
  readonly status: 'pending' | 'rejected' | 'duplicate';
  readonly error: RecordError | null;
  readonly duplicateOf: string | null;
}

export interface StoredImportRow {
  readonly recordNumber: number;
  readonly externalId: string | null;
  readonly record: unknown;
  readonly status: RowStatus;
  readonly loanId: string | null;
  readonly error: RecordError | null;
  readonly duplicateOf: string | null;
}

type Db = pg.Pool | pg.PoolClient;

const IMPORT_COLUMNS = `id, tenant_id AS "tenantId", idempotency_key AS "idempotencyKey", sha256, byte_size::float8 AS "byteSize", format, status, rows_total AS "rowsTotal",
  rows_imported AS "rowsImported", rows_rejected AS "rowsRejected", rows_duplicate AS "rowsDuplicate", created_by AS "createdBy", created_at AS "createdAt",
  updated_at AS "updatedAt", started_at AS "startedAt", completed_at AS "completedAt"`;
const ROW_COLUMNS = `record_number AS "recordNumber", external_id AS "externalId", record, status, loan_id AS "loanId", error, duplicate_of AS "duplicateOf"`;

export async function importById(db: Db, id: string, tenantId?: string): Promise<LoanImport | undefined> {
  return (await db.query<LoanImport>(`SELECT ${IMPORT_COLUMNS} FROM loan_imports WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`, [id, tenantId ?? null])).rows[0];
}

export async function importByKey(db: Db, tenantId: string, key: string): Promise<LoanImport | undefined> {
  return (await db.query<LoanImport>(`SELECT ${IMPORT_COLUMNS} FROM loan_imports WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key])).rows[0];
}

/** The new import, or nothing when the tenant's key is taken (a concurrent upload with the same key). */
export async function insertImport(db: Db, i: { id: string; tenantId: string; idempotencyKey: string; format: ImportFormat; createdBy: string }): Promise<boolean> {
  const r = await db.query(`INSERT INTO loan_imports (id, tenant_id, idempotency_key, sha256, byte_size, format, status, created_by) VALUES ($1, $2, $3, '', 0, $4, 'queued', $5)
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`, [i.id, i.tenantId, i.idempotencyKey, i.format, i.createdBy]);
  return r.rowCount === 1;
}

export async function finishUpload(db: Db, id: string, u: { sha256: string; byteSize: number; rowsTotal: number; rejected: number; duplicate: number }): Promise<void> {
  await db.query('UPDATE loan_imports SET sha256 = $2, byte_size = $3, rows_total = $4, rows_rejected = $5, rows_duplicate = $6, updated_at = now() WHERE id = $1',
    [id, u.sha256, u.byteSize, u.rowsTotal, u.rejected, u.duplicate]);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = String.fromCharCode(0);

/** JSON that Postgres' jsonb takes: NUL and lone surrogates (valid in JS strings, refused by jsonb) become U+FFFD. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\uFFFD').replaceAll(NUL, '\uFFFD') : v));
}

/** One INSERT for a chunk of records (set-based through unnest). */
export async function insertImportRows(db: Db, importId: string, tenantId: string, rows: readonly NewImportRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO loan_import_rows (import_id, tenant_id, record_number, external_id, record, status, error, duplicate_of, processed_at)
     SELECT $1, $2, u.n, u.ext, u.rec, u.status, u.error, u.dup, CASE WHEN u.status <> 'pending' THEN now() END
     FROM unnest($3::int[], $4::text[], $5::jsonb[], $6::text[], $7::jsonb[], $8::text[]) AS u(n, ext, rec, status, error, dup)`,
    [importId, tenantId, rows.map((r) => r.recordNumber), rows.map((r) => r.externalId), rows.map((r) => storableJson(r.record)), rows.map((r) => r.status),
      rows.map((r) => (r.error ? storableJson(r.error) : null)), rows.map((r) => r.duplicateOf)],
  );
}

export async function setImportStatus(db: Db, id: string, status: ImportStatus): Promise<void> {
  await db.query(`UPDATE loan_imports SET status = $2, updated_at = now(), started_at = coalesce(started_at, CASE WHEN $2 = 'processing' THEN now() END),
    completed_at = CASE WHEN $2 = 'completed' THEN now() END WHERE id = $1`, [id, status]);
}

/** The next pending records after `afterRecord`, in file order, locked for this batch's transaction. */
export async function pendingImportRows(client: pg.PoolClient, importId: string, afterRecord: number, limit: number): Promise<StoredImportRow[]> {
  return (await client.query<StoredImportRow>(
    `SELECT ${ROW_COLUMNS} FROM loan_import_rows WHERE import_id = $1 AND status = 'pending' AND record_number > $2 ORDER BY record_number LIMIT $3 FOR UPDATE`,
    [importId, afterRecord, limit])).rows;
}

export interface RowOutcome {
  readonly recordNumber: number;
  readonly status: 'imported' | 'rejected' | 'duplicate';
  readonly loanId?: string;
  readonly error?: RecordError;
  readonly duplicateOf?: string;
}

/** Records a batch's outcomes and moves the import's counters, in two statements. */
export async function markImportRows(client: pg.PoolClient, importId: string, outcomes: readonly RowOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await client.query(
    `UPDATE loan_import_rows r SET status = u.status, loan_id = u.loan, error = u.error, duplicate_of = u.dup, processed_at = now()
     FROM unnest($2::int[], $3::text[], $4::text[], $5::jsonb[], $6::text[]) AS u(n, status, loan, error, dup)
     WHERE r.import_id = $1 AND r.record_number = u.n AND r.status = 'pending'`,
    [importId, outcomes.map((o) => o.recordNumber), outcomes.map((o) => o.status), outcomes.map((o) => o.loanId ?? null),
      outcomes.map((o) => (o.error ? storableJson(o.error) : null)), outcomes.map((o) => o.duplicateOf ?? null)],
  );
  const count = (s: RowOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  await client.query('UPDATE loan_imports SET rows_imported = rows_imported + $2, rows_rejected = rows_rejected + $3, rows_duplicate = rows_duplicate + $4, updated_at = now() WHERE id = $1',
    [importId, count('imported'), count('rejected'), count('duplicate')]);
}

/** The loans already imported for these external ids (by any import): external id → loan id. */
export async function importedLoansOf(client: pg.PoolClient, tenantId: string, externalIds: readonly string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await client.query<{ external_id: string; loan_id: string }>('SELECT external_id, loan_id FROM imported_loans WHERE tenant_id = $1 AND external_id = ANY($2::text[])', [tenantId, externalIds]);
  return new Map(rows.rows.map((r) => [r.external_id, r.loan_id]));
}

export async function pageImportRows(db: Db, importId: string, q: { status?: RowStatus; afterRecord?: number; limit: number }): Promise<StoredImportRow[]> {
  return (await db.query<StoredImportRow>(
    `SELECT ${ROW_COLUMNS} FROM loan_import_rows WHERE import_id = $1 AND ($2::text IS NULL OR status = $2) AND record_number > $3 ORDER BY record_number LIMIT $4`,
    [importId, q.status ?? null, q.afterRecord ?? 0, q.limit])).rows;
}

export async function unfinishedImports(db: Db, limit: number): Promise<string[]> {
  return (await db.query<{ id: string }>(`SELECT id FROM loan_imports WHERE status <> 'completed' ORDER BY created_at LIMIT $1`, [limit])).rows.map((r) => r.id);
}

/** An import's progress as the API and the CLI show it: rows done of total, outcomes, rows per second since it started. */
export function progressOf(i: LoanImport, now: Date) {
  const done = i.rowsImported + i.rowsRejected + i.rowsDuplicate;
  const end = i.completedAt ?? now;
  const seconds = i.startedAt ? Math.max(0.001, (end.getTime() - i.startedAt.getTime()) / 1000) : 0;
  return {
    rowsTotal: i.rowsTotal, rowsDone: done, imported: i.rowsImported, rejected: i.rowsRejected, duplicate: i.rowsDuplicate,
    rowsPerSecond: seconds > 0 ? Math.round((done / seconds) * 10) / 10 : 0,
  };
}
