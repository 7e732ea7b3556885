/**
 * Pipeline benchmark: N approvals through LOS → outbox relay → Kafka → LMS consumer → Postgres, beside
 * the same rows written straight into Postgres in the same run. Plain tsx script (not vitest), run by
 * infra/bench.sh against the dedicated *_bench databases; all traffic goes to 127.0.0.1.
 *
 *   BENCH_APPROVALS (10000)  BENCH_CONCURRENCY (48 requests in flight)  BENCH_DRAIN_TIMEOUT_S (600)
 *   BENCH_WORKFLOW_TIMEOUT_S (600)  BENCH_BASELINE_ROUNDS (3)  BENCH_LOS_DB_POOL_MAX (20)  BENCH_LMS_DB_POOL_MAX (10)
 *   BENCH_PROFILE_DIR (unset: no profiling; set: V8 CPU profiles of both services land there)
 *   BENCH_BARE_WORKFLOW_STARTS (1000; 0: none): after the services stopped, that many empty workflows are started by
 *     a bare Temporal client (16 in flight, the collections starter's concurrency) against the same server, and
 *     the collections workflow start rate of the pipeline is reported as a ratio to it (as BENCH_ONLY=collections does).
 *   BENCH_SUBMIT (= BENCH_APPROVALS): how many applications are submitted over HTTP and checked by the LOS's
 *     Temporal worker; the rest of the N are copies of those checked ones (rows of applications,
 *     application_checks and application_pii, new ids) written in SQL before the timing starts. The checks
 *     conclude at 1–3 per second on this machine (BENCHMARKS.md, checks), which bounds N otherwise; what
 *     the approval reads and writes is the same for a copy as for the original.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { eachLimited, signToken } from '@lendstack/platform';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { startServiceProcess, type ServiceProcess } from '../src/services.js';
import { measureDirectInsert, type BaselineResult } from './lib/baseline.js';
import { createHttpClient, runBounded, type HttpClient, type HttpResult } from './lib/http-load.js';
import { distribution, loadTimelines, span, type Distribution, type LoanTimeline } from './lib/measure.js';
import { cpuBetween, cpuSnapshot, MACHINE_GROUP, peakRssMiB, pidListeningOn, pidsWithCommandLine } from './lib/processes.js';
import { fmt, markdownTable, textTable, type Row } from './lib/report.js';
import { intEnv } from './lib/env.js';

const config = {
  approvals: intEnv('BENCH_APPROVALS', 10_000, 1, 200_000),
  submit: intEnv('BENCH_SUBMIT', intEnv('BENCH_APPROVALS', 10_000, 1, 200_000), 1, 200_000),
  concurrency: intEnv('BENCH_CONCURRENCY', 48, 1, 256),
  drainTimeoutMs: intEnv('BENCH_DRAIN_TIMEOUT_S', 600, 10, 3_600) * 1000,
  workflowTimeoutMs: intEnv('BENCH_WORKFLOW_TIMEOUT_S', 600, 10, 3_600) * 1000,
  baselineRounds: intEnv('BENCH_BASELINE_ROUNDS', 3, 1, 10),
  bareWorkflowStarts: intEnv('BENCH_BARE_WORKFLOW_STARTS', 1_000, 0, 200_000),
  losPort: intEnv('BENCH_LOS_PORT', 3201, 1, 65_535),
  lmsPort: intEnv('BENCH_LMS_PORT', 3202, 1, 65_535),
  losPoolMax: intEnv('BENCH_LOS_DB_POOL_MAX', 20, 2, 100),
  lmsPoolMax: intEnv('BENCH_LMS_DB_POOL_MAX', 10, 2, 100),
  runId: process.env.BENCH_RUN_ID ?? randomUUID().slice(0, 8),
  resultsDir: process.env.BENCH_RESULTS_DIR,
  profileDir: process.env.BENCH_PROFILE_DIR,
  losDatabaseUrl: process.env.LOS_DATABASE_URL ?? '',
  lmsDatabaseUrl: process.env.LMS_DATABASE_URL ?? '',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
};

// Never against a person's or the tests' databases, never off this machine.
for (const url of [config.losDatabaseUrl, config.lmsDatabaseUrl]) {
  const u = new URL(url || 'invalid://');
  if (!u.pathname.endsWith('_bench') || !['127.0.0.1', 'localhost'].includes(u.hostname)) {
    throw new Error(`the bench only runs against local *_bench databases (got ${url || 'nothing'}); use infra/bench.sh`);
  }
}

const t0 = Date.now();
const log = (line: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const every = (ms: number, fn: () => Promise<void> | void) => {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.resolve(fn()).catch(() => undefined).finally(() => { busy = false; });
  }, ms);
  return () => clearInterval(timer);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const secret = `lendstack-bench-secret-${config.runId}-0123456789abcdef`;
const tenant = `bench-${config.runId}`;
const now = Math.floor(Date.now() / 1000);
const partner = signToken(secret, { subject: 'partner@bench', tenantId: tenant, roles: ['partner'] }, 7_200, now);
const operator = signToken(secret, { subject: 'operator@bench', tenantId: tenant, roles: ['operator'] }, 7_200, now);
const disbursement = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** The same application the system tests submit: ₹5,00,000 over 12 monthly installments at 14 %. */
function applicationBody(i: number): string {
  return JSON.stringify({
    applicant: {
      name: { given: 'Asha', family: `Rao-${i}` },
      contact: { email: `asha.${i}@example.com`, phone: '+919812345678' },
      address: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', value: 'ABCDE1234F' },
      bankAccount: { holderName: 'Asha Rao', accountNumber: '123456789012', bankCode: 'HDFC0001234' },
    },
    loan: { productCode: 'PL-12', principal: { amount: String(50_000_000 + i * 100), currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly', expectedDisbursementDate: disbursement },
  });
}

async function startServices(): Promise<{ los: ServiceProcess; lms: ServiceProcess }> {
  const common: Record<string, string> = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: config.kafkaBrokers, LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none' };
  // V8 CPU profiles of the services (written when they stop), to see where their time goes.
  const profile = (name: string): Record<string, string> => (config.profileDir
    ? { BENCH_PROFILE_DIR: config.profileDir, BENCH_PROFILE_NAME: name, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${new URL('./lib/cpu-profile.mjs', import.meta.url).href}`.trim() }
    : {});
  const [los, lms] = await Promise.all([
    // The checks on our own data only: this measures approval → booking; the vendor checks have their own bench (checks.bench.ts).
    startServiceProcess('los', config.losPort, { ...common, ...profile('los'), LOS_DATABASE_URL: config.losDatabaseUrl, LOS_DB_POOL_MAX: String(config.losPoolMax), LOS_CHECK_KINDS: 'duplicate,velocity,device,sanctions' }),
    startServiceProcess('lms', config.lmsPort, {
      ...common,
      ...profile('lms'),
      LMS_DATABASE_URL: config.lmsDatabaseUrl,
      LMS_DB_POOL_MAX: String(config.lmsPoolMax),
      TEMPORAL_ADDRESS: config.temporalAddress,
      LMS_CONSUMER_GROUP: `lms-bench-${config.runId}`,
      LMS_CONSUMER_FROM_BEGINNING: 'false',
      TEMPORAL_TASK_QUEUE: `collections-bench-${config.runId}`,
    }),
  ]);
  return { los, lms };
}

/** Sends `count` requests with bounded concurrency, printing progress; returns per-request results and wall time. */
async function drive(client: HttpClient, what: string, count: number, request: (i: number) => Promise<HttpResult>, extra?: () => Promise<string>) {
  let done = 0;
  const started = performance.now();
  const stop = every(2_000, async () => {
    const rate = done / ((performance.now() - started) / 1000);
    log(`  ${what}: ${fmt(done)}/${fmt(count)} (${fmt(rate)}/s)${extra ? ` · ${await extra()}` : ''}`);
  });
  try {
    const results = await runBounded(count, config.concurrency, async (i) => {
      const r = await request(i).catch((error: Error) => ({ status: 0, body: error.message, ms: 0 }));
      done += 1;
      return r;
    });
    return { results, wallMs: performance.now() - started };
  } finally {
    stop();
  }
}

const countBooked = async (lmsDb: pg.Pool) =>
  Number((await lmsDb.query('SELECT count(*) FROM loan_accounts WHERE tenant_id = $1', [tenant])).rows[0].count);
const countStarted = async (lmsDb: pg.Pool) =>
  Number((await lmsDb.query('SELECT count(*) FROM loan_accounts WHERE tenant_id = $1 AND collections_started_at IS NOT NULL', [tenant])).rows[0].count);

/** Polls `probe` until it reaches `target` or the deadline passes; returns the last value and when it was seen. */
async function waitFor(what: string, target: number, probe: () => Promise<number>, timeoutMs: number, intervalMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  let value = await probe();
  while (value < target && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await probe();
    if (Date.now() - lastLog > 3_000) {
      log(`  ${what}: ${fmt(value)}/${fmt(target)}`);
      lastLog = Date.now();
    }
  }
  return { value, atMs: Date.now(), complete: value >= target };
}

interface Results {
  approvals: { ok: number; failed: number; wallMs: number; latency: Distribution; firstError?: string };
  submissions: { ok: number; failed: number; wallMs: number };
  pipeline: { booked: number; complete: boolean; wallMs: number; dbSpanMs: number; endToEnd: Distribution; toPublished: Distribution; publishedToBooked: Distribution };
  workflows: { started: number; complete: boolean; spanMs: number; fromFirstBookedMs: number };
  cpu: { pipeline: Map<string, number>; workflows: Map<string, number> };
  rssMiB: { los?: number; lms?: number };
  baseline?: BaselineResult;
  bareStarts?: { count: number; ms: number };
}

async function runPipeline(los: ServiceProcess, losDb: pg.Pool, lmsDb: pg.Pool, pids: Record<string, number | undefined>): Promise<Omit<Results, 'baseline'>> {
  const client = createHttpClient(los.url, config.concurrency);
  const json = { 'content-type': 'application/json' };
  try {
    const submitting = Math.min(config.submit, config.approvals);
    log(`submitting ${fmt(submitting)} applications (not part of the pipeline figure)`);
    const submitted = await drive(client, 'submitted', submitting, (i) =>
      client.post('/v1/applications', { ...json, authorization: `Bearer ${partner}` }, applicationBody(i)));
    const ids = submitted.results.filter((r) => r.status === 201).map((r) => (JSON.parse(r.body) as { id: string }).id);
    if (ids.length === 0) throw new Error(`no application was accepted: ${submitted.results[0]?.status} ${submitted.results[0]?.body.slice(0, 500)}`);

    // Every application is checked (the LOS's Temporal worker) before it may be approved.
    log(`waiting for the checks of ${fmt(ids.length)} applications (not part of the pipeline figure)`);
    const checksDeadline = Date.now() + 15 * 60_000;
    for (;;) {
      const { rows } = await losDb.query<{ n: string }>("SELECT count(*) AS n FROM applications WHERE id = ANY($1::uuid[]) AND status IN ('checks-complete', 'checks-exception')", [ids]);
      if (Number(rows[0]!.n) === ids.length) break;
      if (Date.now() > checksDeadline) throw new Error(`checks concluded for ${rows[0]!.n} of ${ids.length} applications in 15 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const submittedOk = ids.length;
    if (ids.length < config.approvals) {
      log(`copying the ${fmt(ids.length)} checked applications to ${fmt(config.approvals)} in SQL (not part of the pipeline figure)`);
      ids.push(...(await copyCheckedApplications(losDb, ids, config.approvals - ids.length)));
    }
    log(`approving ${fmt(ids.length)} applications, ${config.concurrency} requests in flight`);
    const cpu0 = cpuSnapshot(pids);
    const approveStartedAt = Date.now();
    const approved = await drive(client, 'approved', ids.length, (i) =>
      client.post(`/v1/applications/${ids[i]}/approve`, { ...json, authorization: `Bearer ${operator}` }, '{}'),
    async () => `booked in LMS ${fmt(await countBooked(lmsDb))}`);
    const ok = approved.results.filter((r) => r.status === 200);
    const failedApproval = approved.results.find((r) => r.status !== 200);

    log(`waiting for the LMS to book all ${fmt(ok.length)} loans (at most ${config.drainTimeoutMs / 1000} s)`);
    const drained = await waitFor('booked', ok.length, () => countBooked(lmsDb), config.drainTimeoutMs, 50);
    const cpu1 = cpuSnapshot(pids);

    log(`waiting for collections workflows to start (at most ${config.workflowTimeoutMs / 1000} s)`);
    const wf = await waitFor('workflows started', drained.value, () => countStarted(lmsDb), config.workflowTimeoutMs, 500);
    const cpu2 = cpuSnapshot(pids);
    const rssMiB = { los: peakRssMiB(pids.los), lms: peakRssMiB(pids.lms) };

    const timelines = [...(await loadTimelines(losDb, lmsDb, tenant)).values()];
    const booked = timelines.filter((t): t is LoanTimeline & { bookedMs: number } => t.bookedMs !== undefined);
    const published = booked.filter((t) => t.outboxSentMs !== undefined);
    const startedMs = booked.flatMap((t) => (t.collectionsStartedMs === undefined ? [] : [t.collectionsStartedMs]));
    const firstDecided = span(timelines.map((t) => t.decidedMs)).first;
    return {
      submissions: { ok: submittedOk, failed: submitted.results.length - submittedOk, wallMs: submitted.wallMs },
      approvals: { ok: ok.length, failed: approved.results.length - ok.length, wallMs: approved.wallMs, latency: distribution(ok.map((r) => r.ms)), firstError: failedApproval && `${failedApproval.status} ${failedApproval.body.slice(0, 300)}` },
      pipeline: {
        booked: booked.length,
        complete: drained.complete,
        wallMs: drained.atMs - approveStartedAt,
        dbSpanMs: span(booked.map((t) => t.bookedMs)).last - firstDecided,
        endToEnd: distribution(booked.map((t) => t.bookedMs - t.decidedMs)),
        toPublished: distribution(published.map((t) => t.outboxSentMs! - t.decidedMs)),
        publishedToBooked: distribution(published.map((t) => t.bookedMs - t.outboxSentMs!)),
      },
      workflows: { started: startedMs.length, complete: wf.complete, spanMs: span(startedMs).ms, fromFirstBookedMs: span(startedMs).last - span(booked.map((t) => t.bookedMs)).first },
      cpu: { pipeline: cpuBetween(cpu0, cpu1), workflows: cpuBetween(cpu1, cpu2) },
      rssMiB,
    };
  } finally {
    client.close();
  }
}

/**
 * Copies checked applications of the tenant (round robin over `sources`) with new ids, each with its checks
 * and sealed PII, in one transaction; every column is copied as it is (read from the catalogue, so a new
 * column comes along), except the id and the idempotency keys, which are made unique. Returns the new ids.
 */
async function copyCheckedApplications(losDb: pg.Pool, sources: string[], count: number): Promise<string[]> {
  const client = await losDb.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE bench_copies ON COMMIT DROP AS
      SELECT gen_random_uuid() AS new_id, ($1::uuid[])[1 + (g % cardinality($1::uuid[]))] AS src_id FROM generate_series(0, $2 - 1) AS g`, [sources, count]);
    for (const [table, key] of [['applications', 'id'], ['application_checks', 'application_id'], ['application_pii', 'application_id']] as const) {
      const { rows } = await client.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", [table]);
      const columns = rows.map((r) => r.column_name);
      const select = columns.map((c) => (c === key ? 'm.new_id' : c === 'idempotency_key' ? `t.${c} || ':' || m.new_id` : `t.${c}`));
      await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM bench_copies m JOIN ${table} t ON t.${key} = m.src_id`);
    }
    const { rows } = await client.query<{ new_id: string }>('SELECT new_id FROM bench_copies');
    await client.query('COMMIT');
    return rows.map((r) => r.new_id);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Empty workflows started by a bare client on a task queue no worker polls (the ceiling the server and client
 * allow, as the collections bench measures it), then terminated (not timed).
 */
async function bareWorkflowStarts(count: number): Promise<{ count: number; ms: number }> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const ids = Array.from({ length: count }, (_, i) => `bench-empty-${config.runId}-${i}`);
  try {
    const started = performance.now();
    await eachLimited(ids, 16, async (workflowId) => { await temporal.workflow.start('benchEmptyWorkflow', { workflowId, taskQueue: `bench-empty-${config.runId}`, args: [] }); });
    return { count, ms: performance.now() - started };
  } finally {
    await eachLimited(ids, 32, async (id) => { await temporal.workflow.getHandle(id).terminate('bench cleanup').catch(() => undefined); });
    await connection.close();
  }
}

function report(r: Results): string {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const pipelineRate = r.pipeline.booked / (r.pipeline.wallMs / 1000);
  const baselineMs = r.baseline ? median(r.baseline.roundsMs) : Number.NaN;
  const baselineRate = r.baseline ? r.baseline.loans / (baselineMs / 1000) : Number.NaN;
  const instPerLoan = r.baseline ? r.baseline.installments / r.baseline.loans : 12;
  const main: Row[] = [
    ['pipeline: LOS approve → outbox → Kafka → LMS booked', fmt(r.pipeline.booked), fmt(r.pipeline.wallMs / 1000, 2), fmt(pipelineRate), fmt(pipelineRate * (1 + instPerLoan)), '1.00×'],
    ['direct insert: same rows, same unnest() chunks of 500', fmt(r.baseline?.loans), fmt(baselineMs / 1000, 2), fmt(baselineRate), fmt(baselineRate * (1 + instPerLoan)), `ratio ${fmt(pipelineRate / baselineRate, 2)}`],
  ];
  const dist = (name: string, d: Distribution): Row => [name, fmt(d.count), fmt(d.p50), fmt(d.p90), fmt(d.p99), fmt(d.max)];
  const latency: Row[] = [
    dist('approval → schedule persisted (decided_at → loan_accounts.created_at)', r.pipeline.endToEnd),
    dist('  approval → outbox row marked sent (relay)', r.pipeline.toPublished),
    dist('  outbox marked sent → schedule persisted (Kafka + consumer)', r.pipeline.publishedToBooked),
    dist('HTTP POST /approve round trip (client side)', r.approvals.latency),
  ];
  const pipelineS = r.pipeline.wallMs / 1000;
  const cpu = cpuRows(r.cpu.pipeline, r.cpu.workflows, pipelineS, r.pipeline.booked);
  const other: Row[] = [
    ['applications submitted (before timing)', `${fmt(r.submissions.ok)} in ${fmt(r.submissions.wallMs / 1000, 1)} s = ${fmt(r.submissions.ok / (r.submissions.wallMs / 1000))}/s${r.submissions.failed ? `, ${r.submissions.failed} failed` : ''}${r.submissions.ok < r.pipeline.booked ? ` (the rest copies of them, BENCH_SUBMIT)` : ''}`],
    ['approval requests', `${fmt(r.approvals.ok)} in ${fmt(r.approvals.wallMs / 1000, 1)} s = ${fmt(r.approvals.ok / (r.approvals.wallMs / 1000))}/s${r.approvals.failed ? `, ${r.approvals.failed} failed (${r.approvals.firstError})` : ''}`],
    ['pipeline span from DB timestamps (first decided_at → last created_at)', `${fmt(r.pipeline.dbSpanMs / 1000, 2)} s = ${fmt(r.pipeline.booked / (r.pipeline.dbSpanMs / 1000))} loans/s`],
    ['all loans booked?', r.pipeline.complete ? 'yes' : `NO: ${fmt(r.pipeline.booked)} of ${fmt(r.approvals.ok)} within the bound`],
    ['collections workflows started', `${fmt(r.workflows.started)} of ${fmt(r.pipeline.booked)}${r.workflows.complete ? '' : ' (bound reached)'}`],
    ['workflow start rate (first → last collections_started_at)', `${fmt(r.workflows.started / (r.workflows.spanMs / 1000))}/s over ${fmt(r.workflows.spanMs / 1000, 1)} s`],
    ['first loan booked → last workflow started', `${fmt(r.workflows.fromFirstBookedMs / 1000, 1)} s`],
    ...(r.bareStarts ? [[
      'workflow-start baseline: empty workflows, bare Temporal client (after the run)',
      `${fmt(r.bareStarts.count)} in ${fmt(r.bareStarts.ms / 1000, 1)} s = ${fmt(r.bareStarts.count / (r.bareStarts.ms / 1000))}/s; collections starts ÷ it = ratio ${fmt((r.workflows.started / (r.workflows.spanMs / 1000)) / (r.bareStarts.count / (r.bareStarts.ms / 1000)), 2)}`,
    ] as Row] : []),
    ['peak RSS (VmHWM) LOS / LMS', `${fmt(r.rssMiB.los)} MiB / ${fmt(r.rssMiB.lms)} MiB`],
  ];
  const sections = (table: (h: Row, rows: Row[]) => string) => [
    table(['', 'loans', 'seconds', 'loans/s', 'rows/s', 'vs pipeline'], main),
    table(['latency (ms)', 'n', 'p50', 'p90', 'p99', 'max'], latency),
    table(['', 'value'], other),
    table(['CPU seconds by process group', 'pipeline phase', 'cores busy', 'CPU ms per loan', 'workflow phase'], cpu),
  ];
  console.log(`\n${sections(textTable).join('\n\n')}\n`);
  return sections(markdownTable).join('\n\n');
}

function tryKill(pid: number) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/** Asks each service to write its CPU profile (lib/cpu-profile.mjs) and waits for the files, at most 15 s. */
async function collectProfiles(pids: (number | undefined)[]) {
  const dir = config.profileDir!;
  const expected = pids.filter((p): p is number => p !== undefined);
  for (const pid of expected) process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 15_000;
  const present = () => expected.filter((pid) => readdirSync(dir).some((f) => f.endsWith(`-${pid}.cpuprofile`)));
  while (present().length < expected.length && Date.now() < deadline) await sleep(200);
  log(`CPU profiles in ${dir}: ${readdirSync(dir).filter((f) => expected.some((pid) => f.endsWith(`-${pid}.cpuprofile`))).join(', ') || 'none written'}`);
}

/** CPU by process group; what the machine used beyond the named groups is other sessions' or short-lived processes. */
function cpuRows(pipeline: Map<string, number>, workflows: Map<string, number>, seconds: number, loans: number): Row[] {
  const named = (m: Map<string, number>) => [...m].filter(([g]) => g !== MACHINE_GROUP).reduce((a, [, v]) => a + v, 0);
  const unattributed = 'exited processes (other sessions, not counted above)';
  const withRest = (m: Map<string, number>) => new Map([...m, [unattributed, Math.max(0, (m.get(MACHINE_GROUP) ?? 0) - named(m))]]);
  const p = withRest(pipeline);
  const w = withRest(workflows);
  const order = [...p.keys()].filter((g) => g !== MACHINE_GROUP && g !== unattributed).sort((a, b) => p.get(b)! - p.get(a)!);
  return [...order, unattributed, MACHINE_GROUP].map((g) => [g, fmt(p.get(g), 1), fmt((p.get(g) ?? 0) / seconds, 2), g === unattributed || g === MACHINE_GROUP || g.startsWith('other') ? '' : fmt((1000 * (p.get(g) ?? 0)) / loans, 2), fmt(w.get(g), 1)]);
}

async function main() {
  if (config.profileDir) mkdirSync(config.profileDir, { recursive: true });
  log(`run ${config.runId}: N=${fmt(config.approvals)}, concurrency ${config.concurrency}, tenant ${tenant}, LOS/LMS pools ${config.losPoolMax}/${config.lmsPoolMax}`);
  log(`starting LOS on :${config.losPort} and LMS on :${config.lmsPort} (consumer group lms-bench-${config.runId}, task queue collections-bench-${config.runId})`);
  const losDb = new pg.Pool({ connectionString: config.losDatabaseUrl, max: 2 });
  const lmsDb = new pg.Pool({ connectionString: config.lmsDatabaseUrl, max: 2 });
  // A dropped idle connection (Postgres restarted by another session) fails the next query, not the process.
  for (const pool of [losDb, lmsDb]) pool.on('error', (error) => log(`database connection lost: ${error.message}`));
  let services: { los: ServiceProcess; lms: ServiceProcess } | undefined;
  let results: Results;
  try {
    services = await startServices();
    const pids = { los: pidListeningOn(config.losPort), lms: pidListeningOn(config.lmsPort) };
    // Whatever ends this script (a crash, Ctrl-C), it does not leave the services running.
    process.once('exit', () => Object.values(pids).forEach((pid) => pid && tryKill(pid)));
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    log(`services ready (LOS pid ${pids.los ?? '?'}, LMS pid ${pids.lms ?? '?'})`);
    const kafkaBefore = pidsWithCommandLine('kafka.Kafka').join(',');
    results = await runPipeline(services.los, losDb, lmsDb, pids);
    // This machine is shared: a restarted broker (another session's outage test) shows up as a stall.
    const kafkaAfter = pidsWithCommandLine('kafka.Kafka').join(',');
    if (kafkaAfter !== kafkaBefore) log(`WARNING: the Kafka broker was restarted during the run (pid ${kafkaBefore || 'none'} → ${kafkaAfter || 'none'}); a stall in the tables may be that outage`);
    for (const [name, service] of Object.entries(services)) {
      const lines = service.output().split('\n').filter((l) => l.trim());
      if (lines.length === 0) continue;
      // The whole tail is kept next to the results: a crash's stack does not fit in one log line.
      const logFile = config.resultsDir ? `${config.resultsDir}/${name}-${config.runId}.log` : undefined;
      if (logFile) {
        mkdirSync(config.resultsDir!, { recursive: true });
        writeFileSync(logFile, service.output());
      }
      log(`${name} printed ${lines.length} line(s) at log level warn (last 20 kB kept${logFile ? ` in ${logFile}` : ''}); the last: ${lines.slice(-3).map((l) => l.slice(0, 300)).join(' | ')}`);
    }
    if (config.profileDir) await collectProfiles(Object.values(pids));
    log('stopping services');
    await Promise.all([services.los.stop(), services.lms.stop()]);
    services = undefined;
    if (config.bareWorkflowStarts > 0) {
      log(`workflow-start baseline: ${fmt(config.bareWorkflowStarts)} empty workflows started by a bare Temporal client, 16 in flight`);
      results.bareStarts = await bareWorkflowStarts(config.bareWorkflowStarts);
      log(`  ${fmt(results.bareStarts.count / (results.bareStarts.ms / 1000))}/s`);
    }
    log(`baseline: writing the same ${fmt(results.pipeline.booked)} loans straight into Postgres, ${config.baselineRounds} rounds`);
    results.baseline = await measureDirectInsert(lmsDb, tenant, config.baselineRounds, log);
  } finally {
    await Promise.all([services?.los.stop(), services?.lms.stop()]);
    await Promise.all([losDb.end(), lmsDb.end()]);
  }
  const markdown = report(results);
  if (config.resultsDir) {
    mkdirSync(config.resultsDir, { recursive: true });
    const file = `${config.resultsDir}/pipeline-${config.runId}.md`;
    writeFileSync(file, `N=${config.approvals}, concurrency ${config.concurrency}, run ${config.runId}, ${new Date().toISOString()}\n\n${markdown}\n`);
    log(`markdown tables written to ${file}`);
  }
  if (!results.pipeline.complete) process.exitCode = 1;
}

await main();
