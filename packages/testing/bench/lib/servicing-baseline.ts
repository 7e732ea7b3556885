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
 * One business day over `loanIds` set-based, in batches of `batchSize` loans (one transaction each,
 * as end of day's batches): UPDATE loan_servicing FROM unnest (snapshot, state, as_of, dpd…), one
 * accrual journal entry per loan (INSERT … SELECT) with two lines (INSERT … SELECT), UPDATE
 * loan_balances FROM unnest. Snapshot and state are one loan's after end of day (every copy is the
 * same loan, so the same size). Returns the wall time in ms.
 */
export async function endOfDayBaseline(pool: pg.Pool, tenantId: string, loanIds: readonly string[], day: string, batchSize: number, shape: { snapshotJson: string; stateJson: string; accrualMinor: bigint }): Promise<number> {
  await scratchTables(pool, loanIds);
  const client = await pool.connect();
  const started = performance.now();
  try {
    for (let from = 0; from < loanIds.length; from += batchSize) {
      const ids = loanIds.slice(from, from + batchSize);
      const same = <T>(v: T) => ids.map(() => v);
      await client.query('BEGIN');
      await client.query(
        `UPDATE ${SCHEMA}.loan_servicing s SET snapshot = t.snapshot, state = t.state, as_of = t.as_of, dpd = t.dpd, eod_through = t.as_of, version = s.version + 1, updated_at = now()
         FROM unnest($1::text[], $2::jsonb[], $3::jsonb[], $4::date[], $5::int[]) AS t(loan_id, snapshot, state, as_of, dpd) WHERE s.loan_id = t.loan_id`,
        [ids, same(shape.snapshotJson), same(shape.stateJson), same(day), same(0)]);
      await client.query(
        `WITH e AS (
           INSERT INTO ${SCHEMA}.journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale)
           SELECT gen_random_uuid(), $2, t.loan_id, 'accrual:' || $3, 'interest-accrual', $3::date, $3::date, 'INR', 2 FROM unnest($1::text[]) AS t(loan_id)
           RETURNING id, loan_id)
         INSERT INTO ${SCHEMA}.journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
         SELECT e.id, l.n, $2, e.loan_id, $3::date, 'INR', 2, l.code, l.account, l.side, $4::bigint
         FROM e CROSS JOIN (VALUES (1, '1100', 'interest-receivable', 'debit'), (2, '4000', 'interest-income', 'credit')) AS l(n, code, account, side)`,
        [ids, tenantId, day, shape.accrualMinor.toString()]);
      await client.query(
        `UPDATE ${SCHEMA}.loan_balances b SET interest_receivable = b.interest_receivable + t.accrual, as_of = $3::date, updated_at = now()
         FROM unnest($1::text[], $2::bigint[]) AS t(loan_id, accrual) WHERE b.loan_id = t.loan_id`,
        [ids, same(shape.accrualMinor.toString()), day]);
      await client.query('COMMIT');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const ms = performance.now() - started;
  await dropScratch(pool);
  return ms;
}

/**
 * The quiet day's rows written by plain SQL into scratch copies, as end of day writes them for a quiet loan
 * (eod-batch.queries.ts): batches of `batchSize` loans over `workers` connections at once, each batch one
 * transaction of an in-place `UPDATE loan_servicing` (jsonb_set of the snapshot's asOf, interest receivable and
 * period accrual, the state's asOf and interest accrued; as_of, eod_through, version), one accrual entry per
 * loan with two lines, and `UPDATE loan_balances`. Nothing is read or computed: its floor. Wall time in ms.
 */
export async function endOfDayInPlaceBaseline(pool: pg.Pool, tenantId: string, loanIds: readonly string[], day: string, batchSize: number, workers: number, accrualMinor: bigint): Promise<number> {
  await scratchTables(pool, loanIds);
  const dayNumber = Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
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
        await client.query(
          `UPDATE ${SCHEMA}.loan_servicing s SET
             snapshot = jsonb_set(jsonb_set(jsonb_set(s.snapshot, '{asOf}', to_jsonb($2::int)),
               '{scalars,interestReceivable}', to_jsonb(((s.snapshot #>> '{scalars,interestReceivable}')::bigint + $4::bigint)::text)),
               '{scalars,accruedInPeriod}', to_jsonb($4::text)),
             state = jsonb_set(jsonb_set(s.state, '{asOf}', to_jsonb($3::text)),
               '{balances,interestAccrued}', to_jsonb(((s.state #>> '{balances,interestAccrued}')::bigint + $4::bigint)::text)),
             as_of = $3::date, eod_through = $3::date, version = s.version + 1, updated_at = now()
           WHERE s.loan_id = ANY($1::text[])`,
          [ids, dayNumber, day, accrualMinor.toString()]);
        await client.query(
          `WITH e AS (
             INSERT INTO ${SCHEMA}.journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale, digest)
             SELECT gen_random_uuid(), $2, t.loan_id, 'accrual:' || $3, 'interest-accrual', $3::date, $3::date, 'INR', 2, 0 FROM unnest($1::text[]) AS t(loan_id)
             RETURNING id, loan_id)
           INSERT INTO ${SCHEMA}.journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
           SELECT e.id, l.n, $2, e.loan_id, $3::date, 'INR', 2, l.code, l.account, l.side, $4::bigint
           FROM e CROSS JOIN (VALUES (1, '1100', 'interest-receivable', 'debit'), (2, '4000', 'interest-income', 'credit')) AS l(n, code, account, side)`,
          [ids, tenantId, day, accrualMinor.toString()]);
        await client.query(
          `UPDATE ${SCHEMA}.loan_balances b SET interest_receivable = b.interest_receivable + $2::bigint, as_of = $3::date, updated_at = now() WHERE b.loan_id = ANY($1::text[])`,
          [ids, accrualMinor.toString(), day]);
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
