import type pg from 'pg';
import { applyUnderwriting, type ApplicationStatus } from '../../applications/domain/application.js';
import type { CreditorProfile } from '../domain/adverse-action-notice.js';
import type { Review, ReviewedApplication } from '../domain/review.js';
import { createPgReviewSettings } from './pg-review-settings.repository.js';
import { inTransaction } from '@lendstack/platform';
import type { Claimed, DecisionAuditEntry, IdempotencyClaim, NoticeDraft, ReviewStore, ReviewTransaction, StoredNotice } from '../ports.js';

interface ReviewRow {
  application_id: string; checks_run: number; tenant_id: string; kind: Review['kind']; product_code: string; principal_minor: string; currency: string; scale: number; reasons: string[];
  opened_at: Date; recommended_by: string | null; recommendation: Review['recommendation']; recommendation_comment: string | null; recommended_at: Date | null;
  decided_by: string | null; decided_role: string | null; decision: Review['decision']; decision_comment: string | null; override_reason: string | null; decided_at: Date | null;
}

const toReview = (r: ReviewRow): Review => ({
  applicationId: r.application_id, checksRun: r.checks_run, tenantId: r.tenant_id, kind: r.kind, productCode: r.product_code, principalMinor: BigInt(r.principal_minor), currency: r.currency, scale: r.scale,
  reasons: r.reasons, openedAt: r.opened_at, recommendedBy: r.recommended_by, recommendation: r.recommendation, recommendationComment: r.recommendation_comment, recommendedAt: r.recommended_at,
  decidedBy: r.decided_by, decidedRole: r.decided_role, decision: r.decision, decisionComment: r.decision_comment, overrideReason: r.override_reason, decidedAt: r.decided_at,
});

export { inTransaction };

/**
 * Appends to decision_audit inside the caller's transaction (other modules' steps too: offers, acceptance,
 * agreement, mandate, approval). The entry joins its tenant's hash chain when that transaction COMMITs
 * (a deferred trigger takes the chain head's row lock then, after every lock the caller took, so callers
 * may audit at any point of their transaction without deadlocking each other; modules/audit/domain/chain.ts).
 * Its seq and hash exist only once committed.
 */
