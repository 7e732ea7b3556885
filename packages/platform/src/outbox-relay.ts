import type { Producer, Message } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Publishes rows of a service's `outbox` table to Kafka, in insertion order, and marks them sent.
 *
 * Invariants:
 * - A row is marked sent only after Kafka acknowledged it (acks=all), so a crash loses nothing; at
 *   worst a row is published twice and consumers' inboxes absorb the duplicate.
 * - One relay per database publishes at a time (a session advisory lock), so rows keep their order
 *   even with several service replicas. The others stand by and take over if the leader dies.
 */
export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  readonly producer: Producer;
  readonly logger: Logger;
  readonly lockId: number;
  readonly batchSize?: number;
  readonly idleMs?: number;
  readonly maxBackoffMs?: number;
  /** Sent rows are kept this long (for audit and replay), then deleted in small batches. */
  readonly retainSentMs?: number;
  /** Prepended to each row's topic: environments sharing one Kafka cluster keep apart (KAFKA_TOPIC_PREFIX). */
  readonly topicPrefix?: string;
  readonly metrics?: Metrics;
}

export interface OutboxRelay {
  /** Ask the relay to look now rather than at its next poll (called after a commit). */
  wake(): void;
  stop(): Promise<void>;
  /** Rows published since start, for metrics and tests. */
  published(): number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: unknown;
  headers: Record<string, string>;
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 500;
  const idleMs = options.idleMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const log = options.logger.child({ component: 'outbox-relay' });
  const retainSentMs = options.retainSentMs ?? 7 * 86_400_000;
  let running = true;
  let publishedCount = 0;
  let lastPruneAt = 0;
  let wakeUp: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let failures = 0;
    let client: pg.PoolClient | undefined;
    while (running) {
      try {
        client ??= await options.pool.connect();
        const { rows } = await client.query<{ leader: boolean }>('SELECT pg_try_advisory_lock($1) AS leader', [options.lockId]);
        if (!rows[0]?.leader) {
          await pause(1_000);
          continue;
        }
        const sent = await publishBatch(client, options.producer, batchSize, options.topicPrefix ?? '');
        publishedCount += sent;
        options.metrics?.outboxPublished.inc(sent);
        failures = 0;
        if (sent < batchSize) {
          if (Date.now() - lastPruneAt > 60_000) {
            lastPruneAt = Date.now();
            await pruneSent(client, retainSentMs);
          }
          await pause(idleMs);
        }
      } catch (error) {
        failures += 1;
        options.metrics?.outboxPublishFailures.inc();
        const backoffMs = Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 10));
        log.warn({ err: error, failures, backoffMs }, 'outbox publish failed; will retry');
        client?.release(true);
        client = undefined;
        await pause(backoffMs);
      }
    }
    if (client) {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      client.release();
    }
  };
  const done = loop();

  return {
    wake: () => wakeUp?.(),
    published: () => publishedCount,
    stop: async () => {
      running = false;
      wakeUp?.();
      await done;
    },
  };
}

/** Deletes at most 10,000 rows sent before the retention window, so a prune never holds locks for long. */
async function pruneSent(client: pg.PoolClient, retainSentMs: number): Promise<void> {
  await client.query(
    `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at < now() - make_interval(secs => $1) LIMIT 10000)`,
    [retainSentMs / 1000],
  );
}

/**
 * The headers the AsyncAPI document declares for every event: `x-event-id` (the row id, which is the
 * envelope id), and the envelope's W3C trace context as `traceparent`/`tracestate` so a consumer
 * continues the trace without parsing the value. Headers stored with the row come first; the
 * envelope's trace context fills in for writers that stored none.
 */
export function messageHeaders(row: Pick<OutboxRow, 'id' | 'value' | 'headers'>): Record<string, string> {
  const trace = (row.value as { traceContext?: { traceparent?: unknown; tracestate?: unknown } } | null)?.traceContext;
  const fromEnvelope: Record<string, string> = {};
  if (typeof trace?.traceparent === 'string') fromEnvelope.traceparent = trace.traceparent;
  if (typeof trace?.traceparent === 'string' && typeof trace.tracestate === 'string') fromEnvelope.tracestate = trace.tracestate;
  return { ...fromEnvelope, ...row.headers, 'x-event-id': row.id };
}

async function publishBatch(client: pg.PoolClient, producer: Producer, batchSize: number, topicPrefix: string): Promise<number> {
  const { rows } = await client.query<OutboxRow>(
    'SELECT id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1',
    [batchSize],
  );
  if (rows.length === 0) return 0;
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    const topic = `${topicPrefix}${row.topic}`;
    const messages = byTopic.get(topic) ?? [];
    messages.push({ key: row.key, value: JSON.stringify(row.value), headers: messageHeaders(row) });
    byTopic.set(topic, messages);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
  await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
  return rows.length;
}
