/**
 * The hash-chained audit log on the REAL Postgres: decisions written in parallel chain without deadlock
 * and without a gap, with policy and settings changes in the same tenant chain; `pnpm -s los audit verify`
 * as an operator runs it says ok, and finds a row changed or deleted behind the append-only triggers'
 * back (the test disables them as a superuser or the table owner could).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eventually, infrastructure } from '@lendstack/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../src/modules/audit/domain/chain.js';
import { audit, inTransaction } from '../src/modules/review/adapters/pg-review.repository.js';
import { createPgReviewStore } from '../src/modules/review/index.js';
import { createPgDecisionRepository, createPgPolicyRepository, defaultPolicy } from '../src/modules/underwriting/index.js';
import type { StoredDecision } from '../src/modules/underwriting/ports.js';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const PRODUCT = { code: 'PL-12M', currency: 'INR' as const, maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' };
let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: (await infrastructure()).losDatabaseUrl, max: 10 });
});
afterAll(async () => {
  await pool.end();
});

const tenant = (name: string) => `audit-${name}-${randomUUID().slice(0, 8)}`;

async function checksComplete(tenantId: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO applications (id, tenant_id, status, applicant, loan_request, submitted_by, checks_run, updated_at)
     VALUES ($1, $2, 'checks-complete', '{}', $3, 'partner-1', 1, now())`,
    [id, tenantId, JSON.stringify({ productCode: 'PL-12M', principal: { amount: '50000000', currency: 'INR', scale: 2 } })]);
  return id;
}

function decision(tenantId: string, applicationId: string, policy: { policyId: string; version: number }, outcome: 'approve' | 'refer', score: number): StoredDecision {
  return {
    applicationId, checksRun: 1, tenantId, outcome, reasons: outcome === 'refer' ? ['thin bureau file'] : [], policyId: policy.policyId, policyVersion: policy.version, modelVersion: 'test-model', asOf: '2026-12-03',
    features: {} as StoredDecision['features'], evaluation: { rules: [], limits: { row: null, value: null, saw: {} }, pricing: { row: null, value: null, saw: {} } },
    scorecard: { modelVersion: 'test-model', score, pd: 0.02, attributes: [], reasons: [] }, offer: null, decidedAt: new Date(),
  };
}

const verify = (...args: string[]) => {
  const run = spawnSync('pnpm', ['exec', 'tsx', 'src/cli/main.ts', 'audit', 'verify', ...args], { cwd, env: process.env, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: run.stdout, err: run.stderr };
};
const chain = async (tenantId: string) =>
  (await pool.query<{ seq: string; source: string; source_id: string; prev_hash: string; hash: string }>('SELECT seq::text, source, source_id::text, prev_hash, hash FROM audit_chain WHERE tenant_id = $1 ORDER BY audit_chain.seq', [tenantId])).rows;

/** As a superuser would: the append-only triggers off for one statement, in one transaction (others wait on its lock). */
async function behindTheTriggers(table: string, triggers: string[], sql: string, params: unknown[]): Promise<void> {
  await inTransaction(pool, async (c) => {
    for (const t of triggers) await c.query(`ALTER TABLE ${table} DISABLE TRIGGER ${t}`);
    await c.query(sql, params);
    for (const t of triggers) await c.query(`ALTER TABLE ${table} ENABLE TRIGGER ${t}`);
  });
}

async function trailOf(tenantId: string, entries: number): Promise<string[]> {
  const appId = randomUUID();
  await inTransaction(pool, async (c) => {
    for (let i = 0; i < entries; i += 1) await audit(c, { tenantId, applicationId: appId, checksRun: 1, action: `step-${i}`, actor: 'operator-1', at: new Date(), detail: { i, note: `step ${i}` } });
  });
  return (await pool.query<{ id: string }>('SELECT id::text FROM decision_audit WHERE tenant_id = $1 ORDER BY id', [tenantId])).rows.map((r) => r.id);
}

