import type pg from 'pg';
import { inTransaction } from '@lendstack/platform';
import type { Application, ApplicationStatus, BookingFailure, Borrower, CheckState, DeviceSignal, Employment, LoanTerms } from '../domain/application.js';
import { IdempotencyConflict, type ApplicationStore, type ApplicationUnitOfWork, type IdempotencyRecord } from '../ports.js';

/** The columns an Application is read from, in the order `fromRow` expects them by name. */
export const APPLICATION_COLUMNS = `id, tenant_id, status, applicant, loan_request, submitted_by, decided_by, decided_at, decision_reason, loan_id, booking_failure,
  date_of_birth_masked, employment, device, top_up_of_loan_id, checks_run, version, created_at`;

export interface ApplicationRow {
  id: string;
  tenant_id: string;
  status: string;
  applicant: unknown;
  loan_request: unknown;
  submitted_by: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  loan_id: string | null;
  booking_failure: unknown;
  date_of_birth_masked: string | null;
  employment: unknown;
  device: unknown;
  top_up_of_loan_id: string | null;
  checks_run: number;
  version: number;
  created_at: Date;
}

export function fromRow(row: ApplicationRow): Application {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status as ApplicationStatus,
    applicant: row.applicant as Borrower,
    loanRequest: row.loan_request as LoanTerms,
    submittedBy: row.submitted_by,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    loanId: row.loan_id,
    bookingFailure: (row.booking_failure as BookingFailure | null) ?? null,
    dateOfBirthMasked: row.date_of_birth_masked ?? null,
    employment: (row.employment as Employment | null) ?? null,
    device: (row.device as DeviceSignal | null) ?? null,
    topUpOf: row.top_up_of_loan_id ?? null,
    checksRun: row.checks_run,
    version: row.version,
    createdAt: row.created_at,
  };
}

/** jsonb parameters go as text: node-postgres would send a JS array as a Postgres array. */
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * The unit of work on one node-postgres transaction, one statement per call. The approval path is the
 * LOS's hot path: on this driver each statement is one round trip with no query-engine layer between
 * (a Prisma interactive transaction spent more CPU in Prisma's runtime than in fastify, zod and pg
 * together; BENCHMARKS.md, approval pipeline).
 */
