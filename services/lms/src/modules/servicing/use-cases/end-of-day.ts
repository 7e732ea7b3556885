import { advanceAccount, parseIsoDate, type AccountProduct, type AccountResult, type Delinquency } from '@lendstack/loan-engine';
import type { ProductDefinition } from '@lendstack/contracts';
import type pg from 'pg';
import { toLifecycleEnvelopes } from '../../lifecycle/domain/lifecycle-events.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { balancesRow, productDefinition, saveStates, scheduleOf, type OutboxEnvelope, type StateWrite } from '../adapters/servicing.repository.js';
import { lockBatch, partitionBounds, saveQuietDays, type BatchRow } from '../adapters/eod-batch.queries.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineSchedule, type StoredState } from '../domain/servicing.js';
import type { DailyAccruals, LedgerPosting } from '../../ledger/ports.js';
import type { LedgerPort } from '../ports.js';

export interface EodDeps {
  readonly pool: pg.Pool;
  readonly ledger: LedgerPort;
  readonly now: () => Date;
  readonly today: () => string;
  readonly onOutbox: () => void;
  /** Loans per batch (one transaction each); default 1,000. */
  readonly batchSize?: number;
  /**
   * Work that belongs to a closed day as a whole (the portfolio snapshot), run after its loans are advanced and
   * before the business date moves to it; idempotent per (tenant, day), so a resumed run may repeat it.
   */
  readonly afterDay?: (tenantId: string, day: string) => Promise<void>;
  /**
   * Work each loan's day closes with (the NPA early-warning re-score, early-warning/use-cases/score-book.ts
   * scoreAsDayCloses): `prepare` once per day before its batches, `batch` in each batch's transaction after its
   * writes, with the batch's loans (all at the day by then), so it commits or rolls back with them.
   */
  readonly closeLoans?: {
    prepare(tenantId: string, day: string): Promise<void>;
    batch(client: pg.PoolClient, tenantId: string, day: string, loanIds: readonly string[]): Promise<void>;
  };
  /** Concurrent batch workers, each over its own loan-id range of the day (one connection each); default 1. */
  readonly workers?: number;
  /** Quiet loans (the day only accrues interest) written set-based instead of through the engine; default true. */
  readonly quietDays?: boolean;
  /** Told how many loans each committed batch moved to the day, and by which path (the service's metrics). */
  readonly onBatch?: (tenantId: string, counts: { quiet: number; engine: number }) => void;
}

export interface EodProgress {
  readonly days_done: number;
  readonly days_total: number;
  readonly loans_done: number;
  readonly loans_total: number;
  /** The day being processed (YYYY-MM-DD), null when none. */
  readonly day?: string | null;
  /** Loans advanced per second by this run since it (re)started, over all its workers; absent before the first batch. */
  readonly rate?: number;
  /** When the run should complete at that rate (ISO 8601 instant); null when done or not yet known. */
  readonly eta?: string | null;
}

export interface EodRun {
  readonly id: string;
  readonly tenantId: string;
  readonly to: string;
  readonly status: 'queued' | 'running' | 'completed' | 'failed';
  readonly progress: EodProgress;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RunOptions {
  /** Called after each committed batch and day (the CLI's progress bar). */
  readonly onProgress?: (progress: EodProgress) => void;
  /** Tests: stop (throw) after this many committed batches, as a killed worker would. */
  readonly abortAfterBatches?: number;
}

const DAY_MS = 86_400_000;
const nextDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS));

export class EodAborted extends Error {}

/**
 * Runs (or resumes) an end-of-day run: for each day after the tenant's business date up to `to`, the
 * tenant's active loans in keyset batches (loan id order), each batch in ONE transaction: advance
 * every loan whose state is before the day (advanceAccount from its snapshot, no events: value dates
 * are never after the business date), post the new effects in one ledger call, write states,
 * balances, delinquency points and lifecycle events set-based, and the run's progress, then the
 * loans' own closing work (closeLoans: their early-warning scores) in the same transaction. Then the
 * business date moves to the day. Idempotent per (loan, day): a loan whose state is as of the day is
 * skipped, so a run killed half-way and run again posts nothing twice and misses nothing.
 */
