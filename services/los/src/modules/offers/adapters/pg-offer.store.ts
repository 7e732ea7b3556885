import type pg from 'pg';
import type { ApplicationStatus, LoanTerms } from '../../applications/domain/application.js';
import { audit, claimKey, inTransaction, rememberKey } from '../../review/adapters/pg-review.repository.js';
import type { OfferAcceptance } from '../domain/acceptance.js';
import type { KfsContent, KfsVariant } from '../domain/kfs.js';
import type { Offer, PricingBand } from '../domain/offers.js';
import type { OfferStore, StoredKfs } from '../ports.js';

interface OfferRow { id: string; label: Offer['label']; band: string; terms: LoanTerms; pricing: Offer['pricing']; expires_at: Date; created_at: Date }
const toOffer = (r: OfferRow): Offer => ({ id: r.id, label: r.label, band: r.band, terms: r.terms, pricing: r.pricing, expiresAt: r.expires_at, createdAt: r.created_at });
const SELECT = 'SELECT id, label, band, terms, pricing, expires_at, created_at FROM application_offers WHERE application_id = $1 AND checks_run = $2 ORDER BY label DESC';

interface AcceptanceRow { application_id: string; checks_run: number; offer_id: string; kfs_reference: string; kfs_version: string; kfs_sha256: string; accepted_by: string; accepted_at: Date; ip: string; user_agent: string; consents: OfferAcceptance['consents'] }
const toAcceptance = (r: AcceptanceRow): OfferAcceptance => ({
  applicationId: r.application_id, checksRun: r.checks_run, offerId: r.offer_id, kfsReference: r.kfs_reference, kfsVersion: r.kfs_version, kfsSha256: r.kfs_sha256,
  acceptedBy: r.accepted_by, acceptedAt: r.accepted_at, ip: r.ip, userAgent: r.user_agent, consents: r.consents,
});
const ACCEPTANCE = 'SELECT application_id, checks_run, offer_id, kfs_reference, kfs_version, kfs_sha256, accepted_by, accepted_at, ip, user_agent, consents FROM offer_acceptances';

interface KfsRow { reference: string; tenant_id: string; application_id: string; checks_run: number; offer_id: string; variant: KfsVariant; template_version: string; content: KfsContent; sha256: string; issued_at: Date }
const toKfs = (r: KfsRow): StoredKfs => ({
  reference: r.reference, tenantId: r.tenant_id, applicationId: r.application_id, checksRun: r.checks_run, offerId: r.offer_id, variant: r.variant,
  templateVersion: r.template_version, content: r.content, sha256: r.sha256, issuedAt: r.issued_at,
});
const KFS = 'SELECT reference, tenant_id, application_id, checks_run, offer_id, variant, template_version, content, sha256, issued_at FROM application_kfs';

