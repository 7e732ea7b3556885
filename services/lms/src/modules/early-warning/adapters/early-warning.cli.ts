import { parseArgs } from 'node:util';
import pg from 'pg';
import { toCsv } from '@lendstack/platform';
import { FEATURE_NAMES } from '../domain/features.js';
import { featuresPage } from './pg-features.queries.js';

export const EARLY_WARNING_USAGE = 'pnpm -s lms early-warning dataset --tenant <tenant> --dates <YYYY-MM-DD,...> [--page-size N]   (CSV on stdout: features and the 90-day outcome)';

/**
 * `pnpm -s lms early-warning dataset …`: the training set for tools/early-warning/train.py, one CSV row per
 * loan scored at each date with its features and outcome (reached over 90 dpd within 90 days), streamed
 * page by page (keyset on loan id) so memory stays bounded whatever the book.
 */
export async function earlyWarningCommand(args: string[], databaseUrl: string): Promise<number> {
  const [sub, ...rest] = args;
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
