import { parseArgs } from 'node:util';
import pg from 'pg';
import { backfillDates, backfillPortfolioSnapshots } from './pg-portfolio-snapshots.js';

export const PORTFOLIO_SNAPSHOT_USAGE = 'pnpm -s lms portfolio-snapshot --tenant <tenant> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--month-ends]   (writes the portfolio snapshots of past business dates)';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `pnpm -s lms portfolio-snapshot …`: the backfill. Writes (or rewrites) the tenant's portfolio snapshot of
 * each day from..to (only the month ends among them with --month-ends), as end of day writes them, after the
 * month end before the first day when that has none (so the first roll step reads a snapshot too). One line
 * per day on stderr with its loans, time and the estimated time left. `to` must not pass the business date.
 */
export async function portfolioSnapshotCommand(args: string[], databaseUrl: string): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'month-ends': { type: 'boolean', default: false } } });
  const { tenant, from, to } = values;
  if (!tenant || !from || !to || !DATE.test(from) || !DATE.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || from > to) {
    console.error(`usage: ${PORTFOLIO_SNAPSHOT_USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const business = (await pool.query<{ d: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM business_dates WHERE tenant_id = $1`, [tenant])).rows[0]?.d;
    if (!business) {
      console.error(`portfolio-snapshot: tenant ${tenant} has no business date`);
      return 1;
    }
    if (to > business) {
      console.error(`portfolio-snapshot: --to ${to} is after the business date ${business}`);
      return 1;
    }
    const dates = await backfillDates(pool, tenant, from, to, values['month-ends']);
    const started = performance.now();
    await backfillPortfolioSnapshots(pool, tenant, dates, ({ done, total, written, ms }) => {
      const left = ((performance.now() - started) / done) * (total - done);
      console.error(`portfolio-snapshot ${tenant} ${written.asOf}: ${written.loans.toLocaleString('en')} loans in ${(ms / 1000).toFixed(1)} s` +
        `${written.rollFrom ? `, roll step from ${written.rollFrom}` : ''} (${done}/${total}, ~${Math.round(left / 1000)} s left)`);
    });
    console.log(`portfolio-snapshot ${tenant}: ${dates.length} day(s) written, ${dates[0] ?? '-'} to ${dates.at(-1) ?? '-'}`);
    return 0;
  } finally {
    await pool.end();
  }
}
