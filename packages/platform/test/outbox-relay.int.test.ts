import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

async function readAll(expected: number): Promise<{ key: string; n: number; eventId: string; headers: Record<string, string> }[]> {
  const kafka = new Kafka({ clientId: 'relay-test-reader', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `relay-test-${randomUUID()}` });
  const seen: { key: string; n: number; eventId: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}${topic}`, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      seen.push({ key: String(message.key), n: (JSON.parse(String(message.value)) as { n: number }).n, eventId: String(message.headers?.['x-event-id']), headers });
    },
  });
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

  it('sends the headers the AsyncAPI document declares: x-event-id always, the envelope trace context as traceparent/tracestate', async () => {
    type HeadersDoc = { properties: Record<string, { pattern?: string }>; required: string[] };
    const asyncapi = parse(readFileSync(new URL('../../contracts/asyncapi.yaml', import.meta.url), 'utf8')) as {
      components: { messages: Record<string, { name: string; headers?: { $ref: string } }>; schemas: Record<string, HeadersDoc> };
    };
    const refs = Object.values(asyncapi.components.messages).filter((m) => m.name !== 'DeadLetter').map((m) => m.headers?.$ref);
    expect(refs.length).toBeGreaterThan(5);
    expect(new Set(refs)).toEqual(new Set(['#/components/schemas/EventHeaders']));
    const headersDoc = asyncapi.components.schemas.EventHeaders!;

    const key = randomUUID();
    const traceparent = `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`;
    const rows = [
      { id: randomUUID(), value: { n: 0, traceContext: { traceparent, tracestate: 'lendstack=1' } }, headers: {} },
      { id: randomUUID(), value: { n: 1 }, headers: {} },
      { id: randomUUID(), value: { n: 2, traceContext: { traceparent } }, headers: { traceparent } },
    ];
    for (const row of rows) await pool.query('INSERT INTO outbox (id, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5)', [row.id, topic, key, JSON.stringify(row.value), JSON.stringify(row.headers)]);
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'relay-test', logger });
    const producer = await createProducer(kafka);
    const relay = startOutboxRelay({ pool, producer, logger, lockId: Math.floor(Math.random() * 1_000_000) + 2_000_000, batchSize: 10, idleMs: 20, topicPrefix: prefix });
    try {
      const ours = (await readAll(25 + rows.length)).filter((m) => m.key === key).sort((a, b) => a.n - b.n);
      expect(ours.map((m) => m.headers)).toEqual([
        { 'x-event-id': rows[0]!.id, traceparent, tracestate: 'lendstack=1' },
        { 'x-event-id': rows[1]!.id },
        { 'x-event-id': rows[2]!.id, traceparent },
      ]);
      for (const { headers } of ours) {
        expect(Object.keys(headers).filter((name) => !(name in headersDoc.properties))).toEqual([]);
        expect(headersDoc.required.filter((name) => !(name in headers))).toEqual([]);
        if (headers.traceparent) expect(headers.traceparent).toMatch(new RegExp(headersDoc.properties.traceparent!.pattern!));
      }
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  });
});
