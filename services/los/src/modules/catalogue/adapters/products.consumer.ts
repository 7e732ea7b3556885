import { parseEvent, topics, type ProductPublishedV1 } from '@lendstack/contracts';
import { startEventConsumer, violatesDataRules, type Logger, type Metrics, type RunningConsumer } from '@lendstack/platform';
import type { Kafka, Producer } from 'kafkajs';
import type { ProductCatalogue } from '../ports.js';

/**
 * Reads the LMS's compacted product topic from its beginning into the LOS's catalogue table, so the
 * LOS refuses at submission what the catalogue does not allow. A message that breaks its contract goes
 * to the LOS dead-letter topic with the reason.
 */
export function startProductsConsumer(deps: { catalogue: ProductCatalogue; kafka: Kafka; producer: Producer; logger: Logger; groupId: string; topicPrefix: string; metrics: Metrics }): Promise<RunningConsumer> {
  return startEventConsumer<ProductPublishedV1>({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    groupId: deps.groupId,
    // A compacted topic is the whole catalogue: a new group always reads it from the start.
    fromBeginning: true,
    topicPrefix: deps.topicPrefix,
    metrics: deps.metrics,
    topic: topics.products.name,
    deadLetterTopic: topics.losDeadLetter.name,
    parse: (value) => {
      const parsed = parseEvent(value);
      if (!parsed.ok) return parsed;
      return parsed.event.type === 'ProductPublished' ? { ok: true, event: parsed.event } : { ok: false, reason: `unexpected event type ${parsed.event.type} on ${topics.products.name}` };
    },
    handle: async (deliveries) => {
      await deps.catalogue.upsert(deliveries.map(({ event }) => {
        const { version, effectiveAt, ...definition } = event.payload;
        return { tenantId: event.tenantId, code: definition.code, version, definition, effectiveAt: new Date(effectiveAt) };
      }));
      return [];
    },
    isPermanent: violatesDataRules,
  });
}
