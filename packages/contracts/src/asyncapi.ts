import { eventCatalog, eventKeys, schemaFileName, type TopicKey } from './catalog.js';
import type { EventKey } from './registry.js';
import { deadLetterHeaders, topics } from './topics.js';

const kafkaBindingVersion = '0.5.0';
const jsonSchemaFormat = 'application/schema+json;version=draft-2020-12';

/** Where the generated AsyncAPI document expects the broker when everything runs locally (infra/). */
export const localKafkaServer = { host: '127.0.0.1:9092', protocol: 'kafka' } as const;

const serviceTitles = { los: 'Loan Origination Service', lms: 'Loan Management Service' } as const;

type Doc = Record<string, unknown>;

/** The message key every Lendstack topic uses, so one loan's events stay ordered on one partition. */
const loanIdKey = {
  type: 'string',
  description: 'The loan id (the envelope subject). One loan\'s events land on one partition, in order.',
};
/** Application lifecycle events are keyed by application id, so one application's events stay in order. */
const applicationKey = {
  type: 'string',
  description: "The application id (the envelope subject). One application's lifecycle events land on one partition, in order.",
};
/** Products are keyed by tenant and code, so compaction keeps the latest version of each. */
const productKey = {
  type: 'string',
  description: '`<tenant>:<code>` (the envelope subject). The compacted topic keeps the latest version of each product.',
};

function topicChannel(key: TopicKey, messages: Doc): Doc {
  const topic = topics[key];
  return {
    address: topic.name,
    description: topic.description,
    servers: [{ $ref: '#/servers/local' }],
    messages,
    bindings: {
      kafka: {
        topic: topic.name,
        partitions: topic.partitions,
        topicConfiguration: { 'cleanup.policy': ['cleanupPolicy' in topic ? topic.cleanupPolicy : 'delete'], 'retention.ms': topic.retentionMs },
        bindingVersion: kafkaBindingVersion,
      },
    },
  };
}

/**
 * Kafka headers on every event message, as the outbox relay (packages/platform outbox-relay.ts) sets
 * them: `x-event-id` on each message, and the envelope's W3C trace context (the request that caused
 * the event) as `traceparent`/`tracestate` whenever the envelope carries one.
 */
export const eventHeaders = {
  type: 'object',
  properties: {
    'x-event-id': { type: 'string', format: 'uuid', description: 'The envelope id (the inbox dedup key), readable without parsing the value. Always sent.' },
    traceparent: {
      type: 'string',
      pattern: '^[\\da-f]{2}-[\\da-f]{32}-[\\da-f]{16}-[\\da-f]{2}$',
      description: 'W3C traceparent of the request that caused the event (the envelope traceContext.traceparent); sent whenever the envelope has one.',
    },
    tracestate: { type: 'string', maxLength: 512, description: 'W3C tracestate (the envelope traceContext.tracestate), sent with traceparent when the envelope has one.' },
  },
  required: ['x-event-id'],
} as const;

function eventMessage(key: EventKey): Doc {
  const doc = eventCatalog[key];
  return {
    name: doc.name,
    title: `${doc.name} v${doc.version}`,
    summary: doc.summary,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/EventHeaders' },
    payload: { schemaFormat: jsonSchemaFormat, schema: { $ref: `./schemas/${schemaFileName(key)}` } },
    correlationId: {
      description: 'Ties the event to the request that caused it; the envelope id is the dedup (inbox) key.',
      location: '$message.payload#/correlationId',
    },
    bindings: { kafka: { key: doc.topic === 'products' ? productKey : doc.topic === 'applications' ? applicationKey : loanIdKey, bindingVersion: kafkaBindingVersion } },
  };
}

