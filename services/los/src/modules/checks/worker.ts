import { fileURLToPath } from 'node:url';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { CheckActivities } from './activities/checks.activities.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The LOS's own Temporal worker: application checks workflows and their activities on the LOS task queue. */
export async function createChecksWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CheckActivities;
  /** Bound on checks running at once in this process (each may hold a vendor call). */
  maxConcurrentActivities?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: here('./workflows/application-checks.workflow.ts'),
    activities: options.activities,
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 50,
    maxConcurrentWorkflowTaskExecutions: 50,
    // A checks workflow lives seconds to minutes; a few hundred cached is plenty.
    maxCachedWorkflows: 500,
  });
}
