/**
 * The notifications tables (migration 20261202220000_notifications) over pg: loan facts for messages,
 * contact preferences, opt-outs, templates and contact attempts. Functions take a client so the use case
 * decides and records inside one transaction, under a per-loan advisory lock.
 */
import type pg from 'pg';
import type { ContactChannel, PastContact } from '../domain/conduct-policy.js';
import type { MessageChannel, Template } from '../domain/messages.js';

type Db = pg.Pool | pg.PoolClient;

export type AttemptOutcome = 'sending' | 'sent' | 'delivered' | 'failed' | 'blocked';

export interface ContactAttempt {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly purpose: string;
  readonly slot: string;
  readonly channel: ContactChannel;
  readonly templateKey: string | null;
  readonly language: string | null;
  readonly attemptedAt: Date;
  readonly outcome: AttemptOutcome;
  readonly rule: string | null;
  readonly ruleDetail: string | null;
  readonly nextAllowedAt: Date | null;
  readonly regime: string | null;
  readonly recipient: string | null;
  readonly vendor: string | null;
  readonly vendorMessageId: string | null;
  readonly vendorStatus: string | null;
  readonly errorCode: string | null;
  readonly errorDetail: string | null;
  readonly conversation: boolean;
  readonly tries: number;
  readonly deliveredAt: Date | null;
}

export interface LoanContactFacts {
  readonly status: string;
  readonly currency: string;
  readonly scale: number;
  readonly borrower: { name?: { given?: string; family?: string }; contact?: { email?: string; phone?: string }; address?: { country?: string; region?: string } };
  readonly dpd: number;
  readonly totalDueNowMinor: bigint;
  readonly oldestUnpaidDueDate: string | null;
  readonly nextInstallment: { readonly dueDate: string; readonly totalMinor: bigint } | null;
}

/** Serialises every decision about one loan's contacts (the daily cap and the call window count rows). */
export async function lockLoanContacts(client: pg.PoolClient, tenantId: string, loanId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7411))', [`${tenantId}/${loanId}`]);
}

export async function loadLoanFacts(db: Db, tenantId: string, loanId: string, businessDate: string | null): Promise<LoanContactFacts | undefined> {
  const row = (await db.query<{ status: string; currency: string; scale: number; borrower: LoanContactFacts['borrower']; dpd: number | null; total_due: string | null; oldest: string | null; next_due: string | null; next_total: string | null }>(
    `SELECT l.status, l.currency, l.scale, l.borrower, s.dpd, s.state->'balances'->>'totalDueNow' AS total_due,
       to_char(s.oldest_unpaid_due_date, 'YYYY-MM-DD') AS oldest, to_char(n.due_date, 'YYYY-MM-DD') AS next_due, n.total_minor::text AS next_total
     FROM loan_accounts l
     LEFT JOIN loan_servicing s ON s.loan_id = l.id
     LEFT JOIN LATERAL (SELECT due_date, total_minor FROM installments i WHERE i.loan_id = l.id AND ($3::date IS NULL OR i.due_date >= $3::date)
                        ORDER BY i.number LIMIT 1) n ON true
     WHERE l.id = $1 AND l.tenant_id = $2`,
    [loanId, tenantId, businessDate],
  )).rows[0];
  if (!row) return undefined;
  return {
    status: row.status, currency: row.currency, scale: row.scale, borrower: row.borrower ?? {}, dpd: row.dpd ?? 0,
    totalDueNowMinor: BigInt(row.total_due ?? '0'), oldestUnpaidDueDate: row.oldest,
    nextInstallment: row.next_due ? { dueDate: row.next_due, totalMinor: BigInt(row.next_total ?? '0') } : null,
  };
}

