import type pg from 'pg';

/** The ACH adapter's own tables (migration 20261202200000_ach_payouts): entries per payout, files per window. */

export type AchEntryStatus = 'queued' | 'batched' | 'submitted' | 'settled' | 'returned' | 'rejected';

export interface AchEntryRow {
  readonly payout_id: string;
  readonly tenant_id: string;
  readonly loan_id: string;
  readonly request_hash: string;
  readonly amount_cents: string;
  readonly transaction_code: number;
  readonly rdfi_routing: string;
  readonly account_token: string;
  readonly account_number_masked: string | null;
  readonly holder_name: string;
  readonly individual_id: string;
  readonly status: AchEntryStatus;
  readonly file_id: string | null;
  readonly trace_number: string | null;
  readonly return_code: string | null;
  readonly return_detail: string | null;
  readonly returned_after_settlement: boolean;
  readonly change_code: string | null;
}

export interface AchFileRow {
  readonly id: string;
  readonly creation_date: string;
  readonly creation_time: string;
  readonly file_id_modifier: string;
  readonly effective_entry_date: string;
  readonly status: 'built' | 'accepted' | 'rejected';
  readonly bank_file_id: string | null;
  readonly attempts: number;
}

type Db = pg.Pool | pg.PoolClient;

const ENTRY_COLUMNS = `payout_id, tenant_id, loan_id, request_hash, amount_cents::text AS amount_cents, transaction_code, rdfi_routing, account_token, account_number_masked, holder_name,
  individual_id, status, file_id, trace_number, return_code, return_detail, returned_after_settlement, change_code`;
const FILE_COLUMNS = `id, to_char(creation_date, 'YYYY-MM-DD') AS creation_date, creation_time, file_id_modifier, to_char(effective_entry_date, 'YYYY-MM-DD') AS effective_entry_date, status, bank_file_id, attempts`;

export type NewAchEntry = Omit<AchEntryRow, 'status' | 'file_id' | 'trace_number' | 'return_code' | 'return_detail' | 'returned_after_settlement' | 'change_code'>;

/** Inserts the entry unless its payout id is known; answers the stored row either way. */
export async function insertEntry(db: Db, e: NewAchEntry): Promise<AchEntryRow> {
  await db.query(
    `INSERT INTO ach_entries (payout_id, tenant_id, loan_id, request_hash, amount_cents, transaction_code, rdfi_routing, account_token, account_number_masked, holder_name, individual_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'queued') ON CONFLICT (payout_id) DO NOTHING`,
    [e.payout_id, e.tenant_id, e.loan_id, e.request_hash, e.amount_cents, e.transaction_code, e.rdfi_routing, e.account_token, e.account_number_masked, e.holder_name, e.individual_id],
  );
  return (await entryByPayout(db, e.payout_id))!;
}

export async function entryByPayout(db: Db, payoutId: string): Promise<AchEntryRow | undefined> {
  return (await db.query<AchEntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ach_entries WHERE payout_id = $1`, [payoutId])).rows[0];
}

export async function entriesOfFile(db: Db, fileId: string): Promise<AchEntryRow[]> {
  return (await db.query<AchEntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ach_entries WHERE file_id = $1 ORDER BY trace_number`, [fileId])).rows;
}

/** Oldest queued entries, locked for this window (others skip them). */
export async function lockQueued(client: pg.PoolClient, limit: number): Promise<AchEntryRow[]> {
  return (await client.query<AchEntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ach_entries WHERE status = 'queued' ORDER BY created_at, payout_id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit])).rows;
}

/** A file the bank has not answered yet (a lost acknowledgement, an unreachable ODFI): sent again, same key and bytes. */
export async function oldestUnsentFile(db: Db): Promise<AchFileRow | undefined> {
  return (await db.query<AchFileRow>(`SELECT ${FILE_COLUMNS} FROM ach_files WHERE status = 'built' ORDER BY created_at LIMIT 1`)).rows[0];
}

export async function fileByBankId(db: Db, bankFileId: string): Promise<AchFileRow | undefined> {
  return (await db.query<AchFileRow>(`SELECT ${FILE_COLUMNS} FROM ach_files WHERE bank_file_id = $1`, [bankFileId])).rows[0];
}

/** Files of one creation minute so far: the next file id modifier (A–Z, 0–9) keeps the header unique. */
export async function filesInMinute(client: pg.PoolClient, date: string, time: string): Promise<number> {
  return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM ach_files WHERE creation_date = $1 AND creation_time = $2', [date, time])).rows[0]!.n);
}

export async function insertFile(client: pg.PoolClient, f: Omit<AchFileRow, 'status' | 'bank_file_id' | 'attempts'> & { entry_count: number; total_credit_cents: bigint }): Promise<void> {
  await client.query(
    `INSERT INTO ach_files (id, creation_date, creation_time, file_id_modifier, effective_entry_date, status, entry_count, total_credit_cents) VALUES ($1, $2, $3, $4, $5, 'built', $6, $7)`,
    [f.id, f.creation_date, f.creation_time, f.file_id_modifier, f.effective_entry_date, f.entry_count, f.total_credit_cents.toString()],
  );
}

/** Puts entries in a file, each with its trace number (parallel arrays, same order). */
export async function batchEntries(client: pg.PoolClient, fileId: string, payoutIds: readonly string[], traceNumbers: readonly string[]): Promise<void> {
  await client.query(
    `UPDATE ach_entries e SET status = 'batched', file_id = $1, trace_number = t.trace, updated_at = now()
     FROM unnest($2::text[], $3::text[]) AS t(payout_id, trace) WHERE e.payout_id = t.payout_id`,
    [fileId, payoutIds, traceNumbers],
  );
}

export async function nextTraceSequences(client: pg.PoolClient, n: number): Promise<number[]> {
  return (await client.query<{ s: string }>(`SELECT nextval('ach_trace_seq')::text AS s FROM generate_series(1, $1)`, [n])).rows.map((r) => Number(r.s));
}

/** Accepted files with entries whose outcome may still change (submitted, or settled inside the return watch), quiet since `olderThan`. */
export async function filesToReconcile(db: Db, olderThan: Date, watchDays: number, limit: number): Promise<AchFileRow[]> {
  return (await db.query<AchFileRow>(
    `SELECT ${FILE_COLUMNS} FROM ach_files f WHERE f.status = 'accepted' AND f.updated_at < $1
       AND EXISTS (SELECT 1 FROM ach_entries e WHERE e.file_id = f.id AND (e.status = 'submitted' OR (e.status = 'settled' AND e.updated_at > now() - make_interval(days => $2))))
     ORDER BY f.updated_at LIMIT $3`,
    [olderThan, watchDays, limit],
  )).rows;
}