export async function runEndOfDay(deps: EodDeps, runId: string, options: RunOptions = {}): Promise<EodRun> {
  const run = await findRun(deps.pool, runId);
  if (!run || run.status === 'completed') return run!;
  await deps.pool.query(`UPDATE eod_runs SET status = 'running', error = NULL, updated_at = now() WHERE id = $1`, [runId]);
  const products = new Map<string, AccountProduct>();
  const counter = { batches: 0, stop: false };
  const tracker = new ProgressTracker(deps.now);
  try {
    let day = nextDay(await businessDateOf(deps.pool, run.tenantId, deps.today));
    // Set when the run was queued (the business date cannot move meanwhile: PUT refuses while a run is active).
    const total = run.progress.days_total;
    while (day <= run.to) {
      const loansTotal = Number((await deps.pool.query<{ n: string }>(`SELECT count(*) AS n FROM loan_servicing WHERE tenant_id = $1 AND status = 'active'`, [run.tenantId])).rows[0]!.n);
      const done = Number((await deps.pool.query<{ n: string }>(`SELECT count(*) AS n FROM loan_servicing WHERE tenant_id = $1 AND status = 'active' AND as_of >= $2::date`, [run.tenantId, day])).rows[0]!.n);
      const daysBefore = total - daysBetween(day, run.to) - 1;
      tracker.startDay({ days_done: daysBefore, days_total: total, loans_done: done, loans_total: loansTotal, day });
      await writeProgress(deps.pool, run.id, tracker.current());
      // The day's remaining loans in loan-id ranges of about equal size, one worker each; a worker's
      // batches are keyset pages of its range, so a resumed day re-plans from what is still before it.
      const bounds = await partitionBounds(deps.pool, run.tenantId, day, Math.max(1, deps.workers ?? 1));
      await deps.closeLoans?.prepare(run.tenantId, day);
      let lastWrite = Date.now();
      const worker = async (after: string, upTo: string | null) => {
        for (;;) {
          if (counter.stop) return;
          const batch = await advanceBatch(deps, run, day, after, upTo, products);
          if (batch.count === 0) return;
          after = batch.last;
          tracker.add(batch.count);
          counter.batches += 1;
          deps.onBatch?.(run.tenantId, { quiet: batch.quiet, engine: batch.count - batch.quiet });
          options.onProgress?.(tracker.current());
          if (options.abortAfterBatches !== undefined && counter.batches >= options.abortAfterBatches) {
            counter.stop = true;
            throw new EodAborted(`aborted after ${counter.batches} batch(es)`);
          }
          // Progress goes to the run's row at most once a second, outside the batches' transactions
          // (a row every worker updated in its batch would serialise their commits).
          if (Date.now() - lastWrite >= 1000) {
            lastWrite = Date.now();
            await writeProgress(deps.pool, run.id, tracker.current());
          }
        }
      };
      const settled = await Promise.allSettled(bounds.map((upTo, i) => worker(i === 0 ? '' : (bounds[i - 1] as string), upTo)));
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        counter.stop = true;
        await writeProgress(deps.pool, run.id, tracker.current()).catch(() => undefined);
        throw failed.reason;
      }
      // Every loan is at the day: said before the day's closing work (the portfolio snapshot) starts.
      await writeProgress(deps.pool, run.id, tracker.current());
      await deps.afterDay?.(run.tenantId, day);
      tracker.endDay();
      await closeDay(deps.pool, run, day, tracker.current());
      options.onProgress?.(tracker.current());
      day = nextDay(day);
    }
    await deps.pool.query(`UPDATE eod_runs SET status = 'completed', progress = jsonb_set(jsonb_set(progress, '{day}', 'null'), '{eta}', 'null'), updated_at = now() WHERE id = $1`, [runId]);
  } catch (error) {
    if (error instanceof EodAborted) throw error;
    await deps.pool.query(`UPDATE eod_runs SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, [runId, String((error as Error).message).slice(0, 1000)]);
    throw error;
  } finally {
    deps.onOutbox();
  }
  return (await findRun(deps.pool, runId))!;
}

/**
 * Loans done / total of the day being run, and the rate and ETA of this run since it (re)started: loans
 * advanced ÷ seconds, and the loans left (this day's, plus the whole book for each later day) at that rate.
 */
class ProgressTracker {
  private readonly started: number;
  private advanced = 0;
  private p: EodProgress = { days_done: 0, days_total: 0, loans_done: 0, loans_total: 0, day: null };
  constructor(private readonly now: () => Date) {
    this.started = now().getTime();
  }
  startDay(p: EodProgress): void {
    this.p = p;
  }
  add(loans: number): void {
    this.advanced += loans;
    this.p = { ...this.p, loans_done: this.p.loans_done + loans };
  }
  endDay(): void {
    this.p = { ...this.p, days_done: this.p.days_done + 1 };
  }
  current(): EodProgress {
    const seconds = (this.now().getTime() - this.started) / 1000;
    if (this.advanced === 0 || seconds <= 0) return this.p;
    const rate = this.advanced / seconds;
    const daysAfter = Math.max(0, this.p.days_total - this.p.days_done - 1);
    const left = Math.max(0, this.p.loans_total - this.p.loans_done) + daysAfter * this.p.loans_total;
    const finished = this.p.days_done >= this.p.days_total;
    return { ...this.p, rate: Math.round(rate * 10) / 10, eta: finished ? null : new Date(this.now().getTime() + (left / rate) * 1000).toISOString() };
  }
}

async function writeProgress(pool: pg.Pool, runId: string, progress: EodProgress): Promise<void> {
  await pool.query('UPDATE eod_runs SET progress = $2::jsonb, updated_at = now() WHERE id = $1', [runId, JSON.stringify(progress)]);
}

async function closeDay(pool: pg.Pool, run: EodRun, day: string, progress: EodProgress): Promise<void> {
  await pool.query('UPDATE business_dates SET business_date = $2::date, updated_at = now() WHERE tenant_id = $1 AND business_date < $2::date', [run.tenantId, day]);
  await pool.query('UPDATE eod_runs SET progress = $2::jsonb, updated_at = now() WHERE id = $1', [run.id, JSON.stringify(progress)]);
}

/**
 * One batch of one day (the next keyset page of the range (after, upTo]), in one transaction: quiet loans
 * set-based (their accrual computed in SQL, written in place), the others through advanceAccount. `count` =
 * loans read and moved to the day (0: the range is done), `quiet` = of them written set-based.
 */
async function advanceBatch(deps: EodDeps, run: EodRun, day: string, after: string, upTo: string | null, products: Map<string, AccountProduct>): Promise<{ count: number; last: string; quiet: number }> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const dayNumber = parseIsoDate(day);
    const rows = await lockBatch(client, { tenantId: run.tenantId, after, upTo, day, dayNumber, limit: deps.batchSize ?? 1000, quiet: deps.quietDays ?? true });
    if (rows.length === 0) {
      await client.query('COMMIT');
      return { count: 0, last: after, quiet: 0 };
    }
    const quiet = rows.filter((r) => r.quiet_amount !== null);
    const engine = rows.filter((r) => r.quiet_amount === null);
    const postings: LedgerPosting[] = [];
    const quietWrites: { loanId: string; amount: bigint; cum: bigint }[] = [];
    // The engine's effect for the day (step.ts, accrue), posted set-based: the loan's books stand at the day before.
    const accruals: DailyAccruals['rows'][number][] = [];
    const fallbackChart = deps.ledger.defaultChart();
    for (const r of quiet) {
      const amount = BigInt(r.quiet_amount!);
      quietWrites.push({ loanId: r.loan_id, amount, cum: BigInt(r.quiet_cum!) });
      if (amount === 0n) continue;
      const { definition } = await productOf(client, run.tenantId, r, products);
      accruals.push({ loanId: r.loan_id, currency: r.currency, scale: r.scale, chart: definition?.chartOfAccounts ?? fallbackChart, amountMinor: amount });
    }
    const writes: StateWrite[] = [];
    const envelopes: OutboxEnvelope[] = [];
    if (engine.length > 0) {
      const schedules = await scheduleOf(client, engine.map((r) => r.loan_id));
      const occurredAt = deps.now().toISOString();
      for (const r of engine) {
        const { product, definition } = await productOf(client, run.tenantId, r, products);
        const advanced = advanceAccount(r.snapshot, { schedule: engineSchedule(schedules.get(r.loan_id) ?? []), product, events: [] }, dayNumber);
        if (!advanced.ok) throw new Error(`loan ${r.loan_id}: ${advanced.error.code}: ${advanced.error.message}`);
        const result: AccountResult = advanced.value;
        if (result.effects.length > 0) {
          postings.push({ tenantId: run.tenantId, loanId: r.loan_id, currency: r.currency, scale: r.scale, chart: definition?.chartOfAccounts ?? deps.ledger.defaultChart(), postedOn: day, reverse: [], post: result.effects });
        }
        writes.push({ loanId: r.loan_id, tenantId: run.tenantId, snapshot: result.snapshot, state: result.state, historyFrom: day, history: result.delinquencyHistory, eodThrough: day });
        const ctx = { tenantId: run.tenantId, loanId: r.loan_id, currency: r.currency, scale: r.scale, correlationId: run.id, causationId: run.id, occurredAt };
        for (const e of toLifecycleEnvelopes({ ...ctx, events: result.events, state: result.state, delinquencyHistory: result.delinquencyHistory, delinquencyBefore: delinquencyOf(r.state!) })) {
          envelopes.push({ id: e.id, key: r.loan_id, value: e });
        }
      }
    }
    await deps.ledger.postDailyAccruals(client, { tenantId: run.tenantId, day, rows: accruals });
    if (postings.length > 0) await deps.ledger.postBatch(client, postings);
    await saveQuietDays(client, day, quietWrites);
    if (writes.length > 0) {
      const byId = new Map(engine.map((r) => [r.loan_id, r]));
      await saveStates(client, writes, {
        balances: writes.map((w) => balancesRow({ id: w.loanId, tenantId: w.tenantId, currency: byId.get(w.loanId)!.currency, scale: byId.get(w.loanId)!.scale }, w.state)),
        outbox: envelopes,
      });
    }
    await deps.closeLoans?.batch(client, run.tenantId, day, rows.map((r) => r.loan_id));
    await client.query('COMMIT');
    return { count: rows.length, last: rows.at(-1)!.loan_id, quiet: quiet.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function productOf(client: pg.PoolClient, tenantId: string, r: BatchRow, cache: Map<string, AccountProduct>): Promise<{ product: AccountProduct; definition: ProductDefinition | undefined }> {
  const key = `${r.product_code}@${r.product_version}`;
  const definition = await definitionCache(client, tenantId, r);
  if (!cache.has(key)) cache.set(key, definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT);
  return { product: cache.get(key)!, definition };
}

const definitions = new WeakMap<pg.PoolClient, Map<string, ProductDefinition | undefined>>();
async function definitionCache(client: pg.PoolClient, tenantId: string, r: BatchRow): Promise<ProductDefinition | undefined> {
  const map = definitions.get(client) ?? new Map<string, ProductDefinition | undefined>();
  definitions.set(client, map);
  const key = `${r.product_code}@${r.product_version}`;
  if (!map.has(key)) map.set(key, await productDefinition(client, tenantId, r.product_code, r.product_version));
  return map.get(key);
}

/** The stored state's delinquency in the engine's terms (the classification before the day). */
function delinquencyOf(s: StoredState): Delinquency {
  const d = s.delinquency;
  return { dpd: d.dpd, usBucket: d.usBucket, rbiClass: d.rbiClass, oldestUnpaidDueDate: d.oldestUnpaidDueDate === null ? null : parseIsoDate(d.oldestUnpaidDueDate), npaSince: d.npaSince === null ? null : parseIsoDate(d.npaSince) };
}

type RunRow = { id: string; tenant_id: string; to_date: string; status: EodRun['status']; progress: EodProgress; error: string | null; created_at: Date; updated_at: Date };
const toRun = (r: RunRow): EodRun => ({ id: r.id, tenantId: r.tenant_id, to: r.to_date, status: r.status, progress: r.progress, error: r.error, createdAt: r.created_at, updatedAt: r.updated_at });
const RUN_COLUMNS = `id, tenant_id, to_char(to_date, 'YYYY-MM-DD') AS to_date, status, progress, error, created_at, updated_at`;

export async function findRun(pool: pg.Pool, runId: string, tenantId?: string): Promise<EodRun | undefined> {
  const row = (await pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM eod_runs WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`, [runId, tenantId ?? null])).rows[0];
  return row ? toRun(row) : undefined;
}