export async function businessDateOf(db: Db, tenantId: string): Promise<string | null> {
  const row = (await db.query<{ d: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM business_dates WHERE tenant_id = $1`, [tenantId])).rows[0];
  return row?.d ?? null;
}

export async function loadPreferences(db: Db, tenantId: string, loanId: string): Promise<{ language: string | null; timeZone: string | null; optedOut: Set<ContactChannel> }> {
  const prefs = (await db.query<{ language: string | null; time_zone: string | null }>('SELECT language, time_zone FROM contact_preferences WHERE tenant_id = $1 AND loan_id = $2', [tenantId, loanId])).rows[0];
  const outs = await db.query<{ channel: ContactChannel }>('SELECT channel FROM contact_opt_outs WHERE tenant_id = $1 AND loan_id = $2', [tenantId, loanId]);
  return { language: prefs?.language ?? null, timeZone: prefs?.time_zone ?? null, optedOut: new Set(outs.rows.map((r) => r.channel)) };
}

/** Contacts placed in the `days` before `now` (and any later ones): what the conduct rules count. */
export async function loadHistory(db: Db, tenantId: string, loanId: string, now: Date, days: number): Promise<PastContact[]> {
  const rows = await db.query<{ attempted_at: Date; channel: ContactChannel; conversation: boolean }>(
    `SELECT attempted_at, channel, conversation FROM contact_attempts
     WHERE tenant_id = $1 AND loan_id = $2 AND attempted_at >= $3
       AND (outcome IN ('sending', 'sent', 'delivered') OR (outcome = 'failed' AND vendor_message_id IS NOT NULL))
     ORDER BY attempted_at LIMIT 1000`,
    [tenantId, loanId, new Date(now.getTime() - days * 86_400_000)],
  );
  return rows.rows.map((r) => ({ at: r.attempted_at, channel: r.channel, conversation: r.conversation }));
}

export async function findTemplate(db: Db, tenantId: string, templateKey: string, channel: MessageChannel, languages: readonly string[]): Promise<Template | undefined> {
  const rows = await db.query<{ language: string; subject: string | null; body_text: string; body_html: string | null }>(
    'SELECT language, subject, body_text, body_html FROM notification_templates WHERE tenant_id = $1 AND template_key = $2 AND channel = $3 AND language = ANY($4)',
    [tenantId, templateKey, channel, languages],
  );
  for (const language of languages) {
    const row = rows.rows.find((r) => r.language === language);
    if (row) return { templateKey, channel, language, subject: row.subject, bodyText: row.body_text, bodyHtml: row.body_html };
  }
  return undefined;
}

const COLUMNS = `id, tenant_id, loan_id, purpose, slot, channel, template_key, language, attempted_at, outcome, rule, rule_detail, next_allowed_at,
  regime, recipient, vendor, vendor_message_id, vendor_status, error_code, error_detail, conversation, tries, delivered_at`;

interface AttemptRow {
  id: string; tenant_id: string; loan_id: string; purpose: string; slot: string; channel: ContactChannel; template_key: string | null; language: string | null;
  attempted_at: Date; outcome: AttemptOutcome; rule: string | null; rule_detail: string | null; next_allowed_at: Date | null; regime: string | null;
  recipient: string | null; vendor: string | null; vendor_message_id: string | null; vendor_status: string | null; error_code: string | null;
  error_detail: string | null; conversation: boolean; tries: number; delivered_at: Date | null;
}

const fromRow = (r: AttemptRow): ContactAttempt => ({
  id: r.id, tenantId: r.tenant_id, loanId: r.loan_id, purpose: r.purpose, slot: r.slot, channel: r.channel, templateKey: r.template_key, language: r.language,
  attemptedAt: r.attempted_at, outcome: r.outcome, rule: r.rule, ruleDetail: r.rule_detail, nextAllowedAt: r.next_allowed_at, regime: r.regime, recipient: r.recipient,
  vendor: r.vendor, vendorMessageId: r.vendor_message_id, vendorStatus: r.vendor_status, errorCode: r.error_code, errorDetail: r.error_detail,
  conversation: r.conversation, tries: r.tries, deliveredAt: r.delivered_at,
});

export async function findAttemptBySlot(db: Db, tenantId: string, loanId: string, purpose: string, slot: string): Promise<ContactAttempt | undefined> {
  const row = (await db.query<AttemptRow>(`SELECT ${COLUMNS} FROM contact_attempts WHERE tenant_id = $1 AND loan_id = $2 AND purpose = $3 AND slot = $4`, [tenantId, loanId, purpose, slot])).rows[0];
  return row ? fromRow(row) : undefined;
}

export async function findAttempt(db: Db, tenantId: string, loanId: string, id: string): Promise<ContactAttempt | undefined> {
  const row = (await db.query<AttemptRow>(`SELECT ${COLUMNS} FROM contact_attempts WHERE tenant_id = $1 AND loan_id = $2 AND id = $3`, [tenantId, loanId, id])).rows[0];
  return row ? fromRow(row) : undefined;
}

export type AttemptWrite = Omit<ContactAttempt, 'tries' | 'deliveredAt' | 'vendorStatus'> & { readonly vendorStatus?: string | null };

/** Inserts the attempt, or (a retry of a failed one under the same slot) replaces it and counts the try. */
export async function saveAttempt(db: Db, a: AttemptWrite): Promise<ContactAttempt> {
  const row = (await db.query<AttemptRow>(
    `INSERT INTO contact_attempts (id, tenant_id, loan_id, purpose, slot, channel, template_key, language, attempted_at, outcome, rule, rule_detail,
       next_allowed_at, regime, recipient, vendor, vendor_message_id, vendor_status, error_code, error_detail, conversation)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
     ON CONFLICT (tenant_id, loan_id, purpose, slot) DO UPDATE SET channel = EXCLUDED.channel, template_key = EXCLUDED.template_key,
       language = EXCLUDED.language, attempted_at = EXCLUDED.attempted_at, outcome = EXCLUDED.outcome, rule = EXCLUDED.rule,
       rule_detail = EXCLUDED.rule_detail, next_allowed_at = EXCLUDED.next_allowed_at, regime = EXCLUDED.regime, recipient = EXCLUDED.recipient,
       vendor = EXCLUDED.vendor, vendor_message_id = EXCLUDED.vendor_message_id, vendor_status = EXCLUDED.vendor_status,
       error_code = EXCLUDED.error_code, error_detail = EXCLUDED.error_detail, conversation = EXCLUDED.conversation,
       tries = contact_attempts.tries + 1, updated_at = now()
     WHERE contact_attempts.outcome = 'failed' AND contact_attempts.vendor_message_id IS NULL
     RETURNING ${COLUMNS}`,
    [a.id, a.tenantId, a.loanId, a.purpose, a.slot, a.channel, a.templateKey, a.language, a.attemptedAt, a.outcome, a.rule, a.ruleDetail, a.nextAllowedAt,
      a.regime, a.recipient, a.vendor, a.vendorMessageId, a.vendorStatus ?? null, a.errorCode, a.errorDetail, a.conversation],
  )).rows[0];
  if (!row) throw new Error(`contact attempt ${a.tenantId}/${a.loanId}/${a.purpose}/${a.slot} already settled`);
  return fromRow(row);
}

/** The vendor's answer to a send: sent with its id, failed (refused), or still sending (unknown). */
export async function recordSendResult(db: Db, id: string, result: { outcome: AttemptOutcome; vendor: string | null; vendorMessageId: string | null; vendorStatus: string | null; errorCode: string | null; errorDetail: string | null }): Promise<ContactAttempt> {
  const row = (await db.query<AttemptRow>(
    `UPDATE contact_attempts SET outcome = CASE WHEN outcome = 'sending' THEN $2 ELSE outcome END, vendor = $3, vendor_message_id = $4,
       vendor_status = COALESCE(vendor_status, $5), error_code = COALESCE(error_code, $6), error_detail = COALESCE(error_detail, $7), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, result.outcome, result.vendor, result.vendorMessageId, result.vendorStatus, result.errorCode, result.errorDetail],
  )).rows[0];
  return fromRow(row!);
}

