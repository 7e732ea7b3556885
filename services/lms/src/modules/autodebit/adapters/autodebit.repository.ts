import type pg from 'pg';
import type { AccountCorrection, CollectionRail, DebitAccount, Presentment, ResultAction } from '../ports.js';

/** SQL of the autodebit tables (prisma/migrations/20261203100000_autodebit). Each function runs on the caller's client or pool. */
type Db = pg.Pool | pg.PoolClient;

export type PresentmentStatus = 'scheduled' | 'batched' | 'presented' | 'settled' | 'returned' | 'rejected' | 'cancelled';
export type AccountStatus = 'active' | 'needs-account-data' | 'revoked' | 'review';

export interface StoredPresentment extends Omit<Presentment, 'railSequence' | 'account'> {
  readonly status: PresentmentStatus;
  readonly railSequence?: number;
  readonly reference?: string;
  readonly fileId?: string;
  readonly originalSettlementDate?: string;
  readonly settlementDate?: string;
  readonly returnCode?: string;
  readonly action?: ResultAction;
  readonly repaymentTxId?: string;
  readonly reversalTxId?: string;
}

export interface StoredAccount extends DebitAccount {
  readonly tenantId: string;
  readonly loanId: string;
  readonly rail: CollectionRail;
  readonly status: AccountStatus;
  readonly statusReason?: string;
}

interface PresentmentRow {
  id: string; tenant_id: string; loan_id: string; installment_number: number; rail: CollectionRail; attempt: number; original_id: string | null; amount_minor: string; currency: string; scale: number;
  effective_date: string; original_settlement_date: string | null; status: PresentmentStatus; file_id: string | null; rail_sequence: number | null; reference: string | null; settlement_date: string | null;
  return_code: string | null; action: ResultAction | null; repayment_tx_id: string | null; reversal_tx_id: string | null;
}

const COLUMNS = `id, tenant_id, loan_id, installment_number, rail, attempt, original_id, amount_minor::text, currency, scale, effective_date::text, original_settlement_date::text, status, file_id,
  rail_sequence, reference, settlement_date::text, return_code, action, repayment_tx_id, reversal_tx_id`;

const toPresentment = (r: PresentmentRow): StoredPresentment => ({
  presentmentId: r.id, tenantId: r.tenant_id, loanId: r.loan_id, installmentNumber: r.installment_number, rail: r.rail, attempt: r.attempt, amount: { amountMinor: BigInt(r.amount_minor), currency: r.currency.trim(), scale: r.scale },
  effectiveDate: r.effective_date, status: r.status,
  ...(r.original_id ? { originalPresentmentId: r.original_id } : {}), ...(r.original_settlement_date ? { originalSettlementDate: r.original_settlement_date } : {}), ...(r.file_id ? { fileId: r.file_id } : {}),
  ...(r.rail_sequence !== null ? { railSequence: r.rail_sequence } : {}), ...(r.reference ? { reference: r.reference } : {}), ...(r.settlement_date ? { settlementDate: r.settlement_date } : {}),
  ...(r.return_code ? { returnCode: r.return_code } : {}), ...(r.action ? { action: r.action } : {}), ...(r.repayment_tx_id ? { repaymentTxId: r.repayment_tx_id } : {}), ...(r.reversal_tx_id ? { reversalTxId: r.reversal_tx_id } : {}),
});

export async function upsertAccount(db: Db, a: Omit<StoredAccount, 'status' | 'statusReason'>): Promise<void> {
  await db.query(
    `INSERT INTO autodebit_accounts (tenant_id, loan_id, rail, account_token, bank_code, account_type, holder_name, account_number_masked, authorisation_id, sec_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, loan_id) DO UPDATE SET rail = EXCLUDED.rail, account_token = EXCLUDED.account_token, bank_code = EXCLUDED.bank_code, account_type = EXCLUDED.account_type,
       holder_name = EXCLUDED.holder_name, account_number_masked = EXCLUDED.account_number_masked, authorisation_id = EXCLUDED.authorisation_id, sec_code = EXCLUDED.sec_code,
       account_number_override = NULL, status = 'active', status_reason = NULL, updated_at = now()`,
    [a.tenantId, a.loanId, a.rail, a.accountToken, a.bankCode, a.accountType, a.holderName, a.accountNumberMasked ?? null, a.authorisationId, a.achSecCode ?? null],
  );
}

