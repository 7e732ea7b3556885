import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { CollectionActivities } from './activities/collections.activities.js';

/** The collections worker: runs collection workflows and their activities on this service's task queue. */
export async function createCollectionsWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CollectionActivities;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows/collections.workflow.ts', import.meta.url)),
    activities: options.activities,
    maxConcurrentActivityTaskExecutions: 50,
    maxConcurrentWorkflowTaskExecutions: 50,
  });
}
