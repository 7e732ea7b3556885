import type pg from 'pg';
import type { PageKey } from '../pagination.js';
import { inTransaction } from '../pg-transaction.js';
import { newWebhookSecret } from './signing.js';

/** How long the previous secret still signs (beside the new one) after a rotation, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

export interface Subscription {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string | null;
  /** Empty: every event type the service sends. */
  readonly eventTypes: readonly string[];
  readonly timeoutMs: number;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
  readonly secretRotatedAt: Date | null;
}

interface Row { id: string; tenant_id: string; url: string; description: string | null; event_types: string[]; timeout_ms: number; created_at: Date; disabled_at: Date | null; secret_rotated_at: Date | null; secret: string; request_hash: string | null; rotation_key: string | null }

const COLUMNS = 'id, tenant_id, url, description, event_types, timeout_ms, created_at, disabled_at, secret_rotated_at, secret, request_hash, rotation_key';
const view = (r: Row): Subscription => ({ id: r.id, tenantId: r.tenant_id, url: r.url, description: r.description, eventTypes: r.event_types, timeoutMs: r.timeout_ms, createdAt: r.created_at, disabledAt: r.disabled_at, secretRotatedAt: r.secret_rotated_at });

export interface NewSubscription {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description?: string | undefined;
  readonly eventTypes: readonly string[];
  readonly timeoutMs: number;
  readonly idempotencyKey?: string | undefined;
  readonly requestHash: string;
}

export type Created = { ok: true; subscription: Subscription; secret: string; replayed: boolean } | { ok: false; error: 'idempotency-key-reused' };

/** Creates a subscription with a new secret; the same Idempotency-Key and body answer the first one again (secret included). */
export async function createSubscription(pool: pg.Pool, input: NewSubscription, now: Date): Promise<Created> {
  const secret = newWebhookSecret();
  const { rows } = await pool.query<Row>(
    `INSERT INTO webhook_subscriptions (id, tenant_id, url, description, event_types, timeout_ms, secret, created_at, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
    [input.id, input.tenantId, input.url, input.description ?? null, input.eventTypes, input.timeoutMs, secret, now, input.idempotencyKey ?? null, input.requestHash],
  );
  if (rows[0]) return { ok: true, subscription: view(rows[0]), secret, replayed: false };
  const earlier = (await pool.query<Row>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND idempotency_key = $2`, [input.tenantId, input.idempotencyKey])).rows[0]!;
  if (earlier.request_hash !== input.requestHash) return { ok: false, error: 'idempotency-key-reused' };
  return { ok: true, subscription: view(earlier), secret: earlier.secret, replayed: true };
}

export async function findSubscription(pool: pg.Pool, tenantId: string, id: string): Promise<Subscription | undefined> {
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [tenantId, id]);
  return rows[0] && view(rows[0]);
}

/** Newest first, keyset-paged by (created_at, id); `limit + 1` rows so the caller knows whether a next page exists. */
export async function listSubscriptions(pool: pg.Pool, tenantId: string, limit: number, after: PageKey | undefined): Promise<Subscription[]> {
  const { rows } = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND deleted_at IS NULL ${after ? 'AND (created_at, id) < ($3, $4)' : ''} ORDER BY created_at DESC, id DESC LIMIT $2`,
    after ? [tenantId, limit + 1, after.createdAt, after.id] : [tenantId, limit + 1],
  );
  return rows.map(view);
}

/** The reason a disabled subscription's unsent deliveries carry in the log. */
export const CANCELLED_BY_DISABLE = 'subscription disabled';
/** The reason a deleted subscription's unsent deliveries carry (kept in the table, no longer in the API). */
export const CANCELLED_BY_DELETE = 'subscription deleted';

/**
 * Disables (its delivery log stays readable) or, with `delete`, deletes (the subscription and its log leave the
 * API: later reads, the list, rotation and replays answer not found; the rows stay in the table for audit),
 * and cancels, in the same transaction, every delivery
 * it still had to send: pending ones and ones a dispatcher holds (an attempt in flight still logs its outcome,
 * and if the endpoint took it the delivery is `delivered`; see recordAttempt). Cancelled deliveries are not
 * sent again: there is no re-enable, and a new subscription receives new events only. Disabling twice is
 * idempotent; a deleted subscription is not found (undefined).
 *
 * Two statements, not one: the subscription's row lock waits for an enqueue holding it (enqueueDeliveries reads
 * subscriptions FOR SHARE), and the cancel's own snapshot, taken after, sees what that enqueue wrote.
 */
export async function disableSubscription(pool: pg.Pool, tenantId: string, id: string, now: Date, options: { readonly delete?: boolean } = {}): Promise<Subscription | undefined> {
  const remove = options.delete === true;
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Row>(
      `UPDATE webhook_subscriptions SET disabled_at = coalesce(disabled_at, $3), deleted_at = CASE WHEN $4 THEN $3 END
        WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [tenantId, id, now, remove],
    );
    if (!rows[0]) return undefined;
    await client.query(
      `UPDATE webhook_deliveries SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3, next_attempt_at = NULL
        WHERE subscription_id = $1 AND status IN ('pending', 'delivering')`,
      [id, rows[0].disabled_at, remove ? CANCELLED_BY_DELETE : CANCELLED_BY_DISABLE],
    );
    return view(rows[0]);
  });
}

export type Rotated = { ok: true; subscription: Subscription; secret: string } | { ok: false; error: 'not-found' | 'disabled' };

/**
 * A new secret; the previous one keeps signing beside it for PREVIOUS_SECRET_GRACE_MS. A retry with the
 * rotation's Idempotency-Key answers the same new secret without rotating again.
 */
export async function rotateSecret(pool: pg.Pool, tenantId: string, id: string, idempotencyKey: string | undefined, now: Date): Promise<Rotated> {
  const current = (await pool.query<Row>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [tenantId, id])).rows[0];
  if (!current) return { ok: false, error: 'not-found' };
  if (current.disabled_at) return { ok: false, error: 'disabled' };
  if (idempotencyKey !== undefined && current.rotation_key === idempotencyKey) return { ok: true, subscription: view(current), secret: current.secret };
  const secret = newWebhookSecret();
  const { rows } = await pool.query<Row>(
    `UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3, secret_rotated_at = $5, rotation_key = $6
      WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, secret, new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS), now, idempotencyKey ?? null],
  );
  return { ok: true, subscription: view(rows[0]!), secret };
}