interface AccountRow {
  tenant_id: string; loan_id: string; rail: CollectionRail; account_token: string; bank_code: string; account_type: 'checking' | 'savings'; holder_name: string; account_number_masked: string | null;
  account_number_override: string | null; authorisation_id: string; sec_code: 'PPD' | 'WEB' | null; status: AccountStatus; status_reason: string | null;
}
const toAccount = (r: AccountRow): StoredAccount => ({
  tenantId: r.tenant_id, loanId: r.loan_id, rail: r.rail, accountToken: r.account_token, bankCode: r.bank_code, accountType: r.account_type, holderName: r.holder_name, authorisationId: r.authorisation_id, status: r.status,
  ...(r.account_number_masked ? { accountNumberMasked: r.account_number_masked } : {}), ...(r.account_number_override ? { correctedAccountNumber: r.account_number_override } : {}),
  ...(r.sec_code ? { achSecCode: r.sec_code } : {}), ...(r.status_reason ? { statusReason: r.status_reason } : {}),
});

export async function accountOf(db: Db, tenantId: string, loanId: string, lock = false): Promise<StoredAccount | undefined> {
  const r = await db.query<AccountRow>(`SELECT * FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2${lock ? ' FOR UPDATE' : ''}`, [tenantId, loanId]);
  return r.rows[0] ? toAccount(r.rows[0]) : undefined;
}

export async function accountsOf(db: Db, keys: readonly { tenantId: string; loanId: string }[]): Promise<Map<string, StoredAccount>> {
  if (keys.length === 0) return new Map();
  const r = await db.query<AccountRow>(`SELECT a.* FROM autodebit_accounts a JOIN unnest($1::text[], $2::text[]) AS k(t, l) ON a.tenant_id = k.t AND a.loan_id = k.l`, [keys.map((k) => k.tenantId), keys.map((k) => k.loanId)]);
  return new Map(r.rows.map((row) => [`${row.tenant_id}:${row.loan_id}`, toAccount(row)]));
}

export async function setAccountStatus(db: Db, tenantId: string, loanId: string, status: AccountStatus, reason: string): Promise<void> {
  await db.query(`UPDATE autodebit_accounts SET status = $3, status_reason = $4, updated_at = now() WHERE tenant_id = $1 AND loan_id = $2`, [tenantId, loanId, status, reason]);
}

/** Applies a NOC's correction and appends it to the account's change log (code, reference, fields named). */
export async function correctAccount(db: Db, tenantId: string, loanId: string, code: string, reference: string, c: AccountCorrection): Promise<void> {
  await db.query(
    `UPDATE autodebit_accounts SET bank_code = coalesce($3, bank_code), account_type = coalesce($4, account_type), holder_name = coalesce($5, holder_name),
       account_number_override = coalesce($6, account_number_override), changes = changes || jsonb_build_array(jsonb_build_object('code', $7::text, 'reference', $8::text, 'fields', $9::jsonb)), updated_at = now()
     WHERE tenant_id = $1 AND loan_id = $2`,
    [tenantId, loanId, c.bankCode ?? null, c.accountType ?? null, c.holderName ?? null, c.accountNumber ?? null, code, reference, JSON.stringify(Object.keys(c))],
  );
}

export interface NewPresentment {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly installmentNumber: number;
  readonly rail: CollectionRail;
  readonly attempt: number;
  readonly originalId?: string;
  readonly originalSettlementDate?: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly scale: number;
  readonly effectiveDate: string;
}

