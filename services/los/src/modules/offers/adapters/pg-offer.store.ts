import type pg from 'pg';
import type { ApplicationStatus, LoanTerms } from '../../applications/domain/application.js';
import { audit, claimKey, inTransaction, rememberKey } from '../../review/adapters/pg-review.repository.js';
import type { Offer, PricingBand } from '../domain/offers.js';
import type { OfferStore } from '../ports.js';

interface OfferRow { id: string; label: Offer['label']; band: string; terms: LoanTerms; pricing: Offer['pricing']; expires_at: Date; created_at: Date }
const toOffer = (r: OfferRow): Offer => ({ id: r.id, label: r.label, band: r.band, terms: r.terms, pricing: r.pricing, expiresAt: r.expires_at, createdAt: r.created_at });
const SELECT = 'SELECT id, label, band, terms, pricing, expires_at, created_at FROM application_offers WHERE application_id = $1 AND checks_run = $2 ORDER BY label DESC';

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
      audit: (e) => audit(c, e).then(() => undefined),
    })),
    async list(tenantId, applicationId) {
      const { rows } = await pool.query<{ checks_run: number }>('SELECT checks_run FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      if (!rows[0]) return undefined;
      return (await pool.query<OfferRow>(SELECT, [applicationId, rows[0].checks_run])).rows.map(toOffer);
    },
  };
}
