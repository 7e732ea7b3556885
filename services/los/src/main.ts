import { randomUUID } from 'node:crypto';
import {
  createKafka,
  createLogger,
  createProducer,
  initTelemetry,
  kafkaReachable,
  startOutboxRelay,
} from '@lendstack/platform';
import pg from 'pg';
import { loadConfig } from './config.js';
import { buildServer } from './http/server.js';
import { createHmacPiiVault } from './modules/applications/adapters/hmac-pii.vault.js';
import { createPrismaApplicationStore } from './modules/applications/adapters/prisma-application.store.js';
import { createPrisma } from './platform/prisma.js';

/** Composition root: config → adapters → HTTP + outbox relay. Nothing else wires. */
const OUTBOX_LOCK_ID = 41_001;

const config = loadConfig();
const telemetry = initTelemetry({ serviceName: 'lendstack-los', exporter: config.OTEL_TRACES_EXPORTER });
const logger = createLogger({ service: 'lendstack-los', level: config.LOG_LEVEL });
const pool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: config.LOS_DB_POOL_MAX });
const prisma = createPrisma(pool);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'lendstack-los', logger });

// The relay's producer connects in the background: the LOS approves loans with Kafka down and the
// relay publishes once it is back.
const relayPool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: 2 });
let relay: ReturnType<typeof startOutboxRelay> | undefined;
const connectRelay = async (): Promise<void> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const producer = await createProducer(kafka);
      relay = startOutboxRelay({ pool: relayPool, producer, logger, lockId: OUTBOX_LOCK_ID });
      return;
    } catch (error) {
      logger.warn({ err: error, attempt }, 'kafka producer not connected yet; outbox keeps events until it is');
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
    }
  }
};
void connectRelay();

const app = await buildServer({
  logger,
  applications: {
    store: createPrismaApplicationStore(prisma),
    vault: createHmacPiiVault(config.PII_TOKEN_SECRET),
    newId: randomUUID,
    now: () => new Date(),
    notifyOutbox: () => relay?.wake(),
    authSecret: config.AUTH_TOKEN_SECRET,
  },
  readiness: {
    database: async () => (await pool.query('SELECT 1')).rowCount === 1,
    kafka: () => kafkaReachable(kafka, 2_000),
  },
});

await app.listen({ host: config.LOS_HOST, port: config.LOS_PORT });
logger.info({ url: `http://${config.LOS_HOST}:${config.LOS_PORT}` }, 'los listening');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await app.close();
  await relay?.stop();
  await prisma.$disconnect();
  await Promise.all([pool.end(), relayPool.end()]);
  await telemetry.shutdown();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
