/**
 * Checks benchmark: applications submitted to a real LOS process at an open-loop rate, each checked by the
 * LOS's Temporal checks workflow against the KYC and bureau sandbox processes; measured per application
 * from the moment its submission was due to the moment its checks concluded (the ApplicationChecksCompleted
 * or ApplicationCheckException outbox row). Beside it, in the same run and the same LOS process, the bare
 * submission at the same rate: a tenant outside LOS_CHECKS_TENANT_PREFIX, so no checks workflow starts.
 * Plain tsx script, run by infra/bench.sh (BENCH_ONLY=checks) against the dedicated *_bench databases.
 *
 *   BENCH_CHECKS_RATE (50 applications/s)  BENCH_CHECKS_APPLICATIONS (1000 per phase)  BENCH_CHECKS_WARMUP (50)
 *   BENCH_CHECKS_MAX_IN_FLIGHT (256)  BENCH_CHECKS_DRAIN_TIMEOUT_S (1200)  BENCH_LOS_DB_POOL_MAX (20)
 *   BENCH_CHECKS_LOS_PORT (3890)  BENCH_KYC_SANDBOX_PORT (3891)  BENCH_BUREAU_SANDBOX_PORT (3892)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '@lendstack/platform';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { bureauSandbox } from '../sandboxes/bureau-sandbox/src/control.js';
import { kycSandbox } from '../sandboxes/kyc-sandbox/src/control.js';
import { startServiceProcess, type ServiceProcess } from '../src/services.js';
import { createHttpClient, percentile, type HttpClient } from './lib/http-load.js';
import { cpuBetween, cpuSnapshot, MACHINE_GROUP, peakRssMiB, pidListeningOn, type CpuSnapshot } from './lib/processes.js';
import { fmt, markdownTable, textTable, type Row } from './lib/report.js';
import { intEnv } from './lib/env.js';

const config = {
  rate: intEnv('BENCH_CHECKS_RATE', 50, 1, 2_000),
  applications: intEnv('BENCH_CHECKS_APPLICATIONS', 1_000, 10, 100_000),
  warmup: intEnv('BENCH_CHECKS_WARMUP', 50, 0, 10_000),
  maxInFlight: intEnv('BENCH_CHECKS_MAX_IN_FLIGHT', 256, 1, 4_096),
  drainTimeoutMs: intEnv('BENCH_CHECKS_DRAIN_TIMEOUT_S', 1_200, 10, 3_600) * 1000,
  losPoolMax: intEnv('BENCH_LOS_DB_POOL_MAX', 20, 2, 100),
  losPort: intEnv('BENCH_CHECKS_LOS_PORT', 3890, 1, 65_535),
  kycPort: intEnv('BENCH_KYC_SANDBOX_PORT', 3891, 1, 65_535),
  bureauPort: intEnv('BENCH_BUREAU_SANDBOX_PORT', 3892, 1, 65_535),
  runId: process.env.BENCH_RUN_ID ?? randomUUID().slice(0, 8),
  resultsDir: process.env.BENCH_RESULTS_DIR,
  cacheDir: process.env.LENDSTACK_CACHE ?? '/tmp',
  losDatabaseUrl: process.env.LOS_DATABASE_URL ?? '',
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
};
const taskQueue = `los-checks-bench-${config.runId}`;

// Never against a person's or the tests' database, never off this machine (infra/bench.sh gives this bench
// lendstack_los_checksbench, so it never drops a database another benchmark is using).
{
  const u = new URL(config.losDatabaseUrl || 'invalid://');
  if (!u.pathname.endsWith('bench') || !['127.0.0.1', 'localhost'].includes(u.hostname)) {
    throw new Error(`the bench only runs against a local *_bench database (got ${config.losDatabaseUrl || 'nothing'}); use infra/bench.sh`);
  }
}

interface Distribution { readonly count: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number }
function distribution(values: number[]): Distribution {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

const t0 = Date.now();
const log = (line: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const secret = `lendstack-bench-secret-${config.runId}-0123456789abcdef`;
/** Tenants under this prefix get checks; the bare tenant is outside it (LOS_CHECKS_TENANT_PREFIX). */
const checkedPrefix = `bench-checks-${config.runId}`;
const tenants = {
  checkedWarmup: `${checkedPrefix}-warmup`,
  bareWarmup: `bench-bare-${config.runId}-warmup`,
  checked: checkedPrefix,
  bare: `bench-bare-${config.runId}`,
} as const;
type Phase = keyof typeof tenants;
const now = Math.floor(Date.now() / 1000);
const tokenOf = (tenantId: string) => signToken(secret, { subject: 'partner@bench', tenantId, roles: ['partner'] }, 7_200, now);
const disbursement = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Base-26 letters of n, `width` wide: distinct applicants get distinct names and PANs. */
const letters = (n: number, width: number) => {
  let out = '';
  for (let i = 0; i < width; i += 1, n = Math.floor(n / 26)) out = String.fromCharCode(65 + (n % 26)) + out;
  return out;
};

