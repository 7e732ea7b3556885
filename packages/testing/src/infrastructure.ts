/**
 * Where the tests' real infrastructure is. Already-running services named by environment variables
 * come first (infra/test.sh starts them on machines without Docker); otherwise, where a Docker engine
 * is reachable, Testcontainers starts the same images docker-compose.yml uses.
 */
export interface Infrastructure {
  readonly losDatabaseUrl: string;
  readonly lmsDatabaseUrl: string;
  readonly kafkaBrokers: string[];
  readonly temporalAddress: string;
  /** Path of Temporal's time-skipping test server, when one is installed locally. */
  readonly temporalTestServerPath: string | undefined;
  stop(): Promise<void>;
}

export async function infrastructure(env: NodeJS.ProcessEnv = process.env): Promise<Infrastructure> {
  const { LOS_DATABASE_URL, LMS_DATABASE_URL, KAFKA_BROKERS, TEMPORAL_ADDRESS } = env;
  if (LOS_DATABASE_URL && LMS_DATABASE_URL && KAFKA_BROKERS && TEMPORAL_ADDRESS) {
    return {
      losDatabaseUrl: LOS_DATABASE_URL,
      lmsDatabaseUrl: LMS_DATABASE_URL,
      kafkaBrokers: KAFKA_BROKERS.split(','),
      temporalAddress: TEMPORAL_ADDRESS,
      temporalTestServerPath: env.TEMPORAL_TEST_SERVER_PATH,
      stop: async () => undefined,
    };
  }
  return startContainers();
}

/** Testcontainers path, for machines with Docker. Images and ports match docker-compose.yml. */
async function startContainers(): Promise<Infrastructure> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch {
    throw new Error('No infrastructure: set LOS_DATABASE_URL, LMS_DATABASE_URL, KAFKA_BROKERS and TEMPORAL_ADDRESS (bash infra/test.sh does), or install testcontainers and run Docker.');
  }
  const postgres = await new tc.GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_USER: 'lendstack', POSTGRES_PASSWORD: 'lendstack', POSTGRES_DB: 'lendstack_los' })
    .withExposedPorts(5432)
    .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  await postgres.exec(['psql', '-U', 'lendstack', '-d', 'lendstack_los', '-c', 'CREATE DATABASE lendstack_lms']);
  const kafka = await new tc.GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: 9092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
    .start();
  const temporal = await new tc.GenericContainer('temporalio/temporal:1.9.1')
    .withCommand(['server', 'start-dev', '--ip', '0.0.0.0'])
    .withExposedPorts(7233)
    .withWaitStrategy(tc.Wait.forListeningPorts())
    .start();
  const pgBase = `postgresql://lendstack:lendstack@${postgres.getHost()}:${postgres.getMappedPort(5432)}`;
  return {
    losDatabaseUrl: `${pgBase}/lendstack_los`,
    lmsDatabaseUrl: `${pgBase}/lendstack_lms`,
    kafkaBrokers: ['127.0.0.1:19092'],
    temporalAddress: `${temporal.getHost()}:${temporal.getMappedPort(7233)}`,
    temporalTestServerPath: undefined,
    async stop() {
      await Promise.all([temporal.stop(), kafka.stop(), postgres.stop()]);
    },
  };
}
