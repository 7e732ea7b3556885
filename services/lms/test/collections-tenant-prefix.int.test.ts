// A collector for some tenants (LMS_COLLECTIONS_TENANT_PREFIX) leaves the others' collections alone, on the real
// Postgres and Temporal: its waker does not signal another tenant's wake-up (whose workflow, not its to find, would
// be "not found" and the wake-up dropped), its resend does not mark another tenant's action as sent, and its
// lifecycle-signals parser passes another tenant's events by, and its auto-debits are presented for its tenants only. Without a prefix, every tenant is its own
// (read here only: waking every tenant's rows would reach other tests' workflows on the shared database).
import { randomUUID } from 'node:crypto';
import { createLogger } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectionsWaker } from '../src/modules/collections/adapters/collections-waker.js';
import { dueWakeups } from '../src/modules/collections/adapters/collector.repository.js';
import { tenantsWithDebitsDue } from '../src/modules/autodebit/adapters/autodebit.repository.js';
import { parseCollectorEvent } from '../src/modules/collections/adapters/lifecycle-signals.consumer.js';
import { resendPendingActions } from '../src/modules/collections/use-cases/collector-actions.js';
import { collectionsWorkflowId } from '../src/modules/loans/domain/loan-account.js';
import { newTenant, startHarness, type Harness } from './servicing-harness.js';

let h: Harness;
let connection: Connection;
let temporal: Client;
const ours = newTenant('tp-ours');
const theirs = newTenant('tp-theirs');
const prefix = ours.slice(0, -2);

beforeAll(async () => {
  h = await startHarness();
  const { temporalAddress } = await infrastructure();
  connection = await Connection.connect({ address: temporalAddress });
  temporal = new Client({ connection });
  for (const tenant of [ours, theirs]) await h.pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '2026-07-10']);
}, 120_000);

afterAll(async () => {
  await h?.pool.query('DELETE FROM collections_wakeups WHERE tenant_id = ANY($1)', [[ours, theirs]]);
  await h?.pool.query('DELETE FROM collections_actions WHERE tenant_id = ANY($1)', [[ours, theirs]]);
  await h?.pool.query('DELETE FROM business_dates WHERE tenant_id = ANY($1)', [[ours, theirs]]);
  await connection?.close();
  await h?.close();
});

const wakeups = async () => (await h.pool.query<{ tenant_id: string }>('SELECT tenant_id FROM collections_wakeups WHERE tenant_id = ANY($1) ORDER BY tenant_id', [[ours, theirs]])).rows.map((r) => r.tenant_id);
const unsent = async () => (await h.pool.query<{ tenant_id: string }>('SELECT tenant_id FROM collections_actions WHERE tenant_id = ANY($1) AND signalled_at IS NULL ORDER BY tenant_id', [[ours, theirs]])).rows.map((r) => r.tenant_id);

