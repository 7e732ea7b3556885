import type pg from 'pg';
import type { StoredState } from '../domain/servicing.js';

/** What GET /v1/loans/{id} shows of a loan's servicing state (read from loan_servicing, no replay). */
export interface LoanServicingView {
  readonly asOf: string | null;
  readonly status: string;
  readonly accrualStatus: string;
  readonly productVersion: number | null;
  readonly balances: Record<string, bigint>;
  readonly delinquency: { readonly dpd: number; readonly bucket: string; readonly rbiClass: string; readonly oldestUnpaidDueDate: string | null; readonly npaSince: string | null };
  /** The loan's foreclosure, once one took effect: `closed`, or `short` (a later change reopened the loan). */
  readonly foreclosure?: NonNullable<StoredState['foreclosure']>;
  /** The effective date of the restructure approved on the loan, if any (a restructured account from then on). */
  readonly restructuredOn?: string | null;
  /** When the loan was charged off (its charge-off DPD or a write-off), and the write-off if one did it. */
  readonly chargedOffOn?: string | null;
  readonly writeOff?: NonNullable<StoredState['writeOff']>;
  /** A top-up loan: the loan it pays off, and how far (its disbursement's top-up, if requested). */
  readonly topUpOf?: TopUpLink;
  /** A loan a top-up loan pays off (pending: its payout is not confirmed yet; settled: foreclosed). */
  readonly toppedUpBy?: TopUpLink;
}

/** One side of a top-up: the other loan, and the disbursement's top-up once one is requested. */
export interface TopUpLink {
  readonly loanId: string;
  /** booked: no disbursement yet (or only failed ones); pending: payout not confirmed; settled: the old loan foreclosed. */
  readonly state: 'booked' | 'pending' | 'settled' | 'failed';
  readonly disbursementId: string | null;
  readonly valueDate: string | null;
  readonly payoffMinor: bigint | null;
  readonly foreclosureTransactionId: string | null;
}

export interface ServicingReader {
  loan(tenantId: string, loanId: string): Promise<LoanServicingView | undefined>;
}

const ZERO_BALANCES = ['principalOutstanding', 'principalDue', 'interestAccrued', 'interestDue', 'feesDue', 'penaltiesDue', 'excess', 'totalDueNow', 'interestSuspended', 'penaltiesSuspended', 'disbursed', 'principalWrittenOff', 'recovered'];

export function createServicingReader(pool: pg.Pool): ServicingReader {
  return {
    async loan(tenantId, loanId) {
      const row = (await pool.query<{ state: StoredState | null; status: string; accrual_status: string; dpd: number; us_bucket: string; rbi_class: string; oldest: string | null; npa_since: string | null; as_of: string | null; product_version: number | null; restructured_on: string | null }>(
        `SELECT servicing_state(state, as_of, quiet_interest_minor, quiet_accrued_in_period) AS state, status, accrual_status, dpd, us_bucket, rbi_class, to_char(oldest_unpaid_due_date, 'YYYY-MM-DD') AS oldest,
           to_char(npa_since, 'YYYY-MM-DD') AS npa_since, to_char(as_of, 'YYYY-MM-DD') AS as_of, product_version,
           (SELECT to_char(a.restructured_on, 'YYYY-MM-DD') FROM loan_accounts a WHERE a.id = loan_servicing.loan_id) AS restructured_on
         FROM loan_servicing WHERE loan_id = $1 AND tenant_id = $2`, [loanId, tenantId])).rows[0];
      if (!row) return undefined;
      const stored = row.state?.balances ?? {};
      const balances = Object.fromEntries(ZERO_BALANCES.map((k) => [k, BigInt((stored as Record<string, string>)[k] ?? '0')]));
      return {
        asOf: row.as_of, status: row.status, accrualStatus: row.accrual_status, productVersion: row.product_version, balances,
        delinquency: { dpd: row.dpd, bucket: row.us_bucket, rbiClass: row.rbi_class, oldestUnpaidDueDate: row.oldest, npaSince: row.npa_since },
        ...(row.state?.foreclosure ? { foreclosure: row.state.foreclosure } : {}),
        restructuredOn: row.restructured_on,
        chargedOffOn: row.state?.chargedOffOn ?? null,
        ...(row.state?.writeOff ? { writeOff: row.state.writeOff } : {}),
        ...(await topUpLinks(pool, tenantId, loanId)),
      };
    },
  };
}

