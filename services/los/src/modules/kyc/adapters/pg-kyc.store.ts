import type pg from 'pg';
import type { KycVendorRecord, KycVendorRecords, KycWebhookEvent, KycWebhookInbox } from '../ports.js';

/** kyc_vendor_checks (migration 20261202110000). */
export function createPgKycVendorRecords(pool: pg.Pool): KycVendorRecords {
  return {
    async find(idempotencyKey, vendor) {
      const { rows } = await pool.query<{ applicant_id: string | null; document_ids: Record<string, string>; check_id: string | null }>(
        'SELECT applicant_id, document_ids, check_id FROM kyc_vendor_checks WHERE idempotency_key = $1 AND vendor = $2', [idempotencyKey, vendor]);
      const row = rows[0];
      return row ? { applicantId: row.applicant_id, documentIds: row.document_ids, checkId: row.check_id } : undefined;
    },
    async save(idempotencyKey, vendor, record: KycVendorRecord) {
      await pool.query(
        `INSERT INTO kyc_vendor_checks (idempotency_key, vendor, applicant_id, document_ids, check_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (idempotency_key, vendor) DO UPDATE SET applicant_id = EXCLUDED.applicant_id, document_ids = EXCLUDED.document_ids, check_id = EXCLUDED.check_id, updated_at = now()`,
        [idempotencyKey, vendor, record.applicantId, JSON.stringify(record.documentIds), record.checkId]);
    },
  };
}

/** kyc_webhook_events (migration 20261202110000): the primary key on the event id makes a replay visible. */
export function createPgKycWebhookInbox(pool: pg.Pool): KycWebhookInbox {
  return {
    async record(event: KycWebhookEvent) {
      const { rowCount } = await pool.query(
        `INSERT INTO kyc_webhook_events (event_id, vendor, resource_type, action, object_id, object_status, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO NOTHING`,
        [event.eventId, event.vendor, event.resourceType, event.action, event.objectId, event.objectStatus, event.occurredAt]);
      return rowCount === 1 ? 'recorded' : 'replayed';
    },
    async has(vendor, objectId, action) {
      const { rowCount } = await pool.query('SELECT 1 FROM kyc_webhook_events WHERE vendor = $1 AND object_id = $2 AND action = $3 LIMIT 1', [vendor, objectId, action]);
      return (rowCount ?? 0) > 0;
    },
  };
}
