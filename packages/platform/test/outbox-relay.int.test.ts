import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createProducer, ensureTopics } from '../src/kafka.js';
import { createLogger } from '../src/logger.js';
import { startOutboxRelay } from '../src/outbox-relay.js';

// The relay against the real LOS outbox table (the test database infra/test.sh migrated) and real Kafka.
// infra/test.sh names the infrastructure; this package sits below @lendstack/testing, so it reads it directly.
const infra = { losDatabaseUrl: process.env.LOS_DATABASE_URL ?? '', kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') };
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
let pool: pg.Pool;
const topic = `relay-test-${randomUUID()}`;
const logger = createLogger({ service: 'relay-test', level: 'silent' });

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: infra.losDatabaseUrl, max: 4 });
  await ensureTopics(createKafka({ brokers: infra.kafkaBrokers, clientId: 'relay-test', logger }), [{ name: `${prefix}${topic}`, partitions: 3, retentionMs: 3_600_000, description: 'relay test' }]);
});

afterAll(async () => {
  await pool?.end();
});

async function insertRows(count: number, key: string): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const [i, id] of ids.entries()) {
    await pool.query('INSERT INTO outbox (id, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5)', [id, topic, key, JSON.stringify({ n: i }), JSON.stringify({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` })]);
  }
  return ids;
}

async function readAll(expected: number): Promise<{ key: string; n: number; eventId: string }[]> {
  const kafka = new Kafka({ clientId: 'relay-test-reader', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `relay-test-${randomUUID()}` });
  const seen: { key: string; n: number; eventId: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}${topic}`, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen.push({ key: String(message.key), n: (JSON.parse(String(message.value)) as { n: number }).n, eventId: String(message.headers?.['x-event-id']) }); } });
  try {
    for (let waited = 0; seen.length < expected; waited += 100) {
      if (waited > 30_000) throw new Error(`only ${seen.length} of ${expected} messages arrived`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe('outbox relay', () => {
  it('publishes rows in insertion order per key, marks them sent, and a second relay waits its turn', async () => {
    const key = randomUUID();
    const ids = await insertRows(25, key);
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'relay-test', logger });
    const [p1, p2] = await Promise.all([createProducer(kafka), createProducer(kafka)]);
    const lockId = Math.floor(Math.random() * 1_000_000) + 1_000_000;
    const relays = [startOutboxRelay({ pool, producer: p1, logger, lockId, batchSize: 10, idleMs: 20, topicPrefix: prefix }), startOutboxRelay({ pool, producer: p2, logger, lockId, batchSize: 10, idleMs: 20, topicPrefix: prefix })];
    try {
      const messages = await readAll(25);
      expect(messages.map((m) => m.n)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect(new Set(messages.map((m) => m.eventId))).toEqual(new Set(ids));
      const unsent = await pool.query('SELECT count(*) FROM outbox WHERE id = ANY($1) AND sent_at IS NULL', [ids]);
      expect(Number(unsent.rows[0].count)).toBe(0);
      // Only the leader published (other tests' unsent rows may have gone out with ours); the other waited.
      const counts = relays.map((r) => r.published());
      expect(Math.min(...counts)).toBe(0);
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(25);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await Promise.all([p1.disconnect(), p2.disconnect()]);
    }
  });
});
