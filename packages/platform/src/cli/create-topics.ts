import { allTopics } from '@lendstack/contracts';
import { createKafka, ensureTopics } from '../kafka.js';
import { createLogger } from '../logger.js';

// Creates Lendstack's Kafka topics with their declared partition counts (auto-create is off).
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka({ brokers, clientId: 'lendstack-topics', logger: createLogger({ service: 'topics', level: 'warn' }) });
const created = await ensureTopics(kafka, allTopics);
for (const t of allTopics) {
  console.log(`${created.includes(t.name) ? 'created ' : 'exists  '} ${t.name} (${t.partitions} partitions)`);
}