describe('the audit chain under concurrent writers', () => {
  it('chains decisions written in parallel, policy changes and settings changes into one unbroken tenant chain, with no deadlock', async () => {
    const tenantId = tenant('parallel');
    const policies = createPgPolicyRepository(pool);
    await policies.seed(tenantId, [{ productCode: 'PL-12M', document: defaultPolicy(PRODUCT) }], new Date());
    const seeded = (await policies.effective(tenantId, 'PL-12M', new Date()))!;
    const apps = await Promise.all(Array.from({ length: 16 }, () => checksComplete(tenantId)));
    const decisions = createPgDecisionRepository(pool);
    const reviews = createPgReviewStore(pool);
    const idem = () => ({ key: randomUUID(), requestHash: randomUUID(), path: '/v1/policies' });
    // 16 automated decisions (each: the decision row, the application's status, a referral's review, its audit
    // entry), a policy draft and its approval, and two settings changes, all at once on 10 connections.
    const draft = await policies.createDraft({ tenantId, productCode: 'PL-12M', document: defaultPolicy(PRODUCT), effectiveFrom: new Date(), createdBy: 'maker-1', now: new Date(), idempotency: idem() });
    if (!draft.ok) throw new Error('draft refused');
    await Promise.all([
      ...apps.map((id, i) => decisions.save(decision(tenantId, id, seeded, i % 2 ? 'refer' : 'approve', 600 + i), { notice: null })),
      policies.approve({ tenantId, policyId: draft.version.policyId, version: draft.version.version, approver: 'checker-1', now: new Date(), idempotency: idem() }),
      reviews.setApprovalLimit(tenantId, { role: 'approver', currency: 'INR', maxPrincipalMinor: 55_000_000n }, { actor: 'admin-1', at: new Date() }),
      reviews.setApprovalLimit(tenantId, { role: 'admin', currency: 'INR', maxPrincipalMinor: 5_000_000_000n }, { actor: 'admin-1', at: new Date() }),
    ]);

    const links = await chain(tenantId);
    expect(links.map((l) => l.seq)).toEqual(links.map((_, i) => String(i + 1)));
    expect(links[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < links.length; i += 1) expect(links[i]!.prev_hash).toBe(links[i - 1]!.hash);
    const bySource = (s: string) => links.filter((l) => l.source === s).length;
    expect({ decision: bySource('decision'), settings: bySource('review-settings'), policy: bySource('policy') }).toEqual({ decision: 16, settings: 2, policy: 3 });
    const actions = (await pool.query<{ action: string }>('SELECT action FROM policy_change_audit WHERE tenant_id = $1 ORDER BY id', [tenantId])).rows.map((r) => r.action);
    expect(actions).toEqual(['policy-version-seeded', 'policy-version-drafted', 'policy-version-approved']);
    const head = (await pool.query<{ seq: string; hash: string }>('SELECT seq::text, hash FROM audit_chain_heads WHERE tenant_id = $1', [tenantId])).rows[0];
    expect(head).toEqual({ seq: '21', hash: links.at(-1)!.hash });

    const run = verify('--tenant', tenantId);
    expect(run.status, run.out + run.err).toBe(0);
    expect(run.out.trim()).toBe(`ok: 21 entries, head ${head!.hash}`);
  });

  it('takes the head lock at commit: two writers locking the same application in opposite order to their audit entries both commit', async () => {
    const tenantId = tenant('order');
    const contested = await checksComplete(tenantId);
    const first = await pool.connect();
    const second = await pool.connect();
    try {
      await second.query('BEGIN');
      await second.query('SELECT 1 FROM applications WHERE id = $1 FOR UPDATE', [contested]);
      await first.query('BEGIN');
      await audit(first, { tenantId, applicationId: contested, checksRun: 1, action: 'first', actor: 'a', at: new Date(), detail: {} });
      // first now waits for the application row that second holds. Had audit() locked the head at once,
      // second's audit below would wait for first: a deadlock, and Postgres would abort one of them.
      const firstDone = first.query('SELECT 1 FROM applications WHERE id = $1 FOR UPDATE', [contested]).then(() => first.query('COMMIT'));
      await eventually(async () => {
        const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT 1 FROM applications WHERE id = $1 FOR UPDATE'");
        return rows[0]!.n >= 1 ? true : undefined;
      }, { timeoutMs: 10_000, intervalMs: 20, what: 'the first writer to wait for the application row' });
      await audit(second, { tenantId, applicationId: contested, checksRun: 1, action: 'second', actor: 'b', at: new Date(), detail: {} });
      await second.query('COMMIT');
      await firstDone;
    } finally {
      first.release();
      second.release();
    }
    const links = await chain(tenantId);
    const actionOf = async (id: string) => (await pool.query<{ action: string }>('SELECT action FROM decision_audit WHERE id = $1', [id])).rows[0]!.action;
    // seq is commit order: second committed first.
    expect(await Promise.all(links.map((l) => actionOf(l.source_id)))).toEqual(['second', 'first']);
    expect(verify('--tenant', tenantId).status).toBe(0);
  });
});

describe('pnpm -s los audit verify', () => {
  it('finds an entry changed behind the append-only trigger, at its seq, and exits 1', async () => {
    const tenantId = tenant('tamper');
    const ids = await trailOf(tenantId, 5);
    expect(verify('--tenant', tenantId).status).toBe(0);
    await behindTheTriggers('decision_audit', ['decision_audit_no_update'], `UPDATE decision_audit SET detail = jsonb_set(detail, '{note}', '"rewritten"') WHERE id = $1`, [ids[2]]);
    const run = verify('--tenant', tenantId);
    expect(run.status, run.out + run.err).toBe(1);
    expect(run.out).toMatch(new RegExp(`^broken: seq 3: decision_audit id ${ids[2]} \\(step-2 by operator-1 at [^)]+\\) hashes to [0-9a-f]{64}, not the chained [0-9a-f]{64}: the entry was changed after it was written \\(2 entries verified before it\\)`));
  });

  it('finds a deleted entry, a deleted link, links cut from the end and an entry that was never chained', async () => {
    const gone = tenant('deleted');
    const ids = await trailOf(gone, 4);
    await behindTheTriggers('decision_audit', ['decision_audit_no_update'], 'DELETE FROM decision_audit WHERE id = $1', [ids[1]]);
    expect(verify('--tenant', gone).out).toContain(`broken: seq 2: decision_audit id ${ids[1]} is gone: the entry was deleted (1 entries verified before it)`);

    const gap = tenant('gap');
    const gapIds = await trailOf(gap, 4);
    await behindTheTriggers('decision_audit', ['decision_audit_no_update'], 'DELETE FROM decision_audit WHERE id = $1', [gapIds[1]]);
    await behindTheTriggers('audit_chain', ['audit_chain_no_update'], 'DELETE FROM audit_chain WHERE tenant_id = $1 AND seq = 2', [gap]);
    expect(verify('--tenant', gap).out).toContain('broken: seq 2: seq 2 missing: 1 link(s) deleted before seq 3');

    const cut = tenant('cut');
    const cutIds = await trailOf(cut, 4);
    await behindTheTriggers('decision_audit', ['decision_audit_no_update'], 'DELETE FROM decision_audit WHERE id = ANY($1)', [cutIds.slice(2)]);
    await behindTheTriggers('audit_chain', ['audit_chain_no_update'], 'DELETE FROM audit_chain WHERE tenant_id = $1 AND seq > 2', [cut]);
    expect(verify('--tenant', cut).out).toContain('broken: seq 3: seq 3–4 missing: the chain ends at seq 2 but its head is at seq 4 (links deleted from the end)');

    const sneaked = tenant('unchained');
    await trailOf(sneaked, 2);
    await behindTheTriggers('decision_audit', ['decision_audit_chain'], `INSERT INTO decision_audit (tenant_id, application_id, checks_run, action, actor, detail, at) VALUES ($1, $2, 1, 'backdated', 'someone', '{}', now())`, [sneaked, randomUUID()]);
    const run = verify('--tenant', sneaked);
    expect(run.status).toBe(1);
    expect(run.out).toMatch(/^broken: 1 decision_audit row\(s\) are not in the chain \(first id \d+\): written with the chaining trigger disabled \(2 entries verified before it\)/);
  });

  it('walks every tenant in pages when no tenant is named, reporting progress and each broken chain', async () => {
    const tenantId = tenant('paged');
    await trailOf(tenantId, 7);
    const single = verify('--tenant', tenantId, '--page-size', '2');
    expect(single.status, single.err).toBe(0);
    expect(single.err).toContain(`audit verify: tenant ${tenantId}: 6 entries verified…`);
    expect(single.out).toMatch(/^ok: 7 entries, head [0-9a-f]{64}\n$/);
    // The database also holds the tampered tenants above (and whatever other test files wrote).
    const all = verify('--page-size', '500');
    expect(all.status).toBe(1);
    expect(all.out).toMatch(new RegExp(`^ok: 7 entries, head [0-9a-f]{64} \\(tenant ${tenantId}\\)$`, 'm'));
    expect(all.out).toMatch(/^broken: \d+ entries in \d+ tenant chain\(s\), [1-9]\d* broken$/m);
    expect(verify('--page-size', '0').status).toBe(2);
    expect(verify('--tenant').status).toBe(2);
  });
});
