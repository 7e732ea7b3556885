// A collector for some tenants (LMS_COLLECTIONS_TENANT_PREFIX) leaves the others' collections alone, on the real
// Postgres and Temporal: its waker does not signal another tenant's wake-up (whose workflow, not its to find, would
// be "not found" and the wake-up dropped), its resend does not mark another tenant's action as sent, and its
// lifecycle-signals parser passes another tenant's events by. Without a prefix, every tenant is its own
// (read here only: waking every tenant's rows would reach other tests' workflows on the shared database).
import { randomUUID } from 'node:crypto';
import { createLogger } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectionsWaker } from '../src/modules/collections/adapters/collections-waker.js';
import { dueWakeups } from '../src/modules/collections/adapters/collector.repository.js';
import { parseCollectorEvent } from '../src/modules/collections/adapters/lifecycle-signals.consumer.js';
import { resendPendingActions } from '../src/modules/collections/use-cases/collector-actions.js';
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
  for (const tenant of [ours, theirs]) {
    await h.pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '2026-07-10']);
    // A wake-up due, for a loan whose workflow does not exist in this namespace.
    await h.pool.query('INSERT INTO collections_wakeups (loan_id, tenant_id, wake_on) VALUES ($1, $2, $3)', [`${tenant}-loan`, tenant, '2026-07-09']);
    await h.pool.query(
      `INSERT INTO collections_actions (id, tenant_id, loan_id, kind, details, business_date, recorded_by, recorded_at, idempotency_key, request_hash)
       VALUES ($1, $2, $3, 'hold-lifted', '{}', '2026-07-10', 'collector-1', now(), $4, 'h')`, [randomUUID(), tenant, `${tenant}-loan`, randomUUID()]);
  }
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
    const waker = startCollectionsWaker({
      pool: h.pool, temporal, logger: createLogger({ service: 'test', level: 'silent' }), idleMs: 3_600_000, tenantPrefix: prefix,
      resend: () => resendPendingActions({ pool: h.pool, temporal: () => temporal }, 200, prefix),
    });
    try {
      await waker.drain();
    } finally {
      await waker.stop();
    }
    // Ours: its workflow is not found, so its wake-up went and its action counts as sent; theirs untouched.
    expect(await wakeups()).toEqual([theirs]);
    expect(await unsent()).toEqual([theirs]);
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

  it('without a prefix, finds every tenant\'s wake-ups due', async () => {
    const due = (await dueWakeups(h.pool, 100_000)).map((w) => w.tenantId);
    expect(due).toContain(theirs);
    expect((await dueWakeups(h.pool, 100_000, prefix)).map((w) => w.tenantId)).not.toContain(theirs);
  });
});