/** Inserts the presentment unless its attempt exists; answers the stored one either way. */
export async function insertPresentment(db: Db, p: NewPresentment): Promise<StoredPresentment> {
  await db.query(
    `INSERT INTO autodebit_presentments (id, tenant_id, loan_id, installment_number, rail, attempt, original_id, original_settlement_date, amount_minor, currency, scale, effective_date, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'scheduled') ON CONFLICT DO NOTHING`,
    [p.id, p.tenantId, p.loanId, p.installmentNumber, p.rail, p.attempt, p.originalId ?? null, p.originalSettlementDate ?? null, p.amountMinor.toString(), p.currency, p.scale, p.effectiveDate],
  );
  const r = await db.query<PresentmentRow>(`SELECT ${COLUMNS} FROM autodebit_presentments WHERE tenant_id = $1 AND loan_id = $2 AND installment_number = $3 AND attempt = $4`, [p.tenantId, p.loanId, p.installmentNumber, p.attempt]);
  return toPresentment(r.rows[0]!);
}

export async function presentmentById(db: Db, id: string, lock = false): Promise<StoredPresentment | undefined> {
  const r = await db.query<PresentmentRow>(`SELECT ${COLUMNS} FROM autodebit_presentments WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? toPresentment(r.rows[0]) : undefined;
}

export async function presentmentByReference(db: Db, rail: CollectionRail, reference: string, lock = false): Promise<StoredPresentment | undefined> {
  const r = await db.query<PresentmentRow>(`SELECT ${COLUMNS} FROM autodebit_presentments WHERE rail = $1 AND reference = $2${lock ? ' FOR UPDATE' : ''}`, [rail, reference]);
  return r.rows[0] ? toPresentment(r.rows[0]) : undefined;
}

export async function presentmentsOfLoan(db: Db, tenantId: string, loanId: string): Promise<StoredPresentment[]> {
  const r = await db.query<PresentmentRow>(`SELECT ${COLUMNS} FROM autodebit_presentments WHERE tenant_id = $1 AND loan_id = $2 ORDER BY installment_number, attempt`, [tenantId, loanId]);
  return r.rows.map(toPresentment);
}

/** Locks up to `limit` scheduled presentments of the rail due by `upTo` plus `aheadDays` (others skip them). */
export async function lockScheduled(client: pg.PoolClient, rail: CollectionRail, upTo: string, limit: number, aheadDays = 0, tenantId?: string): Promise<StoredPresentment[]> {
  const r = await client.query<PresentmentRow>(
    `SELECT ${COLUMNS} FROM autodebit_presentments WHERE status = 'scheduled' AND rail = $1 AND effective_date <= $2::date + $4::int AND ($5::text IS NULL OR tenant_id = $5)
     ORDER BY effective_date, id LIMIT $3 FOR UPDATE SKIP LOCKED`, [rail, upTo, limit, aheadDays, tenantId ?? null]);
  return r.rows.map(toPresentment);
}

/** Tenants with presentments of the rail due by their own business date (plus the rail's days ahead), with that date. */
export async function tenantsWithDebitsDue(db: Db, rail: CollectionRail, aheadDays = 0, tenantPrefix: string | null = null): Promise<{ tenantId: string; businessDate: string }[]> {
  const r = await db.query<{ tenant_id: string; d: string }>(
    `SELECT DISTINCT p.tenant_id, to_char(b.business_date, 'YYYY-MM-DD') AS d FROM autodebit_presentments p JOIN business_dates b ON b.tenant_id = p.tenant_id
     WHERE p.status = 'scheduled' AND p.rail = $1 AND p.effective_date <= b.business_date + $2::int
       AND ($3::text IS NULL OR left(p.tenant_id, length($3)) = $3) ORDER BY 1`, [rail, aheadDays, tenantPrefix]);
  return r.rows.map((x) => ({ tenantId: x.tenant_id, businessDate: x.d }));
}

/** Files of the rail created on the UTC date of `at` (a new one takes the next sequence of that day). */
export async function filesOfDay(client: pg.PoolClient, rail: CollectionRail, at: Date): Promise<number> {
  return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM autodebit_files WHERE rail = $1 AND creation_date = ($2::timestamptz AT TIME ZONE 'UTC')::date`, [rail, at])).rows[0]!.n;
}