/**
 * Applicant `i` (unique across phases): a clean Indian applicant (PAN verification at the KYC sandbox)
 * with a distinct PAN, phone, email, device and IP, so no duplicate, velocity or device rule refers them.
 * PAN digits 1000-8999 avoid the sandboxes' outcome triggers (91xx/95xx KYC, 900x/950x bureau).
 * No documents are uploaded: the document-ocr and income checks refer for the missing payslip and
 * identity document without running OCR (see BENCHMARKS.md).
 */
function applicationBody(i: number): string {
  const family = `Rao${letters(i, 4).toLowerCase()}`;
  const pan = `${letters(Math.floor(i / 8_000), 3)}P${letters(i % 26, 1)}${1000 + (i % 8_000)}${letters(Math.floor(i / 26), 1)}`;
  return JSON.stringify({
    applicant: {
      name: { given: 'Asha', family },
      contact: { email: `asha.${i}@example.com`, phone: `+9198${String(10_000_000 + i).slice(-8)}` },
      address: { line1: '12 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      dateOfBirth: '1990-04-12',
      nationalId: { type: 'PAN', value: pan },
      bankAccount: { holderName: `Asha ${family}`, accountNumber: String(100_000_000_000 + i), bankCode: 'HDFC0001234' },
    },
    employment: { employerName: 'Infosys Limited', monthlyNetIncome: { amount: '25000000', currency: 'INR', scale: 2 } },
    device: { fingerprint: `bench-fp-${config.runId}-${i}`, ip: `49.36.${(i >> 8) & 255}.${i & 255}` },
    loan: { productCode: 'PL-12', principal: { amount: '50000000', currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly', expectedDisbursementDate: disbursement },
  });
}

interface Submission {
  readonly dueMs: number;
  sentLagMs: number;
  status: number;
  /** From when the request was due (not when it could be sent), so a backlog in the driver is counted. */
  latencyMs: number;
  id?: string;
  error?: string;
}

interface PhaseRun {
  readonly submissions: Submission[];
  readonly startedAtMs: number;
  readonly sendWallMs: number;
  readonly cpu: Map<string, number>;
  readonly cpuWallS: number;
}

/**
 * Open loop: request k is due at start + k/rate, whatever happened to the earlier ones. At most
 * `maxInFlight` requests are open; past that a due request waits, and its wait is in its latency.
 */
async function submitOpenLoop(client: HttpClient, phase: Phase, first: number, count: number): Promise<Omit<PhaseRun, 'cpu' | 'cpuWallS'>> {
  const token = `Bearer ${tokenOf(tenants[phase])}`;
  const submissions: Submission[] = [];
  const startedAtMs = Date.now();
  const intervalMs = 1000 / config.rate;
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const pending: Promise<void>[] = [];
  let lastLog = Date.now();
  for (let k = 0; k < count; k += 1) {
    const dueMs = startedAtMs + k * intervalMs;
    const wait = dueMs - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= config.maxInFlight) await new Promise<void>((r) => { freed = r; });
    const s: Submission = { dueMs, sentLagMs: Date.now() - dueMs, status: 0, latencyMs: Number.NaN };
    submissions.push(s);
    inFlight += 1;
    const i = first + k;
    pending.push(client
      .post('/v1/applications', { 'content-type': 'application/json', authorization: token, 'idempotency-key': `bench-${config.runId}-${i}` }, applicationBody(i))
      .then((r) => {
        s.status = r.status;
        if (r.status === 201) s.id = (JSON.parse(r.body) as { id: string }).id;
        else s.error = r.body.slice(0, 300);
      }, (error: Error) => { s.error = error.message; })
      .finally(() => {
        s.latencyMs = Date.now() - s.dueMs;
        inFlight -= 1;
        freed?.();
        freed = undefined;
      }));
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`  ${phase}: ${fmt(k + 1)}/${fmt(count)} sent, ${inFlight} in flight`);
    }
  }
  await Promise.all(pending);
  return { submissions, startedAtMs, sendWallMs: Date.now() - startedAtMs };
}

