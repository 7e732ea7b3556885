import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { applyAutomatedDecision } from '../../review/adapters/pg-review.repository.js';
import type { PolicyDocument } from '../domain/policy.js';
import type { DecisionRepository, IdempotentRequest, PolicyRepository, PolicyVersion, PolicyWrite, StoredDecision } from '../ports.js';
import { inTransaction } from '@lendstack/platform';

/** SHA-256 of a policy document as stored (JSON with sorted keys), so two versions can be compared by hash. */
export function documentHash(document: unknown): string {
  const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v);
  return createHash('sha256').update(JSON.stringify(canonical(document))).digest('hex');
}

interface VersionRow {
  policy_id: string; tenant_id: string; product_code: string; version: number; status: 'draft' | 'approved'; document: PolicyDocument; document_sha256: string;
  effective_from: Date; created_by: string; created_at: Date; approved_by: string | null; approved_at: Date | null; seeded: boolean;
}

const toVersion = (r: VersionRow): PolicyVersion => ({
  policyId: r.policy_id, tenantId: r.tenant_id, productCode: r.product_code, version: r.version, status: r.status, document: r.document, documentSha256: r.document_sha256,
  effectiveFrom: r.effective_from, createdBy: r.created_by, createdAt: r.created_at, approvedBy: r.approved_by, approvedAt: r.approved_at, seeded: r.seeded,
});

const SELECT_VERSION = `SELECT v.*, p.product_code FROM underwriting_policy_versions v JOIN underwriting_policies p ON p.id = v.policy_id`;

/**
 * The first answer to an Idempotency-Key, or undefined to go ahead. The key is taken (row-locked) inside the
 * write's transaction, so two concurrent requests with one key do the write once.
 */
async function replayOf(c: pg.PoolClient, tenantId: string, req: IdempotentRequest): Promise<PolicyWrite | 'go' > {
  const inserted = await c.query(
    `INSERT INTO idempotency_records (tenant_id, key, method, path, request_hash, response_status, response_body) VALUES ($1, $2, 'POST', $3, $4, 0, 'null') ON CONFLICT DO NOTHING`,
    [tenantId, req.key, req.path, req.requestHash],
  );
  if (inserted.rowCount === 1) return 'go';
  const { rows } = await c.query<{ path: string; request_hash: string; response_body: { policyId: string; version: number } | null }>(
    'SELECT path, request_hash, response_body FROM idempotency_records WHERE tenant_id = $1 AND key = $2 FOR UPDATE', [tenantId, req.key]);
  const row = rows[0]!;
  if (row.path !== req.path || row.request_hash !== req.requestHash || !row.response_body) return { ok: false, error: { kind: 'idempotency-key-reused' } };
  const v = await c.query<VersionRow>(`${SELECT_VERSION} WHERE v.policy_id = $1 AND v.version = $2`, [row.response_body.policyId, row.response_body.version]);
  return { ok: true, version: toVersion(v.rows[0]!), replayed: true };
}

const remember = (c: pg.PoolClient, tenantId: string, req: IdempotentRequest, status: number, v: PolicyVersion) =>
  c.query('UPDATE idempotency_records SET response_status = $3, response_body = $4 WHERE tenant_id = $1 AND key = $2', [tenantId, req.key, status, JSON.stringify({ policyId: v.policyId, version: v.version })]);