function deadLetterMessage(): Doc {
  const properties = Object.fromEntries(
    Object.entries(deadLetterHeaders).map(([field, header]) => [
      header,
      { type: 'string', description: deadLetterHeaderDescriptions[field as keyof typeof deadLetterHeaders] },
    ]),
  );
  return {
    name: 'DeadLetter',
    title: 'Dead-lettered message',
    summary: 'A message a consumer could not accept, kept byte for byte, with the reason in headers.',
    description:
      'The original key, value and headers are copied unchanged (the value may not even be JSON; an event keeps ' +
      'its x-event-id and traceparent); the headers below say why and where it came from. Consumption of the ' +
      'source topic continues past it.',
    contentType: 'application/octet-stream',
    headers: { type: 'object', properties, required: Object.values(deadLetterHeaders) },
    payload: { description: 'The original message value, unchanged.' },
    bindings: {
      kafka: { key: { type: 'string', description: 'The original message key.' }, bindingVersion: kafkaBindingVersion },
    },
  };
}

const deadLetterHeaderDescriptions: Record<keyof typeof deadLetterHeaders, string> = {
  reason: 'Why the message was refused, e.g. the schema violations found.',
  sourceTopic: 'Topic the message was read from.',
  sourcePartition: 'Partition it was read from (decimal).',
  sourceOffset: 'Offset it had there (decimal).',
  failedAt: 'When it was refused (ISO 8601 timestamp).',
};

function channelsAndOperations(): { channels: Doc; operations: Doc } {
  const channels: Doc = {};
  const operations: Doc = {};
  const byTopic = new Map<TopicKey, EventKey[]>();
  for (const key of eventKeys) byTopic.set(eventCatalog[key].topic, [...(byTopic.get(eventCatalog[key].topic) ?? []), key]);
  for (const [topic, keys] of byTopic) {
    channels[topic] = topicChannel(topic, Object.fromEntries(keys.map((k) => [k, { $ref: `#/components/messages/${k}` }])));
    for (const key of keys) {
      const doc = eventCatalog[key];
      const messages = [{ $ref: `#/channels/${topic}/messages/${key}` }];
      operations[`${doc.producer}Send${doc.name}V${doc.version}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${topic}` },
        summary: `The ${serviceTitles[doc.producer]} publishes ${doc.name} v${doc.version} through its outbox relay.`,
        messages,
      };
      for (const consumer of doc.consumers) {
        operations[`${consumer}Receive${doc.name}V${doc.version}`] = {
          action: 'receive',
          channel: { $ref: `#/channels/${topic}` },
          summary: `The ${serviceTitles[consumer]} consumes ${doc.name} v${doc.version} idempotently (inbox keyed by event id).`,
          messages,
        };
      }
    }
  }
  for (const [topic, service] of [['lmsDeadLetter', 'lms'], ['losDeadLetter', 'los']] as const) {
    channels[topic] = topicChannel(topic, { DeadLetter: { $ref: '#/components/messages/DeadLetter' } });
    operations[`${service}SendDeadLetter`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic}` },
      summary: `The ${serviceTitles[service]} dead-letters a message that fails validation, then keeps consuming.`,
      messages: [{ $ref: `#/channels/${topic}/messages/DeadLetter` }],
    };
  }
  return { channels, operations };
}

/** The one AsyncAPI 3.0 document for every Lendstack topic, built from `topics.ts` and the event catalog. */
export function buildAsyncApiDocument(packageVersion: string): Doc {
  const { channels, operations } = channelsAndOperations();
  const messages: Doc = Object.fromEntries(eventKeys.map((k) => [k, eventMessage(k)]));
  messages['DeadLetter'] = deadLetterMessage();
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Lendstack events',
      version: packageVersion,
      description:
        'Loan lifecycle events exchanged by the Lendstack services over Kafka. Every event travels in the ' +
        'same JSON envelope; each event type and version has a committed JSON Schema under ./schemas. ' +
        'Inside a version changes are only additive; a breaking change is a new version. Money is ' +
        '{"amount":"<integer minor units as a string>","currency":"<ISO 4217>","scale":<digits>}, never a float.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        ...localKafkaServer,
        description: 'Single-node KRaft broker started by infra/ (or docker-compose.yml). Topics are created by the project.',
      },
    },
    channels,
    operations,
    components: { messages, schemas: { EventHeaders: eventHeaders } },
  };
}
