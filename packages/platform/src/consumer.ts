import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterHeaders } from '@lendstack/contracts';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export type Parsed<E> = { ok: true; event: E } | { ok: false; reason: string };

export interface Delivered<E> {
  readonly event: E;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Record<string, string>;
}

export interface Rejection<E> {
  readonly delivered: Delivered<E>;
  readonly reason: string;
  /** A machine-readable kind of refusal, passed on to `onDeadLetter` (default 'refused'). */
  readonly code?: string;
}

/** A message about to go to the dead-letter topic, as `onDeadLetter` sees it. */
export interface DeadLettered {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly reason: string;
  /** 'invalid-event' when the message failed `parse`; otherwise the handler's rejection code. */
  readonly code: string;
}

export interface EventConsumerOptions<E> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Used to dead-letter; the service's own producer. */
  readonly producer: Producer;
  readonly logger: Logger;
  readonly parse: (value: Buffer | null) => Parsed<E>;
  /**
   * Applies a chunk of valid events, idempotently (an inbox keyed by event id), in as few transactions
   * as it likes. Returns the events it refused for business reasons; they are dead-lettered. Throwing
   * means "could not apply now" (database down): nothing is acknowledged and Kafka redelivers.
   */
  readonly handle: (events: Delivered<E>[]) => Promise<Rejection<E>[]>;
  /**
   * Tells a failure that retrying cannot fix (a constraint the data breaks) from one it can (the
   * database is down). When `handle` throws on a chunk, each event is retried alone; an event that
   * fails alone with a permanent error is dead-lettered instead of blocking its partition forever.
   */
  readonly isPermanent?: (error: unknown) => boolean;
  /** Upper bound on events handed to `handle` at once. */
  readonly maxChunk?: number;
  /** Prepended to both topic names: environments sharing one Kafka cluster keep apart (KAFKA_TOPIC_PREFIX). */
  readonly topicPrefix?: string;
  readonly metrics?: Metrics;
  /** Where a consumer group with no committed offset starts: the topic's beginning (default) or its end. */
  readonly fromBeginning?: boolean;
  /**
   * Told of every message before it is dead-lettered, so the service can tell someone (an event on
   * its outbox). Throwing means "not now": nothing is acknowledged and Kafka redelivers, so it must
   * be idempotent per message.
   */
  readonly onDeadLetter?: (messages: DeadLettered[]) => Promise<void>;
  /** Bound on waiting for the first partition assignment before startEventConsumer returns. */
  readonly joinTimeoutMs?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

/**
 * Consumes a topic with at-least-once delivery: offsets are committed only after `handle` returned, so
 * a crash redelivers and the handler's inbox turns redelivery into exactly-once effect. A message that
 * fails validation goes to the dead-letter topic with the reason in its headers and consumption goes on.
 */
