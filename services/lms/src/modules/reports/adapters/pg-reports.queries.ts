import { DEFAULT_NON_ACCRUAL_DPD } from '@lendstack/loan-engine';
import type pg from 'pg';
import { NPA_BANDS_MONTHS, type RbiReportClass } from '../domain/rbi.js';

type Db = pg.Pool | pg.PoolClient;

/**
 * Every loan of the tenant with principal on the ledger as of `asOf` ($2): its loan-portfolio balance (Σ
 * debit − credit of ALL its lines to that value date, contra-entries included, so it ties to the GL) and
 * its delinquency change point in force that day (delinquency_history: a point holds until the next; on
 * day t, dpd = t − dpd_anchor; a class change is always a point, so the point's RBI class is the day's).
 * Non-accrual as of t: since its last dpd-0 point the loan reached its product version's nonAccrualDpd
 * (DEFAULT_NON_ACCRUAL_DPD for a loan without one; the engine moves a loan to non-accrual at that dpd and
 * back only at dpd 0). One statement, no per-loan work in Node: written for a million loans.
 */
const POSITIONS = `
  bal AS MATERIALIZED (
    SELECT l.loan_id, min(l.currency) AS currency, min(l.scale) AS scale,
           sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) AS principal
    FROM journal_lines l
    WHERE l.tenant_id = $1 AND l.logical_account = 'loan-portfolio' AND l.value_date <= $2::date
    GROUP BY l.loan_id
    HAVING sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) <> 0
  ),
  rules AS (
    SELECT b.loan_id, coalesce((pv.definition ->> 'nonAccrualDpd')::int, ${DEFAULT_NON_ACCRUAL_DPD}) AS non_accrual_dpd
    FROM bal b
    LEFT JOIN loan_servicing s ON s.loan_id = b.loan_id
    LEFT JOIN product_versions pv ON pv.tenant_id = s.tenant_id AND pv.code = s.product_code AND pv.version = s.product_version
  ),
  hist AS (
    SELECT h.loan_id, h.from_date, h.dpd_anchor, h.rbi_class, h.npa_since, r.non_accrual_dpd,
           lead(h.from_date) OVER w AS next_from,
           max(CASE WHEN h.dpd_anchor IS NULL THEN h.from_date END) OVER (PARTITION BY h.loan_id) AS last_zero,
           max(h.from_date) OVER (PARTITION BY h.loan_id) AS last_from
    FROM delinquency_history h JOIN rules r ON r.loan_id = h.loan_id
    WHERE h.from_date <= $2::date
    WINDOW w AS (PARTITION BY h.loan_id ORDER BY h.from_date)
  ),
  state AS (
    SELECT loan_id,
           max(CASE WHEN from_date = last_from THEN CASE WHEN dpd_anchor IS NULL THEN 0 ELSE $2::date - dpd_anchor END END) AS dpd,
           max(CASE WHEN from_date = last_from THEN rbi_class END) AS rbi_class,
           max(CASE WHEN from_date = last_from THEN npa_since END) AS npa_since,
           bool_or(dpd_anchor IS NOT NULL AND from_date > coalesce(last_zero, '-infinity'::date)
                   AND least(coalesce(next_from - 1, $2::date), $2::date) - dpd_anchor >= non_accrual_dpd) AS non_accrual
    FROM hist GROUP BY loan_id
  ),
  pos AS (
    SELECT b.loan_id, b.currency, b.scale, b.principal, coalesce(s.dpd, 0) AS dpd, coalesce(s.rbi_class, 'standard') AS rbi_class,
           s.npa_since, coalesce(s.non_accrual, false) AS non_accrual
    FROM bal b LEFT JOIN state s ON s.loan_id = b.loan_id
  )`;

/** A column of a `pos` row: the loan's restructure had taken effect by `asOf` ($2). */
const RESTRUCTURED_AS_OF = `coalesce((SELECT a.restructured_on <= $2::date FROM loan_accounts a WHERE a.id = pos.loan_id), false) AS restructured`;

