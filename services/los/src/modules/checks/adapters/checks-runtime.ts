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
  /** Temporal answers and, in a process that runs the worker, the worker is running (readiness). */
  healthy(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Waits before a stopped checks worker is created again: 1 s, doubling, at most 30 s. */
const restartDelayMs = (attempt: number) => Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));

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
  /** Builds the worker (default createChecksWorker); a test hands in one it can stop from outside. */
  createWorker?: typeof createChecksWorker;
}): Promise<ChecksRuntime> {
  validateRunners(deps.runners);
  const connection = await Connection.connect({ address: deps.temporalAddress });
  const temporal = new Client({ connection, namespace: deps.namespace });
  let worker: Worker | undefined;
  let workerConnection: NativeConnection | undefined;
  let supervised: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  try {
    if (deps.worker !== false) {
      const native = await NativeConnection.connect({ address: deps.temporalAddress });
      workerConnection = native;
      const build = () => (deps.createWorker ?? createChecksWorker)({
        connection: native,
        namespace: deps.namespace,
        taskQueue: deps.taskQueue,
        activities: createCheckActivities({
          checks: deps.checks, applications: deps.applications, pii: deps.pii, runners: deps.runners, logger: deps.logger, documentsOf: deps.documentsOf,
          ...(deps.onChecksConcluded ? { onChecksConcluded: deps.onChecksConcluded } : {}),
        }),
      });
      /** A new worker after backoff, retried until one is built; undefined once the LOS is stopping. */
      const rebuild = async (): Promise<Worker | undefined> => {
        for (let attempt = 0; !stopping; attempt += 1) {
          await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, restartDelayMs(attempt)); });
          if (stopping) return undefined;
          try {
            return await build();
          } catch (error) {
            deps.logger.error({ err: error, attempt }, 'checks worker could not be built; trying again');
          }
        }
        return undefined;
      };
      worker = await build();
      // A worker that stops while the LOS is not stopping (a fatal worker error) is built and run again, with
      // backoff: without it the LOS would stay up, take submissions and run no checks. Readiness says so meanwhile.
      supervised = (async () => {
        for (let running: Worker | undefined = worker, restarts = 0; running; restarts += 1) {
          const outcome = await running.run().then(() => undefined, (error: unknown) => error);
          if (stopping) return;
          deps.logger.error({ err: outcome, restarts }, 'checks worker stopped; building it again');
          running = await rebuild();
          if (running) {
            worker = running;
            deps.logger.info({ restarts: restarts + 1 }, 'checks worker running again');
          }
        }
      })();
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
      return deps.worker === false || worker?.getState() === 'RUNNING';
    },
    async stop() {
      stopping = true;
      wake?.();
      await starter.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await supervised;
      await workerConnection?.close();
      await connection.close();
    },
  };
}
