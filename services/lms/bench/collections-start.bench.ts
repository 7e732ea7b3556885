/**
 * Collections workflow starts: BENCH_WORKFLOW_STARTS (2,000) booked loans, inserted set-based (not timed), have
 * their collections workflow started by the LMS's own starter (startCollectionsStarter: reads the loans not yet
 * started, starts each workflow with the loan's trace context, stamps the loans), beside the same number of empty
 * workflows started by a bare Temporal client with the same concurrency against the same server, before and
 * after it in the same run. No worker polls the task queue, so only the starts are measured (a worker running
 * the workflows would compete for the same two cores); every workflow is terminated afterwards (not timed).
 * Run by infra/bench.sh (BENCH_ONLY=collections) against lendstack_lms_bench only.
 *
 *   BENCH_WORKFLOW_STARTS (2000)  BENCH_WORKFLOW_CONCURRENCY (16: the starter's default)
 */
import { randomUUID } from 'node:crypto';
import { createLogger, eachLimited } from '@lendstack/platform';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { startCollectionsStarter } from '../src/modules/collections/adapters/collections-starter.js';
import { intEnv } from '../../../packages/testing/bench/lib/env.js';

const N = intEnv('BENCH_WORKFLOW_STARTS', 2_000, 10, 200_000);
const CONCURRENCY = intEnv('BENCH_WORKFLOW_CONCURRENCY', 16, 1, 256);
const dbUrl = new URL(process.env.LMS_DATABASE_URL || 'invalid://');
if (!/_bench[a-z0-9]*$/.test(dbUrl.pathname) || !['127.0.0.1', 'localhost'].includes(dbUrl.hostname)) throw new Error('the bench only runs against a local *_bench database; use infra/bench.sh');

const log = (line: string) => console.log(`[collections-start] ${line}`);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const run = randomUUID().slice(0, 8);
const taskQueue = `bench-starts-${run}`;

/** N empty workflows started by the bare client, CONCURRENCY at a time: the ceiling the server and client allow. */
async function bareStarts(temporal: Client, label: string): Promise<{ ms: number; ids: string[] }> {
  const ids = Array.from({ length: N }, (_, i) => `bench-empty-${run}-${label}-${i}`);
  const started = performance.now();
  await eachLimited(ids, CONCURRENCY, async (workflowId) => { await temporal.workflow.start('benchEmptyWorkflow', { workflowId, taskQueue, args: [] }); });
  return { ms: performance.now() - started, ids };
}

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.LMS_DATABASE_URL, max: 8 });
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const temporal = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const tenant = `wfbench-${run}`;
  const allIds: string[] = [];
  try {
    log(`setup: ${N} booked loans (set-based insert, with a trace context each as the consumer stores it)`);
    await pool.query(
      `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent, term_periods, frequency, schedule_method,
         disbursement_date, status, approved_at, approved_by, source_event_id, traceparent, collections_workflow_id, created_at)
       SELECT $1 || '-' || g, $2, 'app-' || g, '{}'::jsonb, 'PL-12', 120000, 'USD', 2, '12', 12, 'monthly', 'equal-installment', '2026-01-05', 'active', now(), 'bench',
         gen_random_uuid(), '00-' || md5(g::text) || '-' || substr(md5('s' || g), 1, 16) || '-01', 'collections-' || $1 || '-' || g, now() + g * interval '1 microsecond'
       FROM generate_series(1, $3::int) g`, [`loan-${run}`, tenant, N]);

    const before = await bareStarts(temporal, 'before');
    allIds.push(...before.ids);
    log(`baseline (before): ${N} empty workflows started by a bare client in ${Math.round(before.ms)} ms (${rate(N, before.ms)}/s)`);

    const started = performance.now();
    const starter = startCollectionsStarter({ pool, temporal, taskQueue, logger: createLogger({ service: 'bench', level: 'warn' }), concurrency: CONCURRENCY, idleMs: 20 });
    for (;;) {
      const left = Number((await pool.query(`SELECT count(*) FROM loan_accounts WHERE tenant_id = $1 AND collections_started_at IS NULL`, [tenant])).rows[0].count);
      if (left === 0) break;
      if (performance.now() - started > 1_800_000) throw new Error(`${left} collections workflows still not started after 30 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const starterMs = performance.now() - started;
    await starter.stop();
    allIds.push(...(await pool.query<{ w: string }>(`SELECT collections_workflow_id AS w FROM loan_accounts WHERE tenant_id = $1`, [tenant])).rows.map((r) => r.w));
    log(`collections starter: ${N} collections workflows started and their loans stamped in ${Math.round(starterMs)} ms (${rate(N, starterMs)}/s)`);

    const after = await bareStarts(temporal, 'after');
    allIds.push(...after.ids);
    log(`baseline (after): ${N} empty workflows started by a bare client in ${Math.round(after.ms)} ms (${rate(N, after.ms)}/s)`);

    const baselineRate = (rate(N, before.ms) + rate(N, after.ms)) / 2;
    const ratio = rate(N, starterMs) / baselineRate;
    console.log('');
    console.log('| figure | workflows | ms | starts/s |');
    console.log('|---|---:|---:|---:|');
    console.log(`| bare client, empty workflows (before) | ${N} | ${Math.round(before.ms)} | ${rate(N, before.ms)} |`);
    console.log(`| **collections starter** (read, start with trace context, stamp) | ${N} | ${Math.round(starterMs)} | **${rate(N, starterMs)}** |`);
    console.log(`| bare client, empty workflows (after) | ${N} | ${Math.round(after.ms)} | ${rate(N, after.ms)} |`);
    console.log('');
    console.log(`ratio to the mean of the two baselines: ${ratio.toFixed(2)} (aim ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'not met'})`);
  } finally {
    log(`cleanup: terminating ${allIds.length} workflows (not timed)`);
    await eachLimited(allIds, 32, async (id) => { await temporal.workflow.getHandle(id).terminate('bench cleanup').catch(() => undefined); });
    await pool.query(`DELETE FROM loan_accounts WHERE tenant_id = $1`, [tenant]);
    await connection.close();
    await pool.end();
  }
}

await main();