export interface ClassRow {
  readonly currency: string;
  readonly scale: number;
  readonly cls: RbiReportClass;
  readonly loans: number;
  readonly principalMinor: bigint;
  /** Of them, restructured accounts (a restructure effective on or before asOf): RBI reports them as such. */
  readonly restructuredLoans: number;
  readonly restructuredPrincipalMinor: bigint;
}

export async function rbiClassification(db: Db, tenantId: string, asOf: string): Promise<ClassRow[]> {
  const { rows } = await db.query<{ currency: string; scale: number; cls: RbiReportClass; loans: string; principal: string; r_loans: string; r_principal: string }>(
    `WITH ${POSITIONS}
     SELECT currency, min(scale) AS scale, cls, count(*)::text AS loans, sum(principal)::text AS principal,
            count(*) FILTER (WHERE restructured)::text AS r_loans, coalesce(sum(principal) FILTER (WHERE restructured), 0)::text AS r_principal
     FROM (
       SELECT currency, scale, principal,
              ${RESTRUCTURED_AS_OF},
              CASE WHEN rbi_class <> 'NPA' THEN rbi_class
                   WHEN npa_since + interval '${NPA_BANDS_MONTHS.subStandard} months' > $2::date THEN 'sub-standard'
                   WHEN npa_since + interval '${NPA_BANDS_MONTHS.doubtful1} months' > $2::date THEN 'doubtful-1'
                   WHEN npa_since + interval '${NPA_BANDS_MONTHS.doubtful2} months' > $2::date THEN 'doubtful-2'
                   ELSE 'doubtful-3' END AS cls
       FROM pos
     ) c
     GROUP BY currency, cls`,
    [tenantId, asOf],
  );
  return rows.map((r) => ({ currency: r.currency, scale: r.scale, cls: r.cls, loans: Number(r.loans), principalMinor: BigInt(r.principal), restructuredLoans: Number(r.r_loans), restructuredPrincipalMinor: BigInt(r.r_principal) }));
}

export type UsBand = 'current' | '1-29' | '30-89' | '90+' | 'non-accrual';
export interface UsRow {
  readonly currency: string;
  readonly scale: number;
  readonly band: UsBand;
  readonly loans: number;
  readonly principalMinor: bigint;
  /** Of them, loans modified for a borrower in financial difficulty (a restructure effective on or before asOf; the TDR flag before ASU 2022-02). */
  readonly modifiedLoans: number;
  readonly modifiedPrincipalMinor: bigint;
}
export interface FlowRow {
  readonly currency: string;
  readonly scale: number;
  readonly chargeOffsMinor: bigint;
  readonly chargedOffLoans: number;
  readonly recoveriesMinor: bigint;
  readonly recoveredLoans: number;
}

/**
 * Call Report RC-N view: accruing loans by days past due (current, 1–29, 30–89, 90+) and non-accrual
 * loans whatever their dpd, as of `asOf`; plus, for value dates in (from, asOf], principal charged off
 * (write-off-expense net debit) and recoveries (recovery-income net credit), reversals netted.
 */