interface Timeline { workflowStartedMs?: number; startedMs?: number; concludedMs?: number; exception?: boolean }

/** Temporal's start time of each checks workflow on the bench's task queue, by application id (from the workflow id). */
async function loadWorkflowStarts(): Promise<Map<string, number>> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  try {
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const out = new Map<string, number>();
    for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'`, pageSize: 1_000 })) {
      const m = /^application-checks-(.+)-r\d+$/.exec(wf.workflowId);
      if (m) out.set(m[1]!, wf.startTime.getTime());
    }
    return out;
  } finally {
    await connection.close();
  }
}

/**
 * When each application's checks started (ApplicationChecksStarted, written by the workflow's first
 * activity) and concluded (ApplicationChecksCompleted or ApplicationCheckException), from the LOS outbox:
 * the rows' created_at, in the same transaction as the state change. One run per application here.
 */
async function loadTimelines(db: pg.Pool, ids: string[]): Promise<Map<string, Timeline>> {
  const { rows } = await db.query<{ key: string; type: string; created_ms: string }>(
    `SELECT key, value->>'type' AS type, extract(epoch FROM created_at) * 1000 AS created_ms FROM outbox
     WHERE key = ANY($1::text[]) AND value->>'type' IN ('ApplicationChecksStarted', 'ApplicationChecksCompleted', 'ApplicationCheckException')`,
    [ids],
  );
  const out = new Map<string, Timeline>();
  for (const r of rows) {
    const t = out.get(r.key) ?? {};
    const at = Number(r.created_ms);
    if (r.type === 'ApplicationChecksStarted') t.startedMs = Math.min(at, t.startedMs ?? Infinity);
    else if (at < (t.concludedMs ?? Infinity)) Object.assign(t, { concludedMs: at, exception: r.type === 'ApplicationCheckException' });
    out.set(r.key, t);
  }
  return out;
}

/**
 * Waits until every application of the tenant in the database (at least `accepted`) has its checks
 * concluded: a submission the client gave up on may still have committed, and its checks are load too.
 */
async function waitConcluded(db: pg.Pool, tenantId: string, accepted: number): Promise<{ concluded: number; inDatabase: number; complete: boolean }> {
  const deadline = Date.now() + config.drainTimeoutMs;
  let lastLog = 0;
  for (;;) {
    const { rows } = await db.query<{ total: string; concluded: string }>(
      "SELECT count(*) AS total, count(*) FILTER (WHERE status IN ('checks-complete', 'checks-exception')) AS concluded FROM applications WHERE tenant_id = $1",
      [tenantId],
    );
    const [inDatabase, concluded] = [Number(rows[0]!.total), Number(rows[0]!.concluded)];
    if (inDatabase >= accepted && concluded === inDatabase) return { concluded, inDatabase, complete: true };
    if (Date.now() > deadline) return { concluded, inDatabase, complete: false };
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`  checks concluded: ${fmt(concluded)}/${fmt(inDatabase)} in the database (${fmt(accepted)} accepted)`);
    }
    await sleep(250);
  }
}

/** Per kind of check: how they ended and how long one took (application_checks.duration_ms, the last attempt). */
async function checkKinds(db: pg.Pool, tenantId: string): Promise<Row[]> {
  const { rows } = await db.query<{ kind: string; status: string; result: string | null; n: string; p50: number; p99: number; attempts: string }>(
    `SELECT kind, status, result, count(*) AS n, sum(attempts) AS attempts,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99
     FROM application_checks WHERE tenant_id = $1 GROUP BY kind, status, result ORDER BY kind, status, result`,
    [tenantId],
  );
  const reasons = await db.query<{ kind: string; code: string; n: string }>(
    `SELECT kind, r->>'code' AS code, count(*) AS n FROM application_checks, jsonb_array_elements(reasons) r
     WHERE tenant_id = $1 GROUP BY kind, r->>'code' ORDER BY kind, count(*) DESC`,
    [tenantId],
  );
  const codes = (kind: string) => reasons.rows.filter((r) => r.kind === kind).map((r) => `${r.code} ${fmt(Number(r.n))}`).join(', ');
  return rows.map((r) => [r.kind, `${r.status}${r.result ? ` / ${r.result}` : ''}`, fmt(Number(r.n)), fmt(Number(r.attempts)), fmt(r.p50), fmt(r.p99), codes(r.kind) || '–']);
}

