import type { Money } from '@lendstack/contracts';
import type pg from 'pg';
import { collectionScheduleSchema, DEFAULT_COLLECTION_SCHEDULE, type CollectionSchedule, type PlannedInstallment } from '../domain/collection-plan.js';
import type { CollectionFacts } from '../domain/collector.js';

type Db = pg.Pool | pg.PoolClient;

/** Days after the business date whose installments a pass looks at (pre-due reminders go out at most 30 days ahead). */
const LOOKAHEAD_DAYS = 30;

interface StoredInstallment { number: number; dueDate: string; status: string; charged: Record<string, string>; paid: Record<string, string> }

const sum = (o: Record<string, string> | undefined) => Object.values(o ?? {}).reduce((s, v) => s + BigInt(v), 0n);

/** The product's collection schedule, or the default when the product has none stored. */
export async function scheduleOf(db: Db, tenantId: string, productCode: string): Promise<CollectionSchedule> {
  const row = (await db.query<{ schedule: unknown }>('SELECT schedule FROM collection_schedules WHERE tenant_id = $1 AND product_code = $2', [tenantId, productCode])).rows[0];
  if (!row) return DEFAULT_COLLECTION_SCHEDULE;
  const parsed = collectionScheduleSchema.safeParse(row.schedule);
  // Stored only after validation; a row that no longer parses (a rule tightened since) falls back, never blocks collection.
  return parsed.success ? parsed.data : DEFAULT_COLLECTION_SCHEDULE;
}

