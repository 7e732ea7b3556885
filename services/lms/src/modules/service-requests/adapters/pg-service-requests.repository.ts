import type pg from 'pg';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { checkTransition, type ServiceRequestStatus, type ServiceRequestType } from '../domain/service-request.js';

export interface ServiceRequestView {
  readonly id: string; readonly loanId: string; readonly type: ServiceRequestType; readonly status: ServiceRequestStatus; readonly summary: string;
  readonly createdBy: string; readonly createdAt: string; readonly updatedBy: string; readonly updatedAt: string; readonly seq: string;
}
export interface ServiceRequestEvent { readonly no: number; readonly from: ServiceRequestStatus | null; readonly to: ServiceRequestStatus; readonly note: string | null; readonly actor: string; readonly at: string }

export interface Actor { readonly tenantId: string; readonly subject: string; readonly requestId: string; readonly now: Date; readonly newId: () => string }

export type Outcome<T> =
  | { readonly ok: true; readonly value: T; readonly replayed: boolean }
  | { readonly ok: false; readonly status: 404 | 409 | 422; readonly code: string; readonly pointer: string; readonly detail: string };

// An ORDER BY names service_requests.seq: a bare `seq` is the text alias below, which sorts '10' before '9'.
const COLUMNS = `id::text AS id, loan_id, type, status, summary, created_by, created_at, updated_by, updated_at, seq::text AS seq`;
type Row = { id: string; loan_id: string; type: ServiceRequestType; status: ServiceRequestStatus; summary: string; created_by: string; created_at: Date; updated_by: string; updated_at: Date; seq: string };
const view = (r: Row): ServiceRequestView => ({ id: r.id, loanId: r.loan_id, type: r.type, status: r.status, summary: r.summary, createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(), seq: r.seq });

async function inTx<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query(out.ok && !out.replayed ? 'COMMIT' : 'ROLLBACK');
    return out;
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    c.release();
  }
}

/** Opens a request on a loan of the tenant (404 otherwise); a replayed Idempotency-Key returns the first, another body is 422. Audited. */
export function openServiceRequest(pool: pg.Pool, a: Actor, input: { loanId: string; type: ServiceRequestType; summary: string; note?: string; idempotencyKey?: string; requestHash: string }): Promise<Outcome<ServiceRequestView>> {
  return inTx(pool, async (c) => {
    if (input.idempotencyKey) {
      const prior = (await c.query<Row & { request_hash: string }>(`SELECT ${COLUMNS}, request_hash FROM service_requests WHERE tenant_id = $1 AND idempotency_key = $2`, [a.tenantId, input.idempotencyKey])).rows[0];
      if (prior) return prior.request_hash === input.requestHash ? { ok: true, value: view(prior), replayed: true } : { ok: false, status: 422, code: 'idempotency-key-reused', pointer: '/header/idempotency-key', detail: 'this Idempotency-Key was used with another request' };
    }
    const loan = await c.query('SELECT 1 FROM loan_accounts WHERE id = $1 AND tenant_id = $2 FOR SHARE', [input.loanId, a.tenantId]);
    if (loan.rowCount === 0) return { ok: false, status: 404, code: 'not-found', pointer: '/params/id', detail: 'no such loan' };
    const id = a.newId();
    const row = (await c.query<Row>(
      `INSERT INTO service_requests (id, tenant_id, loan_id, type, status, summary, idempotency_key, request_hash, created_by, created_at, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $8, $9) RETURNING ${COLUMNS}`,
      [id, a.tenantId, input.loanId, input.type, input.summary, input.idempotencyKey ?? null, input.requestHash, a.subject, a.now])).rows[0]!;
    await c.query(`INSERT INTO service_request_events (request_id, no, from_status, to_status, note, actor, at) VALUES ($1, 1, NULL, 'open', $2, $3, $4)`, [id, input.note ?? null, a.subject, a.now]);
    const value = view(row);
    await appendAudit(c, { tenantId: a.tenantId, id: a.newId(), at: a.now, actor: a.subject, action: 'service-request.opened', subject: `service-request/${id}`, requestId: a.requestId, before: null, after: { loanId: value.loanId, type: value.type, status: value.status, summary: value.summary, note: input.note ?? null } });
    return { ok: true, value, replayed: false };
  });
}

