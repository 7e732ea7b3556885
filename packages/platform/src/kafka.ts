import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { TopicSpec } from '@lendstack/contracts';
import type { Logger } from './logger.js';

/**
 * The one place that knows the Kafka client library. Everything else speaks in terms of this module,
 * so swapping kafkajs for a compatible client touches only this file.
 */
export interface KafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly logger: Logger;
}

export function createKafka(options: KafkaOptions): Kafka {
  const log = options.logger.child({ component: 'kafka' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level <= logLevel.ERROR) log.error(rest, message);
      else log.warn(rest, message);
    },
  });
}

/**
 * An idempotent producer that waits for all in-sync replicas. One request in flight keeps one loan's
 * events in order across retries.
 */
export async function createProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** How a cluster keeps each topic: 1 and 1 on a single local broker; 3 and 2 in production (acks=all then survives one broker down). */
export interface TopicDurability {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

/**
 * Creates missing topics with their declared partition counts, replication factor and min.insync.replicas;
 * existing topics are left alone.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[], durability: TopicDurability = { replicationFactor: 1, minInsyncReplicas: 1 }): Promise<string[]> {
  if (durability.minInsyncReplicas > durability.replicationFactor) {
    throw new Error(`min.insync.replicas ${durability.minInsyncReplicas} is above the replication factor ${durability.replicationFactor}: no write could ever succeed`);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: durability.replicationFactor,
          configEntries: [
            { name: 'retention.ms', value: String(t.retentionMs) },
            { name: 'cleanup.policy', value: t.cleanupPolicy ?? 'delete' },
            { name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) },
          ],
        })),
      });
    }
    return missing.map((t) => t.name);
  } finally {
    await admin.disconnect();
  }
}

/** Checks the broker answers a metadata request; used by readiness probes (which bound its time). */
export async function kafkaReachable(kafka: Kafka): Promise<boolean> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}
