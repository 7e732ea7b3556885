import { envelopeHeaderSchema, parseEvent, topics, upcastEvent, type LoanBookingRejectedV1 } from '@lendstack/contracts';
import { startEventConsumer, violatesDataRules, type Logger, type Metrics, type Parsed, type RunningConsumer } from '@lendstack/platform';
import type { Kafka, Producer } from 'kafkajs';
import { isRepaymentEventType, recordRepaymentEvents, type RepaymentEvent, type RepaymentProfileDeps } from '../../borrower-profile/index.js';
import { recordBookingRejections, type RecordBookingRejectionsDeps } from '../use-cases/record-booking-rejections.js';

/** The events of the LMS's lifecycle topic the LOS acts on; every other type is skipped, not refused. */
type Relevant = LoanBookingRejectedV1 | RepaymentEvent | null;

const isRelevantType = (type: string) => type === 'LoanBookingRejected' || isRepaymentEventType(type);

/**
 * Reads the LMS's loan lifecycle topic. LoanBookingRejected moves the application to booking-failed; the
 * repayment events (LoanDisbursed, InstallmentDue / Overdue / Paid, DelinquencyChanged, LoanChargedOff,
 * LoanClosed, LoanEarlyWarningRaised, CollectionsFlagRaised v1 and v2) build the borrower repayment profiles (modules/borrower-profile); other event types are other
 * teams' business and pass by. A message that claims to be one of those types but breaks its contract goes
 * to the LOS dead-letter topic with the reason.
 */
export function startLoanLifecycleConsumer(deps: RecordBookingRejectionsDeps & RepaymentProfileDeps & { kafka: Kafka; producer: Producer; logger: Logger; groupId: string; fromBeginning: boolean; topicPrefix: string; metrics: Metrics }): Promise<RunningConsumer> {
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
      const rejections = events.filter((e): e is LoanBookingRejectedV1 => e.type === 'LoanBookingRejected');
      const repayments = events.filter((e): e is RepaymentEvent => e.type !== 'LoanBookingRejected');
      if (rejections.length > 0) await recordBookingRejections(deps, rejections);
      if (repayments.length > 0) await recordRepaymentEvents(deps, repayments);
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
  if (envelope.success && !isRelevantType(envelope.data.type)) return { ok: true, event: null };
  const parsed = parseEvent(value);
  if (!parsed.ok) return parsed;
  // Older versions are read as the latest (CollectionsFlagRaised v1 → v2), so the profile handles one shape.
  const event = upcastEvent(parsed.event);
  return isRelevantType(event.type) ? { ok: true, event: event as Relevant } : { ok: true, event: null };
}
