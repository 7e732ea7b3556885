import { eventCatalog, topics } from '@lendstack/contracts';
import { startWebhookDispatcher, startWebhookEnqueuer, type Logger, type Metrics, type RunningConsumer, type WebhookDispatcher } from '@lendstack/platform';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';

/** The loan lifecycle event types partners can subscribe to (the names on the LMS lifecycle topic, once each: a type may have several versions). */
export const LMS_WEBHOOK_EVENT_TYPES: readonly string[] = [...new Set(Object.values(eventCatalog).filter((e) => e.topic === 'loanLifecycle').map((e) => e.name))];

/** The dispatcher: state is in the database only, so it is started before Kafka is reachable. */
export function startLmsWebhookDispatcher(pool: pg.Pool, logger: Logger, concurrency: number): WebhookDispatcher {
  return startWebhookDispatcher({ pool, logger, concurrency, pollMs: 1_000 });
}

/** The LMS's own consumer group on its lifecycle topic writes one delivery per (subscription, event). */
export function startLmsWebhookEnqueuer(options: { kafka: Kafka; producer: Producer; pool: pg.Pool; logger: Logger; metrics: Metrics; groupId: string; topicPrefix: string; dispatcher: WebhookDispatcher }): Promise<RunningConsumer> {
  return startWebhookEnqueuer({
    kafka: options.kafka, producer: options.producer, pool: options.pool, logger: options.logger, metrics: options.metrics,
    groupId: options.groupId, topics: [topics.loanLifecycle.name], deadLetterTopic: topics.lmsDeadLetter.name, topicPrefix: options.topicPrefix,
    fromBeginning: false, onEnqueued: () => options.dispatcher.wake(),
  });
}
