import type { Logger } from '@lendstack/platform';
import type pg from 'pg';
import type { CollectionRailPort } from '../../autodebit/ports.js';
import { collectResults, type ApplyResultsDeps } from '../../autodebit/use-cases/apply-results.js';
import { presentDue } from '../../autodebit/use-cases/present-batch.js';

export interface AutodebitRunnerOptions extends ApplyResultsDeps {
  readonly rails: readonly CollectionRailPort[];
  readonly newId: () => string;
  readonly maxPerFile: number;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly now: () => Date;
}

export interface AutodebitRunner {
  /** One round now: present what is due on every rail, then fetch and apply its results. */
  runOnce(): Promise<{ presented: number; documents: number }>;
  stop(): Promise<void>;
}

/**
 * The collection day of the auto-debit rails, in process: every `intervalMs` it presents every scheduled debit
 * whose own tenant's business date has reached its effective date, then fetches the rails' result documents and applies them (repayments posted, returns reversed and
 * retried by the rail's rules). Every step is idempotent and resumable (see present-batch.ts and
 * apply-results.ts), so a round cut short by a crash is finished by the next one.
 */
export function startAutodebitRunner(options: AutodebitRunnerOptions): AutodebitRunner {
  const pool: pg.Pool = options.servicing.pool;
  const log = options.logger.child({ component: 'autodebit-runner' });
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<{ presented: number; documents: number }> | undefined;

  const round = async () => {
    const upTo = (await pool.query<{ d: string | null }>(`SELECT to_char(max(business_date), 'YYYY-MM-DD') AS d FROM business_dates`)).rows[0]?.d;
    if (!upTo) return { presented: 0, documents: 0 };
    let presented = 0;
    let documents = 0;
    for (const rail of options.rails) {
      const report = await presentDue({ pool, rail, newId: options.newId, maxPerFile: options.maxPerFile, withinTenantDate: true }, upTo, options.now());
      presented += report.files.reduce((n, f) => n + f.entries, 0);
      documents += (await collectResults(options, rail, upTo)).filter((r) => r.status === 'applied').length;
    }
    return { presented, documents };
  };
  const runOnce = () => {
    current ??= round().finally(() => { current = undefined; });
    return current;
  };
  const tick = async () => {
    try {
      const r = await runOnce();
      if (r.presented > 0 || r.documents > 0) log.info(r, 'auto-debit round');
    } catch (error) {
      log.warn({ err: error }, 'auto-debit round failed; the next round resumes it');
    }
    if (running) timer = setTimeout(() => void tick(), options.intervalMs);
  };
  timer = setTimeout(() => void tick(), options.intervalMs);
  return {
    runOnce,
    stop: async () => {
      running = false;
      clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
