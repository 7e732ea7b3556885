import type pg from 'pg';
import type { Mandate, MandateCategory, MandateFrequency, MandateStatus } from '../domain/nach-mandate.js';

/** SQL of autodebit_mandates and autodebit_mandate_requests (prisma/migrations/20261205100000_autodebit_mandates). */
type Db = pg.Pool | pg.PoolClient;

export type MandateRail = 'in-nach' | 'upi-autopay';

export interface StoredMandate extends Mandate {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly rail: MandateRail;
  /** The processor's id of the mandate (LotusPay-style `MD…`, the PSP's `UM…`). */
  readonly processorId?: string;
  /** IFSC (NACH) or the payer's VPA (UPI). */
  readonly bankCode: string;
  readonly accountToken: string;
  readonly accountNumberMasked?: string;
  readonly holderName: string;
  readonly scale: number;
  readonly cancellation?: unknown;
  readonly createdAt: string;
}

interface Row {
  id: string; tenant_id: string; loan_id: string; rail: MandateRail; status: MandateStatus; status_reason: string | null; umrn: string | null; processor_id: string | null; bank_code: string; account_token: string;
  account_number_masked: string | null; holder_name: string; max_amount_minor: string; currency: string; scale: number; frequency: MandateFrequency; category: MandateCategory; valid_from: string; valid_until: string | null;
  cancellation: unknown; created_at: Date;
}
const COLUMNS = `id, tenant_id, loan_id, rail, status, status_reason, umrn, processor_id, bank_code, account_token, account_number_masked, holder_name, max_amount_minor::text, currency, scale, frequency, category,
  valid_from::text, valid_until::text, cancellation, created_at`;
const toMandate = (r: Row): StoredMandate => ({
  id: r.id, tenantId: r.tenant_id, loanId: r.loan_id, rail: r.rail, status: r.status, bankCode: r.bank_code, accountToken: r.account_token, holderName: r.holder_name,
  maxAmountMinor: BigInt(r.max_amount_minor), currency: r.currency.trim(), scale: r.scale, frequency: r.frequency, category: r.category, validFrom: r.valid_from, createdAt: r.created_at.toISOString(),
  ...(r.status_reason ? { statusReason: r.status_reason } : {}), ...(r.umrn ? { umrn: r.umrn } : {}), ...(r.processor_id ? { processorId: r.processor_id } : {}),
  ...(r.account_number_masked ? { accountNumberMasked: r.account_number_masked } : {}), ...(r.valid_until ? { validUntil: r.valid_until } : {}), ...(r.cancellation ? { cancellation: r.cancellation } : {}),
});

export async function insertMandate(db: Db, m: Omit<StoredMandate, 'createdAt' | 'status'> & { createdBy: string }): Promise<void> {
  await db.query(
    `INSERT INTO autodebit_mandates (id, tenant_id, loan_id, rail, status, bank_code, account_token, account_number_masked, holder_name, max_amount_minor, currency, scale, frequency, category, valid_from, valid_until, created_by)
     VALUES ($1, $2, $3, $4, 'registering', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
    [m.id, m.tenantId, m.loanId, m.rail, m.bankCode, m.accountToken, m.accountNumberMasked ?? null, m.holderName, m.maxAmountMinor.toString(), m.currency, m.scale, m.frequency, m.category, m.validFrom, m.validUntil ?? null, m.createdBy],
  );
}

/** Stores what the processor answered or the lifecycle decided: status, reason, UMRN, terms, cancellation. */
export async function updateMandate(db: Db, id: string, m: Pick<StoredMandate, 'status'> & Partial<Pick<StoredMandate, 'statusReason' | 'umrn' | 'processorId' | 'maxAmountMinor' | 'validUntil' | 'cancellation'>>): Promise<void> {
  await db.query(
    `UPDATE autodebit_mandates SET status = $2, status_reason = coalesce($3, status_reason), umrn = coalesce($4, umrn), processor_id = coalesce($5, processor_id),
       max_amount_minor = coalesce($6::bigint, max_amount_minor), valid_until = coalesce($7::date, valid_until), cancellation = coalesce($8::jsonb, cancellation), updated_at = now() WHERE id = $1`,
    [id, m.status, m.statusReason ?? null, m.umrn ?? null, m.processorId ?? null, m.maxAmountMinor?.toString() ?? null, m.validUntil ?? null, m.cancellation ? JSON.stringify(m.cancellation) : null],
  );
}

export async function mandateById(db: Db, tenantId: string, loanId: string, id: string, lock = false): Promise<StoredMandate | undefined> {
  const r = await db.query<Row>(`SELECT ${COLUMNS} FROM autodebit_mandates WHERE tenant_id = $1 AND loan_id = $2 AND id = $3${lock ? ' FOR UPDATE' : ''}`, [tenantId, loanId, id]);
  return r.rows[0] ? toMandate(r.rows[0]) : undefined;
}

/** The mandate a debit names by its UMRN (NACH) or UMN (UPI): what an adapter checks a presentment against. */
export async function mandateByUmrn(db: Db, rail: MandateRail, umrn: string): Promise<StoredMandate | undefined> {
  const r = await db.query<Row>(`SELECT ${COLUMNS} FROM autodebit_mandates WHERE rail = $1 AND umrn = $2`, [rail, umrn]);
  return r.rows[0] ? toMandate(r.rows[0]) : undefined;
}

export async function mandatesOfLoan(db: Db, tenantId: string, loanId: string): Promise<StoredMandate[]> {
  const r = await db.query<Row>(`SELECT ${COLUMNS} FROM autodebit_mandates WHERE tenant_id = $1 AND loan_id = $2 ORDER BY created_at, id`, [tenantId, loanId]);
  return r.rows.map(toMandate);
}

export interface StoredRequest {
  readonly requestHash: string;
  readonly mandateId?: string;
  /** 0 while the request is in flight (a process died midway: the retry resumes it). */
  readonly responseStatus: number;
  readonly response: unknown;
}

/** Claims an Idempotency-Key for a request; answers the stored one when the key was seen. */
export async function claimRequest(db: Db, tenantId: string, key: string, requestHash: string, mandateId: string): Promise<StoredRequest | undefined> {
  const inserted = await db.query(`INSERT INTO autodebit_mandate_requests (tenant_id, idempotency_key, request_hash, mandate_id, response_status, response) VALUES ($1, $2, $3, $4, 0, '{}') ON CONFLICT DO NOTHING`,
    [tenantId, key, requestHash, mandateId]);
  if (inserted.rowCount === 1) return undefined;
  const r = await db.query<{ request_hash: string; mandate_id: string | null; response_status: number; response: unknown }>(
    `SELECT request_hash, mandate_id, response_status, response FROM autodebit_mandate_requests WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key]);
  const row = r.rows[0]!;
  return { requestHash: row.request_hash, responseStatus: row.response_status, response: row.response, ...(row.mandate_id ? { mandateId: row.mandate_id } : {}) };
}

export async function finishRequest(db: Db, tenantId: string, key: string, status: number, response: unknown): Promise<void> {
  await db.query(`UPDATE autodebit_mandate_requests SET response_status = $3, response = $4 WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key, status, JSON.stringify(response)]);
}

/** A refused request leaves nothing behind: the same key may be used again with a corrected body. */
export async function releaseRequest(db: Db, tenantId: string, key: string): Promise<void> {
  await db.query(`DELETE FROM autodebit_mandate_requests WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key]);
}
