import { DEV_AUTH_TOKEN_SECRET, parseEnv } from '@lendstack/platform';
import { z } from 'zod';

/** Everything the LOS reads from its environment, parsed once at boot. */
const envSchema = z.object({
  // Where partners and operators reach the API.
  LOS_HOST: z.string().default('127.0.0.1'),
  LOS_PORT: z.coerce.number().int().min(1).max(65_535).default(3001),
  // The LOS's own database; no other service reads it.
  LOS_DATABASE_URL: z.string().url().default('postgresql://lendstack:lendstack@127.0.0.1:5432/lendstack_los'),
  // Bound on connections this instance holds, so replicas can share one Postgres.
  LOS_DB_POOL_MAX: z.coerce.number().int().min(2).max(100).default(10),
  // Brokers the outbox relay publishes LoanApproved to.
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((s) => s.split(',').map((b) => b.trim())),
  // Prefix of every topic name, so environments sharing one Kafka cluster never read each other's events.
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-z0-9.-]*$/).default(''),
  // The LOS's consumer group on the LMS's lifecycle topic (LoanBookingRejected); one per deployment.
  LOS_CONSUMER_GROUP: z.string().min(1).default('lendstack-los'),
  // Where a new consumer group starts: the topic's beginning (nothing missed) or its end.
  LOS_CONSUMER_FROM_BEGINNING: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  // Verifies partners' and operators' bearer tokens (HS256); one secret per deployment.
  AUTH_TOKEN_SECRET: z.string().min(32).default(DEV_AUTH_TOKEN_SECRET),
  // Pepper for tokenising national ids and account numbers before they are stored or sent.
  PII_TOKEN_SECRET: z.string().min(32).default('lendstack-local-pii-tokenisation-secret-change-me'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Where spans go: nowhere (ids still propagate) or stdout.
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console']).default('none'),
});

export type LosConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LosConfig {
  return parseEnv('LOS', envSchema, env);
}
