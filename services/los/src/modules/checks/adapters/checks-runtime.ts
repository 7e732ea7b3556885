import type { Logger } from '@lendstack/platform';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type pg from 'pg';
import type { PrismaClient } from '../../../platform/prisma.js';
import type { ApplicationStore } from '../../applications/ports.js';
import type { PiiReader } from '../../pii/pii-store.js';
import { createCheckActivities, type CheckActivitiesDeps } from '../activities/checks.activities.js';
import type { ChecksRepository } from '../ports.js';
import { validateRunners, type RegisteredRunner } from '../runners.js';
import { createChecksWorker } from '../worker.js';
import type { CheckRetryPolicy } from '../workflows/application-checks.workflow.js';
import { startChecksStarter, type ChecksStarter } from './checks-starter.js';

export interface ChecksRuntime {
  readonly starter: ChecksStarter;
  readonly temporal: Client;
  /** Temporal answers (readiness). */
  healthy(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The checks side of the LOS: a Temporal client and starter for checks workflows, and (unless
 * `worker: false`, e.g. a process that only serves HTTP) the worker running them with the registered
 * runners. Both LOS main.ts and the test server build it from here, so they cannot drift apart.
 */
export async function startChecksRuntime(deps: {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  policy: CheckRetryPolicy;
  pool: pg.Pool;
  prisma: PrismaClient;
  checks: ChecksRepository;
  applications: ApplicationStore;
  pii: PiiReader;
  runners: readonly RegisteredRunner[];
  logger: Logger;
  worker?: boolean;
  documentsOf: CheckActivitiesDeps['documentsOf'];
  onChecksConcluded?: CheckActivitiesDeps['onChecksConcluded'];
  starterPollMs?: number;
  /** See startChecksStarter: start only these tenants' checks. */
  starterTenantPrefix?: string;
}): Promise<ChecksRuntime> {
  validateRunners(deps.runners);
  const connection = await Connection.connect({ address: deps.temporalAddress });
  const temporal = new Client({ connection, namespace: deps.namespace });
  let worker: Worker | undefined;
  let workerConnection: NativeConnection | undefined;
  let workerRun: Promise<void> | undefined;
  try {
    if (deps.worker !== false) {
      workerConnection = await NativeConnection.connect({ address: deps.temporalAddress });
      worker = await createChecksWorker({
        connection: workerConnection,
        namespace: deps.namespace,
        taskQueue: deps.taskQueue,
        activities: createCheckActivities({
          checks: deps.checks, applications: deps.applications, pii: deps.pii, runners: deps.runners, logger: deps.logger, documentsOf: deps.documentsOf,
          ...(deps.onChecksConcluded ? { onChecksConcluded: deps.onChecksConcluded } : {}),
        }),
      });
      workerRun = worker.run();
      workerRun.catch((error: unknown) => deps.logger.error({ err: error }, 'checks worker stopped'));
    }
  } catch (error) {
    // Temporal went away between the two connections: nothing half-open is left behind for the caller's retry.
    await workerConnection?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    throw error;
  }
  const starter = startChecksStarter({ pool: deps.pool, temporal, taskQueue: deps.taskQueue, policy: deps.policy, logger: deps.logger, ...(deps.starterPollMs ? { pollMs: deps.starterPollMs } : {}), ...(deps.starterTenantPrefix ? { tenantPrefix: deps.starterTenantPrefix } : {}) });
  return {
    starter,
    temporal,
    async healthy() {
      await connection.healthService.check({});
      return true;
    },
    async stop() {
      await starter.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => undefined);
      await workerConnection?.close();
      await connection.close();
    },
  };
}
