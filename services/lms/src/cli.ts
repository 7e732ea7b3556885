// `pnpm -s lms eod --tenant T --to YYYY-MM-DD`: runs (or resumes) a tenant's end of day in this
// process against LMS_DATABASE_URL, with a progress bar on a terminal and plain lines through a pipe.
// `pnpm -s lms import --tenant T --file F`: stores a book of existing loans and books it, with progress.
// `pnpm -s lms portfolio-snapshot --tenant T --from D1 --to D2`: writes the portfolio snapshots of past business dates, with progress.
// `pnpm -s lms audit verify [--tenant T]`: recomputes the audit log's hash chain (exit 1 when broken).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { summaryLine, verdictLine, verifyAuditChain, type TenantVerdict } from '@lendstack/platform';
import { loadConfig } from './config.js';
import { createPgAuditLogReader, LMS_AUDIT_TABLES } from './modules/audit/adapters/pg-audit-log.js';
import { utcToday } from './modules/business-date/business-date.repository.js';
import { createPgLedger } from './modules/ledger/adapters/pg-ledger.repository.js';
import { requestHash } from './modules/servicing/domain/servicing.js';
import { createEodRun, runEndOfDay, type EodProgress } from './modules/servicing/use-cases/end-of-day.js';
import { simulateCommand, SIMULATE_USAGE } from './modules/simulator/adapters/simulate.cli.js';
import { importCommand, IMPORT_USAGE } from './modules/imports/adapters/import.cli.js';
import { earlyWarningCommand, EARLY_WARNING_USAGE } from './modules/early-warning/adapters/early-warning.cli.js';
import { loadEarlyWarningModel } from './modules/early-warning/adapters/model-file.js';
import { scoreAsDayCloses } from './modules/early-warning/use-cases/score-book.js';
import { snapshotsDay, writePortfolioSnapshot } from './modules/portfolio/adapters/pg-portfolio-snapshots.js';
import { portfolioSnapshotCommand, PORTFOLIO_SNAPSHOT_USAGE } from './modules/portfolio/adapters/portfolio-snapshot.cli.js';

const USAGE = 'usage: pnpm -s lms eod --tenant <tenant> --to <YYYY-MM-DD> [--batch-size N] [--workers N]\n       pnpm -s lms audit verify [--tenant <tenant>] [--page-size N]\n       ' + SIMULATE_USAGE + '\n       ' + EARLY_WARNING_USAGE + '\n       ' + IMPORT_USAGE + '\n       ' + PORTFOLIO_SNAPSHOT_USAGE;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'audit' && rest[0] === 'verify') return auditVerify(rest.slice(1));
  if (command === 'simulate') return simulateCommand(rest, loadConfig().LMS_DATABASE_URL);
  if (command === 'early-warning') {
    const config = loadConfig();
    return earlyWarningCommand(rest, config.LMS_DATABASE_URL, config.LMS_EARLY_WARNING_RETENTION_MONTHS);
  }
  if (command === 'import') return importCommand(rest, loadConfig().LMS_DATABASE_URL);
  if (command === 'portfolio-snapshot') return portfolioSnapshotCommand(rest, loadConfig().LMS_DATABASE_URL);
  if (command !== 'eod') {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, to: { type: 'string' }, 'batch-size': { type: 'string' }, workers: { type: 'string' } } });
  if (!values.tenant || !values.to || !/^\d{4}-\d{2}-\d{2}$/.test(values.to)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  // One connection per worker (the batches, each re-scoring its loans) and two for the run's own statements.
  const workers = Number(values.workers ?? config.LMS_EOD_WORKERS);
  if (!Number.isInteger(workers) || workers < 1 || workers > 32) {
    console.error(USAGE);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: config.LMS_DATABASE_URL, max: workers + 2 });
  const model = loadEarlyWarningModel();
  // As the service's runner does: each batch re-scores its loans' NPA early warning (the events wait on the outbox for the relay); each closed day writes its portfolio snapshot.
  const closeLoans = scoreAsDayCloses({ pool, model, now: () => new Date() });
  const afterDay = async (tenantId: string, day: string) => {
    if (snapshotsDay(config.LMS_PORTFOLIO_SNAPSHOTS, day)) await writePortfolioSnapshot(pool, tenantId, day);
  };
  const deps = { pool, ledger: createPgLedger(), now: () => new Date(), today: utcToday, onOutbox: () => undefined, newId: randomUUID, batchSize: Number(values['batch-size'] ?? config.LMS_EOD_BATCH_SIZE), workers, closeLoans, afterDay };
  try {
    const created = await createEodRun(deps, { tenantId: values.tenant, to: values.to, actor: 'cli', requestHash: requestHash(['eod', values.to]) });
    // A run already active for the tenant (a killed one) is resumed rather than refused.
    const run = created.run;
    if (!run) {
      console.error(`eod: ${created.ok ? '' : created.detail}`);
      return 1;
    }
    const report = reporter(run.id, values.tenant, values.to);
    const done = await runEndOfDay(deps, run.id, { onProgress: report.update });
    report.stop();
    console.log(`eod ${values.tenant}: ${done.status} through ${done.to} (run ${done.id}, ${done.progress.days_done} day(s))`);
    return done.status === 'completed' ? 0 : 1;
  } finally {
    await pool.end();
  }
}

/** Walks one tenant's audit chain (or every tenant's), printing one line per tenant; 0 when all verify. */
async function auditVerify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, 'page-size': { type: 'string' } } });
  const pageSize = Number(values['page-size'] ?? 1000);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    console.error(USAGE);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: loadConfig().LMS_DATABASE_URL, max: 2 });
  const single = values.tenant !== undefined;
  const line = (v: TenantVerdict) => console.log(verdictLine(v, !single));
  try {
    const summary = await verifyAuditChain(createPgAuditLogReader(pool), { tables: LMS_AUDIT_TABLES, pageSize, ...(single ? { tenantId: values.tenant } : {}), onTenant: line });
    if (!single) console.log(summaryLine(summary));
    return summary.broken === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}

const rateText = (p: EodProgress) => (p.rate === undefined ? '' : `${Math.round(p.rate)} loans/s`);

/** A bar on a TTY; through a pipe, a line per finished day and at most one a second between. */
function reporter(runId: string, tenant: string, to: string) {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar({ format: `eod ${tenant} → ${to} |{bar}| {day} day {value}/{total} loans {loans} {rate} ETA {eta}` }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(p: EodProgress) {
        if (!started) bar.start(Math.max(1, p.days_total), 0, { day: p.day ?? '', loans: '', rate: '', eta: '-' });
        started = true;
        bar.update(p.days_done, { day: p.day ?? '', loans: `${p.loans_done}/${p.loans_total}`, rate: rateText(p), eta: p.eta ?? '-' });
      },
      stop: () => bar.stop(),
    };
  }
  let last = { at: 0, days: -1 };
  return {
    update(p: EodProgress) {
      // A day's end always; within a day at most a line a second (a million loans are a thousand batches).
      if (p.days_done === last.days && Date.now() - last.at < 1000) return;
      last = { at: Date.now(), days: p.days_done };
      console.log(`eod ${runId} day ${p.day ?? '-'} days ${p.days_done}/${p.days_total} loans ${p.loans_done}/${p.loans_total} ${rateText(p)} eta ${p.eta ?? '-'}`);
    },
    stop: () => undefined,
  };
}

process.exitCode = await main(process.argv.slice(2));
