import type pg from 'pg';
import type { TimelineRow } from '../domain/timeline.js';
import type { TimelineReader } from '../ports.js';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO})`;

/**
 * One query, each part from its own table and index, merged in (at, key) order. `at` is cut to
 * milliseconds everywhere (the outbox keeps microseconds) so the page cursor, which carries milliseconds,
 * neither skips nor repeats an item. Agreements and mandates come from their audit entries
 * (agreement-signed, mandate-registered), not from their modules' tables.
 */
const TIMELINE = `
WITH app AS (SELECT id, tenant_id, loan_id, created_at, submitted_by, loan_request, booking_failure FROM applications WHERE tenant_id = $1 AND id = $2)
SELECT * FROM (
  SELECT date_trunc('milliseconds', a.created_at) AS at, '0' AS key, 'submitted' AS kind, a.submitted_by AS actor,
         jsonb_build_object('productCode', a.loan_request->>'productCode', 'principal', a.loan_request->'principal') AS detail, NULL::text AS seq, NULL::text AS hash
    FROM app a
  UNION ALL
  SELECT c.started_at, '1:' || c.kind || ':0', 'check-started', 'lendstack:checks', jsonb_build_object('check', c.kind, 'run', c.run, 'attempts', c.attempts), NULL, NULL
    FROM application_checks c WHERE c.application_id = $2 AND c.tenant_id = $1 AND c.started_at IS NOT NULL
  UNION ALL
  SELECT c.completed_at, '1:' || c.kind || ':1', 'check-completed', 'lendstack:checks',
         jsonb_build_object('check', c.kind, 'run', c.run, 'status', c.status, 'result', c.result, 'score', c.score, 'reasons', c.reasons, 'vendorReference', c.vendor_reference, 'attempts', c.attempts, 'durationMs', c.duration_ms), NULL, NULL
    FROM application_checks c WHERE c.application_id = $2 AND c.tenant_id = $1 AND c.completed_at IS NOT NULL
  UNION ALL
  SELECT d.at, '2:' || lpad(d.id::text, 19, '0'), d.action, d.actor,
         jsonb_build_object('checksRun', d.checks_run) || d.detail || CASE d.action
           WHEN 'automated-decision' THEN COALESCE((SELECT jsonb_build_object('rules', u.evaluation->'rules', 'limits', u.evaluation->'limits', 'pricing', u.evaluation->'pricing', 'scorecard', u.scorecard)
                                                      FROM underwriting_decisions u WHERE u.application_id = d.application_id AND u.checks_run = d.checks_run), '{}'::jsonb)
           ELSE '{}'::jsonb END,
         ch.seq::text, ch.hash
    FROM decision_audit d LEFT JOIN audit_chain ch ON ch.source = 'decision' AND ch.source_id = d.id
   WHERE d.tenant_id = $1 AND d.application_id = $2
  UNION ALL
  SELECT o.accepted_at, '3:' || lpad(o.checks_run::text, 10, '0'), 'offer-accepted', o.accepted_by,
         jsonb_build_object('checksRun', o.checks_run, 'offerId', o.offer_id, 'kfsReference', o.kfs_reference, 'kfsVersion', o.kfs_version, 'kfsSha256', o.kfs_sha256, 'ip', o.ip, 'userAgent', o.user_agent, 'consents', o.consents), NULL, NULL
    FROM offer_acceptances o
   WHERE o.tenant_id = $1 AND o.application_id = $2
     AND NOT EXISTS (SELECT 1 FROM decision_audit d WHERE d.tenant_id = $1 AND d.application_id = $2 AND d.checks_run = o.checks_run AND d.action = 'offer-accepted')
  UNION ALL
  SELECT date_trunc('milliseconds', m.created_at), '4:' || lpad(m.seq::text, 19, '0'), 'event', 'lendstack:outbox',
         jsonb_build_object('type', m.value->>'type', 'eventId', m.id, 'topic', m.topic, 'key', m.key, 'sentAt', ${iso('m.sent_at')}), NULL, NULL
    FROM app a JOIN outbox m ON m.key IN (a.id::text, a.loan_id::text)
  UNION ALL
  SELECT date_trunc('milliseconds', (a.booking_failure->>'at')::timestamptz), '5', 'booking-rejected', 'lendstack:lms', a.booking_failure, NULL, NULL
    FROM app a WHERE a.booking_failure ? 'at'
) t
WHERE $3::timestamptz IS NULL OR (t.at, t.key) > ($3::timestamptz, $4::text)
ORDER BY t.at, t.key
LIMIT $5`;

interface Row { at: Date; key: string; kind: string; actor: string; detail: Record<string, unknown>; seq: string | null; hash: string | null }

export function createPgTimelineReader(pool: pg.Pool): TimelineReader {
  return {
    async exists(tenantId, applicationId) {
      const { rowCount } = await pool.query('SELECT 1 FROM applications WHERE tenant_id = $1 AND id = $2', [tenantId, applicationId]);
      return rowCount === 1;
    },
    async items(tenantId, applicationId, q) {
      const { rows } = await pool.query<Row>(TIMELINE, [tenantId, applicationId, q.after?.at ?? null, q.after?.key ?? '', q.limit]);
      return rows.map((r): TimelineRow => ({ at: r.at, key: r.key, kind: r.kind, actor: r.actor, detail: r.detail, chain: r.seq && r.hash ? { seq: r.seq, hash: r.hash } : null }));
    },
  };
}