function unitOfWork(client: pg.PoolClient): ApplicationUnitOfWork {
  return {
    async lockForUpdate(tenantId, id) {
      const { rows } = await client.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [id, tenantId]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
    async insert(app) {
      await client.query(
        `INSERT INTO applications (id, tenant_id, status, applicant, loan_request, submitted_by, version, created_at, updated_at, date_of_birth_masked, employment, device, top_up_of_loan_id, checks_run)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, now(), $9, $10::jsonb, $11::jsonb, $12, $13)`,
        [app.id, app.tenantId, app.status, json(app.applicant), json(app.loanRequest), app.submittedBy, app.version, app.createdAt, app.dateOfBirthMasked, json(app.employment), json(app.device), app.topUpOf, app.checksRun],
      );
    },
    async update(app) {
      // Optimistic check on top of the row lock: a lost update is a bug, so fail loudly.
      const { rowCount } = await client.query(
        `UPDATE applications SET status = $3, decided_by = $4, decided_at = $5, decision_reason = $6, loan_id = $7, checks_run = $8, version = $9, updated_at = now()
         WHERE id = $1 AND version = $2`,
        [app.id, app.version - 1, app.status, app.decidedBy, app.decidedAt, app.decisionReason, app.loanId, app.checksRun, app.version],
      );
      if (rowCount !== 1) throw new Error(`application ${app.id} changed concurrently`);
    },
    async enqueue(message) {
      // Stamped when enqueued, on the clock the audit entries use: the column's default (the transaction's
      // start) would date the event before the decision that emitted it, out of order on the timeline.
      await client.query('INSERT INTO outbox (id, topic, key, value, headers, created_at) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)', [
        message.id, message.topic, message.key, json(message.value), json(message.headers), new Date(),
      ]);
    },
    async audit(entry) {
      await client.query('INSERT INTO decision_audit (tenant_id, application_id, checks_run, action, actor, detail, at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)', [
        entry.tenantId, entry.applicationId, entry.checksRun, entry.action, entry.actor, json(entry.detail), entry.at,
      ]);
    },
    async saveNotice(n) {
      await client.query(
        'INSERT INTO adverse_action_notices (application_id, checks_run, tenant_id, pdf, pdf_sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT DO NOTHING',
        [n.applicationId, n.checksRun, n.tenantId, n.pdf, n.sha256, json(n.content), n.at],
      );
    },
    async checksOf(applicationId) {
      const { rows } = await client.query<CheckState>('SELECT kind, status, result FROM application_checks WHERE application_id = $1 ORDER BY kind', [applicationId]);
      return rows;
    },
    async savePii(record) {
      await client.query('INSERT INTO application_pii (application_id, tenant_id, national_id, date_of_birth, bank_account) VALUES ($1, $2, $3, $4, $5)', [
        record.applicationId, record.tenantId, record.nationalId, record.dateOfBirth, record.bankAccount,
      ]);
    },
    async requestChecks(applicationId, run) {
      await client.query('UPDATE applications SET checks_pending_run = $2, updated_at = now() WHERE id = $1', [applicationId, run]);
    },
    async findIdempotency(tenantId, key) {
      const { rows } = await client.query<{ tenant_id: string; key: string; method: string; path: string; request_hash: string; response_status: number; response_body: unknown }>(
        'SELECT tenant_id, key, method, path, request_hash, response_status, response_body FROM idempotency_records WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
      const r = rows[0];
      return r ? { tenantId: r.tenant_id, key: r.key, method: r.method, path: r.path, requestHash: r.request_hash, responseStatus: r.response_status, responseBody: r.response_body } satisfies IdempotencyRecord : undefined;
    },
    async saveIdempotency(record) {
      try {
        await client.query('INSERT INTO idempotency_records (tenant_id, key, method, path, request_hash, response_status, response_body) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)', [
          record.tenantId, record.key, record.method, record.path, record.requestHash, record.responseStatus, json(record.responseBody),
        ]);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new IdempotencyConflict(record.key);
        throw error;
      }
    },
  };
}

/** An application's checks as a decision sees them (kind, status, result; ordered by kind), as one jsonb value. */
const CHECKS_OF = (applicationId: string) => `(SELECT coalesce(jsonb_agg(jsonb_build_object('kind', c.kind, 'status', c.status, 'result', c.result) ORDER BY c.kind), '[]'::jsonb)
  FROM application_checks c WHERE c.application_id = ${applicationId})`;

/**
 * A decision in ONE statement (so one implicit transaction and one round trip): the application moves only
 * if it is still at the version it was decided on (and, for an approval, its checks are still the ones it
 * rested on); the audit entries, a decline's notice and an approval's outbox row are written from that
 * update's RETURNING, so either all of it commits or none. This takes the place of a lock-read-write
 * interactive transaction on the approval path (seven round trips, a connection held idle in transaction
 * between each): a concurrent decision on the same application makes the version check fail (Postgres
 * re-checks the WHERE on the row it waited for) and the caller decides again from a fresh read.
 */
const COMMIT_DECISION = `WITH decided AS (
  UPDATE applications SET status = $3, decided_by = $4, decided_at = $5, decision_reason = $6, loan_id = $7, checks_run = $8, version = $9, updated_at = now()
  WHERE id = $1 AND tenant_id = $10 AND version = $2 AND ($11::jsonb IS NULL OR ${CHECKS_OF('$1')} = $11::jsonb)
  RETURNING id
), audited AS (
  INSERT INTO decision_audit (tenant_id, application_id, checks_run, action, actor, detail, at)
  SELECT e.tenant_id, e.application_id, e.checks_run, e.action, e.actor, e.detail, e.at
  FROM decided, unnest($12::text[], $13::uuid[], $14::int[], $15::text[], $16::text[], $17::jsonb[], $18::timestamptz[]) WITH ORDINALITY AS e(tenant_id, application_id, checks_run, action, actor, detail, at, ord)
  ORDER BY e.ord
), noticed AS (
  INSERT INTO adverse_action_notices (application_id, checks_run, tenant_id, pdf, pdf_sha256, content, created_at)
  SELECT $19::uuid, $20::int, $21::text, $22::bytea, $23::text, $24::jsonb, $25::timestamptz FROM decided WHERE $19::uuid IS NOT NULL
  ON CONFLICT DO NOTHING
), queued AS (
  INSERT INTO outbox (id, topic, key, value, headers, created_at)
  SELECT $26::uuid, $27::text, $28::text, $29::jsonb, $30::jsonb, $31::timestamptz FROM decided WHERE $26::uuid IS NOT NULL
)
SELECT count(*)::int AS moved FROM decided`;

export function createPgApplicationStore(pool: pg.Pool): ApplicationStore {
  return {
    transaction: (work) => inTransaction(pool, (client) => work(unitOfWork(client))),
    async readForDecision(tenantId, id) {
      const { rows } = await pool.query<ApplicationRow & { checks: CheckState[] }>(
        `SELECT ${APPLICATION_COLUMNS}, ${CHECKS_OF('a.id')} AS checks FROM applications a WHERE a.id = $1 AND a.tenant_id = $2`, [id, tenantId]);
      const row = rows[0];
      return row ? { application: fromRow(row), checks: row.checks } : undefined;
    },
    async commitDecision({ application: app, expectedVersion, checks, audit, notice, message }) {
      const { rows } = await pool.query<{ moved: number }>(COMMIT_DECISION, [
        app.id, expectedVersion, app.status, app.decidedBy, app.decidedAt, app.decisionReason, app.loanId, app.checksRun, app.version, app.tenantId,
        checks ? JSON.stringify(checks.map((c) => ({ kind: c.kind, status: c.status, result: c.result }))) : null,
        audit.map((e) => e.tenantId), audit.map((e) => e.applicationId), audit.map((e) => e.checksRun), audit.map((e) => e.action), audit.map((e) => e.actor), audit.map((e) => JSON.stringify(e.detail)), audit.map((e) => e.at),
        notice?.applicationId ?? null, notice?.checksRun ?? null, notice?.tenantId ?? null, notice?.pdf ?? null, notice?.sha256 ?? null, notice ? json(notice.content) : null, notice?.at ?? null,
        // Stamped when enqueued, on the clock the audit entries use (see unitOfWork.enqueue).
        message?.id ?? null, message?.topic ?? null, message?.key ?? null, message ? json(message.value) : null, message ? json(message.headers) : null, message ? new Date() : null,
      ]);
      return rows[0]!.moved === 1;
    },
    async list(tenantId, query) {
      const params: unknown[] = [tenantId, query.limit + 1];
      const where = ['tenant_id = $1'];
      if (query.status) where.push(`status = $${params.push(query.status)}`);
      if (query.after) where.push(`(created_at, id) < ($${params.push(query.after.createdAt)}, $${params.push(query.after.id)}::uuid)`);
      const { rows } = await pool.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $2`, params);
      return rows.map(fromRow);
    },
    async find(tenantId, id) {
      const { rows } = await pool.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = $1 AND tenant_id = $2`, [id, tenantId]);
      return rows[0] ? fromRow(rows[0]) : undefined;
    },
  };
}