/** Stores a schedule only where the tenant has none for the product; answers whether it did. */
export async function saveScheduleIfAbsent(db: Db, input: { tenantId: string; productCode: string; schedule: CollectionSchedule; updatedBy: string }): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO collection_schedules (tenant_id, product_code, schedule, updated_by) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, product_code) DO NOTHING`,
    [input.tenantId, input.productCode, JSON.stringify(input.schedule), input.updatedBy],
  );
  return (r.rowCount ?? 0) === 1;
}

export async function saveSchedule(db: Db, input: { tenantId: string; productCode: string; schedule: CollectionSchedule; updatedBy: string }): Promise<void> {
  await db.query(
    `INSERT INTO collection_schedules (tenant_id, product_code, schedule, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, product_code) DO UPDATE SET schedule = excluded.schedule, updated_by = excluded.updated_by, updated_at = now()`,
    [input.tenantId, input.productCode, JSON.stringify(input.schedule), input.updatedBy],
  );
}

/**
 * Everything a pass of the loan's collector needs, read in one round of queries as of the tenant's business
 * date: status and DPD (day − the delinquency anchor of the latest change point), the unpaid installments the
 * plan can act on, what arrived since a promise, the latest presentments' outcomes, DPD at the last month ends.
 */
/**
 * Days before the due date a loan's debit must be on the rail's schedule. NACH presents its input file up to 2
 * days before the charge date (the rail's presentAheadDays) and UPI AutoPay's pre-debit notification must go
 * ≥ 24 h before the execution (presented 2 days ahead): scheduling 3 days ahead leaves the runner a day's
 * margin. ACH and card-on-file charge on the due date.
 */
const DEBIT_LEAD_DAYS: Readonly<Record<string, number>> = { 'in-nach': 3, 'upi-autopay': 3 };

export async function loadCollectionFacts(db: Db, loanId: string, promiseMadeOn: string | null): Promise<CollectionFacts | undefined> {
  const loan = (await db.query<{ tenant_id: string; product_code: string | null; currency: string; scale: number; status: string; servicing_status: string | null; installments: StoredInstallment[] | null; business_date: string | null }>(
    `SELECT l.tenant_id, l.product_code, l.currency, l.scale, l.status, s.status AS servicing_status, s.state->'installments' AS installments,
            to_char(b.business_date, 'YYYY-MM-DD') AS business_date
     FROM loan_accounts l LEFT JOIN loan_servicing s ON s.loan_id = l.id LEFT JOIN business_dates b ON b.tenant_id = l.tenant_id
     WHERE l.id = $1`, [loanId])).rows[0];
  if (!loan || !loan.business_date) return undefined;
  const today = loan.business_date;
  const [scheduled, dpdRows, paid, pending, presentments, schedule, rails] = await Promise.all([
    db.query<{ number: number; due_date: string; total_minor: string }>(
      `SELECT number, to_char(due_date, 'YYYY-MM-DD') AS due_date, total_minor::text FROM installments WHERE loan_id = $1 ORDER BY number`, [loanId]),
    db.query<{ month: string | null; dpd: number }>(
      `WITH ends AS (
         SELECT (date_trunc('month', $2::date) - make_interval(months => g) - interval '1 day')::date AS d FROM generate_series(0, 2) g
       ), today AS (SELECT $2::date AS d)
       SELECT CASE WHEN x.d = $2::date THEN NULL ELSE to_char(x.d, 'YYYY-MM') END AS month,
              COALESCE((SELECT GREATEST(0, CASE WHEN h.dpd_anchor IS NULL THEN 0 ELSE x.d - h.dpd_anchor END)
                        FROM delinquency_history h WHERE h.loan_id = $1 AND h.from_date <= x.d ORDER BY h.from_date DESC LIMIT 1), 0) AS dpd
       FROM (SELECT d FROM ends UNION ALL SELECT d FROM today) x ORDER BY x.d`, [loanId, today]),
    promiseMadeOn === null ? Promise.resolve(null) : db.query<{ total: string | null }>(
      `SELECT sum(t.amount_minor)::text AS total FROM loan_transactions t
       WHERE t.loan_id = $1 AND t.kind = 'repayment' AND t.value_date >= $2::date
         AND NOT EXISTS (SELECT 1 FROM loan_transactions r WHERE r.loan_id = t.loan_id AND r.kind = 'reversal' AND r.target_id = t.id)`, [loanId, promiseMadeOn]),
    db.query<{ installment_number: number }>(
      `SELECT DISTINCT installment_number FROM autodebit_presentments WHERE tenant_id = $1 AND loan_id = $2
         AND (status IN ('batched', 'presented') OR (status = 'scheduled' AND attempt = 1))`, [loan.tenant_id, loanId]),
    db.query<{ id: string; status: string; return_code: string | null }>(
      `SELECT id, status, return_code FROM (
         SELECT id, status, return_code, effective_date, attempt FROM autodebit_presentments
         WHERE tenant_id = $1 AND loan_id = $2 AND status IN ('settled', 'returned') ORDER BY effective_date DESC, attempt DESC, id DESC LIMIT 10) p
       ORDER BY effective_date, attempt, id`, [loan.tenant_id, loanId]),
    loan.product_code ? scheduleOf(db, loan.tenant_id, loan.product_code) : Promise.resolve(DEFAULT_COLLECTION_SCHEDULE),
    db.query<{ rail: string }>(`SELECT rail FROM autodebit_accounts WHERE tenant_id = $1 AND loan_id = $2 AND status = 'active'`, [loan.tenant_id, loanId]),
  ]);
  const state = new Map((loan.installments ?? []).map((i) => [i.number, i]));
  // A first debit not yet answered is still out; after a return the installment is overdue to the borrower,
  // whatever re-presentment the rail has scheduled.
  const out = new Set(pending.rows.map((r) => r.installment_number));
  const horizon = new Date(Date.parse(`${today}T00:00:00Z`) + LOOKAHEAD_DAYS * 86_400_000).toISOString().slice(0, 10);
  const money = (minor: bigint): Money => ({ amount: minor.toString(), currency: loan.currency, scale: loan.scale });
  const unpaid: PlannedInstallment[] = [];
  for (const row of scheduled.rows) {
    const s = state.get(row.number);
    if (s?.status === 'paid') continue;
    const outstanding = s && s.status !== 'not-due' ? sum(s.charged) - sum(s.paid) : BigInt(row.total_minor);
    if (outstanding <= 0n) continue;
    unpaid.push({ number: row.number, dueDate: row.due_date, paid: false, amountDue: money(outstanding), debitPending: out.has(row.number) });
    // The first installment past the horizon is enough: the plan's next date is its first reminder.
    if (row.due_date > horizon) break;
  }
  const dpdNow = dpdRows.rows.at(-1)?.dpd ?? 0;
  const servicing = loan.servicing_status ?? loan.status;
  const status = servicing === 'closed' ? 'closed' : servicing === 'charged-off' ? 'charged-off' : 'open';
  const debitLeadDays = Math.max(0, ...rails.rows.map((r) => DEBIT_LEAD_DAYS[r.rail] ?? 0));
  return {
    debitLeadDays,
    found: true,
    tenantId: loan.tenant_id,
    businessDate: today,
    status,
    dpd: dpdNow,
    schedule,
    installments: unpaid,
    paidSincePromise: paid === null ? null : money(BigInt(paid.rows[0]?.total ?? '0')),
    presentmentOutcomes: presentments.rows.map((p) => ({ presentmentId: p.id, outcome: p.status === 'settled' ? 'paid' as const : 'returned' as const, code: p.return_code })),
    monthEndDpd: dpdRows.rows.filter((r) => r.month !== null).map((r) => ({ month: r.month!, dpd: r.dpd })),
  };
}

/**
 * Opens the loan's case in `queue` (with the loan's latest early-warning probability; end of day's re-score keeps
 * it current), or moves an open case up to it (never down). Returns whether it changed.
 */
export async function openCase(db: Db, input: { tenantId: string; loanId: string; queue: string; priority: number; dpd: number; on: string }): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO collections_cases (tenant_id, loan_id, queue, priority, dpd, status, opened_on, escalated_on, early_warning_probability, early_warning_on)
     SELECT $1, $2, $3, $4::int, $5::int, 'open', $6::date, $6::date, round(e.probability::numeric, 4), e.as_of
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT probability, as_of FROM early_warning_scores WHERE loan_id = $2 ORDER BY as_of DESC LIMIT 1) e ON true
     ON CONFLICT (tenant_id, loan_id) DO UPDATE SET
       queue = excluded.queue, priority = excluded.priority, dpd = excluded.dpd, escalated_on = excluded.escalated_on,
       opened_on = CASE WHEN collections_cases.status = 'closed' THEN excluded.opened_on ELSE collections_cases.opened_on END,
       status = 'open', closed_on = NULL, close_reason = NULL, updated_at = now(),
       early_warning_probability = COALESCE(excluded.early_warning_probability, collections_cases.early_warning_probability),
       early_warning_on = COALESCE(excluded.early_warning_on, collections_cases.early_warning_on)
     WHERE collections_cases.status = 'closed' OR collections_cases.priority < excluded.priority OR collections_cases.dpd <> excluded.dpd`,
    [input.tenantId, input.loanId, input.queue, input.priority, input.dpd, input.on],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function closeCase(db: Db, input: { tenantId: string; loanId: string; on: string; reason: string }): Promise<boolean> {
  const r = await db.query(
    `UPDATE collections_cases SET status = 'closed', closed_on = $3, close_reason = $4, updated_at = now() WHERE tenant_id = $1 AND loan_id = $2 AND status = 'open'`,
    [input.tenantId, input.loanId, input.on, input.reason],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Records the loan's next wake-up date (or none); the waker signals the workflow when the business date reaches it. */
export async function setWakeup(db: Db, input: { tenantId: string; loanId: string; wakeOn: string | null }): Promise<void> {
  if (input.wakeOn === null) {
    await db.query('DELETE FROM collections_wakeups WHERE loan_id = $1', [input.loanId]);
    return;
  }
  await db.query(
    `INSERT INTO collections_wakeups (loan_id, tenant_id, wake_on) VALUES ($1, $2, $3)
     ON CONFLICT (loan_id) DO UPDATE SET wake_on = excluded.wake_on, updated_at = now()`,
    [input.loanId, input.tenantId, input.wakeOn],
  );
}

/** Wake-ups the tenants' business dates have reached, keyset-paged by (tenant, date, loan). */
export async function dueWakeups(db: Db, limit: number, tenantPrefix: string | null = null): Promise<{ loanId: string; tenantId: string; wakeOn: string; businessDate: string }[]> {
  const rows = await db.query<{ loan_id: string; tenant_id: string; wake_on: string; business_date: string }>(
    `SELECT w.loan_id, w.tenant_id, to_char(w.wake_on, 'YYYY-MM-DD') AS wake_on, to_char(b.business_date, 'YYYY-MM-DD') AS business_date
     FROM business_dates b CROSS JOIN LATERAL (
       SELECT loan_id, tenant_id, wake_on FROM collections_wakeups w WHERE w.tenant_id = b.tenant_id AND w.wake_on <= b.business_date
       ORDER BY w.wake_on, w.loan_id LIMIT $1) w
     WHERE $2::text IS NULL OR left(b.tenant_id, length($2)) = $2
     LIMIT $1`, [limit, tenantPrefix]);
  return rows.rows.map((r) => ({ loanId: r.loan_id, tenantId: r.tenant_id, wakeOn: r.wake_on, businessDate: r.business_date }));
}

/** Deletes the wake-ups signalled, unless the workflow has meanwhile set a new date. */
export async function clearWakeups(db: Db, woken: readonly { loanId: string; wakeOn: string }[]): Promise<void> {
  if (woken.length === 0) return;
  await db.query(
    `DELETE FROM collections_wakeups w USING unnest($1::text[], $2::date[]) AS u(loan_id, wake_on) WHERE w.loan_id = u.loan_id AND w.wake_on = u.wake_on`,
    [woken.map((w) => w.loanId), woken.map((w) => w.wakeOn)],
  );
}

/** Settles an action's outcome once (a promise kept or broken stays so; a retried activity changes nothing). */
export async function markActionStatus(db: Db, input: { tenantId: string; actionId: string; status: string }): Promise<void> {
  await db.query('UPDATE collections_actions SET status = $3 WHERE tenant_id = $1 AND id = $2 AND status IS NULL', [input.tenantId, input.actionId, input.status]);
}