const RANK_SQL = (column: string) => `CASE ${column} WHEN 'blocked' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END`;

/**
 * Applies a delivery receipt in one statement: outcomes only move forward (sending → sent → delivered |
 * failed), so receipts arriving late, twice or concurrently change nothing more. Undefined when no attempt
 * has that vendor message id (yet).
 */
export async function applyReceipt(db: Db, r: { vendor: string; vendorMessageId: string; vendorStatus: string; outcome: 'sent' | 'delivered' | 'failed' | null; errorCode: string | null; at: Date }): Promise<ContactAttempt | undefined> {
  if (r.outcome) {
    const row = (await db.query<AttemptRow>(
      `UPDATE contact_attempts SET outcome = $3, vendor_status = $4, error_code = COALESCE($5, error_code),
         delivered_at = CASE WHEN $3 = 'delivered' THEN $6 ELSE delivered_at END, updated_at = now()
       WHERE vendor = $1 AND vendor_message_id = $2 AND ${RANK_SQL('outcome')} < ${RANK_SQL('$3::text')}
       RETURNING ${COLUMNS}`,
      [r.vendor, r.vendorMessageId, r.outcome, r.vendorStatus, r.errorCode, r.at],
    )).rows[0];
    if (row) return fromRow(row);
  }
  const current = (await db.query<AttemptRow>(`SELECT ${COLUMNS} FROM contact_attempts WHERE vendor = $1 AND vendor_message_id = $2`, [r.vendor, r.vendorMessageId])).rows[0];
  return current ? fromRow(current) : undefined;
}

