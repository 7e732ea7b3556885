import type pg from 'pg';
import type { CreditorProfile } from '../domain/adverse-action-notice.js';
import { inTransaction } from '@lendstack/platform';
import type { ApprovalLimit, ReviewSettingsStore, SettingChange, StaffRole } from '../ports.js';

interface LimitRow { role: StaffRole; currency: string; max_principal_minor: string; updated_at: Date }
interface CreditorRow { legal_name: string; address: string; contact: string; agency_name: string; agency_address: string; bureau_name: string; bureau_address: string; bureau_phone: string; score_min: number; score_max: number }

const toLimit = (r: LimitRow): ApprovalLimit => ({ role: r.role, currency: r.currency, maxPrincipalMinor: BigInt(r.max_principal_minor), updatedAt: r.updated_at });
export const toCreditor = (r: CreditorRow): CreditorProfile => ({
  legalName: r.legal_name, address: r.address, contact: r.contact, agencyName: r.agency_name, agencyAddress: r.agency_address,
  bureauName: r.bureau_name, bureauAddress: r.bureau_address, bureauPhone: r.bureau_phone, scoreMin: r.score_min, scoreMax: r.score_max,
});
const limitJson = (l: Pick<ApprovalLimit, 'role' | 'currency' | 'maxPrincipalMinor'>) => ({ role: l.role, currency: l.currency, maxPrincipalMinor: l.maxPrincipalMinor.toString() });
const sameCreditor = (a: CreditorProfile, b: CreditorProfile) => (Object.keys(a) as (keyof CreditorProfile)[]).every((k) => a[k] === b[k]);

const auditSetting = (c: pg.PoolClient, e: { tenantId: string; setting: 'approval-limit' | 'creditor-profile'; key: string; actor: string; previous: unknown; current: unknown; at: Date }) =>
  c.query('INSERT INTO review_settings_audit (tenant_id, setting, setting_key, actor, previous, current, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [e.tenantId, e.setting, e.key, e.actor, e.previous === null ? null : JSON.stringify(e.previous), JSON.stringify(e.current), e.at]);

/**
 * Approval limits and the creditor profile as their admins change them. A PUT locks the row it replaces,
 * writes it and, when the value changed, appends who changed what from what to review_settings_audit, in
 * one transaction. (Two first PUTs of the same row at once both record `previous: null`; the last wins.)
 */
export function createPgReviewSettings(pool: pg.Pool): ReviewSettingsStore {
  return {
    async approvalLimits(tenantId) {
      const { rows } = await pool.query<LimitRow>('SELECT role, currency, max_principal_minor::text AS max_principal_minor, updated_at FROM approval_limits WHERE tenant_id = $1 ORDER BY currency, role', [tenantId]);
      return rows.map(toLimit);
    },
    setApprovalLimit: (tenantId, limit, by) => inTransaction(pool, async (c): Promise<SettingChange<ApprovalLimit>> => {
      const before = (await c.query<LimitRow>('SELECT role, currency, max_principal_minor::text AS max_principal_minor, updated_at FROM approval_limits WHERE tenant_id = $1 AND role = $2 AND currency = $3 FOR UPDATE', [tenantId, limit.role, limit.currency])).rows[0];
      const previous = before ? toLimit(before) : null;
      if (previous && previous.maxPrincipalMinor === limit.maxPrincipalMinor) return { previous, current: previous, changed: false };
      const { rows } = await c.query<LimitRow>(
        `INSERT INTO approval_limits (tenant_id, role, currency, max_principal_minor, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, role, currency) DO UPDATE SET max_principal_minor = EXCLUDED.max_principal_minor, updated_at = EXCLUDED.updated_at
         RETURNING role, currency, max_principal_minor::text AS max_principal_minor, updated_at`,
        [tenantId, limit.role, limit.currency, limit.maxPrincipalMinor.toString(), by.at]);
      const current = toLimit(rows[0]!);
      await auditSetting(c, { tenantId, setting: 'approval-limit', key: `${limit.role}/${limit.currency}`, actor: by.actor, previous: previous ? limitJson(previous) : null, current: limitJson(current), at: by.at });
      return { previous, current, changed: true };
    }),
    setCreditor: (tenantId, p, by) => inTransaction(pool, async (c): Promise<SettingChange<CreditorProfile>> => {
      const before = (await c.query<CreditorRow>('SELECT * FROM creditor_profiles WHERE tenant_id = $1 FOR UPDATE', [tenantId])).rows[0];
      const previous = before ? toCreditor(before) : null;
      if (previous && sameCreditor(previous, p)) return { previous, current: previous, changed: false };
      await c.query(
        `INSERT INTO creditor_profiles (tenant_id, legal_name, address, contact, agency_name, agency_address, bureau_name, bureau_address, bureau_phone, score_min, score_max)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (tenant_id) DO UPDATE SET legal_name = EXCLUDED.legal_name, address = EXCLUDED.address, contact = EXCLUDED.contact, agency_name = EXCLUDED.agency_name, agency_address = EXCLUDED.agency_address,
           bureau_name = EXCLUDED.bureau_name, bureau_address = EXCLUDED.bureau_address, bureau_phone = EXCLUDED.bureau_phone, score_min = EXCLUDED.score_min, score_max = EXCLUDED.score_max`,
        [tenantId, p.legalName, p.address, p.contact, p.agencyName, p.agencyAddress, p.bureauName, p.bureauAddress, p.bureauPhone, p.scoreMin, p.scoreMax]);
      await auditSetting(c, { tenantId, setting: 'creditor-profile', key: 'creditor-profile', actor: by.actor, previous, current: p, at: by.at });
      return { previous, current: p, changed: true };
    }),
  };
}
