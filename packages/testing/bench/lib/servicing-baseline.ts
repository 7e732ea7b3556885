import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { runBounded } from './http-load.js';

/**
 * The floors the servicing figures are compared with: the rows a repayment and a day of end of day
 * write, written by plain SQL into copies of the tables (same columns, indexes, checks and defaults;
 * LIKE … INCLUDING ALL copies no triggers or foreign keys, so the ledger's balance and immutability
 * triggers do not run here) in a scratch schema of the bench LMS database, so the service's rows stay
 * as they are.
 */
const SCHEMA = 'bench_servicing_baseline';
const TABLES = ['loan_transactions', 'journal_entries', 'journal_lines', 'loan_servicing', 'loan_balances'];

async function scratchTables(pool: pg.Pool, loanIds: readonly string[]): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await pool.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const t of TABLES) await pool.query(`CREATE TABLE ${SCHEMA}.${t} (LIKE public.${t} INCLUDING ALL)`);
  for (const t of ['loan_servicing', 'loan_balances']) await pool.query(`INSERT INTO ${SCHEMA}.${t} SELECT * FROM public.${t} WHERE loan_id = ANY($1)`, [loanIds]);
}

export const dropScratch = (pool: pg.Pool) => pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);

/** What one repayment wrote on average in the HTTP run, and one loan's stored state after it (same sizes). */
export interface RepaymentShape {
  readonly tenantId: string;
  readonly entriesPerRepayment: number;
  readonly linesPerEntry: number;
  readonly snapshotJson: string;
  readonly stateJson: string;
}

/**
 * `count` repayments on `loanIds[i % n]`, `concurrency` at once, each in its own transaction of plain
 * statements: INSERT the loan_transactions row, INSERT its journal entries, INSERT their lines,
 * UPDATE loan_servicing (snapshot + state of the same size as the service's), UPDATE loan_balances.
 * Returns the wall time in ms.
 */
