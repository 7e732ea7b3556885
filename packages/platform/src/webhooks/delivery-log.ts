import type pg from 'pg';
import type { PageKey } from '../pagination.js';
import { inTransaction } from '../pg-transaction.js';

/** `cancelled`: its subscription was disabled before it was delivered (see disableSubscription). */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface AttemptView {
  readonly attempt: number;
  readonly startedAt: string;
  readonly latencyMs: number | null;
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface DeliveryView {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly subject: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly deadAt: Date | null;
  readonly cancelledAt: Date | null;
  /** Why it was cancelled ('subscription disabled'). */
  readonly cancelReason: string | null;
  readonly createdAt: Date;
  /** Every attempt of the delivery, oldest first (at most MAX_ATTEMPTS per round, replays start a new round). */
  readonly attemptLog: readonly AttemptView[];
}

interface Row { id: string; subscription_id: string; event_id: string; event_type: string; aggregate_id: string; status: DeliveryStatus; attempts: number; next_attempt_at: Date | null; last_status_code: number | null; last_error: string | null; delivered_at: Date | null; dead_at: Date | null; cancelled_at: Date | null; cancel_reason: string | null; created_at: Date; attempt_log: AttemptView[] }

const SELECT = `SELECT d.id, d.subscription_id, d.event_id, d.event_type, d.aggregate_id, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error,
                       d.delivered_at, d.dead_at, d.cancelled_at, d.cancel_reason, d.created_at,
                       coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at, 'latencyMs', a.latency_ms, 'statusCode', a.status_code, 'error', a.error) ORDER BY a.attempt)
                                   FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
                  FROM webhook_deliveries d`;

const view = (r: Row): DeliveryView => ({
  id: r.id, subscriptionId: r.subscription_id, eventId: r.event_id, eventType: r.event_type, subject: r.aggregate_id, status: r.status, attempts: r.attempts,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null, lastStatusCode: r.last_status_code, lastError: r.last_error, deliveredAt: r.delivered_at, deadAt: r.dead_at,
  cancelledAt: r.cancelled_at, cancelReason: r.cancel_reason,
  createdAt: r.created_at, attemptLog: r.attempt_log,
});

/** A subscription's deliveries, newest first, keyset-paged by (created_at, id); `limit + 1` rows. */
export async function listDeliveries(pool: pg.Pool, tenantId: string, subscriptionId: string, options: { limit: number; after?: PageKey | undefined; status?: DeliveryStatus | undefined }): Promise<DeliveryView[]> {
  const params: unknown[] = [tenantId, subscriptionId, options.limit + 1];
  const where = ['d.tenant_id = $1', 'd.subscription_id = $2'];
  if (options.status) where.push(`d.status = $${params.push(options.status)}`);
  if (options.after) where.push(`(d.created_at, d.id) < ($${params.push(options.after.createdAt)}, $${params.push(options.after.id)})`);
  const { rows } = await pool.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC, d.id DESC LIMIT $3`, params);
  return rows.map(view);
}

export async function findDelivery(pool: pg.Pool, tenantId: string, id: string): Promise<DeliveryView | undefined> {
  const { rows } = await pool.query<Row>(`${SELECT} WHERE d.tenant_id = $1 AND d.id = $2`, [tenantId, id]);
  return rows[0] && view(rows[0]);
}

export type Replayed = { ok: true; delivery: DeliveryView; replayed: boolean } | { ok: false; error: 'not-found' | 'in-flight' | 'subscription-disabled' | 'idempotency-key-reused' };

/**
 * Sends a past delivery again (dead-lettered, delivered or waiting for its next retry): pending now, with a new
 * round of the retry schedule, the same webhook-id and body. The Idempotency-Key makes it once: the same key
 * answers the first replay again (nothing re-sent twice), another delivery under that key is refused.
 */
export async function replayDelivery(pool: pg.Pool, tenantId: string, id: string, idempotencyKey: string, now: Date): Promise<Replayed> {
  // A refusal returns before anything is written, so its transaction commits nothing.
  const outcome = await inTransaction(pool, async (client): Promise<Replayed | { ok: true; earlier: boolean }> => {
    const earlier = (await client.query<{ delivery_id: string }>('SELECT delivery_id FROM webhook_replays WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, idempotencyKey])).rows[0];
    if (earlier) return earlier.delivery_id !== id ? { ok: false, error: 'idempotency-key-reused' } : { ok: true, earlier: true };
    const current = (await client.query<{ status: DeliveryStatus; disabled: boolean }>(
      `SELECT d.status, s.disabled_at IS NOT NULL AS disabled FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.deleted_at IS NULL
        WHERE d.tenant_id = $1 AND d.id = $2 FOR UPDATE OF d`, [tenantId, id])).rows[0];
    const refusal = !current ? 'not-found' : current.status === 'delivering' ? 'in-flight' : current.disabled ? 'subscription-disabled' : undefined;
    if (refusal) return { ok: false, error: refusal };
    await client.query(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, round_attempts = 0, dead_at = NULL WHERE id = $1`, [id, now]);
    // Two replays racing with one key: the loser's insert fails on the primary key and its transaction rolls back.
    await client.query('INSERT INTO webhook_replays (tenant_id, idempotency_key, delivery_id, created_at) VALUES ($1, $2, $3, $4)', [tenantId, idempotencyKey, id, now]);
    return { ok: true, earlier: false };
  });
  if (!outcome.ok) return outcome;
  return { ok: true, delivery: (await findDelivery(pool, tenantId, id))!, replayed: 'earlier' in outcome ? outcome.earlier : false };
}