export function createPgPolicyRepository(pool: pg.Pool): PolicyRepository {
  async function insertVersion(c: pg.PoolClient, input: { tenantId: string; productCode: string; document: PolicyDocument; effectiveFrom: Date; createdBy: string; now: Date; approved?: boolean }): Promise<PolicyVersion> {
    await c.query('INSERT INTO underwriting_policies (id, tenant_id, product_code, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, product_code) DO NOTHING', [randomUUID(), input.tenantId, input.productCode, input.now]);
    const policy = await c.query<{ id: string }>('SELECT id FROM underwriting_policies WHERE tenant_id = $1 AND product_code = $2 FOR UPDATE', [input.tenantId, input.productCode]);
    const policyId = policy.rows[0]!.id;
    const next = await c.query<{ n: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS n FROM underwriting_policy_versions WHERE policy_id = $1', [policyId]);
    const { rows } = await c.query<VersionRow>(
      `INSERT INTO underwriting_policy_versions (policy_id, version, tenant_id, document, document_sha256, status, effective_from, created_by, created_at, approved_at, seeded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *, $12::text AS product_code`,
      [policyId, next.rows[0]!.n, input.tenantId, JSON.stringify(input.document), documentHash(input.document), input.approved ? 'approved' : 'draft', input.effectiveFrom, input.createdBy, input.now, input.approved ? input.now : null, input.approved ?? false, input.productCode],
    );
    return toVersion(rows[0]!);
  }

  return {
    createDraft: (input) => inTransaction(pool, async (c) => {
      const replay = await replayOf(c, input.tenantId, input.idempotency);
      if (replay !== 'go') return replay;
      const version = await insertVersion(c, input);
      await remember(c, input.tenantId, input.idempotency, 201, version);
      return { ok: true as const, version, replayed: false };
    }),

    approve: (input) => inTransaction(pool, async (c) => {
      const replay = await replayOf(c, input.tenantId, input.idempotency);
      if (replay !== 'go') return replay;
      const { rows } = await c.query<VersionRow>(`${SELECT_VERSION} WHERE v.tenant_id = $1 AND v.policy_id = $2 AND v.version = $3 FOR UPDATE OF v`, [input.tenantId, input.policyId, input.version]);
      const row = rows[0];
      // Nothing is remembered for a refusal: the transaction rolls back, the key stays free.
      if (!row) throw new Refusal({ ok: false, error: { kind: 'not-found' } });
      if (row.status === 'approved') throw new Refusal({ ok: false, error: { kind: 'already-approved', approvedBy: row.approved_by } });
      if (row.created_by === input.approver) throw new Refusal({ ok: false, error: { kind: 'maker-cannot-approve', createdBy: row.created_by } });
      const updated = await c.query<VersionRow>(
        `UPDATE underwriting_policy_versions SET status = 'approved', approved_by = $3, approved_at = $4 WHERE policy_id = $1 AND version = $2 RETURNING *, $5::text AS product_code`,
        [input.policyId, input.version, input.approver, input.now, row.product_code],
      );
      const version = toVersion(updated.rows[0]!);
      await remember(c, input.tenantId, input.idempotency, 200, version);
      return { ok: true as const, version, replayed: false };
    }).catch((error: unknown) => {
      if (error instanceof Refusal) return error.write;
      throw error;
    }),

    async list(tenantId) {
      const { rows } = await pool.query<VersionRow>(`${SELECT_VERSION} WHERE v.tenant_id = $1 ORDER BY p.product_code, v.version`, [tenantId]);
      return rows.map(toVersion);
    },

    async effective(tenantId, productCode, at) {
      const { rows } = await pool.query<VersionRow>(
        `${SELECT_VERSION} WHERE v.tenant_id = $1 AND p.product_code = $2 AND v.status = 'approved' AND v.effective_from <= $3 ORDER BY v.effective_from DESC, v.version DESC LIMIT 1`,
        [tenantId, productCode, at],
      );
      return rows[0] ? toVersion(rows[0]) : undefined;
    },

    async find(tenantId, policyId, version) {
      const { rows } = await pool.query<VersionRow>(`${SELECT_VERSION} WHERE v.tenant_id = $1 AND v.policy_id = $2 AND v.version = $3`, [tenantId, policyId, version]);
      return rows[0] ? toVersion(rows[0]) : undefined;
    },

    seed: (tenantId, policies, now) => inTransaction<string[]>(pool, async (c) => {
      const seeded: string[] = [];
      for (const p of policies) {
        const exists = await c.query('SELECT 1 FROM underwriting_policies WHERE tenant_id = $1 AND product_code = $2', [tenantId, p.productCode]);
        if (exists.rowCount) continue;
        await insertVersion(c, { tenantId, productCode: p.productCode, document: p.document, effectiveFrom: new Date(0), createdBy: 'lendstack:default-policy', now, approved: true });
        seeded.push(p.productCode);
      }
      return seeded;
    }),
  };
}

class Refusal extends Error {
  constructor(readonly write: PolicyWrite) {
    super('refused');
  }
}

interface DecisionRow {
  application_id: string; checks_run: number; tenant_id: string; outcome: StoredDecision['outcome']; reasons: string[]; policy_id: string; policy_version: number;
  model_version: string; as_of: string; features: StoredDecision['features']; evaluation: StoredDecision['evaluation']; scorecard: StoredDecision['scorecard'];
  offer: StoredDecision['offer']; decided_at: Date;
}

const toDecision = (r: DecisionRow): StoredDecision => ({
  applicationId: r.application_id, checksRun: r.checks_run, tenantId: r.tenant_id, outcome: r.outcome, reasons: r.reasons, policyId: r.policy_id, policyVersion: r.policy_version,
  modelVersion: r.model_version, asOf: r.as_of, features: r.features, evaluation: r.evaluation, scorecard: r.scorecard, offer: r.offer, decidedAt: r.decided_at,
});

const DECISION_COLUMNS = `application_id, checks_run, tenant_id, outcome, reasons, policy_id, policy_version, model_version, to_char(as_of, 'YYYY-MM-DD') AS as_of, features, evaluation, scorecard, offer, decided_at`;

export function createPgDecisionRepository(pool: pg.Pool): DecisionRepository {
  return {
    save: (d, effects) => inTransaction(pool, async (c) => {
      const inserted = await c.query<DecisionRow>(
        `INSERT INTO underwriting_decisions (application_id, checks_run, tenant_id, outcome, reasons, policy_id, policy_version, model_version, as_of, features, evaluation, scorecard, offer, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (application_id, checks_run) DO NOTHING RETURNING ${DECISION_COLUMNS}`,
        [d.applicationId, d.checksRun, d.tenantId, d.outcome, JSON.stringify(d.reasons), d.policyId, d.policyVersion, d.modelVersion, d.asOf, JSON.stringify(d.features), JSON.stringify(d.evaluation), JSON.stringify(d.scorecard), d.offer ? JSON.stringify(d.offer) : null, d.decidedAt],
      );
      if (inserted.rows[0]) {
        await applyAutomatedDecision(c, {
          tenantId: d.tenantId, applicationId: d.applicationId, checksRun: d.checksRun, outcome: d.outcome, reasons: d.reasons, decidedAt: d.decidedAt,
          detail: { policyId: d.policyId, policyVersion: d.policyVersion, modelVersion: d.modelVersion, score: d.scorecard.score },
        }, d.outcome === 'decline' ? effects.notice : null);
        return { decision: toDecision(inserted.rows[0]), created: true };
      }
      const { rows } = await c.query<DecisionRow>(`SELECT ${DECISION_COLUMNS} FROM underwriting_decisions WHERE application_id = $1 AND checks_run = $2`, [d.applicationId, d.checksRun]);
      return { decision: toDecision(rows[0]!), created: false };
    }),
    async find(tenantId, applicationId) {
      const { rows } = await pool.query<DecisionRow>(`SELECT ${DECISION_COLUMNS} FROM underwriting_decisions WHERE tenant_id = $1 AND application_id = $2 ORDER BY checks_run DESC LIMIT 1`, [tenantId, applicationId]);
      return rows[0] ? toDecision(rows[0]) : undefined;
    },
  };
}
