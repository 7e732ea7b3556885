/**
 * Kafka clients on the outbox → Kafka → inbox path: kafkajs (what @lendstack/platform uses) beside
 * @platformatic/kafka, in one process, against the same broker, in alternating rounds. Plain tsx script,
 * run by infra/bench.sh (BENCH_ONLY=kafka); all traffic goes to 127.0.0.1.
 *
 * Each round and client gets a fresh topic of the LoanApproved topic's shape (its partition count and
 * min.insync.replicas as ensureTopics creates them) and:
 * - produces N LoanApproved envelopes (the contracts' sample, a distinct loan id each; key = loan id,
 *   x-event-id and traceparent headers) as the outbox relay does: batches of BENCH_KAFKA_BATCH (500),
 *   one batch in flight, idempotent producer, acks=all, one request in flight;
 * - consumes them with a new consumer group from the beginning as the inbox consumer does: every
 *   message's value parsed as JSON, offsets committed by the client after each fetched batch.
 * Figures: messages/s and the CPU this process spent per message (user + system), for each side.
 * Consume time runs from the first message to the N-th (joining the group is printed apart).
 *
 *   BENCH_KAFKA_MESSAGES (20000)  BENCH_KAFKA_BATCH (500)  BENCH_KAFKA_ROUNDS (3)  KAFKA_BROKERS (127.0.0.1:9092)
 */
import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1, topics as topicSpecs } from '@lendstack/contracts';
import { Admin, Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { intEnv } from './lib/env.js';
import { fmt, textTable, type Row } from './lib/report.js';

const config = {
  messages: intEnv('BENCH_KAFKA_MESSAGES', 20_000, 100, 1_000_000),
  batch: intEnv('BENCH_KAFKA_BATCH', 500, 1, 10_000),
  rounds: intEnv('BENCH_KAFKA_ROUNDS', 3, 1, 10),
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  runId: process.env.BENCH_RUN_ID ?? randomUUID().slice(0, 8),
};
for (const broker of config.brokers) {
  if (!/^(127\.0\.0\.1|localhost):\d+$/.test(broker)) throw new Error(`the Kafka clients bench only runs against a local broker (got ${broker})`);
}
const spec = topicSpecs.loanApproved;
const t0 = Date.now();
const log = (line: string) => console.log(`[kafka-bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);

interface Msg { key: string; value: string; headers: Record<string, string> }

/** The relay's messages: a LoanApproved envelope per loan, its id and trace context as headers. */
function outboxMessages(n: number): Msg[] {
  const base = sampleLoanApprovedV1();
  return Array.from({ length: n }, () => {
    const id = randomUUID();
    const loanId = randomUUID();
    const traceparent = `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
    const event = { ...base, id, subject: loanId, correlationId: randomUUID(), traceContext: { traceparent } };
    return { key: loanId, value: JSON.stringify(event), headers: { traceparent, 'x-event-id': id } };
  });
}

interface Side { ms: number; cpuMs: number }
interface Measured { produce: Side; consume: Side; joinMs: number }

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function timed<T>(work: () => Promise<T>): Promise<Side & { value: T }> {
  const cpu = cpuNow();
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started, cpuMs: cpuNow() - cpu };
}

const kafkajs = new Kafka({ clientId: `kafka-bench-${config.runId}`, brokers: config.brokers, logLevel: logLevel.ERROR, retry: { retries: 5 } });

async function createTopic(topic: string): Promise<void> {
  const admin = kafkajs.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: spec.partitions, replicationFactor: 1, configEntries: [{ name: 'min.insync.replicas', value: '1' }] }] });
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopics(names: string[]): Promise<void> {
  const admin = kafkajs.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: names });
  } catch {
    // best effort
  } finally {
    await admin.disconnect();
  }
}

/** kafkajs as packages/platform configures it (createProducer, startEventConsumer). */
async function runKafkajs(topic: string, messages: Msg[]): Promise<Measured> {
  const producer = kafkajs.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const produce = await timed(async () => {
    for (let i = 0; i < messages.length; i += config.batch) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(i, i + config.batch) }] });
    }
  });
  await producer.disconnect();

  const consumer = kafkajs.consumer({ groupId: `kafka-bench-${topic}`, allowAutoTopicCreation: false, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 1_000 });
  const joinStarted = performance.now();
  let received = 0;
  let firstAt = 0;
  let cpuAtFirst = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => { done = resolve; });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommitInterval: 1_000,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      if (received === 0) { firstAt = performance.now(); cpuAtFirst = cpuNow(); }
      for (const m of batch.messages) JSON.parse(m.value!.toString());
      received += batch.messages.length;
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
      await commitOffsetsIfNecessary();
      if (received >= messages.length) done();
    },
  });
  await all;
  const consume = { ms: performance.now() - firstAt, cpuMs: cpuNow() - cpuAtFirst };
  await consumer.disconnect();
  return { produce: { ms: produce.ms, cpuMs: produce.cpuMs }, consume, joinMs: firstAt - joinStarted };
}

