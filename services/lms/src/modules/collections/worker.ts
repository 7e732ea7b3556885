import { fileURLToPath } from 'node:url';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { CollectionActivities } from './activities/collections.activities.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The collections worker: runs collection workflows and their activities on this service's task
 * queue, continuing the trace of whoever started the workflow.
 */
export async function createCollectionsWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CollectionActivities;
  spanProcessor: SpanProcessor;
  maxCachedWorkflows: number;
  /** Spans inside workflow code (and trace context on to activities); see TEMPORAL_WORKFLOW_TRACING. */
  workflowTracing: boolean;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: here('./workflows/collections.workflow.ts'),
    activities: options.activities,
    interceptors: {
      workflowModules: options.workflowTracing ? [here('./workflows/tracing.interceptors.ts')] : [],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    ...(options.workflowTracing ? { sinks: { exporter: makeWorkflowExporter(options.spanProcessor, new Resource({ 'service.name': 'lendstack-lms' })) } } : {}),
    maxConcurrentActivityTaskExecutions: 50,
    // Collections workflows sleep for weeks: keeping every one in memory grows the worker without
    // bound (4 GB after 10,000 loans). Evicted workflows replay their short history when a timer fires.
    maxCachedWorkflows: options.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: 50,
  });
}
