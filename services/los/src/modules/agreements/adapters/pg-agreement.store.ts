import type pg from 'pg';
import type { Application, ApplicationStatus, LoanTerms } from '../../applications/domain/application.js';
import type { OriginationStepDone } from '../../applications/use-cases/complete-origination.js';
import type { Offer } from '../../offers/domain/offers.js';
import { audit, claimKey, inTransaction, rememberKey } from '../../review/adapters/pg-review.repository.js';
import type { AgreementStatus, Stamp } from '../domain/agreement.js';
import type { AgreementStore, ESignAuditEvent, StoredAgreement } from '../ports.js';

interface AgreementRow {
  id: string; tenant_id: string; application_id: string; checks_run: number; offer_id: string; template_version: string; document_sha256: string; pdf: Buffer; stamp: Stamp; status: AgreementStatus;
  esign_vendor: string; envelope_id: string | null; signing_url: string | null; esign_events: ESignAuditEvent[]; signed_document_sha256: string | null; signed_at: Date | null; declined_reason: string | null; created_at: Date; sent_at: Date | null;
}
const toAgreement = (r: AgreementRow): StoredAgreement => ({
  id: r.id, tenantId: r.tenant_id, applicationId: r.application_id, checksRun: r.checks_run, offerId: r.offer_id, templateVersion: r.template_version, documentSha256: r.document_sha256, pdf: r.pdf, stamp: r.stamp,
  status: r.status, esignVendor: r.esign_vendor, envelopeId: r.envelope_id, signingUrl: r.signing_url, esignEvents: r.esign_events, signedDocumentSha256: r.signed_document_sha256, signedAt: r.signed_at,
  declinedReason: r.declined_reason, createdAt: r.created_at, sentAt: r.sent_at,
});
const COLUMNS = 'id, tenant_id, application_id, checks_run, offer_id, template_version, document_sha256, pdf, stamp, status, esign_vendor, envelope_id, signing_url, esign_events, signed_document_sha256, signed_at, declined_reason, created_at, sent_at';
/** Column of each updatable field; jsonb fields are serialised. */
const UPDATABLE: Record<string, { column: string; json?: boolean }> = {
  status: { column: 'status' }, envelopeId: { column: 'envelope_id' }, signingUrl: { column: 'signing_url' }, esignEvents: { column: 'esign_events', json: true }, signedDocumentSha256: { column: 'signed_document_sha256' },
  signedAt: { column: 'signed_at' }, declinedReason: { column: 'declined_reason' }, sentAt: { column: 'sent_at' },
};

/** Advisory lock class of an agreement being sent (the second key is the hash of its id). */
const SENDING_LOCK_CLASS = 41_002;

interface OfferRow { id: string; label: Offer['label']; band: string; terms: LoanTerms; pricing: Offer['pricing']; expires_at: Date; created_at: Date }

