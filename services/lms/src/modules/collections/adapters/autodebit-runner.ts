import type { Logger } from '@lendstack/platform';
import type pg from 'pg';
import type { CollectionRailPort } from '../../autodebit/ports.js';
import { collectResults, type ApplyResultsDeps } from '../../autodebit/use-cases/apply-results.js';
import { presentDue } from '../../autodebit/use-cases/present-batch.js';
import { tenantsWithDebitsDue } from '../../autodebit/adapters/autodebit.repository.js';

export interface AutodebitRunnerOptions extends ApplyResultsDeps {
  readonly rails: readonly CollectionRailPort[];
  readonly newId: () => string;
  readonly maxPerFile: number;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly now: () => Date;
  /**
   * Present only the debits of tenants whose id starts with this (LMS_COLLECTIONS_TENANT_PREFIX). The rails'
   * results documents are fetched and applied whoever presented, each result once, by its presentment.
   */
  readonly tenantPrefix?: string;
}

export interface AutodebitRunner {
  /** One round now: present what is due on every rail, then fetch and apply its results. */
  runOnce(): Promise<{ presented: number; documents: number }>;
  stop(): Promise<void>;
}

/** The instant `now` moved to the day `date` (a file's creation date is its tenant's business date; the time is the clock's). */
const onDate = (date: string, now: Date) => new Date(`${date}T${now.toISOString().slice(11)}`);

/**
 * The collection day of the auto-debit rails, in process: every `intervalMs` it presents, tenant by tenant, every
 * scheduled debit its tenant's business date has reached (in files dated by that business date), then fetches
 * the rails' result documents and applies them (repayments posted, returns reversed and retried by the rail's
 * rules). A rail that fails does not stop the others. Every step is idempotent and resumable (see present-batch.ts and
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
    let failed: unknown;
    for (const rail of options.rails) {
      // One rail down (its processor unreachable, a bug in its documents) must not stop the others' collection day.
      try {
        // Each tenant on its own business date: its debits go out once that date reaches them, in files dated by it.
        for (const { tenantId, businessDate } of await tenantsWithDebitsDue(pool, rail.rail, rail.presentAheadDays ?? 0, options.tenantPrefix ?? null)) {
          const report = await presentDue({ pool, rail, newId: options.newId, maxPerFile: options.maxPerFile, tenantId }, businessDate, onDate(businessDate, options.now()));
          presented += report.files.reduce((n, f) => n + f.entries, 0);
        }
        documents += (await collectResults(options, rail, upTo)).filter((r) => r.status === 'applied').length;
      } catch (error) {
        log.warn({ err: error, rail: rail.rail }, 'auto-debit round failed on this rail; the next round resumes it');
        failed ??= error;
      }
    }
    if (failed !== undefined && presented === 0 && documents === 0) throw failed;
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
