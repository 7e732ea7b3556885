import { loanBookingRejectedV1Schema, topics, type LoanBookingRejectedV1 } from '@lendstack/contracts';
import type { DeadLettered } from '@lendstack/platform';
import { derivedUuid } from '../../../platform/ids.js';

/**
 * The LoanBookingRejected for a LoanApproved the LMS is dead-lettering, or undefined when the message
 * does not even say which tenant and loan it is about (then only the dead-letter topic has it).
 * Its id derives from the refused event's id, so a redelivery yields the same event (the outbox keeps one).
 */
export function bookingRejectedFor(message: DeadLettered, now: Date): LoanBookingRejectedV1 | undefined {
  const source = readSource(message.value);
  if (!source) return undefined;
  const event = {
    id: derivedUuid(`LoanBookingRejected:${source.id}`),
    type: 'LoanBookingRejected' as const,
    version: 1 as const,
    source: 'lendstack.lms',
    subject: source.subject,
    occurredAt: now.toISOString(),
    tenantId: source.tenantId,
    correlationId: source.correlationId ?? source.id,
    causationId: source.id,
    payload: {
      loanId: source.subject,
      ...(source.applicationId ? { applicationId: source.applicationId } : {}),
      code: message.code === 'invalid-event' || message.code === 'duplicate-loan' ? message.code : ('unbookable' as const),
      reason: message.reason.slice(0, 2_000),
      sourceEvent: { id: source.id, type: source.type, version: source.version, topic: message.topic, partition: message.partition, offset: message.offset },
    },
  };
  const parsed = loanBookingRejectedV1Schema.safeParse(event);
  return parsed.success ? parsed.data : undefined;
}

export const bookingRejectedTopic = topics.loanLifecycle.name;

/** The same refusal about a loan that is booked already: the LOS records it and changes nothing. */
export function asDuplicate(event: LoanBookingRejectedV1): LoanBookingRejectedV1 {
  const reason = `loan ${event.subject} is already booked; this event was refused: ${event.payload.reason}`.slice(0, 2_000);
  return { ...event, payload: { ...event.payload, code: 'duplicate-loan', reason } };
}

interface Source {
  id: string;
  type: string;
  version: number;
  subject: string;
  tenantId: string;
  correlationId?: string;
  applicationId?: string;
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Reads just enough of an envelope that failed its contract to say whom the refusal concerns. */
function readSource(value: Buffer | null): Source | undefined {
  if (value === null) return undefined;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(value.toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { id, type, version, subject, tenantId, correlationId } = json;
  if (!text(id, 36) || !UUID.test(id) || !text(type, 100) || typeof version !== 'number' || !Number.isInteger(version) || version < 1) return undefined;
  if (!text(subject, 100) || !text(tenantId, 64)) return undefined;
  const loan = (json['payload'] as { loan?: { applicationId?: unknown } } | undefined)?.loan;
  return {
    id, type, version, subject, tenantId,
    ...(text(correlationId, 100) ? { correlationId } : {}),
    ...(loan && text(loan.applicationId, 64) ? { applicationId: loan.applicationId } : {}),
  };
}
