import { parseEvent, topics, type LoanApprovedV1 } from '@lendstack/contracts';
import { startEventConsumer, violatesDataRules, type DeadLettered, type Logger, type Metrics, type RunningConsumer } from '@lendstack/platform';
import type { Kafka, Producer } from 'kafkajs';
import { bookApprovedLoans, type BookApprovedLoansDeps } from '../use-cases/book-approved-loans.js';

/** Feeds LoanApproved from Kafka into the booking use case; anything else on the topic is dead-lettered. */
export function startLoanApprovedConsumer(deps: BookApprovedLoansDeps & { kafka: Kafka; producer: Producer; logger: Logger; groupId: string; fromBeginning: boolean; topicPrefix: string; metrics: Metrics; onDeadLetter: (messages: DeadLettered[]) => Promise<void> }): Promise<RunningConsumer> {
  return startEventConsumer<LoanApprovedV1>({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    groupId: deps.groupId,
    fromBeginning: deps.fromBeginning,
    topicPrefix: deps.topicPrefix,
    metrics: deps.metrics,
    topic: topics.loanApproved.name,
    deadLetterTopic: topics.lmsDeadLetter.name,
    parse: (value) => {
      const parsed = parseEvent(value);
      if (!parsed.ok) return parsed;
      return parsed.event.type === 'LoanApproved' ? { ok: true, event: parsed.event } : { ok: false, reason: `unexpected event type ${parsed.event.type} on ${topics.loanApproved.name}` };
    },
    handle: (events) => bookApprovedLoans(deps, events),
    isPermanent: violatesDataRules,
    onDeadLetter: deps.onDeadLetter,
  });
}
