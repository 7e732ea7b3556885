import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { z } from 'zod';
import { envelopeHeaderSchema } from '@lendstack/contracts';
import { startEventConsumer, type Parsed, type RunningConsumer } from '../consumer.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { enqueueDeliveries, type EnqueuedEvent } from './deliveries.js';

const envelopeSchema = envelopeHeaderSchema.extend({ occurredAt: z.string().min(1), payload: z.unknown() });

/**
 * The body every delivery carries, in the Standard Webhooks payload shape (`type`, `timestamp`, `data`) plus the
 * envelope's id, version and subject, so a receiver needs nothing else to route and deduplicate.
 */
export function webhookBody(envelope: z.infer<typeof envelopeSchema>): string {
  const { id, type, version, subject, tenantId, occurredAt, payload } = envelope;
  return JSON.stringify({ id, type, version, subject, tenantId, timestamp: occurredAt, data: payload });
}

/** Any Lendstack envelope (the service validated its payload when it wrote the event). */
export function parseEnvelopeForWebhooks(value: Buffer | null): Parsed<EnqueuedEvent> {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(value?.toString() ?? ''));
    if (!parsed.success) return { ok: false, reason: 'not a Lendstack event envelope' };
    return { ok: true, event: { id: parsed.data.id, type: parsed.data.type, subject: parsed.data.subject, tenantId: parsed.data.tenantId, body: webhookBody(parsed.data) } };
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
}

export interface WebhookEnqueuerOptions {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /**
   * The service's own group prefix: topic `a.b.c` is read by group `<groupId>.c`, so these offsets are apart
   * from every other reader's (and each topic has its own group: kafkajs assigns a group's partitions as if
   * every member read every topic).
   */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
  readonly topicPrefix?: string;
  readonly fromBeginning?: boolean;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
  /** Told after new deliveries were written (the dispatcher's wake). */
  readonly onEnqueued?: () => void;
}

/**
 * Exactly-once enqueue over at-least-once consumption: each chunk of events becomes delivery rows in one
 * statement, unique per (subscription, event id), and offsets are committed only after it; a redelivered event
 * writes nothing. One consumer (and group) per topic.
 */
export async function startWebhookEnqueuer(options: WebhookEnqueuerOptions): Promise<RunningConsumer> {
  const now = options.now ?? (() => new Date());
  const started: RunningConsumer[] = [];
  try {
    for (const topic of options.topics) {
      started.push(await startEventConsumer<EnqueuedEvent>({
        kafka: options.kafka, producer: options.producer, logger: options.logger, groupId: `${options.groupId}.${topic.split('.').pop()}`, topic, deadLetterTopic: options.deadLetterTopic,
        ...(options.topicPrefix !== undefined ? { topicPrefix: options.topicPrefix } : {}), ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
        ...(options.metrics ? { metrics: options.metrics } : {}),
        parse: parseEnvelopeForWebhooks,
        handle: async (delivered) => {
          const written = await enqueueDeliveries(options.pool, delivered.map((d) => d.event), now());
          if (written > 0) options.onEnqueued?.();
          return [];
        },
      }));
    }
  } catch (error) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw error;
  }
  return { stop: async () => void (await Promise.all(started.map((c) => c.stop()))) };
}
