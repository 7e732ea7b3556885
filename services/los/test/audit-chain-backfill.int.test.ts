/**
 * Migration 20261205400000_audit_chain on a database that already has audit rows: it chains them per
 * tenant in time order, records the policy versions' history so far, and verify says ok. Runs on a
 * database of its own (created and dropped here), migrated to just before the chain, then through it.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { migrate } from '@lendstack/platform';
import { createOwnDatabase, infrastructure, type OwnDatabase } from '@lendstack/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgAuditChainReader, verifyAuditChain, type TenantVerdict } from '../src/modules/audit/index.js';

const CHAIN = '20261205400000_audit_chain';
const migrations = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
let database: OwnDatabase;
let url: string;
let pool: pg.Pool;
let dirs: string[] = [];

/** A migrations folder holding the migrations up to `last` (inclusive or not). */
function upTo(last: string, inclusive: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'los-migrations-'));
  dirs.push(dir);
  for (const name of readdirSync(migrations).sort()) {
    if (name > last || (!inclusive && name === last)) continue;
    cpSync(join(migrations, name), join(dir, name), { recursive: true });
  }
  return dir;
}

beforeAll(async () => {
  database = await createOwnDatabase((await infrastructure()).losDatabaseUrl, 'lendstack_los_backfill');
  url = database.url;
  await migrate(url, upTo(CHAIN, false));
  pool = new pg.Pool({ connectionString: url, max: 2 });
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('migration 20261205400000_audit_chain', () => {
  it('chains the rows that were there before it, per tenant in time order, policy history included', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));
    const app = randomUUID();
    const policy = randomUUID();
    // Written out of time order on purpose: the chain follows `at`, not insertion.
    await pool.query(`INSERT INTO decision_audit (tenant_id, application_id, checks_run, action, actor, detail, at) VALUES
      ('acme', $1, 1, 'recommendation', 'omar', '{"recommendation": "approve"}', $2),
      ('acme', $1, 1, 'automated-decision', 'lendstack:underwriting', '{"outcome": "refer"}', $3),
      ('zeta', $1, 1, 'manual-decline', 'ops', '{"reason": "asked to"}', $3)`, [app, at(30), at(20)]);
    await pool.query(`INSERT INTO review_settings_audit (tenant_id, setting, setting_key, actor, previous, current, at) VALUES ('acme', 'approval-limit', 'approver/INR', 'admin-1', NULL, '{"maxPrincipalMinor": "55000000"}', $1)`, [at(10)]);
    await pool.query(`INSERT INTO underwriting_policies (id, tenant_id, product_code, created_at) VALUES ($1, 'acme', 'PL-12M', $2)`, [policy, at(1)]);
    await pool.query(`INSERT INTO underwriting_policy_versions (policy_id, version, tenant_id, document, document_sha256, status, effective_from, created_by, created_at, approved_at, seeded) VALUES
      ($1, 1, 'acme', '{}', $2, 'approved', $3, 'lendstack:seed', $3, $3, true),
      ($1, 2, 'acme', '{}', $2, 'draft', $4, 'maker-1', $4, NULL, false)`, [policy, 'a'.repeat(64), at(1), at(15)]);
    await pool.query(`UPDATE underwriting_policy_versions SET status = 'approved', approved_by = 'checker-1', approved_at = $2 WHERE policy_id = $1 AND version = 2`, [policy, at(25)]);

    await migrate(url, upTo(CHAIN, true));

    const { rows } = await pool.query<{ tenant_id: string; seq: string; action: string }>(
      `SELECT c.tenant_id, c.seq::text AS seq, COALESCE(d.action, s.setting, p.action) AS action FROM audit_chain c
         LEFT JOIN decision_audit d ON c.source = 'decision' AND d.id = c.source_id
         LEFT JOIN review_settings_audit s ON c.source = 'review-settings' AND s.id = c.source_id
         LEFT JOIN policy_change_audit p ON c.source = 'policy' AND p.id = c.source_id
        ORDER BY c.tenant_id, c.seq`);
    expect(rows.map((r) => [r.tenant_id, r.seq, r.action])).toEqual([
      ['acme', '1', 'policy-version-seeded'], ['acme', '2', 'approval-limit'], ['acme', '3', 'policy-version-drafted'],
      ['acme', '4', 'automated-decision'], ['acme', '5', 'policy-version-approved'], ['acme', '6', 'recommendation'],
      ['zeta', '1', 'manual-decline'],
    ]);
    const approved = (await pool.query("SELECT actor, at FROM policy_change_audit WHERE action = 'policy-version-approved'")).rows;
    expect(approved).toEqual([{ actor: 'checker-1', at: at(25) }]);

    const verdicts: TenantVerdict[] = [];
    const summary = await verifyAuditChain(createPgAuditChainReader(pool), { pageSize: 2, onTenant: (v) => verdicts.push(v) });
    expect(summary).toEqual({ tenants: 2, entries: 7n, broken: 0 });
    expect(verdicts.map((v) => [v.tenantId, v.ok, v.entries])).toEqual([['acme', true, 6n], ['zeta', true, 1n]]);

    // From here on the triggers chain new entries after the backfilled ones.
    await pool.query(`UPDATE underwriting_policy_versions SET effective_from = $2 WHERE policy_id = $1 AND version = 2`, [policy, at(40)]);
    const changed = (await pool.query<{ action: string; actor: string }>("SELECT action, actor FROM policy_change_audit ORDER BY id DESC LIMIT 1")).rows[0];
    expect(changed).toEqual({ action: 'policy-version-changed', actor: expect.stringMatching(/^db:/) });
    expect(await verifyAuditChain(createPgAuditChainReader(pool), { tenantId: 'acme', pageSize: 100 })).toEqual({ tenants: 1, entries: 7n, broken: 0 });
  });
});
