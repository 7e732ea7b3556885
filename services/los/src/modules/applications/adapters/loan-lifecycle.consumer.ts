import { envelopeHeaderSchema, parseEvent, topics, type LoanBookingRejectedV1 } from '@lendstack/contracts';
import { startEventConsumer, violatesDataRules, type Logger, type Metrics, type Parsed, type RunningConsumer } from '@lendstack/platform';
import type { Kafka, Producer } from 'kafkajs';
import { recordBookingRejections, type RecordBookingRejectionsDeps } from '../use-cases/record-booking-rejections.js';

/** The events of the LMS's lifecycle topic the LOS acts on; every other type is skipped, not refused. */
type Relevant = LoanBookingRejectedV1 | null;

/**
 * Reads the LMS's loan lifecycle topic. LoanBookingRejected moves the application to booking-failed;
 * other event types are other teams' business and pass by. A message that claims to be a
 * LoanBookingRejected but breaks its contract goes to the LOS dead-letter topic with the reason.
 */
export function startLoanLifecycleConsumer(deps: RecordBookingRejectionsDeps & { kafka: Kafka; producer: Producer; logger: Logger; groupId: string; fromBeginning: boolean; topicPrefix: string; metrics: Metrics }): Promise<RunningConsumer> {
  return startEventConsumer<Relevant>({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    groupId: deps.groupId,
    fromBeginning: deps.fromBeginning,
    topicPrefix: deps.topicPrefix,
    metrics: deps.metrics,
    topic: topics.loanLifecycle.name,
    deadLetterTopic: topics.losDeadLetter.name,
    parse: parseRelevant,
    handle: async (deliveries) => {
      const events = deliveries.flatMap((d) => (d.event ? [d.event] : []));
      if (events.length > 0) await recordBookingRejections(deps, events);
      return [];
    },
    // An event that breaks a table constraint alone is dead-lettered rather than blocking its partition.
    isPermanent: violatesDataRules,
  });
}

function parseRelevant(value: Buffer | null): Parsed<Relevant> {
  let header: unknown;
  try {
    header = value === null ? null : JSON.parse(value.toString());
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
  const envelope = envelopeHeaderSchema.safeParse(header);
  if (envelope.success && envelope.data.type !== 'LoanBookingRejected') return { ok: true, event: null };
  const parsed = parseEvent(value);
  if (!parsed.ok) return parsed;
  return parsed.event.type === 'LoanBookingRejected' ? { ok: true, event: parsed.event } : { ok: true, event: null };
}
