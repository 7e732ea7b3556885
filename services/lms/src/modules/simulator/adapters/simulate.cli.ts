import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { simulateBook } from '../use-cases/simulate-book.js';

export const SIMULATE_USAGE = 'pnpm -s lms simulate --tenant <tenant> --loans N --months M --seed S [--to YYYY-MM-DD] [--chunk-size N]';

/** `pnpm -s lms simulate …`: writes a simulated book for a tenant (a bar on a TTY, a line per chunk through a pipe). */
export async function simulateCommand(args: string[], databaseUrl: string): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, loans: { type: 'string' }, months: { type: 'string' }, seed: { type: 'string' }, to: { type: 'string' }, 'chunk-size': { type: 'string' } } });
  const loans = Number(values.loans ?? 10_000);
  const months = Number(values.months ?? 24);
  const seed = Number(values.seed ?? 1);
  const chunkSize = Number(values['chunk-size'] ?? 2000);
  const to = values.to ?? '2026-11-30';
  const ok = values.tenant && Number.isInteger(loans) && loans >= 1 && loans <= 2_000_000 && Number.isInteger(months) && months >= 3 && months <= 120
    && Number.isInteger(seed) && Number.isInteger(chunkSize) && chunkSize >= 100 && chunkSize <= 20_000 && /^\d{4}-\d{2}-\d{2}$/.test(to);
  if (!ok) {
    console.error(`usage: ${SIMULATE_USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: `simulate ${values.tenant} |{bar}| {value}/{total} loans` }, cliProgress.Presets.shades_classic) : undefined;
  const started = performance.now();
  try {
    bar?.start(loans, 0);
    const result = await simulateBook(pool, {
      tenantId: values.tenant!, loans, months, seed, to, chunkSize,
      onProgress: (p) => (bar ? bar.update(p.loansDone) : console.log(`simulate ${values.tenant} loans ${p.loansDone}/${p.loansTotal}${p.skipped ? ` (${p.skipped} already there)` : ''}`)),
    });
    bar?.stop();
    console.log(`simulate ${values.tenant}: ${result.loansWritten} loans written, ${result.skipped} already there, seed ${seed}, ${months} months to ${to}, in ${Math.round((performance.now() - started) / 1000)} s`);
    return 0;
  } finally {
    await pool.end();
  }
}
