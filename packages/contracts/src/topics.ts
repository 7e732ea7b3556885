/**
 * Kafka topics owned by Lendstack. They are created by the project (infra/kafka-topics.ts), never by
 * auto-create. Messages are keyed by loan id, so one loan's events land on one partition in order.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** -1 keeps messages forever (a compacted topic keeps the latest per key). */
  readonly retentionMs: number;
  /** Kafka cleanup.policy; default 'delete'. 'compact' keeps the latest message of every key. */
  readonly cleanupPolicy?: 'delete' | 'compact';
  readonly description: string;
}

const DAY_MS = 86_400_000;

export const topics = {
  loanApproved: {
    name: 'lendstack.origination.loan-approved',
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    description: 'LoanApproved events published by the Loan Origination Service.',
  },
  loanLifecycle: {
    name: 'lendstack.servicing.loan-lifecycle',
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    description: 'Loan lifecycle events published by the Loan Management Service, keyed by loan id.',
  },
  products: {
    name: 'lendstack.servicing.products',
    partitions: 3,
    retentionMs: -1,
    cleanupPolicy: 'compact',
    description: 'ProductPublished events from the Loan Management Service, keyed by <tenant>:<code>; compacted to the latest version of each product.',
  },
  applications: {
    name: 'lendstack.origination.applications',
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    description: 'Application lifecycle events (submitted, checks started, completed, exception) published by the Loan Origination Service, keyed by application id.',
  },
  losDeadLetter: {
    name: 'lendstack.origination.dead-letter',
    partitions: 1,
    retentionMs: 90 * DAY_MS,
    description: 'Messages the Loan Origination Service could not accept, with the reason in headers.',
  },
  lmsDeadLetter: {
    name: 'lendstack.servicing.dead-letter',
    partitions: 1,
    retentionMs: 90 * DAY_MS,
    description: 'Messages the Loan Management Service could not accept, with the reason in headers.',
  },
} as const satisfies Record<string, TopicSpec>;

export const allTopics: readonly TopicSpec[] = Object.values(topics);

/** Kafka headers added to a dead-lettered message (the original value and key are kept as they were). */
export const deadLetterHeaders = {
  reason: 'x-dead-letter-reason',
  sourceTopic: 'x-dead-letter-source-topic',
  sourcePartition: 'x-dead-letter-source-partition',
  sourceOffset: 'x-dead-letter-source-offset',
  failedAt: 'x-dead-letter-failed-at',
} as const;