async function startSandboxes() {
  const dir = join(config.cacheDir, 'bench');
  mkdirSync(dir, { recursive: true });
  const records = String(Math.min(1_000_000, 4 * (config.applications + config.warmup)));
  const kyc = { port: config.kycPort, pidFile: join(dir, `kyc-sandbox-${config.runId}.pid`), logFile: join(dir, `kyc-sandbox-${config.runId}.log`) };
  const bureau = { port: config.bureauPort, pidFile: join(dir, `bureau-sandbox-${config.runId}.pid`), logFile: join(dir, `bureau-sandbox-${config.runId}.log`) };
  const [k, b] = await Promise.allSettled([
    kycSandbox.start({ ...kyc, env: { KYC_WEBHOOK_URL: `http://127.0.0.1:${config.losPort}/v1/kyc-webhooks/onfido`, KYC_SANDBOX_MAX_RECORDS: records, LOG_LEVEL: 'warn' } }),
    bureauSandbox.start({ ...bureau, env: { BUREAU_SANDBOX_MAX_REPORTS: records, LOG_LEVEL: 'warn' } }),
  ]);
  if (k.status === 'rejected' || b.status === 'rejected') {
    // The one that did start is stopped: no sandbox outlives a failed run.
    await Promise.all([k.status === 'fulfilled' && kycSandbox.stop(kyc), b.status === 'fulfilled' && bureauSandbox.stop(bureau)]);
    throw k.status === 'rejected' ? k.reason : (b as PromiseRejectedResult).reason;
  }
  return { kyc: { ...k.value, options: kyc }, bureau: { ...b.value, options: bureau } };
}

async function startLos(kycUrl: string, bureauUrl: string): Promise<ServiceProcess> {
  return startServiceProcess('los', config.losPort, {
    AUTH_TOKEN_SECRET: secret,
    KAFKA_BROKERS: config.kafkaBrokers,
    LOG_LEVEL: 'warn',
    OTEL_TRACES_EXPORTER: 'none',
    LOS_DATABASE_URL: config.losDatabaseUrl,
    LOS_DB_POOL_MAX: String(config.losPoolMax),
    LOS_CONSUMER_GROUP: `los-bench-${config.runId}`,
    TEMPORAL_ADDRESS: config.temporalAddress,
    LOS_TEMPORAL_TASK_QUEUE: taskQueue,
    LOS_CHECKS_TENANT_PREFIX: checkedPrefix,
    LOS_BLOB_DIR: join(config.cacheDir, 'bench', `blobs-${config.runId}`),
    ONFIDO_BASE_URL: `${kycUrl}/v3.6`,
    PAN_BASE_URL: kycUrl,
    UIDAI_OFFLINE_EKYC_URL: `${kycUrl}/uidai/offline-ekyc`,
    BUREAU_BASE_URL: bureauUrl,
  });
}

/** One phase: the submissions, then (`drain`) whatever must finish before the phase's CPU window closes. */
async function runPhase(client: HttpClient, phase: Phase, first: number, count: number, pids: Record<string, number | undefined>, drain?: (run: Omit<PhaseRun, 'cpu' | 'cpuWallS'>) => Promise<void>): Promise<PhaseRun> {
  const before: CpuSnapshot = cpuSnapshot(pids);
  const run = await submitOpenLoop(client, phase, first, count);
  await drain?.(run);
  const after = cpuSnapshot(pids);
  return { ...run, cpu: cpuBetween(before, after), cpuWallS: (Date.now() - run.startedAtMs) / 1000 };
}

interface Report {
  bare: PhaseRun;
  checked: PhaseRun;
  drain: { concluded: number; inDatabase: number; complete: boolean; lastConcludedMs: number };
  bareInDatabase: number;
  toConcluded: Distribution;
  toWorkflowStarted: Distribution;
  workflowStartedToStarted: Distribution;
  toStarted: Distribution;
  startedToConcluded: Distribution;
  /** Submit → concluded of the first and the last tenth of the submissions: equal when the rate is sustained. */
  tenths: { first: Distribution; last: Distribution };
  exceptions: number;
  /** First → last Temporal start time of the phase's checks workflows. */
  workflowStarts: { count: number; spanS: number };
  kinds: Row[];
  rssMiB: number | undefined;
}