export async function presentmentsOfFile(db: Db, fileId: string): Promise<StoredPresentment[]> {
  const r = await db.query<PresentmentRow>(`SELECT ${COLUMNS} FROM autodebit_presentments WHERE file_id = $1 ORDER BY rail_sequence`, [fileId]);
  return r.rows.map(toPresentment);
}

export async function setStatus(db: Db, ids: readonly string[], status: PresentmentStatus, extra: { action?: ResultAction } = {}): Promise<void> {
  await db.query(`UPDATE autodebit_presentments SET status = $2, action = coalesce($3::jsonb, action), updated_at = now() WHERE id = ANY($1::text[])`, [ids, status, extra.action ? JSON.stringify(extra.action) : null]);
}

/** Our 7-digit trace sequences, from the sequence ACH payouts use too: one ODFI prefix, so no two entries share a trace number. */
export async function nextRailSequences(client: pg.PoolClient, n: number): Promise<number[]> {
  return (await client.query<{ s: string }>(`SELECT nextval('ach_trace_seq')::text AS s FROM generate_series(1, $1)`, [n])).rows.map((r) => Number(r.s));
}

export async function batchPresentment(client: pg.PoolClient, id: string, fileId: string, railSequence: number, reference: string): Promise<void> {
  await client.query(`UPDATE autodebit_presentments SET status = 'batched', file_id = $2, rail_sequence = $3, reference = $4, updated_at = now() WHERE id = $1`, [id, fileId, railSequence, reference]);
}

export interface StoredFile {
  readonly id: string;
  readonly rail: CollectionRail;
  readonly createdAt: Date;
  readonly sequenceOfDay: number;
  readonly status: 'built' | 'accepted' | 'rejected';
  readonly railBatchId?: string;
  readonly rejection?: unknown;
}

/** A new file row; sequence_of_day is the next of its creation date (the unique index settles a race: the caller retries). */
export async function insertFile(client: pg.PoolClient, f: { id: string; rail: CollectionRail; createdAt: Date; entryCount: number; totalMinor: bigint }): Promise<StoredFile> {
  const r = await client.query<{ sequence_of_day: number }>(
    `INSERT INTO autodebit_files (id, rail, created_at, creation_date, sequence_of_day, status, entry_count, total_minor)
     SELECT $1, $2, $3, ($3::timestamptz AT TIME ZONE 'UTC')::date, coalesce(max(sequence_of_day) + 1, 0), 'built', $4, $5 FROM autodebit_files WHERE rail = $2 AND creation_date = ($3::timestamptz AT TIME ZONE 'UTC')::date
     RETURNING sequence_of_day`, [f.id, f.rail, f.createdAt, f.entryCount, f.totalMinor.toString()]);
  return { id: f.id, rail: f.rail, createdAt: f.createdAt, sequenceOfDay: r.rows[0]!.sequence_of_day, status: 'built' };
}

export async function builtFiles(db: Db, rail: CollectionRail, limit: number): Promise<StoredFile[]> {
  const r = await db.query<{ id: string; rail: CollectionRail; created_at: Date; sequence_of_day: number; status: 'built' }>(`SELECT id, rail, created_at, sequence_of_day, status FROM autodebit_files WHERE status = 'built' AND rail = $1 ORDER BY created_at LIMIT $2`, [rail, limit]);
  return r.rows.map((x) => ({ id: x.id, rail: x.rail, createdAt: x.created_at, sequenceOfDay: x.sequence_of_day, status: x.status }));
}