/** The agreements of accepted offers in application_agreements; a signature's step completes through `stepDone` on the same client. */
export function createPgAgreementStore(pool: pg.Pool, deps: { stepDone: OriginationStepDone }): AgreementStore {
  return {
    async answered(tenantId, claim) {
      const { rows } = await pool.query<{ path: string; request_hash: string; response_status: number; response_body: unknown }>('SELECT path, request_hash, response_status, response_body FROM idempotency_records WHERE tenant_id = $1 AND key = $2', [tenantId, claim.key]);
      const row = rows[0];
      if (!row) return { kind: 'none' };
      if (row.path !== claim.path || row.request_hash !== claim.requestHash || row.response_status === 0) return { kind: 'reused' };
      return { kind: 'replay', status: row.response_status, body: row.response_body };
    },
    async source(tenantId, applicationId) {
      const { rows } = await pool.query<{ status: ApplicationStatus; checks_run: number; applicant: Application['applicant'] }>('SELECT status, checks_run, applicant FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      const app = rows[0];
      if (!app) return undefined;
      const acceptance = (await pool.query<{ offer_id: string; kfs_reference: string; kfs_version: string; kfs_sha256: string; accepted_by: string; accepted_at: Date }>(
        'SELECT offer_id, kfs_reference, kfs_version, kfs_sha256, accepted_by, accepted_at FROM offer_acceptances WHERE application_id = $1 AND checks_run = $2', [applicationId, app.checks_run])).rows[0];
      const offer = acceptance ? (await pool.query<OfferRow>('SELECT id, label, band, terms, pricing, expires_at, created_at FROM application_offers WHERE id = $1', [acceptance.offer_id])).rows[0] : undefined;
      const agreement = (await pool.query<AgreementRow>(`SELECT ${COLUMNS} FROM application_agreements WHERE application_id = $1 AND checks_run = $2`, [applicationId, app.checks_run])).rows[0];
      return {
        status: app.status, checksRun: app.checks_run, applicant: app.applicant,
        offer: offer ? { id: offer.id, label: offer.label, band: offer.band, terms: offer.terms, pricing: offer.pricing, expiresAt: offer.expires_at, createdAt: offer.created_at } : undefined,
        acceptance: acceptance ? { offerId: acceptance.offer_id, kfsReference: acceptance.kfs_reference, kfsVersion: acceptance.kfs_version, kfsSha256: acceptance.kfs_sha256, acceptedBy: acceptance.accepted_by, acceptedAt: acceptance.accepted_at } : undefined,
        agreement: agreement ? toAgreement(agreement) : undefined,
      };
    },
    insertGenerated: (a, entry) => inTransaction(pool, async (c) => {
      const inserted = await c.query(
        `INSERT INTO application_agreements (id, tenant_id, application_id, checks_run, offer_id, template_version, document_sha256, pdf, stamp, stamp_certificate, status, esign_vendor, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'generated', $11, $12, $12) ON CONFLICT (application_id, checks_run) DO NOTHING`,
        [a.id, a.tenantId, a.applicationId, a.checksRun, a.offerId, a.templateVersion, a.documentSha256, a.pdf, JSON.stringify(a.stamp), a.stamp.required ? a.stamp.certificateNumber : null, a.esignVendor, a.createdAt]);
      if (inserted.rowCount === 1) {
        await audit(c, entry);
        return a;
      }
      const { rows } = await c.query<AgreementRow>(`SELECT ${COLUMNS} FROM application_agreements WHERE application_id = $1 AND checks_run = $2`, [a.applicationId, a.checksRun]);
      return toAgreement(rows[0]!);
    }),
    async byEnvelope(vendor, envelopeId) {
      const { rows } = await pool.query<AgreementRow>(`SELECT ${COLUMNS} FROM application_agreements WHERE esign_vendor = $1 AND envelope_id = $2`, [vendor, envelopeId]);
      return rows[0] ? toAgreement(rows[0]) : undefined;
    },
    async whileSending(agreementId, work) {
      const c = await pool.connect();
      try {
        const { rows } = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [SENDING_LOCK_CLASS, agreementId]);
        if (!rows[0]?.locked) return undefined;
        try {
          return await work();
        } finally {
          await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SENDING_LOCK_CLASS, agreementId]);
        }
      } finally {
        c.release();
      }
    },
    transaction: (work) => inTransaction(pool, (c) => work({
      async lock(id) {
        const { rows } = await c.query<AgreementRow>(`SELECT ${COLUMNS} FROM application_agreements WHERE id = $1 FOR UPDATE`, [id]);
        return rows[0] ? toAgreement(rows[0]) : undefined;
      },
      async update(id, change, at) {
        const sets: string[] = [];
        const values: unknown[] = [id, at];
        for (const [field, value] of Object.entries(change)) {
          const u = UPDATABLE[field];
          if (!u) throw new Error(`not an updatable agreement field: ${field}`);
          values.push(u.json ? JSON.stringify(value) : value);
          sets.push(`${u.column} = $${values.length}`);
        }
        await c.query(`UPDATE application_agreements SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`, values);
      },
      audit: (e) => audit(c, e).then(() => undefined),
      async refusedBefore(agreementId, applicationId, signedSha256) {
        const { rowCount } = await c.query(
          `SELECT 1 FROM decision_audit WHERE application_id = $1 AND action = 'signature-refused' AND detail->>'agreementId' = $2 AND (detail->>'signedDocumentSha256') IS NOT DISTINCT FROM $3 LIMIT 1`,
          [applicationId, agreementId, signedSha256]);
        return rowCount === 1;
      },
      claim: (tenantId, claim) => claimKey(c, tenantId, claim),
      remember: (tenantId, key, status, body) => rememberKey(c, tenantId, key, status, body),
      stepDone: (step) => deps.stepDone(c, step),
    })),
  };
}