export async function repaymentBaseline(pool: pg.Pool, loanIds: readonly string[], count: number, concurrency: number, shape: RepaymentShape): Promise<number> {
  await scratchTables(pool, loanIds);
  const started = performance.now();
  await runBounded(count, concurrency, async (i) => {
    const loanId = loanIds[i % loanIds.length]!;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const txId = randomUUID();
      await client.query(
        `INSERT INTO ${SCHEMA}.loan_transactions (id, tenant_id, loan_id, kind, value_date, amount_minor, currency, scale, channel, reference, status, idempotency_key, request_hash, created_by)
         VALUES ($1, $2, $3, 'repayment', '2026-01-05', 1000, 'INR', 2, 'upi', $4, 'posted', $4, 'baseline', 'bench')`, [txId, shape.tenantId, loanId, `base-${i}`]);
      const entries = Array.from({ length: shape.entriesPerRepayment }, () => randomUUID());
      await client.query(
        `INSERT INTO ${SCHEMA}.journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale)
         SELECT id, $2, $3, 'repayment:' || $4 || ':' || ord, 'repayment', '2026-01-05', '2026-01-05', 'INR', 2 FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)`,
        [entries, shape.tenantId, loanId, txId]);
      await client.query(
        `INSERT INTO ${SCHEMA}.journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
         SELECT e.id, n, $2, $3, '2026-01-05', 'INR', 2, '1000', 'loan-portfolio', CASE WHEN n % 2 = 0 THEN 'credit' ELSE 'debit' END, 1000
         FROM unnest($1::uuid[]) AS e(id) CROSS JOIN generate_series(1, $4::int) AS n`,
        [entries, shape.tenantId, loanId, shape.linesPerEntry]);
      await client.query(`UPDATE ${SCHEMA}.loan_servicing SET snapshot = $2::jsonb, state = $3::jsonb, version = version + 1, updated_at = now() WHERE loan_id = $1`, [loanId, shape.snapshotJson, shape.stateJson]);
      await client.query(`UPDATE ${SCHEMA}.loan_balances SET principal_outstanding = principal_outstanding - 1000, updated_at = now() WHERE loan_id = $1`, [loanId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });
  const ms = performance.now() - started;
  await dropScratch(pool);
  return ms;
}

/**
 * The rows the service's end of day wrote, written again by plain set-based SQL into scratch copies: per
 * batch of `batchSize` loans (loan-id order, `workers` connections at once, one transaction each) the
 * loans' loan_servicing rows set to what the run left (UPDATE … FROM: the snapshot and state where the day
 * wrote them — the engine's loans —, the servicing and quiet-day columns of every loan), the day's journal entries and lines (INSERT … SELECT of the run's own, under new ids), the
 * loans' loan_balances (UPDATE … FROM) and the delinquency points the day wrote (INSERT … SELECT ON
 * CONFLICT). Nothing is computed: the floor of writing that day's results. `sinceSeq`: the journal's
 * last seq before the run. Wall time in ms.
 *
 * With `derived` also what the day wrote besides the batches, in the same transactions: the loans' outbox rows
 * since `derived.sinceOutboxSeq` (the lifecycle events) and their early-warning scores of the day (INSERT …
 * SELECT of the run's own into copies with the same indexes) — every row the whole day writes but the
 * tenant-level portfolio snapshot.
 */
export async function endOfDaySameRowsBaseline(pool: pg.Pool, tenantId: string, loanIds: readonly string[], day: string, sinceSeq: string, batchSize: number, workers: number,
  derived?: { readonly sinceOutboxSeq: string }): Promise<number> {
  await scratchTables(pool, loanIds);
  if (derived) {
    for (const t of ['outbox', 'early_warning_scores']) await pool.query(`CREATE TABLE ${SCHEMA}.${t} (LIKE public.${t} INCLUDING ALL)`);
    await pool.query(`CREATE TABLE ${SCHEMA}.day_outbox AS SELECT id, key FROM public.outbox WHERE seq > $1::bigint`, [derived.sinceOutboxSeq]);
    await pool.query(`CREATE INDEX ON ${SCHEMA}.day_outbox (key)`);
    await pool.query(`ANALYZE ${SCHEMA}.day_outbox`);
  }
  await pool.query(`CREATE TABLE ${SCHEMA}.delinquency_history (LIKE public.delinquency_history INCLUDING ALL)`);
  // Which entries the day wrote, by loan (set up before the clock starts, as the service knew its own).
  await pool.query(`CREATE TABLE ${SCHEMA}.day_entries AS SELECT id, loan_id FROM public.journal_entries WHERE tenant_id = $1 AND seq > $2::bigint`, [tenantId, sinceSeq]);
  await pool.query(`CREATE INDEX ON ${SCHEMA}.day_entries (loan_id)`);
  await pool.query(`ANALYZE ${SCHEMA}.day_entries`);
  const batches: string[][] = [];
  for (let from = 0; from < loanIds.length; from += batchSize) batches.push(loanIds.slice(from, from + batchSize) as string[]);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, workers) }, async () => {
    const client = await pool.connect();
    try {
      for (let b = next++; b < batches.length; b = next++) {
        const ids = batches[b]!;
        await client.query('BEGIN');
        // The JSON where the day wrote it (the engine's loans: their quiet-day columns reset), the columns everywhere.
        await client.query(
          `UPDATE ${SCHEMA}.loan_servicing s SET snapshot = p.snapshot, state = p.state, as_of = p.as_of, status = p.status, accrual_status = p.accrual_status, dpd = p.dpd,
             us_bucket = p.us_bucket, rbi_class = p.rbi_class, oldest_unpaid_due_date = p.oldest_unpaid_due_date, npa_since = p.npa_since, eod_through = p.eod_through,
             quiet_interest_minor = p.quiet_interest_minor, quiet_accrued_in_period = p.quiet_accrued_in_period, version = s.version + 1, updated_at = now()
           FROM public.loan_servicing p WHERE p.loan_id = s.loan_id AND s.loan_id = ANY($1::text[]) AND p.quiet_accrued_in_period IS NULL`, [ids]);
        await client.query(
          `UPDATE ${SCHEMA}.loan_servicing s SET as_of = p.as_of, eod_through = p.eod_through, quiet_interest_minor = p.quiet_interest_minor,
             quiet_accrued_in_period = p.quiet_accrued_in_period, version = s.version + 1, updated_at = now()
           FROM public.loan_servicing p WHERE p.loan_id = s.loan_id AND s.loan_id = ANY($1::text[]) AND p.quiet_accrued_in_period IS NOT NULL`, [ids]);
        await client.query(
          `INSERT INTO ${SCHEMA}.journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale, digest)
           SELECT md5(e.id::text)::uuid, e.tenant_id, e.loan_id, e.effect_key, e.kind, e.value_date, e.posted_on, e.currency, e.scale, e.digest
           FROM ${SCHEMA}.day_entries d JOIN public.journal_entries e ON e.id = d.id WHERE d.loan_id = ANY($1::text[])`, [ids]);
        await client.query(
          `INSERT INTO ${SCHEMA}.journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
           SELECT md5(l.entry_id::text)::uuid, l.line_no, l.tenant_id, l.loan_id, l.value_date, l.currency, l.scale, l.account_code, l.logical_account, l.side, l.amount_minor
           FROM ${SCHEMA}.day_entries d JOIN public.journal_lines l ON l.entry_id = d.id WHERE d.loan_id = ANY($1::text[])`, [ids]);
        await client.query(
          `UPDATE ${SCHEMA}.loan_balances b SET as_of = p.as_of, principal_outstanding = p.principal_outstanding, interest_receivable = p.interest_receivable,
             fees_receivable = p.fees_receivable, penalties_receivable = p.penalties_receivable, excess = p.excess, memo_interest = p.memo_interest,
             memo_penalties = p.memo_penalties, updated_at = now()
           FROM public.loan_balances p WHERE p.loan_id = b.loan_id AND b.loan_id = ANY($1::text[])`, [ids]);
        await client.query(
          `INSERT INTO ${SCHEMA}.delinquency_history SELECT h.* FROM public.delinquency_history h WHERE h.loan_id = ANY($1::text[]) AND h.from_date >= $2::date
           ON CONFLICT (loan_id, from_date) DO UPDATE SET dpd = excluded.dpd, us_bucket = excluded.us_bucket, rbi_class = excluded.rbi_class, npa_since = excluded.npa_since`, [ids, day]);
        if (derived) {
          await client.query(
            `INSERT INTO ${SCHEMA}.outbox (id, topic, key, value, headers, created_at, sent_at)
             SELECT o.id, o.topic, o.key, o.value, o.headers, o.created_at, o.sent_at FROM ${SCHEMA}.day_outbox d JOIN public.outbox o ON o.id = d.id WHERE d.key = ANY($1::text[])`, [ids]);
          await client.query(`INSERT INTO ${SCHEMA}.early_warning_scores SELECT e.* FROM public.early_warning_scores e WHERE e.loan_id = ANY($1::text[]) AND e.as_of = $2::date`, [ids, day]);
        }
        await client.query('COMMIT');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }));
  const ms = performance.now() - started;
  await dropScratch(pool);
  return ms;
}