/**
 * Both sides of a loan's top-ups in one indexed read: the loan it tops up (with its latest disbursement's
 * top-up, a live one first) and the live top-up paying it off.
 */
async function topUpLinks(pool: pg.Pool, tenantId: string, loanId: string): Promise<{ topUpOf?: TopUpLink; toppedUpBy?: TopUpLink }> {
  const rows = (await pool.query<{ side: 'of' | 'by'; loan_id: string; state: TopUpLink['state'] | null; disbursement_id: string | null; value_date: string | null; payoff: string | null; foreclosure_id: string | null }>(
    `SELECT 'of' AS side, a.top_up_of_loan_id AS loan_id, u.state, u.disbursement_id, to_char(u.value_date, 'YYYY-MM-DD') AS value_date, u.payoff_minor::text AS payoff, u.foreclosure_id
     FROM loan_accounts a
     LEFT JOIN LATERAL (SELECT * FROM top_ups t WHERE t.loan_id = a.id ORDER BY t.state <> 'failed' DESC, t.created_at DESC LIMIT 1) u ON true
     WHERE a.id = $1 AND a.tenant_id = $2 AND a.top_up_of_loan_id IS NOT NULL
     UNION ALL
     SELECT 'by', t.loan_id, t.state, t.disbursement_id, to_char(t.value_date, 'YYYY-MM-DD'), t.payoff_minor::text, t.foreclosure_id
     FROM top_ups t WHERE t.old_loan_id = $1 AND t.tenant_id = $2 AND t.state <> 'failed'`,
    [loanId, tenantId],
  )).rows;
  const link = (r: (typeof rows)[number]): TopUpLink => ({
    loanId: r.loan_id, state: r.state ?? 'booked', disbursementId: r.disbursement_id, valueDate: r.value_date,
    payoffMinor: r.payoff === null ? null : BigInt(r.payoff), foreclosureTransactionId: r.foreclosure_id,
  });
  const of = rows.find((r) => r.side === 'of');
  const by = rows.find((r) => r.side === 'by');
  return { ...(of ? { topUpOf: link(of) } : {}), ...(by ? { toppedUpBy: link(by) } : {}) };
}

export async function delinquencyHistory(pool: pg.Pool, loanId: string) {
  const rows = await pool.query<{ from_date: string; dpd: number; dpd_anchor: string | null; us_bucket: string; rbi_class: string; npa_since: string | null }>(
    `SELECT to_char(from_date, 'YYYY-MM-DD') AS from_date, dpd, to_char(dpd_anchor, 'YYYY-MM-DD') AS dpd_anchor, us_bucket, rbi_class, to_char(npa_since, 'YYYY-MM-DD') AS npa_since
     FROM delinquency_history WHERE loan_id = $1 ORDER BY from_date LIMIT 10000`, [loanId]);
  return rows.rows.map((r) => ({ fromDate: r.from_date, dpd: r.dpd, dpdAnchor: r.dpd_anchor, bucket: r.us_bucket, rbiClass: r.rbi_class, npaSince: r.npa_since }));
}

/** A loan's replaced schedules, newest first (a loan has a handful: bounded at 100). */
export async function scheduleVersions(pool: pg.Pool, loanId: string) {
  const rows = await pool.query<{ version: number; anchor_date: string; reason: string; created_at: Date; installments: Record<string, unknown>[] }>(
    `SELECT version, to_char(anchor_date, 'YYYY-MM-DD') AS anchor_date, reason, created_at, installments FROM schedule_versions WHERE loan_id = $1 ORDER BY version DESC LIMIT 100`, [loanId]);
  return rows.rows.map((r) => ({ version: r.version, anchorDate: r.anchor_date, reason: r.reason, createdAt: r.created_at.toISOString(), installments: r.installments }));
}