export type CreateRunResult =
  | { readonly ok: true; readonly run: EodRun; readonly replayed: boolean }
  | { readonly ok: false; readonly error: 'to-before-business-date' | 'eod-running' | 'idempotency-key-reused'; readonly detail: string; readonly run?: EodRun };

/**
 * Queues a run to `to` (on or after the business date). At most one queued or running run per
 * tenant: another is refused (eod-running, with the active run). Idempotency-Key: the same request
 * returns the run it created; another body is refused.
 */
export async function createEodRun(deps: EodDeps & { newId: () => string }, r: { tenantId: string; to: string; actor: string; idempotencyKey?: string; requestHash: string }): Promise<CreateRunResult> {
  if (r.idempotencyKey) {
    const prior = (await deps.pool.query<RunRow & { request_hash: string }>(`SELECT ${RUN_COLUMNS}, request_hash FROM eod_runs WHERE tenant_id = $1 AND idempotency_key = $2`, [r.tenantId, r.idempotencyKey])).rows[0];
    if (prior && prior.request_hash !== r.requestHash) return { ok: false, error: 'idempotency-key-reused', detail: 'already used with another request' };
    if (prior) return { ok: true, run: toRun(prior), replayed: true };
  }
  const businessDate = await businessDateOf(deps.pool, r.tenantId, deps.today);
  if (r.to < businessDate) return { ok: false, error: 'to-before-business-date', detail: `must be on or after the business date ${businessDate}` };
  const days = daysBetween(businessDate, r.to);
  try {
    const row = (await deps.pool.query<RunRow>(
      `INSERT INTO eod_runs (id, tenant_id, to_date, status, progress, idempotency_key, request_hash, created_by) VALUES ($1, $2, $3::date, 'queued', $4::jsonb, $5, $6, $7) RETURNING ${RUN_COLUMNS}`,
      [deps.newId(), r.tenantId, r.to, JSON.stringify({ days_done: 0, days_total: days, loans_done: 0, loans_total: 0, day: null }), r.idempotencyKey ?? null, r.requestHash, r.actor])).rows[0]!;
    return { ok: true, run: toRun(row), replayed: false };
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    const active = (await deps.pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM eod_runs WHERE tenant_id = $1 AND status IN ('queued', 'running')`, [r.tenantId])).rows[0];
    return { ok: false, error: 'eod-running', detail: 'an end-of-day run is already queued or running for this tenant', ...(active ? { run: toRun(active) } : {}) };
  }
}

