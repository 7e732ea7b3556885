import { allTopics } from '@lendstack/contracts';
import { createKafka, ensureTopics } from '../kafka.js';
import { createLogger } from '../logger.js';

// Creates Lendstack's Kafka topics with their declared partition counts (auto-create is off).
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka({ brokers, clientId: 'lendstack-topics', logger: createLogger({ service: 'topics', level: 'warn' }) });
// An environment sharing the cluster (test runs, benchmarks) gets its own copies under a prefix.
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const specs = allTopics.map((t) => ({ ...t, name: `${prefix}${t.name}` }));
// A single local broker keeps one copy; production sets KAFKA_REPLICATION_FACTOR=3 and KAFKA_MIN_INSYNC_REPLICAS=2.
const count = (name: string) => {
  const value = Number(process.env[name] ?? '1');
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not ${process.env[name]}`);
  return value;
};
const created = await ensureTopics(kafka, specs, { replicationFactor: count('KAFKA_REPLICATION_FACTOR'), minInsyncReplicas: count('KAFKA_MIN_INSYNC_REPLICAS') });
for (const t of specs) {
  console.log(`${created.includes(t.name) ? 'created ' : 'exists  '} ${t.name} (${t.partitions} partitions)`);
}
