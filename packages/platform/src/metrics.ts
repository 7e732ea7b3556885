import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one service process. One registry per service instance (no global state), so
 * tests and several services in one process never mix their numbers.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly outboxPublished: Counter;
  readonly outboxPublishFailures: Counter;
  readonly eventsConsumed: Counter<'topic' | 'outcome'>;
  readonly workflowsStarted: Counter;
  /** A gauge whose value is read when Prometheus scrapes, e.g. a backlog counted in the database. */
  gauge(name: string, help: string, read: () => Promise<number>): void;
  /** A counter of this service's own, registered once per name (with `labelNames`, inc takes those labels). */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestSeconds: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    outboxPublished: new Counter({ name: 'lendstack_outbox_published_total', help: 'Outbox rows published to Kafka and marked sent.', registers }),
    outboxPublishFailures: new Counter({ name: 'lendstack_outbox_publish_failures_total', help: 'Failed outbox publish attempts (retried with backoff).', registers }),
    eventsConsumed: new Counter({ name: 'lendstack_events_consumed_total', help: 'Consumed events by outcome: handled (applied or a duplicate) or dead-lettered.', labelNames: ['topic', 'outcome'], registers }),
    workflowsStarted: new Counter({ name: 'lendstack_collections_workflows_started_total', help: 'Collections workflows started (or found already started) and stamped.', registers }),
    counter(name, help, labelNames) {
      return new Counter({ name, help, registers, ...(labelNames ? { labelNames: [...labelNames] } : {}) });
    },
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(await read());
        },
      });
    },
  };
}

/** GET /metrics in Prometheus' text format. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
