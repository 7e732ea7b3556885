import type pg from 'pg';
import { receivedVersion } from '@lendstack/contracts';
import { inTransaction } from '@lendstack/platform';
import { foldRepaymentEvents, type LoanRecord } from '../domain/repayment-profile.js';
import type { RepaymentProfileStore } from '../ports.js';

/** Loan ids the LOS issues are UUIDs; an event about any other id names no application of ours. */
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
/** A borrower with more loans than this is shown with the most recent ones (a bound on one read). */
export const MAX_LOANS_PER_PROFILE = 200;

/** The borrower key: the national-id vault token of the application's applicant. */
const BORROWER_KEY = `a.applicant->'nationalId'->>'token'`;

/**
 * The upserts apply the domain's merge (mergeLoanFacts) in SQL: LEAST / GREATEST (which skip nulls), OR,
 * and the current DPD only from a later business date. A loan row is created by the first event about it,
 * whatever its type, so facts arriving before LoanDisbursed are kept.
 */
const UPSERT_LOANS = `
  INSERT INTO repayment_loans AS r (loan_id, tenant_id, borrower_key, application_id, disbursed_on, closed_on, closure_reason, charged_off_on,
                                    current_dpd, dpd_as_of, worst_dpd, early_warning_on, early_warning_probability, early_warning_model,
                                    collections_flag_on, collections_flag, collections_flag_probability, collections_flag_model,
                                    last_business_date, last_event_at)
  SELECT f.loan_id, f.tenant_id, ${BORROWER_KEY}, a.id, f.disbursed_on, f.closed_on, f.closure_reason, f.charged_off_on,
         COALESCE(f.dpd, 0), f.dpd_as_of, f.worst_dpd, f.early_warning_on, f.early_warning_probability, f.early_warning_model,
         f.collections_flag_on, f.collections_flag, f.collections_flag_probability, f.collections_flag_model,
         f.last_business_date, f.last_event_at
    FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[], $5::text[], $6::date[], $7::int[], $8::date[], $9::int[], $10::date[], $11::timestamptz[],
                $12::date[], $13::numeric[], $14::text[], $15::date[], $16::text[], $17::numeric[], $18::text[])
         AS f(loan_id, tenant_id, disbursed_on, closed_on, closure_reason, charged_off_on, dpd, dpd_as_of, worst_dpd, last_business_date, last_event_at,
              early_warning_on, early_warning_probability, early_warning_model, collections_flag_on, collections_flag, collections_flag_probability, collections_flag_model)
    JOIN applications a ON a.loan_id = f.loan_id AND a.tenant_id = f.tenant_id
   WHERE ${BORROWER_KEY} IS NOT NULL
  ON CONFLICT (loan_id) DO UPDATE SET
    disbursed_on = LEAST(r.disbursed_on, EXCLUDED.disbursed_on),
    closure_reason = CASE WHEN EXCLUDED.closed_on IS NOT NULL AND (r.closed_on IS NULL OR EXCLUDED.closed_on >= r.closed_on) THEN EXCLUDED.closure_reason ELSE r.closure_reason END,
    closed_on = GREATEST(r.closed_on, EXCLUDED.closed_on),
    charged_off_on = LEAST(r.charged_off_on, EXCLUDED.charged_off_on),
    current_dpd = CASE WHEN EXCLUDED.dpd_as_of IS NOT NULL AND (r.dpd_as_of IS NULL OR EXCLUDED.dpd_as_of >= r.dpd_as_of) THEN EXCLUDED.current_dpd ELSE r.current_dpd END,
    dpd_as_of = GREATEST(r.dpd_as_of, EXCLUDED.dpd_as_of),
    worst_dpd = GREATEST(r.worst_dpd, EXCLUDED.worst_dpd),
    -- The three early-warning columns move together: the warning of the later business date.
    early_warning_probability = CASE WHEN EXCLUDED.early_warning_on IS NOT NULL AND (r.early_warning_on IS NULL OR EXCLUDED.early_warning_on >= r.early_warning_on) THEN EXCLUDED.early_warning_probability ELSE r.early_warning_probability END,
    early_warning_model = CASE WHEN EXCLUDED.early_warning_on IS NOT NULL AND (r.early_warning_on IS NULL OR EXCLUDED.early_warning_on >= r.early_warning_on) THEN EXCLUDED.early_warning_model ELSE r.early_warning_model END,
    early_warning_on = GREATEST(r.early_warning_on, EXCLUDED.early_warning_on),
    -- So do the four collections-flag columns: the flag of the later business date.
    collections_flag = CASE WHEN EXCLUDED.collections_flag_on IS NOT NULL AND (r.collections_flag_on IS NULL OR EXCLUDED.collections_flag_on >= r.collections_flag_on) THEN EXCLUDED.collections_flag ELSE r.collections_flag END,
    collections_flag_probability = CASE WHEN EXCLUDED.collections_flag_on IS NOT NULL AND (r.collections_flag_on IS NULL OR EXCLUDED.collections_flag_on >= r.collections_flag_on) THEN EXCLUDED.collections_flag_probability ELSE r.collections_flag_probability END,
    collections_flag_model = CASE WHEN EXCLUDED.collections_flag_on IS NOT NULL AND (r.collections_flag_on IS NULL OR EXCLUDED.collections_flag_on >= r.collections_flag_on) THEN EXCLUDED.collections_flag_model ELSE r.collections_flag_model END,
    collections_flag_on = GREATEST(r.collections_flag_on, EXCLUDED.collections_flag_on),
    last_business_date = GREATEST(r.last_business_date, EXCLUDED.last_business_date),
    last_event_at = GREATEST(r.last_event_at, EXCLUDED.last_event_at),
    updated_at = now()
  RETURNING loan_id`;