export async function finishFile(db: Db, id: string, outcome: { status: 'accepted'; railBatchId: string; sha256: string } | { status: 'rejected'; rejection: unknown; sha256?: string }): Promise<void> {
  await db.query(`UPDATE autodebit_files SET status = $2, rail_batch_id = $3, rejection = $4, sha256 = $5, updated_at = now() WHERE id = $1 AND status = 'built'`,
    [id, outcome.status, outcome.status === 'accepted' ? outcome.railBatchId : null, outcome.status === 'rejected' ? JSON.stringify(outcome.rejection) : null, outcome.sha256 ?? null]);
}

/** Starts a results document; answers its status if it was already seen ('applying' means a pass died midway: resume it). */
export async function beginDocument(db: Db, d: { documentId: string; rail: CollectionRail; receivedOn: string; status: 'applying' | 'refused'; refusal?: unknown; resultCount: number }): Promise<'new' | 'applying' | 'applied' | 'refused'> {
  const inserted = await db.query(`INSERT INTO autodebit_result_documents (document_id, rail, received_on, status, refusal, result_count) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [d.documentId, d.rail, d.receivedOn, d.status, d.refusal ? JSON.stringify(d.refusal) : null, d.resultCount]);
  if (inserted.rowCount === 1) return 'new';
  return (await db.query<{ status: 'applying' | 'applied' | 'refused' }>(`SELECT status FROM autodebit_result_documents WHERE document_id = $1`, [d.documentId])).rows[0]!.status;
}

export async function finishDocument(db: Db, documentId: string): Promise<void> {
  await db.query(`UPDATE autodebit_result_documents SET status = 'applied', updated_at = now() WHERE document_id = $1 AND status = 'applying'`, [documentId]);
}

export type ResultOutcome = 'applied' | 'duplicate' | 'unknown-entry' | 'superseded';

/** Records one result line; false if the line was already recorded (a resumed pass). */
export async function recordResult(db: Db, r: { documentId: string; line: number; kind: string; reference: string; code?: string; record?: number; presentmentId?: string; outcome: ResultOutcome; detail?: string }): Promise<boolean> {
  const res = await db.query(`INSERT INTO autodebit_results (document_id, line, kind, reference, code, record, presentment_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [r.documentId, r.line, r.kind, r.reference, r.code ?? null, r.record ?? null, r.presentmentId ?? null, r.outcome, r.detail ?? null]);
  return res.rowCount === 1;
}

export async function resultLineRecorded(db: Db, documentId: string, line: number): Promise<boolean> {
  return ((await db.query(`SELECT 1 FROM autodebit_results WHERE document_id = $1 AND line = $2`, [documentId, line])).rowCount ?? 0) > 0;
}

export async function markSettled(db: Db, id: string, settlementDate: string, repaymentTxId: string | null, action: ResultAction): Promise<boolean> {
  const r = await db.query(`UPDATE autodebit_presentments SET status = 'settled', settlement_date = $2, repayment_tx_id = $3, action = $4, updated_at = now() WHERE id = $1 AND status IN ('batched', 'presented')`,
    [id, settlementDate, repaymentTxId, JSON.stringify(action)]);
  if ((r.rowCount ?? 0) === 1) await db.query(`UPDATE autodebit_presentments SET original_settlement_date = $2 WHERE id = $1 AND attempt = 1`, [id, settlementDate]);
  return (r.rowCount ?? 0) === 1;
}

export async function markReturned(db: Db, id: string, code: string, returnedOn: string, action: ResultAction, reversalTxId: string | null): Promise<boolean> {
  const r = await db.query(`UPDATE autodebit_presentments SET status = 'returned', return_code = $2, returned_on = $3, action = $4, reversal_tx_id = $5, updated_at = now() WHERE id = $1 AND status IN ('batched', 'presented', 'settled')`,
    [id, code, returnedOn, JSON.stringify(action), reversalTxId]);
  return (r.rowCount ?? 0) === 1;
}
