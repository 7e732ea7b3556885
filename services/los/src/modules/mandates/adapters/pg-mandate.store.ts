import type { Money } from '@lendstack/contracts';
import type pg from 'pg';
import type { ApplicationStatus, LoanTerms } from '../../applications/domain/application.js';
import type { OriginationStepDone } from '../../applications/use-cases/complete-origination.js';
import { audit, claimKey, inTransaction, rememberKey } from '../../review/adapters/pg-review.repository.js';
import type { MandateFrequency, MandateRail, MandateStatus } from '../domain/mandate.js';
import type { MandateStore, StoredMandate } from '../ports.js';

interface MandateRow {
  id: string; tenant_id: string; application_id: string; checks_run: number; rail: MandateRail; status: MandateStatus; mandate_reference: string | null;
  max_amount_minor: string; currency: string; scale: number; frequency: MandateFrequency; valid_from: string; valid_until: string; vendor: string; vendor_mandate_id: string;
  vendor_setup_id: string | null; authentication_url: string | null; reason_code: string | null; reason: string | null; requested_by: string; created_at: Date; updated_at: Date; activated_at: Date | null;
}
const COLUMNS = `id, tenant_id, application_id, checks_run, rail, status, mandate_reference, max_amount_minor::text AS max_amount_minor, currency, scale, frequency,
  to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, vendor, vendor_mandate_id, vendor_setup_id, authentication_url,
  reason_code, reason, requested_by, created_at, updated_at, activated_at`;
const toMandate = (r: MandateRow): StoredMandate => ({
  id: r.id, tenantId: r.tenant_id, applicationId: r.application_id, checksRun: r.checks_run, rail: r.rail, status: r.status, mandateReference: r.mandate_reference,
  maxAmount: { amount: r.max_amount_minor, currency: r.currency, scale: r.scale } as Money, frequency: r.frequency, validFrom: r.valid_from, validUntil: r.valid_until,
  vendor: r.vendor, vendorMandateId: r.vendor_mandate_id, vendorSetupId: r.vendor_setup_id, authenticationUrl: r.authentication_url, reasonCode: r.reason_code, reason: r.reason,
  requestedBy: r.requested_by, createdAt: r.created_at, updatedAt: r.updated_at, activatedAt: r.activated_at,
});

