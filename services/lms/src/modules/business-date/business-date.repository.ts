import { HttpProblem } from '@lendstack/platform';
import type pg from 'pg';
import { appendAudit } from '../audit/adapters/pg-audit-log.js';

/** The wall-clock UTC date: used ONLY to start a tenant's business date at its first use. */
export const utcToday = (): string => new Date().toISOString().slice(0, 10);

/**
 * A tenant's business date (YYYY-MM-DD). A tenant without one starts at `today()` (the UTC date of its
 * first use) — the one place the wall clock enters; every money path then reads this row only.
 * `lock` takes the row FOR UPDATE (setting it, or end of day advancing it).
 */
export async function businessDateOf(client: pg.PoolClient | pg.Pool, tenantId: string, today: () => string, lock = false): Promise<string> {
  const read = async () =>
    (await client.query<{ d: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM business_dates WHERE tenant_id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId])).rows[0]?.d;
  const found = await read();
  if (found !== undefined) return found;
  await client.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2::date) ON CONFLICT (tenant_id) DO NOTHING', [tenantId, today()]);
  return (await read())!;
}

export type SetBusinessDateResult =
  | { readonly ok: true; readonly date: string; readonly previous: string }
  /** A money event is dated after `date`, a loan's state runs past it, or an end-of-day run is active. */
  | { readonly ok: false; readonly error: 'activity-after-date' | 'eod-running'; readonly detail: string };

/**
 * Sets a tenant's business date, forward or back, provided nothing happened after the new date: no
 * money event dated later, no loan state computed past it, no end-of-day run under way.
 */
/** Who set the date, for the audit log (absent: a test or bench setting it directly, not audited). */
export interface BusinessDateAudit { readonly actor: string; readonly requestId: string; readonly at: Date; readonly id: string }

export async function setBusinessDate(pool: pg.Pool, tenantId: string, date: string, today: () => string, audit?: BusinessDateAudit): Promise<SetBusinessDateResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const previous = await businessDateOf(client, tenantId, today, true);
    const running = await client.query(`SELECT 1 FROM eod_runs WHERE tenant_id = $1 AND status IN ('queued', 'running') LIMIT 1`, [tenantId]);
    if (running.rowCount) {
      await client.query('ROLLBACK');
      return { ok: false, error: 'eod-running', detail: 'an end-of-day run is under way for this tenant' };
    }
    const later = await client.query<{ what: string; d: string }>(
      `(SELECT 'a money event' AS what, to_char(value_date, 'YYYY-MM-DD') AS d FROM loan_transactions WHERE tenant_id = $1 AND value_date > $2::date LIMIT 1)
       UNION ALL
       (SELECT 'a loan state' AS what, to_char(as_of, 'YYYY-MM-DD') AS d FROM loan_servicing WHERE tenant_id = $1 AND as_of > $2::date LIMIT 1)`,
      [tenantId, date],
    );
    if (later.rowCount) {
      await client.query('ROLLBACK');
      const first = later.rows[0]!;
      return { ok: false, error: 'activity-after-date', detail: `${first.what} is dated ${first.d}, after ${date}` };
    }
    await client.query('UPDATE business_dates SET business_date = $2::date, updated_at = now() WHERE tenant_id = $1', [tenantId, date]);
    if (audit) await appendAudit(client, { tenantId, ...audit, action: 'business-date.set', subject: `business-date/${tenantId}`, before: { date: previous }, after: { date } });
    await client.query('COMMIT');
    return { ok: true, date, previous };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The date a report or analytics question is asked as of: `requested` (a past business date) or, when
 * none, the tenant's business date. A date after the business date is a 422 naming `/query/asOf`.
 */
export async function asOfWithinBusinessDate(client: pg.PoolClient | pg.Pool, tenantId: string, requested: string | undefined, today: () => string): Promise<string> {
  const businessDate = await businessDateOf(client, tenantId, today);
  if (requested !== undefined && requested > businessDate) {
    throw new HttpProblem(422, 'validation-error', 'Request is not valid', `asOf ${requested} is after the business date ${businessDate}.`, { errors: [{ pointer: '/query/asOf', detail: `after the business date ${businessDate}` }] });
  }
  return requested ?? businessDate;
}