export async function startEventConsumer<E>(unprefixed: EventConsumerOptions<E>): Promise<RunningConsumer> {
  const prefix = unprefixed.topicPrefix ?? '';
  const options = { ...unprefixed, topic: `${prefix}${unprefixed.topic}`, deadLetterTopic: `${prefix}${unprefixed.deadLetterTopic}` };
  const maxChunk = options.maxChunk ?? 500;
  const log = options.logger.child({ component: 'consumer', topic: options.topic });
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: 4 * 1024 * 1024,
    // How long an idle fetch waits on the broker (kafkajs: 5 s). A fetch answers as soon as a message is there,
    // so this costs no latency; it bounds how long stop() waits for the fetch in flight (an idle drain).
    maxWaitTimeInMs: 1_000,
  });
  // Resolve only once the group has assigned partitions, so "started" means "receiving".
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumer group ${options.groupId} did not join within ${options.joinTimeoutMs ?? 60_000} ms`)), options.joinTimeoutMs ?? 60_000);
    consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (options.fromBeginning === false) await pinNewGroupToEnd(options.kafka, options.groupId, options.topic);
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommitInterval: 1_000,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (let start = 0; start < batch.messages.length; start += maxChunk) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + maxChunk);
        const valid: Delivered<E>[] = [];
        const rejected: { message: KafkaMessage; reason: string; code: string }[] = [];
        for (const message of chunk) {
          const parsed = options.parse(message.value);
          if (parsed.ok) {
            valid.push({ event: parsed.event, topic: batch.topic, partition: batch.partition, offset: message.offset, headers: headersOf(message) });
          } else {
            rejected.push({ message, reason: parsed.reason, code: 'invalid-event' });
          }
        }
        const refused = valid.length > 0 ? await handleIsolatingPoison(options, valid) : [];
        for (const r of refused) {
          const message = chunk.find((m) => m.offset === r.delivered.offset);
          if (message) rejected.push({ message, reason: r.reason, code: r.code ?? 'refused' });
        }
        options.metrics?.eventsConsumed.inc({ topic: batch.topic, outcome: 'handled' }, chunk.length - rejected.length);
        if (rejected.length > 0) {
          options.metrics?.eventsConsumed.inc({ topic: batch.topic, outcome: 'dead-lettered' }, rejected.length);
          await options.onDeadLetter?.(rejected.map(({ message, reason, code }) => ({ topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key ?? null, value: message.value, reason, code })));
          await deadLetter(options, batch.topic, batch.partition, rejected);
          log.warn({ count: rejected.length, reasons: rejected.map((r) => r.reason).slice(0, 3) }, 'dead-lettered messages');
        }
        resolveOffset(chunk[chunk.length - 1]!.offset);
        await heartbeat();
        await commitOffsetsIfNecessary();
      }
    },
  });
  await joined;
  return { stop: () => consumer.disconnect() };
}

/**
 * "Start at the end" must mean the end when the group is first created, not wherever the end is after
 * each restart: a partition with no committed offset would otherwise skip what arrived while the
 * group was down. So a new group gets the current end offsets committed for every partition.
 */
async function pinNewGroupToEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (!committed || committed.partitions.some((p) => p.offset !== '-1')) return;
    // Real offsets, not the "latest" sentinel: that would be re-resolved at the next restart.
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  } finally {
    await admin.disconnect();
  }
}

async function handleIsolatingPoison<E>(options: EventConsumerOptions<E>, events: Delivered<E>[]): Promise<Rejection<E>[]> {
  try {
    return await options.handle(events);
  } catch (error) {
    if (!options.isPermanent) throw error;
    if (events.length === 1) {
      if (options.isPermanent(error)) return [{ delivered: events[0]!, reason: `could not be applied: ${(error as Error).message}`.slice(0, 1_000) }];
      throw error;
    }
    const refused: Rejection<E>[] = [];
    for (const event of events) refused.push(...(await handleIsolatingPoison(options, [event])));
    return refused;
  }
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

async function deadLetter<E>(
  options: EventConsumerOptions<E>,
  topic: string,
  partition: number,
  rejected: { message: KafkaMessage; reason: string }[],
): Promise<void> {
  const failedAt = new Date().toISOString();
  await options.producer.send({
    topic: options.deadLetterTopic,
    acks: -1,
    messages: rejected.map(({ message, reason }) => ({
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [deadLetterHeaders.reason]: reason.slice(0, 1_000),
        [deadLetterHeaders.sourceTopic]: topic,
        [deadLetterHeaders.sourcePartition]: String(partition),
        [deadLetterHeaders.sourceOffset]: message.offset,
        [deadLetterHeaders.failedAt]: failedAt,
      },
    })),
  });
}

/** Postgres classes 22 (data exception) and 23 (integrity constraint): the same event will fail again. */
export function violatesDataRules(error: unknown): boolean {
  const text = String((error as { code?: string; message?: string }).message ?? '');
  const code = (error as { code?: string; meta?: { code?: string } }).meta?.code ?? (error as { code?: string }).code ?? '';
  return /^(22|23)\d{3}$/.test(code) || /\b(22|23)\d{3}\b/.test(text) || /violates (check|foreign key|unique|not-null) constraint/.test(text);
}