function summary(r: Report): string {
  const ok = (p: PhaseRun) => p.submissions.filter((s) => s.status === 201);
  const rate = (p: PhaseRun) => p.submissions.length / (p.sendWallMs / 1000);
  const dist3 = (name: string, d: Distribution, extra: string): Row => [name, fmt(d.count), fmt(d.p50), fmt(d.p95), fmt(d.p99), fmt(d.max), extra];
  const bareLatency = distribution(ok(r.bare).map((s) => s.latencyMs));
  const checkedLatency = distribution(ok(r.checked).map((s) => s.latencyMs));
  const conclusionSpanS = (r.drain.lastConcludedMs - r.checked.startedAtMs) / 1000;
  const tenth = (p: PhaseRun, last: boolean) => {
    const xs = ok(p);
    const k = Math.max(1, Math.floor(xs.length / 10));
    return distribution((last ? xs.slice(-k) : xs.slice(0, k)).map((s) => s.latencyMs));
  };
  const vsBare = (d: Distribution) => `p50 ${fmt(d.p50 / bareLatency.p50, 1)}× · p99 ${fmt(d.p99 / bareLatency.p99, 1)}×`;
  const latency: Row[] = [
    dist3('bare submit: POST /v1/applications, no checks workflow (baseline)', bareLatency, '1.0×'),
    dist3('  first tenth of the bare submissions', tenth(r.bare, false), ''),
    dist3('  last tenth of the bare submissions', tenth(r.bare, true), ''),
    dist3('submit while checks run: POST /v1/applications', checkedLatency, vsBare(checkedLatency)),
    dist3('**submit → checks concluded** (request due → concluding outbox row)', r.toConcluded, vsBare(r.toConcluded)),
    dist3('  submit → checks started (ApplicationChecksStarted row)', r.toStarted, ''),
    dist3('    submit → workflow started (Temporal start time: the LOS checks starter)', r.toWorkflowStarted, ''),
    dist3('    workflow started → checks started (first workflow task + beginChecks)', r.workflowStartedToStarted, ''),
    dist3('  checks started → concluded', r.startedToConcluded, ''),
    dist3('  submit → concluded, first tenth of the submissions', r.tenths.first, ''),
    dist3('  submit → concluded, last tenth of the submissions', r.tenths.last, ''),
  ];
  const failed = (p: PhaseRun) => {
    const bad = p.submissions.filter((s) => s.status !== 201);
    return bad.length === 0 ? '0' : `${bad.length} (first: ${bad[0]!.status} ${bad[0]!.error ?? ''})`;
  };
  const lag = (p: PhaseRun) => fmt(Math.max(...p.submissions.map((s) => s.sentLagMs)));
  const rates: Row[] = [
    ['target rate', `${config.rate}/s`, `${config.rate}/s`],
    ['applications sent', fmt(r.bare.submissions.length), fmt(r.checked.submissions.length)],
    ['achieved send rate (first due → last response)', `${fmt(rate(r.bare), 1)}/s`, `${fmt(rate(r.checked), 1)}/s`],
    ['worst send lag behind schedule, ms', lag(r.bare), lag(r.checked)],
    ['submissions refused or failed', failed(r.bare), failed(r.checked)],
    ['applications in the database (a timed-out request may still commit)', fmt(r.bareInDatabase), fmt(r.drain.inDatabase)],
    ['checks concluded (all applications of the phase in the database)', '– (none started)', `${fmt(r.drain.concluded)} of ${fmt(r.drain.inDatabase)}${r.drain.complete ? '' : ' (drain bound reached)'}, ${fmt(r.exceptions)} of the accepted as exception`],
    ['checks concluded per second (first due → last concluded)', '–', `${fmt(r.drain.concluded / conclusionSpanS, 1)}/s over ${fmt(conclusionSpanS, 1)} s`],
    ['checks workflows started per second (Temporal start times, first → last)', '–', `${fmt(r.workflowStarts.count / r.workflowStarts.spanS, 1)}/s (${fmt(r.workflowStarts.count)} over ${fmt(r.workflowStarts.spanS, 1)} s)`],
    ['peak RSS of the LOS (VmHWM, whole run)', '', `${fmt(r.rssMiB)} MiB`],
  ];
  const groups = [...new Set([...r.bare.cpu.keys(), ...r.checked.cpu.keys()])].filter((g) => g !== MACHINE_GROUP).sort((a, b) => (r.checked.cpu.get(b) ?? 0) - (r.checked.cpu.get(a) ?? 0));
  const cores = (p: PhaseRun, g: string) => fmt((p.cpu.get(g) ?? 0) / p.cpuWallS, 2);
  const perApp = (p: PhaseRun, g: string) => fmt((1000 * (p.cpu.get(g) ?? 0)) / p.submissions.length, 1);
  const cpu: Row[] = [['window, s', fmt(r.bare.cpuWallS, 1), '', fmt(r.checked.cpuWallS, 1), ''], ...[...groups, MACHINE_GROUP].map((g) => [g, cores(r.bare, g), g === MACHINE_GROUP ? '' : perApp(r.bare, g), cores(r.checked, g), g === MACHINE_GROUP ? '' : perApp(r.checked, g)])];
  const sections = (table: (h: Row, rows: Row[]) => string) => [
    table(['latency (ms)', 'n', 'p50', 'p95', 'p99', 'max', 'vs bare submit'], latency),
    table(['', 'bare submit phase', 'checks phase'], rates),
    table(['CPU by process group (bare: while sending; checks: sending until all concluded)', 'bare: cores', 'bare: ms/app', 'checks: cores', 'checks: ms/app'], cpu),
    table(['check (checks phase)', 'status / result', 'n', 'attempts', 'p50 ms', 'p99 ms', 'reasons'], r.kinds),
  ];
  console.log(`\n${sections(textTable).join('\n\n')}\n`);
  return sections(markdownTable).join('\n\n');
}