export async function usDelinquency(db: Db, tenantId: string, asOf: string, from: string): Promise<{ bands: UsRow[]; flows: FlowRow[] }> {
  const bands = await db.query<{ currency: string; scale: number; band: UsBand; loans: string; principal: string; m_loans: string; m_principal: string }>(
    `WITH ${POSITIONS}
     SELECT currency, min(scale) AS scale, band, count(*)::text AS loans, sum(principal)::text AS principal,
            count(*) FILTER (WHERE restructured)::text AS m_loans, coalesce(sum(principal) FILTER (WHERE restructured), 0)::text AS m_principal
     FROM (
       SELECT currency, scale, principal, ${RESTRUCTURED_AS_OF},
              CASE WHEN non_accrual THEN 'non-accrual' WHEN dpd = 0 THEN 'current' WHEN dpd < 30 THEN '1-29' WHEN dpd < 90 THEN '30-89' ELSE '90+' END AS band
       FROM pos
     ) c
     GROUP BY currency, band`,
    [tenantId, asOf],
  );
  const flows = await db.query<{ currency: string; scale: number; charged: string; charged_loans: string; recovered: string; recovered_loans: string }>(
    `SELECT currency, min(scale) AS scale,
            sum(CASE WHEN account = 'write-off-expense' THEN net ELSE 0 END)::text AS charged,
            count(*) FILTER (WHERE account = 'write-off-expense' AND net <> 0)::text AS charged_loans,
            sum(CASE WHEN account = 'recovery-income' THEN -net ELSE 0 END)::text AS recovered,
            count(*) FILTER (WHERE account = 'recovery-income' AND net <> 0)::text AS recovered_loans
     FROM (
       SELECT l.loan_id, l.logical_account AS account, l.currency, min(l.scale) AS scale,
              sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) AS net
       FROM journal_lines l
       WHERE l.tenant_id = $1 AND l.logical_account IN ('write-off-expense', 'recovery-income') AND l.value_date > $3::date AND l.value_date <= $2::date
       GROUP BY l.loan_id, l.logical_account, l.currency
     ) f
     GROUP BY currency`,
    [tenantId, asOf, from],
  );
  return {
    bands: bands.rows.map((r) => ({ currency: r.currency, scale: r.scale, band: r.band, loans: Number(r.loans), principalMinor: BigInt(r.principal), modifiedLoans: Number(r.m_loans), modifiedPrincipalMinor: BigInt(r.m_principal) })),
    flows: flows.rows.map((r) => ({
      currency: r.currency, scale: r.scale, chargeOffsMinor: BigInt(r.charged), chargedOffLoans: Number(r.charged_loans), recoveriesMinor: BigInt(r.recovered), recoveredLoans: Number(r.recovered_loans),
    })),
  };
}

export interface ProductBalanceRow {
  readonly productCode: string;
  readonly currency: string;
  readonly scale: number;
  readonly accountCode: string;
  readonly logicalAccount: string;
  readonly debitMinor: bigint;
  readonly creditMinor: bigint;
}

/** Σ debits and Σ credits of every line to `asOf`, per product × GL account × currency (loan_accounts gives the product). */
export async function trialBalanceByProduct(db: Db, tenantId: string, asOf: string): Promise<ProductBalanceRow[]> {
  const { rows } = await db.query<{ product_code: string; currency: string; scale: number; account_code: string; logical_account: string; debit: string; credit: string }>(
    `SELECT coalesce(a.product_code, 'unknown') AS product_code, t.currency, min(t.scale) AS scale, t.account_code, min(t.logical_account) AS logical_account,
            sum(t.debit)::text AS debit, sum(t.credit)::text AS credit
     FROM (
       SELECT l.loan_id, l.currency, min(l.scale) AS scale, l.account_code, min(l.logical_account) AS logical_account,
              sum(CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE 0 END) AS debit,
              sum(CASE WHEN l.side = 'credit' THEN l.amount_minor ELSE 0 END) AS credit
       FROM journal_lines l WHERE l.tenant_id = $1 AND l.value_date <= $2::date
       GROUP BY l.loan_id, l.currency, l.account_code
     ) t LEFT JOIN loan_accounts a ON a.id = t.loan_id
     GROUP BY 1, t.currency, t.account_code
     ORDER BY 1, 2, 4`,
    [tenantId, asOf],
  );
  return rows.map((r) => ({ productCode: r.product_code, currency: r.currency, scale: r.scale, accountCode: r.account_code, logicalAccount: r.logical_account, debitMinor: BigInt(r.debit), creditMinor: BigInt(r.credit) }));
}