/** application_mandates on Postgres; `stepDone` is the completion step, called on the activating transaction's client. */
export function createPgMandateStore(pool: pg.Pool, stepDone: OriginationStepDone): MandateStore {
  return {
    transaction: (work) => inTransaction(pool, (c) => work({
      claim: (tenantId, claim) => claimKey(c, tenantId, claim),
      remember: (tenantId, key, status, body) => rememberKey(c, tenantId, key, status, body),
      async lockApplication(tenantId, id) {
        const { rows } = await c.query<{ status: ApplicationStatus; checks_run: number; holder_name: string; bank_code: string }>(
          `SELECT status, checks_run, applicant->'bankAccount'->>'holderName' AS holder_name, applicant->'bankAccount'->>'bankCode' AS bank_code
             FROM applications WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
        const r = rows[0];
        return r ? { status: r.status, checksRun: r.checks_run, holderName: r.holder_name, bankCode: r.bank_code } : undefined;
      },
      async acceptedOffer(applicationId, checksRun) {
        const { rows } = await c.query<{ offer_id: string; kfs_reference: string; terms: LoanTerms; installment: Money | null; ip: string; user_agent: string; accepted_at: Date }>(
          `SELECT a.offer_id, a.kfs_reference, o.terms, o.pricing->'installment' AS installment, a.ip, a.user_agent, a.accepted_at
             FROM offer_acceptances a JOIN application_offers o ON o.id = a.offer_id WHERE a.application_id = $1 AND a.checks_run = $2`, [applicationId, checksRun]);
        const r = rows[0];
        return r ? { offerId: r.offer_id, kfsReference: r.kfs_reference, terms: r.terms, installment: r.installment, ip: r.ip, userAgent: r.user_agent, acceptedAt: r.accepted_at } : undefined;
      },
      async liveMandate(applicationId, checksRun) {
        const { rows } = await c.query<MandateRow>(`SELECT ${COLUMNS} FROM application_mandates WHERE application_id = $1 AND checks_run = $2 AND status IN ('pending', 'active') FOR UPDATE`, [applicationId, checksRun]);
        return rows[0] ? toMandate(rows[0]) : undefined;
      },
      async insert(m, consent) {
        await c.query(
          `INSERT INTO application_mandates (id, tenant_id, application_id, checks_run, rail, status, mandate_reference, max_amount_minor, currency, scale, frequency, valid_from, valid_until,
             vendor, vendor_mandate_id, vendor_setup_id, authentication_url, reason_code, reason, consent, requested_by, created_at, updated_at, activated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
          [m.id, m.tenantId, m.applicationId, m.checksRun, m.rail, m.status, m.mandateReference, m.maxAmount.amount, m.maxAmount.currency, m.maxAmount.scale, m.frequency, m.validFrom, m.validUntil,
            m.vendor, m.vendorMandateId, m.vendorSetupId, m.authenticationUrl, m.reasonCode, m.reason, JSON.stringify(consent), m.requestedBy, m.createdAt, m.updatedAt, m.activatedAt]);
      },
      async lockMandate(id) {
        const { rows } = await c.query<MandateRow>(`SELECT ${COLUMNS} FROM application_mandates WHERE id = $1 FOR UPDATE`, [id]);
        return rows[0] ? toMandate(rows[0]) : undefined;
      },
      async activate(id, reference, at) {
        await c.query(`UPDATE application_mandates SET status = 'active', mandate_reference = $2, authentication_url = NULL, activated_at = $3, updated_at = $3 WHERE id = $1 AND status = 'pending'`, [id, reference, at]);
      },
      async reject(id, code, reason, at) {
        await c.query(`UPDATE application_mandates SET status = 'rejected', reason_code = $2, reason = $3, authentication_url = NULL, updated_at = $4 WHERE id = $1 AND status = 'pending'`, [id, code, reason, at]);
      },
      audit: (e) => audit(c, e).then(() => undefined),
      stepDone: (step) => stepDone(c, step),
    })),
    async ofApplication(tenantId, applicationId) {
      const { rows } = await pool.query<{ checks_run: number }>('SELECT checks_run FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      if (!rows[0]) return { found: false };
      const m = await pool.query<MandateRow>(
        `SELECT ${COLUMNS} FROM application_mandates WHERE application_id = $1 AND checks_run = $2 ORDER BY (status IN ('pending', 'active')) DESC, created_at DESC LIMIT 1`, [applicationId, rows[0].checks_run]);
      return m.rows[0] ? { found: true, mandate: toMandate(m.rows[0]) } : { found: true };
    },
    async pendingQuietSince(before, limit) {
      const { rows } = await pool.query<MandateRow>(`SELECT ${COLUMNS} FROM application_mandates WHERE status = 'pending' AND updated_at < $1 ORDER BY updated_at LIMIT $2`, [before, limit]);
      return rows.map(toMandate);
    },
    async touch(id, at) {
      await pool.query(`UPDATE application_mandates SET updated_at = $2 WHERE id = $1 AND status = 'pending'`, [id, at]);
    },
    async byVendor(vendor, vendorMandateId) {
      const { rows } = await pool.query<MandateRow>(`SELECT ${COLUMNS} FROM application_mandates WHERE vendor = $1 AND vendor_mandate_id = $2`, [vendor, vendorMandateId]);
      return rows[0] ? toMandate(rows[0]) : undefined;
    },
  };
}

/** The LMS's collection rail of each of ours (LoanApproved's `bankAccount.mandate.rail`). */
const LMS_RAIL: Record<MandateRail, 'in-nach' | 'upi-autopay' | 'us-ach'> = { nach: 'in-nach', upi: 'upi-autopay', ach: 'us-ach' };

/**
 * The active mandate of a checks run as LoanApproved's `bankAccount.mandate` (with `mandateReference`), so the
 * LMS books it as the loan's debit authorisation instead of registering another; on the caller's transaction
 * (the completion step's). Undefined while none is active.
 */
export async function originationMandateOf(c: pg.PoolClient, applicationId: string, checksRun: number): Promise<{ mandateReference: string; mandate: { rail: 'in-nach' | 'upi-autopay' | 'us-ach'; maxAmount: Money; frequency: MandateFrequency; validFrom: string; validUntil: string } } | undefined> {
  const { rows } = await c.query<MandateRow>(`SELECT ${COLUMNS} FROM application_mandates WHERE application_id = $1 AND checks_run = $2 AND status = 'active'`, [applicationId, checksRun]);
  const m = rows[0] ? toMandate(rows[0]) : undefined;
  if (!m?.mandateReference) return undefined;
  return { mandateReference: m.mandateReference, mandate: { rail: LMS_RAIL[m.rail], maxAmount: { amount: m.maxAmount.amount, currency: m.maxAmount.currency, scale: m.maxAmount.scale } as Money, frequency: m.frequency, validFrom: m.validFrom, validUntil: m.validUntil } };
}