async function main() {
  log(`run ${config.runId}: ${fmt(config.applications)} applications per phase at ${config.rate}/s (open loop, ≤ ${config.maxInFlight} in flight), warm-up ${config.warmup}, LOS pool ${config.losPoolMax}`);
  const db = new pg.Pool({ connectionString: config.losDatabaseUrl, max: 2 });
  db.on('error', (error) => log(`database connection lost: ${error.message}`));
  let sandboxes: Awaited<ReturnType<typeof startSandboxes>> | undefined;
  let los: ServiceProcess | undefined;
  let client: HttpClient | undefined;
  let report: Report;
  try {
    sandboxes = await startSandboxes();
    log(`sandboxes: KYC ${sandboxes.kyc.url} (pid ${sandboxes.kyc.pid}), bureau ${sandboxes.bureau.url} (pid ${sandboxes.bureau.pid})`);
    los = await startLos(sandboxes.kyc.url, sandboxes.bureau.url);
    const pids = { los: pidListeningOn(config.losPort), 'KYC sandbox': sandboxes.kyc.pid, 'bureau sandbox': sandboxes.bureau.pid };
    log(`LOS ready on :${config.losPort} (pid ${pids.los ?? '?'}), checks task queue los-checks-bench-${config.runId}, checks for tenants ${checkedPrefix}*`);
    client = createHttpClient(los.url, config.maxInFlight);

    const w = config.warmup;
    if (w > 0) {
      // Both paths once before measuring (JIT, connections, the tenants' PII data keys are not part of a figure).
      log(`warm-up: ${w} bare and ${w} checked applications (not measured)`);
      await submitOpenLoop(client, 'bareWarmup', 0, w);
      await submitOpenLoop(client, 'checkedWarmup', w, w);
      const done = await waitConcluded(db, tenants.checkedWarmup, w);
      log(`warm-up: checks of ${done.concluded}/${w} concluded`);
    }
    const n = config.applications;
    log(`phase 1, bare submit: ${fmt(n)} applications at ${config.rate}/s to ${tenants.bare} (outside the checks prefix: no workflow)`);
    const bare = await runPhase(client, 'bare', 2 * w, n, pids);
    await sleep(2_000);
    log(`phase 2, checks: ${fmt(n)} applications at ${config.rate}/s to ${tenants.checked}`);
    let drained = { concluded: 0, inDatabase: 0, complete: false };
    const checked = await runPhase(client, 'checked', 2 * w + n, n, pids, async (run) => {
      const accepted = run.submissions.filter((s) => s.id).length;
      log(`waiting for the checks of ${fmt(accepted)} applications to conclude (at most ${config.drainTimeoutMs / 1000} s)`);
      drained = await waitConcluded(db, tenants.checked, accepted);
    });
    const rssMiB = peakRssMiB(pids.los);
    const timelines = await loadTimelines(db, checked.submissions.flatMap((s) => (s.id ? [s.id] : [])));
    const workflowStarts = await loadWorkflowStarts().catch((error: Error) => {
      log(`could not list the checks workflows from Temporal (${error.message}); the started split is left out`);
      return new Map<string, number>();
    });
    for (const [id, t] of timelines) t.workflowStartedMs = workflowStarts.get(id);
    const each = <T>(subset: Submission[], f: (s: Submission, t: Timeline) => T | undefined): T[] =>
      subset.flatMap((s) => {
        const t = s.id ? timelines.get(s.id) : undefined;
        const v = t ? f(s, t) : undefined;
        return v === undefined ? [] : [v];
      });
    const accepted = checked.submissions.filter((s) => s.id);
    const k = Math.max(1, Math.floor(accepted.length / 10));
    const toConcluded = (s: Submission, t: Timeline) => (t.concludedMs === undefined ? undefined : t.concludedMs - s.dueMs);
    report = {
      bare,
      checked,
      drain: { ...drained, lastConcludedMs: Math.max(...each(accepted, (_, t) => t.concludedMs)) },
      toConcluded: distribution(each(accepted, toConcluded)),
      toWorkflowStarted: distribution(each(accepted, (s, t) => (t.workflowStartedMs === undefined ? undefined : t.workflowStartedMs - s.dueMs))),
      workflowStartedToStarted: distribution(each(accepted, (_, t) => (t.workflowStartedMs === undefined || t.startedMs === undefined ? undefined : t.startedMs - t.workflowStartedMs))),
      toStarted: distribution(each(accepted, (s, t) => (t.startedMs === undefined ? undefined : t.startedMs - s.dueMs))),
      startedToConcluded: distribution(each(accepted, (_, t) => (t.startedMs === undefined || t.concludedMs === undefined ? undefined : t.concludedMs - t.startedMs))),
      tenths: { first: distribution(each(accepted.slice(0, k), toConcluded)), last: distribution(each(accepted.slice(-k), toConcluded)) },
      exceptions: each(accepted, (_, t) => (t.exception ? 1 : undefined)).length,
      workflowStarts: (() => {
        const starts = each(accepted, (_, t) => t.workflowStartedMs);
        return { count: starts.length, spanS: (Math.max(...starts) - Math.min(...starts)) / 1000 };
      })(),
      kinds: await checkKinds(db, tenants.checked),
      bareInDatabase: Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM applications WHERE tenant_id = $1', [tenants.bare])).rows[0]!.n),
      rssMiB,
    };
    const lines = los.output().split('\n').filter((l) => l.trim());
    // The whole kept tail (20 kB) next to the results: an error's stack does not fit in one line.
    const logFile = config.resultsDir ? join(config.resultsDir, `checks-los-${config.runId}.log`) : undefined;
    if (logFile && lines.length > 0) {
      mkdirSync(config.resultsDir!, { recursive: true });
      writeFileSync(logFile, los.output());
    }
    if (lines.length > 0) log(`LOS printed ${lines.length} line(s) at log level warn${logFile ? ` (tail in ${logFile})` : ''}; the last: ${lines.slice(-3).map((l) => l.slice(0, 300)).join(' | ')}`);
  } finally {
    client?.close();
    await los?.stop();
    if (sandboxes) await Promise.all([kycSandbox.stop(sandboxes.kyc.options), bureauSandbox.stop(sandboxes.bureau.options)]);
    await db.end();
  }
  const markdown = summary(report);
  if (config.resultsDir) {
    mkdirSync(config.resultsDir, { recursive: true });
    const file = `${config.resultsDir}/checks-${config.runId}.md`;
    writeFileSync(file, `${fmt(config.applications)} applications per phase at ${config.rate}/s, run ${config.runId}, ${new Date().toISOString()}\n\n${markdown}\n`);
    log(`markdown tables written to ${file}`);
  }
  if (!report.drain.complete) process.exitCode = 1;
}

await main();