export async function markConversation(db: Db, id: string): Promise<void> {
  await db.query(`UPDATE contact_attempts SET conversation = true, updated_at = now() WHERE id = $1 AND channel = 'call'`, [id]);
}

/** Newest first, keyset-paged on (attempted_at, id). */
export async function pageAttempts(db: Db, tenantId: string, loanId: string, limit: number, after?: { at: Date; id: string }): Promise<ContactAttempt[]> {
  const rows = await db.query<AttemptRow>(
    `SELECT ${COLUMNS} FROM contact_attempts WHERE tenant_id = $1 AND loan_id = $2 AND ($3::timestamptz IS NULL OR (attempted_at, id) < ($3::timestamptz, $4::uuid))
     ORDER BY attempted_at DESC, id DESC LIMIT $5`,
    [tenantId, loanId, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows.rows.map(fromRow);
}

export async function saveOptOut(db: Db, o: { tenantId: string; loanId: string; channel: ContactChannel; reason: string | null; recordedBy: string; at: Date }): Promise<{ created: boolean }> {
  const result = await db.query(
    `INSERT INTO contact_opt_outs (tenant_id, loan_id, channel, reason, recorded_by, opted_out_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING`,
    [o.tenantId, o.loanId, o.channel, o.reason, o.recordedBy, o.at],
  );
  return { created: result.rowCount === 1 };
}

export async function deleteOptOut(db: Db, tenantId: string, loanId: string, channel: ContactChannel): Promise<boolean> {
  return (await db.query('DELETE FROM contact_opt_outs WHERE tenant_id = $1 AND loan_id = $2 AND channel = $3', [tenantId, loanId, channel])).rowCount === 1;
}

export async function listOptOuts(db: Db, tenantId: string, loanId: string) {
  return (await db.query<{ channel: ContactChannel; reason: string | null; recorded_by: string; opted_out_at: Date }>('SELECT channel, reason, recorded_by, opted_out_at FROM contact_opt_outs WHERE tenant_id = $1 AND loan_id = $2 ORDER BY channel', [tenantId, loanId])).rows;
}

export async function savePreferences(db: Db, p: { tenantId: string; loanId: string; language: string | null; timeZone: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO contact_preferences (tenant_id, loan_id, language, time_zone) VALUES ($1,$2,$3,$4)
     ON CONFLICT (tenant_id, loan_id) DO UPDATE SET language = EXCLUDED.language, time_zone = EXCLUDED.time_zone, updated_at = now()`,
    [p.tenantId, p.loanId, p.language, p.timeZone],
  );
}

export async function upsertTemplate(db: Db, tenantId: string, t: Template): Promise<void> {
  await db.query(
    `INSERT INTO notification_templates (tenant_id, template_key, channel, language, subject, body_text, body_html) VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (tenant_id, template_key, channel, language) DO UPDATE SET subject = EXCLUDED.subject, body_text = EXCLUDED.body_text, body_html = EXCLUDED.body_html, updated_at = now()`,
    [tenantId, t.templateKey, t.channel, t.language, t.subject, t.bodyText, t.bodyHtml],
  );
}
