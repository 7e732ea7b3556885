import {
  applicationCheckExceptionV1Schema,
  applicationChecksCompletedV1Schema,
  applicationChecksStartedV1Schema,
  applicationSubmittedV1Schema,
  topics,
  type ApplicationCheckExceptionV1Payload,
  type ApplicationChecksCompletedV1Payload,
  type ApplicationChecksStartedV1Payload,
  type ApplicationSubmittedV1Payload,
} from '@lendstack/contracts';
import { currentTraceContext } from '@lendstack/platform';
import type { OutboxMessage } from '../ports.js';

const schemas = {
  ApplicationSubmitted: applicationSubmittedV1Schema,
  ApplicationChecksStarted: applicationChecksStartedV1Schema,
  ApplicationChecksCompleted: applicationChecksCompletedV1Schema,
  ApplicationCheckException: applicationCheckExceptionV1Schema,
} as const;

interface Payloads {
  ApplicationSubmitted: ApplicationSubmittedV1Payload;
  ApplicationChecksStarted: ApplicationChecksStartedV1Payload;
  ApplicationChecksCompleted: ApplicationChecksCompletedV1Payload;
  ApplicationCheckException: ApplicationCheckExceptionV1Payload;
}

/**
 * An application lifecycle event as an outbox row: keyed by application id on the applications topic,
 * validated by its own contract first (never publish what our contract would refuse).
 */
export function applicationEvent<T extends keyof Payloads>(
  type: T,
  input: { id: string; tenantId: string; applicationId: string; now: Date; payload: Payloads[T] },
): OutboxMessage {
  const traceContext = currentTraceContext();
  const event = schemas[type].parse({
    id: input.id,
    type,
    version: 1,
    source: 'lendstack.los',
    subject: input.applicationId,
    occurredAt: input.now.toISOString(),
    tenantId: input.tenantId,
    correlationId: input.applicationId,
    ...(traceContext ? { traceContext } : {}),
    payload: input.payload,
  });
  return { id: input.id, topic: topics.applications.name, key: input.applicationId, value: event, headers: { ...(traceContext ?? {}) } };
}
