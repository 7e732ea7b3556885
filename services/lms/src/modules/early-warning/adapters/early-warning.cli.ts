import { parseArgs } from 'node:util';
import pg from 'pg';
import { tryParseIsoDate } from '@lendstack/loan-engine';
import { toCsv } from '@lendstack/platform';
import { businessDateOf, utcToday } from '../../business-date/business-date.repository.js';
import { FEATURE_NAMES } from '../domain/features.js';
import { scoreBook } from '../use-cases/score-book.js';
import { loadEarlyWarningModel } from './model-file.js';
import { featuresPage } from './pg-features.queries.js';
import { pruneScoreMonths, scoreRetentionStart } from './pg-score-partitions.js';

export const EARLY_WARNING_USAGE = 'pnpm -s lms early-warning dataset --tenant <tenant> --dates <YYYY-MM-DD,...> [--page-size N]   (CSV on stdout: features and the 90-day outcome)\n'
  + '       pnpm -s lms early-warning score --tenant <tenant> --as-of <YYYY-MM-DD> [--concurrency N]   (re-scores the book as of a business date, as end of day does)\n'
  + '       pnpm -s lms early-warning prune [--keep-months N] [--dry-run]   (drops the score months past retention, as the service does hourly)';

/**
 * `pnpm -s lms early-warning dataset …`: the training set for tools/early-warning/train.py, one CSV row per
 * loan scored at each date with its features and outcome (reached over 90 dpd within 90 days), streamed
 * page by page (keyset on loan id) so memory stays bounded whatever the book.
 */
export async function earlyWarningCommand(args: string[], databaseUrl: string, keepMonths: number): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'score') return scoreCommand(rest, databaseUrl);
  if (sub === 'prune') return pruneCommand(rest, databaseUrl, keepMonths);
  const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, dates: { type: 'string' }, 'page-size': { type: 'string' } } });
  const dates = (values.dates ?? '').split(',').filter(Boolean);
  const pageSize = Number(values['page-size'] ?? 2000);
  if (sub !== 'dataset' || !values.tenant || dates.length === 0 || !dates.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)) || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 20_000) {
    console.error(`usage: ${EARLY_WARNING_USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    process.stdout.write(toCsv(['as_of', 'loan_id', ...FEATURE_NAMES, 'label'], []));
    for (const asOf of dates) {
      let rows = 0;
      for (let after = ''; ;) {
        const page = await featuresPage(pool, values.tenant, asOf, after, pageSize, true);
        if (page.last === null) break;
        after = page.last;
        rows += page.rows.length;
        if (page.rows.length > 0) process.stdout.write(toCsv([], page.rows.map((r) => [asOf, r.loanId, ...FEATURE_NAMES.map((n) => r.features[n]), r.label ? 1 : 0])).replace(/^\r\n/, ''));
      }
      console.error(`early-warning dataset ${values.tenant} ${asOf}: ${rows} loans`);
    }
    return 0;
  } finally {
    await pool.end();
  }
}

/**
 * `pnpm -s lms early-warning score …`: scores the tenant's book as of a business date on or before its current one, with
 * the model in effect, the same rows as end of day's batches write for each day they close (scoreBook: idempotent per loan and date, warnings
 * for loans newly over the threshold on the outbox for the relay). For a date whose data changed after its end of day
 * (a backdated posting, a model file replaced), or a book loaded without its earlier scores. Prints the counts as JSON.
 */
async function scoreCommand(args: string[], databaseUrl: string): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, 'as-of': { type: 'string' }, concurrency: { type: 'string' } } });
  const concurrency = Number(values.concurrency ?? 1);
  const asOf = values['as-of'] ?? '';
  if (!values.tenant || tryParseIsoDate(asOf) === undefined || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    console.error(`usage: ${EARLY_WARNING_USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency + 1 });
  try {
    const businessDate = await businessDateOf(pool, values.tenant, utcToday);
    if (asOf > businessDate) {
      console.error(`early-warning score: --as-of ${asOf} is after the tenant's business date ${businessDate}; what a later date reads is not known yet`);
      return 2;
    }
    const started = performance.now();
    const result = await scoreBook({ pool, model: loadEarlyWarningModel(), now: () => new Date(), concurrency }, values.tenant, asOf);
    console.log(JSON.stringify({ tenant: values.tenant, asOf, ...result, ms: Math.round(performance.now() - started) }));
    return 0;
  } finally {
    await pool.end();
  }
}

/**
 * `pnpm -s lms early-warning prune …`: what the service's hourly sweep does, now: drops the months of scores before
 * `--keep-months` (default LMS_EARLY_WARNING_RETENTION_MONTHS) before the month of the earliest tenant business date.
 * `--dry-run` lists them only. Prints {keepFrom, dropped} as JSON (keepFrom null: retention off or no tenant started).
 */
async function pruneCommand(args: string[], databaseUrl: string, defaultKeepMonths: number): Promise<number> {
  const { values } = parseArgs({ args, options: { 'keep-months': { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  const keepMonths = Number(values['keep-months'] ?? defaultKeepMonths);
  if (!Number.isInteger(keepMonths) || keepMonths < 0 || keepMonths > 1_200) {
    console.error(`usage: ${EARLY_WARNING_USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const keepFrom = await scoreRetentionStart(pool, keepMonths);
    const result = keepFrom === null ? { keepFrom, dropped: [] } : await pruneScoreMonths(pool, keepFrom, { dryRun: values['dry-run'] === true });
    console.log(JSON.stringify({ ...result, dryRun: values['dry-run'] === true }));
    return 0;
  } finally {
    await pool.end();
  }
}