export const audit = (c: pg.PoolClient, e: DecisionAuditEntry) =>
  c.query('INSERT INTO decision_audit (tenant_id, application_id, checks_run, action, actor, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [e.tenantId, e.applicationId, e.checksRun, e.action, e.actor, JSON.stringify(e.detail), e.at]);

const saveNotice = (c: pg.PoolClient, tenantId: string, applicationId: string, checksRun: number, n: NoticeDraft, at: Date) =>
  c.query('INSERT INTO adverse_action_notices (application_id, checks_run, tenant_id, pdf, pdf_sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING', [applicationId, checksRun, tenantId, n.pdf, n.sha256, JSON.stringify(n.content), at]);

async function saveReview(c: pg.PoolClient, r: Review): Promise<void> {
  await c.query(
    `INSERT INTO application_reviews (application_id, checks_run, tenant_id, kind, product_code, principal_minor, currency, reasons, opened_at, recommended_by, recommendation, recommendation_comment, recommended_at, decided_by, decided_role, decision, decision_comment, override_reason, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (application_id, checks_run) DO UPDATE SET recommended_by = EXCLUDED.recommended_by, recommendation = EXCLUDED.recommendation, recommendation_comment = EXCLUDED.recommendation_comment,
       recommended_at = EXCLUDED.recommended_at, decided_by = EXCLUDED.decided_by, decided_role = EXCLUDED.decided_role, decision = EXCLUDED.decision, decision_comment = EXCLUDED.decision_comment,
       override_reason = EXCLUDED.override_reason, decided_at = EXCLUDED.decided_at`,
    [r.applicationId, r.checksRun, r.tenantId, r.kind, r.productCode, r.principalMinor.toString(), r.currency, JSON.stringify(r.reasons), r.openedAt, r.recommendedBy, r.recommendation, r.recommendationComment, r.recommendedAt,
      r.decidedBy, r.decidedRole, r.decision, r.decisionComment, r.overrideReason, r.decidedAt],
  );
}

async function approvalLimit(q: pg.Pool | pg.PoolClient, tenantId: string, roles: readonly string[], currency: string): Promise<bigint | null> {
  const { rows } = await q.query<{ max: string | null }>('SELECT MAX(max_principal_minor)::text AS max FROM approval_limits WHERE tenant_id = $1 AND currency = $2 AND role = ANY($3)', [tenantId, currency, roles]);
  return rows[0]?.max == null ? null : BigInt(rows[0].max);
}

interface AppRow { id: string; tenant_id: string; status: ApplicationStatus; submitted_by: string; decided_by: string | null; decided_at: Date | null; decision_reason: string | null; checks_run: number; version: number; loan_request: { productCode: string; principal: { amount: string; currency: string; scale: number } } }

const lockApp = async (c: pg.PoolClient, tenantId: string, id: string) =>
  (await c.query<AppRow>('SELECT id, tenant_id, status, submitted_by, decided_by, decided_at, decision_reason, checks_run, version, loan_request FROM applications WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id])).rows[0];

const reviewed = (r: AppRow): ReviewedApplication => ({
  id: r.id, tenantId: r.tenant_id, status: r.status, submittedBy: r.submitted_by, decidedBy: r.decided_by, decisionReason: r.decision_reason, checksRun: r.checks_run,
  productCode: r.loan_request.productCode, principalMinor: BigInt(r.loan_request.principal.amount), currency: r.loan_request.principal.currency, scale: r.loan_request.principal.scale,
});

/**
 * The automated decision's effect on its application, inside the transaction that stores the decision: the
 * status change (applyUnderwriting), a referral's review, a decline's notice and one audit entry. Nothing
 * moves when the application is no longer checks-complete on that run (the audit still records the decision).
 */
export async function applyAutomatedDecision(
  c: pg.PoolClient,
  d: { tenantId: string; applicationId: string; checksRun: number; outcome: 'approve' | 'decline' | 'refer'; reasons: readonly string[]; decidedAt: Date; detail: Record<string, unknown> },
  notice: NoticeDraft | null,
): Promise<void> {
  const row = await lockApp(c, d.tenantId, d.applicationId);
  if (!row) return;
  const next = applyUnderwriting({ status: row.status, checksRun: row.checks_run, version: row.version, decidedBy: row.decided_by, decidedAt: row.decided_at, decisionReason: row.decision_reason }, { ...d, now: d.decidedAt });
  await audit(c, { tenantId: d.tenantId, applicationId: d.applicationId, checksRun: d.checksRun, action: 'automated-decision', actor: 'lendstack:underwriting', at: d.decidedAt, detail: { outcome: d.outcome, reasons: d.reasons, applied: next?.status ?? null, ...d.detail } });
  if (!next) return;
  await c.query('UPDATE applications SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5, version = $6, updated_at = now() WHERE id = $1', [row.id, next.status, next.decidedBy, next.decidedAt, next.decisionReason, next.version]);
  const app = reviewed(row);
  if (next.status === 'referred') {
    await saveReview(c, {
      applicationId: row.id, checksRun: d.checksRun, tenantId: d.tenantId, kind: 'referral', productCode: app.productCode, principalMinor: app.principalMinor, currency: app.currency, scale: app.scale, reasons: d.reasons, openedAt: d.decidedAt,
      recommendedBy: null, recommendation: null, recommendationComment: null, recommendedAt: null, decidedBy: null, decidedRole: null, decision: null, decisionComment: null, overrideReason: null, decidedAt: null,
    });
  }
  if (next.status === 'declined' && notice) {
    await saveNotice(c, d.tenantId, row.id, d.checksRun, notice, d.decidedAt);
    await audit(c, { tenantId: d.tenantId, applicationId: row.id, checksRun: d.checksRun, action: 'adverse-action-notice', actor: 'lendstack:underwriting', at: d.decidedAt, detail: { sha256: notice.sha256, reasons: notice.content.reasons } });
  }
}

/** Takes an Idempotency-Key inside the caller's transaction, or returns the first answer given to it. */
export async function claimKey(c: pg.PoolClient, tenantId: string, claim: IdempotencyClaim): Promise<Claimed> {
  return transactionOf(c).claim(tenantId, claim);
}
export async function rememberKey(c: pg.PoolClient, tenantId: string, key: string, status: number, body: unknown): Promise<void> {
  return transactionOf(c).remember(tenantId, key, status, body);
}

function transactionOf(c: pg.PoolClient): ReviewTransaction {
  return {
    async claim(tenantId, claim) {
      const inserted = await c.query(`INSERT INTO idempotency_records (tenant_id, key, method, path, request_hash, response_status, response_body) VALUES ($1, $2, 'POST', $3, $4, 0, 'null') ON CONFLICT DO NOTHING`, [tenantId, claim.key, claim.path, claim.requestHash]);
      if (inserted.rowCount === 1) return { kind: 'go' };
      const { rows } = await c.query<{ path: string; request_hash: string; response_status: number; response_body: unknown }>('SELECT path, request_hash, response_status, response_body FROM idempotency_records WHERE tenant_id = $1 AND key = $2 FOR UPDATE', [tenantId, claim.key]);
      const row = rows[0]!;
      if (row.path !== claim.path || row.request_hash !== claim.requestHash || row.response_status === 0) return { kind: 'reused' };
      return { kind: 'replay', status: row.response_status, body: row.response_body };
    },
    async remember(tenantId, key, status, body) {
      await c.query('UPDATE idempotency_records SET response_status = $3, response_body = $4 WHERE tenant_id = $1 AND key = $2', [tenantId, key, status, JSON.stringify(body)]);
    },
    async lockApplication(tenantId, id) {
      const row = await lockApp(c, tenantId, id);
      return row ? reviewed(row) : undefined;
    },
    async review(applicationId, checksRun) {
      const { rows } = await c.query<ReviewRow>(`SELECT r.*, r.principal_minor::text AS principal_minor, (a.loan_request->'principal'->>'scale')::int AS scale FROM application_reviews r JOIN applications a ON a.id = r.application_id
         WHERE r.application_id = $1 AND r.checks_run = $2 FOR UPDATE OF r`, [applicationId, checksRun]);
      return rows[0] ? toReview(rows[0]) : undefined;
    },
    saveReview: (r) => saveReview(c, r),
    async setStatus(applicationId, from, to, decline) {
      const { rowCount } = await c.query(
        'UPDATE applications SET status = $3, decided_by = COALESCE($4, decided_by), decided_at = COALESCE($5, decided_at), decision_reason = COALESCE($6, decision_reason), version = version + 1, updated_at = now() WHERE id = $1 AND status = $2',
        [applicationId, from, to, decline?.by ?? null, decline?.at ?? null, decline?.reason ?? null]);
      if (rowCount !== 1) throw new Error(`application ${applicationId} changed concurrently`);
    },
    audit: (e) => audit(c, e).then(() => undefined),
    saveNotice: (tenantId, applicationId, checksRun, n, at) => saveNotice(c, tenantId, applicationId, checksRun, n, at).then(() => undefined),
    approvalLimit: (tenantId, roles, currency) => approvalLimit(c, tenantId, roles, currency),
  };
}

export function createPgReviewStore(pool: pg.Pool): ReviewStore {
  return {
    transaction: (work) => inTransaction(pool, (c) => work(transactionOf(c))),
    async queue(tenantId, q) {
      const params: unknown[] = [tenantId, q.limit + 1];
      const where = ['r.tenant_id = $1', 'r.decided_at IS NULL', "a.status IN ('referred', 'declined')"];
      const add = (sql: (n: number) => string, value: unknown) => { params.push(value); where.push(sql(params.length)); };
      if (q.after) {
        params.push(q.after.createdAt, q.after.id);
        where.push(`(r.opened_at, r.application_id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      if (q.stage === 'awaiting-recommendation') where.push('r.recommended_by IS NULL');
      if (q.stage === 'awaiting-decision') where.push('r.recommended_by IS NOT NULL');
      if (q.kind) add((n) => `r.kind = $${n}`, q.kind);
      if (q.productCode) add((n) => `r.product_code = $${n}`, q.productCode);
      const { rows } = await pool.query<ReviewRow>(
        `SELECT r.*, r.principal_minor::text AS principal_minor, (a.loan_request->'principal'->>'scale')::int AS scale FROM application_reviews r JOIN applications a ON a.id = r.application_id AND a.checks_run = r.checks_run
         WHERE ${where.join(' AND ')} ORDER BY r.opened_at, r.application_id LIMIT $2`, params);
      return rows.map(toReview);
    },
    async auditTrail(tenantId, applicationId, q) {
      const known = await pool.query('SELECT 1 FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      if (known.rowCount === 0) return undefined;
      const { rows } = await pool.query<{ id: string; tenant_id: string; application_id: string; checks_run: number; action: string; actor: string; detail: Record<string, unknown>; at: Date }>(
        // ORDER BY the column, not the text alias: as text, entry 10 would sort before entry 9.
        'SELECT id::text AS id, tenant_id, application_id, checks_run, action, actor, detail, at FROM decision_audit WHERE tenant_id = $1 AND application_id = $2 AND id > $3 ORDER BY decision_audit.id LIMIT $4',
        [tenantId, applicationId, q.afterId ?? '0', q.limit + 1]);
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, applicationId: r.application_id, checksRun: r.checks_run, action: r.action, actor: r.actor, detail: r.detail, at: r.at }));
    },
    async notice(tenantId, applicationId) {
      const { rows } = await pool.query<{ application_id: string; checks_run: number; pdf: Buffer; pdf_sha256: string; content: StoredNotice['content']; created_at: Date }>(
        'SELECT application_id, checks_run, pdf, pdf_sha256, content, created_at FROM adverse_action_notices WHERE tenant_id = $1 AND application_id = $2 ORDER BY checks_run DESC LIMIT 1', [tenantId, applicationId]);
      const r = rows[0];
      return r ? { applicationId: r.application_id, checksRun: r.checks_run, pdf: r.pdf, sha256: r.pdf_sha256, content: r.content, createdAt: r.created_at } : undefined;
    },
    async creditor(tenantId) {
      const { rows } = await pool.query<{ legal_name: string; address: string; contact: string; agency_name: string; agency_address: string; bureau_name: string; bureau_address: string; bureau_phone: string; score_min: number; score_max: number }>(
        'SELECT * FROM creditor_profiles WHERE tenant_id = $1', [tenantId]);
      const r = rows[0];
      return r ? { legalName: r.legal_name, address: r.address, contact: r.contact, agencyName: r.agency_name, agencyAddress: r.agency_address, bureauName: r.bureau_name, bureauAddress: r.bureau_address, bureauPhone: r.bureau_phone, scoreMin: r.score_min, scoreMax: r.score_max } : undefined;
    },
    approvalLimit: (tenantId, roles, currency) => approvalLimit(pool, tenantId, roles, currency),
    ...createPgReviewSettings(pool),
    seed: (tenantId, data) => inTransaction(pool, async (c) => {
      for (const l of data.limits) {
        await c.query('INSERT INTO approval_limits (tenant_id, role, currency, max_principal_minor) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [tenantId, l.role, l.currency, l.maxPrincipalMinor.toString()]);
      }
      const p: CreditorProfile = data.creditor;
      await c.query(
        `INSERT INTO creditor_profiles (tenant_id, legal_name, address, contact, agency_name, agency_address, bureau_name, bureau_address, bureau_phone, score_min, score_max)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
        [tenantId, p.legalName, p.address, p.contact, p.agencyName, p.agencyAddress, p.bureauName, p.bureauAddress, p.bureauPhone, p.scoreMin, p.scoreMax]);
    }),
  };
}
