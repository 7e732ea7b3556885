import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgApplicationStore } from '../src/modules/applications/adapters/pg-application.store.js';
import type { Application } from '../src/modules/applications/domain/application.js';
import type { ApplicationStore, DecisionCommit } from '../src/modules/applications/ports.js';
import { applicationBody, startLosTestServer, type LosTestServer } from './support/los-test-server.js';

// The approval path's one-statement commit (pg-application.store.ts commitDecision) on the real Postgres:
// it writes the decision, its audit entries and its event together, and nothing at all when the application
// or its checks changed after the decision read them.
let los: LosTestServer;
let store: ApplicationStore;
beforeAll(async () => {
  los = await startLosTestServer('los-int-decision-commit');
  store = createPgApplicationStore(los.pool);
});
afterAll(async () => {
  await los?.close();
});

async function checked(): Promise<string> {
  const res = await los.app.inject({ method: 'POST', url: '/v1/applications', headers: los.auth(['partner']), payload: applicationBody() });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ id: string }>().id;
  await los.awaitChecks(id, 'checks-complete');
  return id;
}

function approval(application: Application, checks: DecisionCommit['checks']): DecisionCommit & { message: NonNullable<DecisionCommit['message']> } {
  const now = new Date();
  const loanId = randomUUID();
  const eventId = randomUUID();
  return {
    application: { ...application, status: 'approved', decidedBy: 'operator@test', decidedAt: now, loanId, version: application.version + 1 },
    expectedVersion: application.version,
    checks,
    audit: [
      { tenantId: application.tenantId, applicationId: application.id, checksRun: application.checksRun, action: 'loan-approved', actor: 'operator@test', detail: { basis: 'no-policy', loanId }, at: now },
      { tenantId: application.tenantId, applicationId: application.id, checksRun: application.checksRun, action: 'second-step', actor: 'operator@test', detail: { n: 2 }, at: now },
    ],
    message: { id: eventId, topic: 'lendstack.origination.loan-approved', key: loanId, value: { id: eventId, subject: loanId }, headers: { 'x-test': '1' } },
  };
}

const written = async (applicationId: string, loanId: string) => {
  const [app, audit, outbox] = await Promise.all([
    los.pool.query<{ status: string; version: number; loan_id: string | null }>('SELECT status, version, loan_id FROM applications WHERE id = $1', [applicationId]),
    los.pool.query<{ action: string }>("SELECT action FROM decision_audit WHERE application_id = $1 AND actor = 'operator@test' ORDER BY id", [applicationId]),
    los.pool.query<{ key: string; headers: Record<string, string> }>('SELECT key, headers FROM outbox WHERE key = $1', [loanId]),
  ]);
  return { app: app.rows[0]!, audit: audit.rows.map((r) => r.action), outbox: outbox.rows };
};

describe('commitDecision (one statement)', () => {
  it('reads the application with its checks, then writes the decision, its audit entries in order and its outbox row together', async () => {
    const id = await checked();
    const read = await store.readForDecision(los.tenantId, id);
    expect(read?.application).toMatchObject({ id, status: 'checks-complete' });
    expect(read!.checks.length).toBeGreaterThan(0);
    expect(read!.checks.map((c) => c.kind)).toEqual([...read!.checks.map((c) => c.kind)].sort());
    const commit = approval(read!.application, read!.checks);
    expect(await store.commitDecision(commit)).toBe(true);
    const after = await written(id, commit.message.key);
    expect(after.app).toEqual({ status: 'approved', version: read!.application.version + 1, loan_id: commit.message.key });
    expect(after.audit).toEqual(['loan-approved', 'second-step']);
    expect(after.outbox).toEqual([{ key: commit.message.key, headers: { 'x-test': '1' } }]);
  });

  it('another tenant reads nothing and cannot write the decision', async () => {
    const id = await checked();
    expect(await store.readForDecision('some-other-tenant', id)).toBeUndefined();
    const read = await store.readForDecision(los.tenantId, id);
    const commit = approval({ ...read!.application, tenantId: 'some-other-tenant' }, read!.checks);
    expect(await store.commitDecision(commit)).toBe(false);
    const after = await written(id, commit.message.key);
    expect(after).toEqual({ app: { status: 'checks-complete', version: read!.application.version, loan_id: null }, audit: [], outbox: [] });
  });

  it('writes nothing when the application moved on since it was read (a concurrent approval won)', async () => {
    const id = await checked();
    const read = await store.readForDecision(los.tenantId, id);
    const first = approval(read!.application, read!.checks);
    const second = approval(read!.application, read!.checks);
    expect(await Promise.all([store.commitDecision(first), store.commitDecision(second)]).then((r) => r.sort())).toEqual([false, true]);
    const [a, b] = await Promise.all([written(id, first.message.key), written(id, second.message.key)]);
    expect(a.outbox.length + b.outbox.length).toBe(1);
    expect(a.audit).toEqual(['loan-approved', 'second-step']); // one decision's entries, not two
    expect(a.app.version).toBe(read!.application.version + 1);
  });

  it('writes nothing when a check changed after the approval read the checks', async () => {
    const id = await checked();
    const read = await store.readForDecision(los.tenantId, id);
    const { kind, status, result } = read!.checks[0]!;
    expect(status).toBe('completed');
    // The check is run again (as after new evidence): running, no result yet.
    await los.pool.query("UPDATE application_checks SET status = 'running', result = NULL WHERE application_id = $1 AND kind = $2", [id, kind]);
    try {
      const commit = approval(read!.application, read!.checks);
      expect(await store.commitDecision(commit)).toBe(false);
      expect(await written(id, commit.message.key)).toEqual({ app: { status: 'checks-complete', version: read!.application.version, loan_id: null }, audit: [], outbox: [] });
      // A decline does not rest on the checks: it is written.
      const { checks: _unused, message: _none, ...rest } = commit;
      expect(await store.commitDecision({ ...rest, application: { ...commit.application, status: 'declined', loanId: null, decisionReason: 'test' }, audit: [{ ...rest.audit[0]!, action: 'manual-decline', detail: { reason: 'test' } }] })).toBe(true);
      expect((await written(id, commit.message.key)).app).toMatchObject({ status: 'declined', loan_id: null });
    } finally {
      await los.pool.query('UPDATE application_checks SET status = $3, result = $4 WHERE application_id = $1 AND kind = $2', [id, kind, status, result]);
    }
  });
});
