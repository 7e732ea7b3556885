import type pg from 'pg';
import type { EnvelopeHeader } from '@lendstack/contracts';
import type { DeliveryStatus } from './delivery-log.js';

/**
 * The delivery table both services migrate alike (webhook_deliveries): one row per (subscription, event id),
 * unique, so an event enqueued twice (Kafka redelivers after a crash) is one delivery. Per subscription and
 * aggregate (the envelope subject: a loan or an application id) rows are delivered in `seq` order: a row is
 * not claimed while an earlier one of the same aggregate is still pending or being delivered, so a later event
 * waits until the earlier is delivered or dead-lettered (then it goes on: a dead letter does not stop the loan's
 * stream; its replay is sent when asked, out of order by then).
 */
export interface EnqueuedEvent extends Pick<EnvelopeHeader, 'id' | 'type' | 'subject' | 'tenantId'> {
  /** The exact bytes sent and signed, on every attempt and replay. */
  readonly body: string;
}

/**
 * Writes one pending delivery per matching enabled subscription of the event's tenant; returns how many were new.
 * The subscriptions are read FOR SHARE: a disable running at the same time either waits for these rows (and
 * cancels them) or is waited for (and they are not written).
 */
export async function enqueueDeliveries(pool: pg.Pool, events: readonly EnqueuedEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const result = await pool.query(
    `INSERT INTO webhook_deliveries (id, subscription_id, tenant_id, event_id, event_type, aggregate_id, body, status, next_attempt_at)
     SELECT gen_random_uuid(), s.id, e.tenant_id, e.event_id, e.event_type, e.aggregate_id, e.body, 'pending', $6
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(event_id, event_type, aggregate_id, tenant_id, body, ord)
       JOIN webhook_subscriptions s ON s.tenant_id = e.tenant_id AND s.disabled_at IS NULL
                                    AND (cardinality(s.event_types) = 0 OR e.event_type = ANY(s.event_types))
      ORDER BY e.ord, s.id
        FOR SHARE OF s
     ON CONFLICT (subscription_id, event_id) DO NOTHING`,
    [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.subject), events.map((e) => e.tenantId), events.map((e) => e.body), now],
  );
  return result.rowCount ?? 0;
}

export interface ClaimedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly body: string;
  /** Attempts ever made, this one included (numbers the attempt in the log). */
  readonly attempt: number;
  /** Attempts since enqueue or the last replay, this one included (indexes the retry schedule). */
  readonly roundAttempt: number;
  readonly url: string;
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
}

/** Time a claim is held beyond the endpoint's timeout before another dispatcher may take it (a crashed one's). */
export const LEASE_MARGIN_MS = 30_000;

/**
 * Claims up to `limit` due deliveries (FOR UPDATE SKIP LOCKED, so dispatchers in several replicas never take
 * the same row): pending ones whose time has come, and ones whose dispatcher's lease ran out (it crashed
 * mid-delivery: the same webhook-id is sent again, as at-least-once delivery allows).
 */
export async function claimDeliveries(pool: pg.Pool, limit: number, now: Date): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const { rows } = await pool.query<{ id: string; event_id: string; body: string; attempts: number; round_attempts: number; url: string; secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null; timeout_ms: number }>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.disabled_at IS NULL
        WHERE ((d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'delivering' AND d.locked_until <= $1))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                           WHERE e.subscription_id = d.subscription_id AND e.aggregate_id = d.aggregate_id
                             AND e.seq < d.seq AND e.status IN ('pending', 'delivering'))
        ORDER BY d.seq
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d
        SET status = 'delivering', attempts = d.attempts + 1, round_attempts = d.round_attempts + 1,
            locked_until = $1::timestamptz + make_interval(secs => (s.timeout_ms + $3) / 1000.0)
       FROM due, webhook_subscriptions s
      WHERE d.id = due.id AND s.id = d.subscription_id
     RETURNING d.id, d.event_id, d.body, d.attempts, d.round_attempts, s.url, s.secret, s.previous_secret, s.previous_secret_expires_at, s.timeout_ms`,
    [now, limit, LEASE_MARGIN_MS],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    body: r.body,
    attempt: r.attempts,
    roundAttempt: r.round_attempts,
    url: r.url,
    secrets: r.previous_secret && r.previous_secret_expires_at && r.previous_secret_expires_at > now ? [r.secret, r.previous_secret] : [r.secret],
    timeoutMs: r.timeout_ms,
  }));
}

export interface AttemptOutcome {
  readonly startedAt: Date;
  readonly latencyMs: number;
  readonly statusCode?: number;
  readonly error?: string;
  /** delivered, or pending again at `nextAttemptAt`, or dead-lettered. */
  readonly result: { kind: 'delivered' } | { kind: 'retry'; at: Date } | { kind: 'dead' };
}

/**
 * Records one attempt and the delivery's new state in one statement. Only the claim that made the attempt
 * may record it (same attempt number, still delivering): a dispatcher whose lease ran out and whose row was
 * claimed again writes nothing over the newer attempt. A delivery cancelled while this attempt was in flight
 * (its subscription disabled) still logs the attempt; it becomes `delivered` if the endpoint took it, else stays
 * cancelled (no retry, no dead letter).
 */
export async function recordAttempt(pool: pg.Pool, claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
  return (await recordAttemptStatus(pool, claim, outcome)) !== undefined;
}

/** As recordAttempt, answering the delivery's status after it (undefined when the attempt was not recorded). */
export async function recordAttemptStatus(pool: pg.Pool, claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<DeliveryStatus | undefined> {
  const { result } = outcome;
  const { rows } = await pool.query<{ status: DeliveryStatus }>(
    `WITH updated AS (
       UPDATE webhook_deliveries
          SET status = CASE WHEN status = 'cancelled' AND $3::text <> 'delivered' THEN 'cancelled' ELSE $3::text END,
              locked_until = NULL, last_status_code = $4, last_error = $5,
              next_attempt_at = CASE WHEN status = 'cancelled' THEN NULL ELSE $6::timestamptz END,
              delivered_at = CASE WHEN $3 = 'delivered' THEN $7::timestamptz END,
              dead_at = CASE WHEN $3 = 'dead' AND status <> 'cancelled' THEN $7::timestamptz END
        WHERE id = $1 AND attempts = $2 AND (status = 'delivering' OR (status = 'cancelled' AND locked_until IS NOT NULL))
       RETURNING id, status),
     logged AS (
       INSERT INTO webhook_attempts (id, delivery_id, attempt, started_at, latency_ms, status_code, error)
       SELECT gen_random_uuid(), id, $2, $8, $9, $4, $5 FROM updated)
     SELECT status FROM updated`,
    [
      claim.id, claim.attempt, result.kind === 'retry' ? 'pending' : result.kind, outcome.statusCode ?? null, outcome.error ?? null,
      result.kind === 'retry' ? result.at : null, new Date(outcome.startedAt.getTime() + outcome.latencyMs), outcome.startedAt, outcome.latencyMs,
    ],
  );
  return rows[0]?.status;
}