/** Moves a request to `to` if the transition is allowed (409 otherwise), recording the note; audited with before and after. */
export function transitionServiceRequest(pool: pg.Pool, a: Actor, input: { id: string; to: ServiceRequestStatus; note?: string; idempotencyKey?: string; requestHash: string }): Promise<Outcome<ServiceRequestView>> {
  return inTx(pool, async (c) => {
    const current = (await c.query<Row>(`SELECT ${COLUMNS} FROM service_requests WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [input.id, a.tenantId])).rows[0];
    if (!current) return { ok: false, status: 404, code: 'not-found', pointer: '/params/id', detail: 'no such service request' };
    if (input.idempotencyKey) {
      const prior = (await c.query<{ request_hash: string }>('SELECT request_hash FROM service_request_events WHERE request_id = $1 AND idempotency_key = $2', [input.id, input.idempotencyKey])).rows[0];
      if (prior) return prior.request_hash === input.requestHash ? { ok: true, value: view(current), replayed: true } : { ok: false, status: 422, code: 'idempotency-key-reused', pointer: '/header/idempotency-key', detail: 'this Idempotency-Key was used with another request' };
    }
    const allowed = checkTransition(current.status, input.to);
    if (!allowed.ok) return { ok: false, status: 409, code: 'transition-not-allowed', pointer: '/to', detail: allowed.detail };
    const row = (await c.query<Row>(`UPDATE service_requests SET status = $2, updated_by = $3, updated_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`, [input.id, input.to, a.subject, a.now])).rows[0]!;
    await c.query(
      `INSERT INTO service_request_events (request_id, no, from_status, to_status, note, actor, at, idempotency_key, request_hash)
       SELECT $1, coalesce(max(no), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM service_request_events WHERE request_id = $1`,
      [input.id, current.status, input.to, input.note ?? null, a.subject, a.now, input.idempotencyKey ?? null, input.requestHash]);
    await appendAudit(c, { tenantId: a.tenantId, id: a.newId(), at: a.now, actor: a.subject, action: 'service-request.transitioned', subject: `service-request/${input.id}`, requestId: a.requestId, before: { status: current.status }, after: { status: input.to, note: input.note ?? null } });
    return { ok: true, value: view(row), replayed: false };
  });
}

/** Resolves the loan's open (or in-progress) requests of `type` opened under `idempotencyKey`, with the note; each audited. */
export async function resolveRequestsByKey(pool: pg.Pool, a: Actor, input: { loanId: string; type: ServiceRequestType; idempotencyKey: string; note: string; requestHash: string }): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id::text AS id FROM service_requests WHERE tenant_id = $1 AND loan_id = $2 AND type = $3 AND status IN ('open', 'in-progress') AND idempotency_key = $4`,
    [a.tenantId, input.loanId, input.type, input.idempotencyKey],
  );
  for (const { id } of rows) await transitionServiceRequest(pool, a, { id, to: 'resolved', note: input.note, requestHash: input.requestHash });
}

export async function serviceRequestWithHistory(pool: pg.Pool, tenantId: string, id: string): Promise<(ServiceRequestView & { history: ServiceRequestEvent[] }) | undefined> {
  const row = (await pool.query<Row>(`SELECT ${COLUMNS} FROM service_requests WHERE id = $1 AND tenant_id = $2`, [id, tenantId])).rows[0];
  if (!row) return undefined;
  const events = await pool.query<{ no: number; from_status: ServiceRequestStatus | null; to_status: ServiceRequestStatus; note: string | null; actor: string; at: Date }>(
    'SELECT no, from_status, to_status, note, actor, at FROM service_request_events WHERE request_id = $1 ORDER BY no LIMIT 1000', [id]);
  return { ...view(row), history: events.rows.map((e) => ({ no: e.no, from: e.from_status, to: e.to_status, note: e.note, actor: e.actor, at: e.at.toISOString() })) };
}

/** Newest first by seq (keyset), tenant scoped, optionally one loan's, one status, one type; `limit + 1` rows. */
export async function pageServiceRequests(pool: pg.Pool, tenantId: string, q: { limit: number; beforeSeq?: bigint; loanId?: string; status?: ServiceRequestStatus; type?: ServiceRequestType }): Promise<ServiceRequestView[]> {
  const { rows } = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM service_requests WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR loan_id = $3)
       AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR type = $5) ORDER BY service_requests.seq DESC LIMIT $6`,
    [tenantId, q.beforeSeq?.toString() ?? null, q.loanId ?? null, q.status ?? null, q.type ?? null, q.limit + 1]);
  return rows.map(view);
}