describe('a collector for some tenants', () => {
  it('wakes and resends for its own tenants only', async () => {
    for (const tenant of [ours, theirs]) {
      // A wake-up due and an action not yet sent, for a loan whose workflow does not exist in this namespace.
      await h.pool.query('INSERT INTO collections_wakeups (loan_id, tenant_id, wake_on) VALUES ($1, $2, $3)', [`${tenant}-loan`, tenant, '2026-07-09']);
      await h.pool.query(
        `INSERT INTO collections_actions (id, tenant_id, loan_id, kind, details, business_date, recorded_by, recorded_at, idempotency_key, request_hash)
         VALUES ($1, $2, $3, 'hold-lifted', '{}', '2026-07-10', 'collector-1', now(), $4, 'h')`, [randomUUID(), tenant, `${tenant}-loan`, randomUUID()]);
    }
    // The real client, with the workflows this collector addresses noted (other tests' collectors on this database
    // may wake every tenant's rows meanwhile, so what stays in the tables is not this collector's alone to judge).
    const addressed: string[] = [];
    const observed = { workflow: { getHandle: (id: string) => (addressed.push(id), temporal.workflow.getHandle(id)) } } as unknown as Client;
    const waker = startCollectionsWaker({
      pool: h.pool, temporal: observed, logger: createLogger({ service: 'test', level: 'silent' }), idleMs: 3_600_000, tenantPrefix: prefix,
      resend: () => resendPendingActions({ pool: h.pool, temporal: () => observed }, 200, prefix),
    });
    try {
      await waker.drain();
    } finally {
      await waker.stop();
    }
    // Ours: woken and resent (its workflow is not found, so its wake-up went and its action counts as sent); theirs never addressed.
    expect(addressed.filter((id) => id === collectionsWorkflowId(`${ours}-loan`))).toHaveLength(2);
    expect(addressed).not.toContain(collectionsWorkflowId(`${theirs}-loan`));
    expect(addressed.every((id) => id.includes(prefix))).toBe(true);
    expect(await wakeups()).not.toContain(ours);
    expect(await unsent()).not.toContain(ours);
  });

  it('passes another tenant\'s lifecycle events by, and signals its own', () => {
    const event = (tenantId: string) => Buffer.from(JSON.stringify({
      id: randomUUID(), type: 'LoanClosed', version: 1, source: 'lendstack-lms', subject: `${tenantId}-loan`, occurredAt: new Date().toISOString(), tenantId, correlationId: 'c-1',
      payload: { loanId: `${tenantId}-loan`, eventKey: 'closed:2026-07-10', businessDate: '2026-07-10', closedOn: '2026-07-10', reason: 'repaid' } }));
    const mine = parseCollectorEvent(event(ours), prefix);
    const other = parseCollectorEvent(event(theirs), prefix);
    expect(other).toEqual({ ok: true, event: null });
    expect(mine.ok && mine.event).toMatchObject({ type: 'LoanClosed', loanId: `${ours}-loan` });
    // Without a prefix the other tenant's event is signalled too.
    const any = parseCollectorEvent(event(theirs));
    expect(any.ok && any.event).toMatchObject({ type: 'LoanClosed', loanId: `${theirs}-loan` });
  });

  it('presents the auto-debits of its own tenants only', async () => {
    // In a transaction rolled back after: other tests' runners on this database must not see these loans' debits.
    const client = await h.pool.connect();
    try {
      await client.query('BEGIN');
      for (const tenant of [ours, theirs]) {
        await client.query(
          `INSERT INTO autodebit_presentments (id, tenant_id, loan_id, installment_number, rail, attempt, amount_minor, currency, scale, effective_date, status)
           VALUES ($1, $2, $3, 1, 'us-ach', 1, 12500, 'USD', 2, '2026-07-10', 'scheduled')`, [randomUUID(), tenant, `${tenant}-loan`]);
      }
      const due = async (p: string | null) => (await tenantsWithDebitsDue(client, 'us-ach', 0, p)).map((t) => t.tenantId).filter((t) => t === ours || t === theirs);
      expect(await due(prefix)).toEqual([ours]);
      expect(await due(null)).toEqual([ours, theirs].sort());
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('without a prefix, finds every tenant\'s wake-ups due', async () => {
    const client = await h.pool.connect();
    try {
      await client.query('BEGIN');
      for (const tenant of [ours, theirs]) {
        await client.query('INSERT INTO collections_wakeups (loan_id, tenant_id, wake_on) VALUES ($1, $2, $3) ON CONFLICT (loan_id) DO UPDATE SET wake_on = excluded.wake_on', [`${tenant}-loan-2`, tenant, '2026-07-09']);
      }
      const due = async (p: string | null) => (await dueWakeups(client, 100_000, p)).map((w) => w.tenantId).filter((t) => t === ours || t === theirs).sort();
      expect(await due(null)).toEqual(expect.arrayContaining([ours, theirs]));
      expect(await due(prefix)).not.toContain(theirs);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