const UPSERT_INSTALLMENTS = `
  INSERT INTO repayment_installments AS r (loan_id, installment_number, due_date, fell_due, overdue, paid_on)
  SELECT f.loan_id, f.installment_number, f.due_date, f.fell_due, f.overdue, f.paid_on
    FROM unnest($1::uuid[], $2::int[], $3::date[], $4::bool[], $5::bool[], $6::date[]) AS f(loan_id, installment_number, due_date, fell_due, overdue, paid_on)
   WHERE f.loan_id = ANY($7::uuid[])
  ON CONFLICT (loan_id, installment_number) DO UPDATE SET
    fell_due = r.fell_due OR EXCLUDED.fell_due,
    overdue = r.overdue OR EXCLUDED.overdue,
    paid_on = GREATEST(r.paid_on, EXCLUDED.paid_on)`;

const INSERT_DPD_FACTS = `
  INSERT INTO repayment_dpd_facts (loan_id, business_date, dpd)
  SELECT f.loan_id, f.business_date, f.dpd FROM unnest($1::uuid[], $2::date[], $3::int[]) AS f(loan_id, business_date, dpd)
   WHERE f.loan_id = ANY($4::uuid[])
  ON CONFLICT (loan_id, business_date) DO NOTHING`;

interface LoanRow {
  loan_id: string; application_id: string; disbursed_on: string | null; closed_on: string | null; closure_reason: string | null; charged_off_on: string | null;
  current_dpd: number; dpd_as_of: string | null; worst_dpd: number; worst_dpd_12m: number; installments_due: number; installments_paid_on_time: number;
  early_warning_on: string | null; early_warning_probability: string | null; early_warning_model: string | null;
  collections_flag_on: string | null; collections_flag: string | null; collections_flag_probability: string | null; collections_flag_model: string | null;
  last_business_date: string; last_event_at: Date;
}