export function createPgOfferStore(pool: pg.Pool): OfferStore {
  return {
    transaction: (work) => inTransaction(pool, (c) => work({
      claim: (tenantId, claim) => claimKey(c, tenantId, claim),
      remember: (tenantId, key, status, body) => rememberKey(c, tenantId, key, status, body),
      async lockApplication(tenantId, id) {
        const { rows } = await c.query<{ status: ApplicationStatus; checks_run: number; loan_request: LoanTerms }>('SELECT status, checks_run, loan_request FROM applications WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
        return rows[0] ? { status: rows[0].status, checksRun: rows[0].checks_run, loanRequest: rows[0].loan_request } : undefined;
      },
      async pricingBand(applicationId, checksRun) {
        const { rows } = await c.query<{ offer: PricingBand | null }>('SELECT offer FROM underwriting_decisions WHERE application_id = $1 AND checks_run = $2', [applicationId, checksRun]);
        return rows[0]?.offer ?? null;
      },
      offers: async (applicationId, checksRun) => (await c.query<OfferRow>(SELECT, [applicationId, checksRun])).rows.map(toOffer),
      async insert(tenantId, applicationId, checksRun, offers) {
        for (const o of offers) {
          await c.query('INSERT INTO application_offers (id, tenant_id, application_id, checks_run, label, band, terms, pricing, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
            [o.id, tenantId, applicationId, checksRun, o.label, o.band, JSON.stringify(o.terms), JSON.stringify(o.pricing), o.expiresAt, o.createdAt]);
        }
      },
      offer: async (applicationId, checksRun, offerId) =>
        (await c.query<OfferRow>('SELECT id, label, band, terms, pricing, expires_at, created_at FROM application_offers WHERE application_id = $1 AND checks_run = $2 AND id = $3', [applicationId, checksRun, offerId])).rows.map(toOffer)[0],
      acceptance: async (applicationId, checksRun) =>
        (await c.query<AcceptanceRow>(`${ACCEPTANCE} WHERE application_id = $1 AND checks_run = $2`, [applicationId, checksRun])).rows.map(toAcceptance)[0],
      kfs: async (tenantId, offerId, reference) =>
        (await c.query<KfsRow>(`${KFS} WHERE tenant_id = $1 AND offer_id = $2 AND reference = $3`, [tenantId, offerId, reference])).rows.map(toKfs)[0],
      async insertAcceptance(a) {
        await c.query(
          'INSERT INTO offer_acceptances (application_id, checks_run, tenant_id, offer_id, kfs_reference, kfs_version, kfs_sha256, accepted_by, accepted_at, ip, user_agent, consents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          [a.applicationId, a.checksRun, a.tenantId, a.offerId, a.kfsReference, a.kfsVersion, a.kfsSha256, a.acceptedBy, a.acceptedAt, a.ip, a.userAgent, JSON.stringify(a.consents)]);
      },
      async setStatus(applicationId, from, to) {
        const { rowCount } = await c.query('UPDATE applications SET status = $3, version = version + 1, updated_at = now() WHERE id = $1 AND status = $2', [applicationId, from, to]);
        if (rowCount !== 1) throw new Error(`application ${applicationId} changed concurrently`);
      },
      audit: (e) => audit(c, e).then(() => undefined),
    })),
    async list(tenantId, applicationId) {
      const { rows } = await pool.query<{ checks_run: number }>('SELECT checks_run FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      if (!rows[0]) return undefined;
      return (await pool.query<OfferRow>(SELECT, [applicationId, rows[0].checks_run])).rows.map(toOffer);
    },
    async current(tenantId, applicationId) {
      const { rows } = await pool.query<{ checks_run: number }>('SELECT checks_run FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      if (!rows[0]) return undefined;
      const run = rows[0].checks_run;
      const offers = (await pool.query<OfferRow>(SELECT, [applicationId, run])).rows.map(toOffer);
      const acceptance = (await pool.query<AcceptanceRow>(`${ACCEPTANCE} WHERE application_id = $1 AND checks_run = $2`, [applicationId, run])).rows.map(toAcceptance)[0];
      return { checksRun: run, offers, acceptance };
    },
    kfs: async (tenantId, offerId, variant) =>
      (await pool.query<KfsRow>(`${KFS} WHERE tenant_id = $1 AND offer_id = $2 AND variant = $3`, [tenantId, offerId, variant])).rows.map(toKfs)[0],
    async issueKfs(k) {
      // Two first requests for the same statement race: the first insert wins and both answer with it.
      await pool.query(
        'INSERT INTO application_kfs (reference, tenant_id, application_id, checks_run, offer_id, variant, template_version, content, sha256, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (offer_id, variant) DO NOTHING',
        [k.reference, k.tenantId, k.applicationId, k.checksRun, k.offerId, k.variant, k.templateVersion, JSON.stringify(k.content), k.sha256, k.issuedAt]);
      return (await pool.query<KfsRow>(`${KFS} WHERE offer_id = $1 AND variant = $2`, [k.offerId, k.variant])).rows.map(toKfs)[0]!;
    },
  };
}