/** @platformatic/kafka with the same settings: idempotent, acks=all, one request in flight; group consumer, commits per fetch. */
async function runPlatformatic(topic: string, messages: Msg[]): Promise<Measured> {
  const producer = new PlatformaticProducer({ clientId: `kafka-bench-${config.runId}`, bootstrapBrokers: config.brokers, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL, maxInflights: 1, autocreateTopics: false, retries: 5 });
  const produce = await timed(async () => {
    for (let i = 0; i < messages.length; i += config.batch) {
      await producer.send({ messages: messages.slice(i, i + config.batch).map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers })) });
    }
  });
  await producer.close();

  const consumer = new PlatformaticConsumer({ clientId: `kafka-bench-${config.runId}`, groupId: `kafka-bench-${topic}`, bootstrapBrokers: config.brokers, deserializers: stringDeserializers, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTime: 1_000 });
  const joinStarted = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: 1_000 });
  let received = 0;
  let firstAt = 0;
  let cpuAtFirst = 0;
  for await (const m of stream) {
    if (received === 0) { firstAt = performance.now(); cpuAtFirst = cpuNow(); }
    JSON.parse(m.value as string);
    received += 1;
    if (received >= messages.length) break;
  }
  const consume = { ms: performance.now() - firstAt, cpuMs: cpuNow() - cpuAtFirst };
  await stream.close();
  await consumer.close(true);
  return { produce: { ms: produce.ms, cpuMs: produce.cpuMs }, consume, joinMs: firstAt - joinStarted };
}

const clients = { kafkajs: runKafkajs, '@platformatic/kafka': runPlatformatic } as const;
type ClientName = keyof typeof clients;

async function main() {
  // Fail early if the second client cannot even load or reach the broker.
  const probe = new Admin({ clientId: 'kafka-bench-probe', bootstrapBrokers: config.brokers });
  await probe.metadata({ topics: [] });
  await probe.close();
  log(`run ${config.runId}: ${fmt(config.messages)} messages per client per round, batches of ${config.batch}, ${config.rounds} round(s), topic shape of ${spec.name} (${spec.partitions} partitions), Node ${process.version}`);
  const messages = outboxMessages(config.messages);
  log(`message value ${fmt(Buffer.byteLength(messages[0]!.value))} bytes (a LoanApproved envelope)`);
  const results = new Map<ClientName, Measured[]>();
  const created: string[] = [];
  for (let round = 1; round <= config.rounds; round += 1) {
    // Alternate which client goes first, so neither always runs on the warmer broker.
    const order = (Object.keys(clients) as ClientName[]);
    if (round % 2 === 0) order.reverse();
    for (const name of order) {
      const topic = `kafka-bench.${config.runId}.${name.replace(/[^a-z0-9]/g, '')}.${round}`;
      await createTopic(topic);
      created.push(topic);
      const m = await clients[name](topic, messages);
      results.set(name, [...(results.get(name) ?? []), m]);
      log(`round ${round} ${name}: produce ${fmt(config.messages / (m.produce.ms / 1000))} msg/s (${fmt((1000 * m.produce.cpuMs) / config.messages, 1)} µs CPU/msg), consume ${fmt(config.messages / (m.consume.ms / 1000))} msg/s (${fmt((1000 * m.consume.cpuMs) / config.messages, 1)} µs CPU/msg), group join ${fmt(m.joinMs)} ms`);
    }
  }
  await deleteTopics(created);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = results.get('kafkajs')!;
  const rows: Row[] = [];
  for (const [name, ms] of results) {
    const rate = (side: 'produce' | 'consume', of: Measured[]) => median(of.map((m) => config.messages / (m[side].ms / 1000)));
    const cpu = (side: 'produce' | 'consume', of: Measured[]) => median(of.map((m) => (1000 * m[side].cpuMs) / config.messages));
    rows.push([
      name,
      fmt(rate('produce', ms)), fmt(cpu('produce', ms), 1), fmt(rate('produce', ms) / rate('produce', base), 2),
      fmt(rate('consume', ms)), fmt(cpu('consume', ms), 1), fmt(rate('consume', ms) / rate('consume', base), 2),
      fmt(median(ms.map((m) => m.joinMs))),
    ]);
  }
  console.log(`\nmedian of ${config.rounds} round(s), ${fmt(config.messages)} messages each, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(textTable(['client', 'produce msg/s', 'µs CPU/msg', '× kafkajs', 'consume msg/s', 'µs CPU/msg', '× kafkajs', 'group join ms'], rows));
}

await main();