export function createPgRepaymentProfileStore(pool: pg.Pool): RepaymentProfileStore {
  return {
    async record(all) {
      const events = [...new Map(all.map((e) => [e.id, e])).values()];
      if (events.length === 0) return { fresh: 0, unknownLoans: 0 };
      return inTransaction(pool, async (c) => {
        const inbox = await c.query<{ event_id: string }>(
          `INSERT INTO inbox (event_id, type, version) SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => receivedVersion(e))],
        );
        const freshIds = new Set(inbox.rows.map((r) => r.event_id));
        const fresh = events.filter((e) => freshIds.has(e.id));
        const ours = fresh.filter((e) => UUID.test(e.payload.loanId));
        if (ours.length === 0) return { fresh: fresh.length, unknownLoans: fresh.length };
        const facts = foldRepaymentEvents(ours);
        const l = facts.loans;
        const known = await c.query<{ loan_id: string }>(UPSERT_LOANS, [
          l.map((f) => f.loanId), l.map((f) => f.tenantId), l.map((f) => f.disbursedOn), l.map((f) => f.closedOn), l.map((f) => f.closureReason),
          l.map((f) => f.chargedOffOn), l.map((f) => f.dpd?.value ?? null), l.map((f) => f.dpd?.asOf ?? null), l.map((f) => f.worstDpd),
          l.map((f) => f.lastBusinessDate), l.map((f) => f.lastEventAt),
          l.map((f) => f.earlyWarning?.asOf ?? null), l.map((f) => f.earlyWarning?.probability ?? null), l.map((f) => f.earlyWarning?.model ?? null),
          l.map((f) => f.collectionsFlag?.asOf ?? null), l.map((f) => f.collectionsFlag?.flag ?? null), l.map((f) => f.collectionsFlag?.probability ?? null),
          l.map((f) => f.collectionsFlag?.model ?? null),
        ]);
        const knownIds = known.rows.map((r) => r.loan_id);
        const i = facts.installments;
        if (i.length > 0 && knownIds.length > 0) {
          await c.query(UPSERT_INSTALLMENTS, [i.map((f) => f.loanId), i.map((f) => f.installmentNumber), i.map((f) => f.dueDate), i.map((f) => f.fellDue), i.map((f) => f.overdue), i.map((f) => f.paidOn), knownIds]);
        }
        const d = facts.dpd;
        if (d.length > 0 && knownIds.length > 0) await c.query(INSERT_DPD_FACTS, [d.map((f) => f.loanId), d.map((f) => f.businessDate), d.map((f) => f.dpd), knownIds]);
        const knownSet = new Set(knownIds.map((id) => id.toLowerCase()));
        return { fresh: fresh.length, unknownLoans: fresh.filter((e) => !knownSet.has(e.payload.loanId.toLowerCase())).length };
      });
    },

    async loansOf(tenantId, borrowerKey, asOf) {
      const { rows } = await pool.query<LoanRow>(
        `SELECT l.loan_id, l.application_id, l.disbursed_on::text, l.closed_on::text, l.closure_reason, l.charged_off_on::text, l.current_dpd, l.dpd_as_of::text,
                l.worst_dpd, l.last_business_date::text, l.last_event_at,
                l.early_warning_on::text, l.early_warning_probability::text, l.early_warning_model,
                l.collections_flag_on::text, l.collections_flag, l.collections_flag_probability::text, l.collections_flag_model,
                COALESCE((SELECT max(d.dpd) FROM repayment_dpd_facts d
                           WHERE d.loan_id = l.loan_id AND d.business_date > ($3::date - interval '12 months') AND d.business_date <= $3::date), 0) AS worst_dpd_12m,
                (SELECT count(*) FROM repayment_installments i WHERE i.loan_id = l.loan_id AND i.fell_due)::int AS installments_due,
                (SELECT count(*) FROM repayment_installments i WHERE i.loan_id = l.loan_id AND i.fell_due AND i.paid_on <= i.due_date)::int AS installments_paid_on_time
           FROM repayment_loans l
          WHERE l.tenant_id = $1 AND l.borrower_key = $2
          ORDER BY l.last_business_date DESC, l.loan_id
          LIMIT ${MAX_LOANS_PER_PROFILE}`,
        [tenantId, borrowerKey, asOf],
      );
      return rows.map((r): LoanRecord => ({
        loanId: r.loan_id, applicationId: r.application_id, disbursedOn: r.disbursed_on, closedOn: r.closed_on, closureReason: r.closure_reason,
        chargedOffOn: r.charged_off_on, currentDpd: r.current_dpd, dpdAsOf: r.dpd_as_of, worstDpd: r.worst_dpd, worstDpd12m: r.worst_dpd_12m,
        installmentsDue: r.installments_due, installmentsPaidOnTime: r.installments_paid_on_time,
        earlyWarning: r.early_warning_on === null ? null : { asOf: r.early_warning_on, probability: r.early_warning_probability!, model: r.early_warning_model! },
        collectionsFlag: r.collections_flag_on === null ? null : { asOf: r.collections_flag_on, flag: r.collections_flag!, probability: r.collections_flag_probability, model: r.collections_flag_model },
        lastBusinessDate: r.last_business_date,
        lastEventAt: r.last_event_at.toISOString(),
      }));
    },

    async borrowerOf(tenantId, applicationId) {
      const { rows } = await pool.query<{ borrower_key: string | null; top_up_of_loan_id: string | null }>(
        `SELECT ${BORROWER_KEY} AS borrower_key, a.top_up_of_loan_id FROM applications a WHERE a.tenant_id = $1 AND a.id = $2`,
        [tenantId, applicationId],
      );
      const row = rows[0];
      return row?.borrower_key ? { borrowerKey: row.borrower_key, topUpOf: row.top_up_of_loan_id } : undefined;
    },
  };
}
