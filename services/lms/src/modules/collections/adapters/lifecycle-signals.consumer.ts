import { envelopeHeaderSchema, parseEvent, topics } from '@lendstack/contracts';
import { startEventConsumer, type Delivered, type Logger, type Metrics, type Parsed, type RunningConsumer } from '@lendstack/platform';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Kafka, Producer } from 'kafkajs';
import { collectionsWorkflowId } from '../../loans/domain/loan-account.js';
import { collectorEventTypes, toLifecycleSignal, type CollectorEvent, type LifecycleSignal } from '../domain/lifecycle-signal.js';
import { lifecycleEventSignal, type collectionsWorkflow } from '../workflows/collections.workflow.js';

export interface LifecycleSignalsConsumerDeps {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Its own consumer group: it reads the whole lifecycle topic at its own pace. */
  readonly groupId: string;
  readonly fromBeginning: boolean;
  readonly topicPrefix: string;
  readonly temporal: Client;
  readonly taskQueue: string;
  /** Bound on loans signalled at once (one loan's events always go one after another, in order). */
  readonly concurrency?: number;
  /** Only events of tenants whose id starts with this (LMS_COLLECTIONS_TENANT_PREFIX); the others pass by. */
  readonly tenantPrefix?: string;
}

/**
 * Turns the lifecycle events the collector cares about into signals to the loan's collections workflow,
 * at least once: offsets are committed after the signals were accepted, and the workflow ignores an event
 * id it has applied. Other event types pass by; a malformed event of a type it cares about is dead-lettered.
 *
 * Signal-with-start, refusing to reuse an ended workflow's id: a running workflow gets the signal; a loan
 * whose workflow the starter has not started yet gets it started with the signal (the starter then finds
 * it started and stamps the loan); a workflow that has ended (closed, charged off, terminated) is not
 * brought back, and the event is nothing to do. Temporal unavailable: the chunk is redelivered.
 */
export function startLifecycleSignalsConsumer(deps: LifecycleSignalsConsumerDeps): Promise<RunningConsumer> {
  const log = deps.logger.child({ component: 'collections-signals' });
  const concurrency = deps.concurrency ?? 16;
  const signalLoan = async (signals: LifecycleSignal[]) => {
    for (const signal of signals) {
      try {
        await deps.temporal.workflow.signalWithStart<typeof collectionsWorkflow, [LifecycleSignal]>('collectionsWorkflow', {
          workflowId: collectionsWorkflowId(signal.loanId),
          taskQueue: deps.taskQueue,
          args: [{ loanId: signal.loanId }],
          signal: lifecycleEventSignal,
          signalArgs: [signal],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        log.debug({ loanId: signal.loanId, eventId: signal.eventId, type: signal.type }, 'collections workflow has ended; event not signalled');
      }
    }
  };
  return startEventConsumer<LifecycleSignal | null>({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    groupId: deps.groupId,
    fromBeginning: deps.fromBeginning,
    topicPrefix: deps.topicPrefix,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    topic: topics.loanLifecycle.name,
    deadLetterTopic: topics.lmsDeadLetter.name,
    parse: (value) => parseCollectorEvent(value, deps.tenantPrefix ?? null),
    handle: async (events) => {
      const byLoan = groupByLoan(events);
      for (let i = 0; i < byLoan.length; i += concurrency) {
        const settled = await Promise.allSettled(byLoan.slice(i, i + concurrency).map(signalLoan));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        // Nothing is acknowledged; what was signalled already is ignored by id when redelivered.
        if (failed) throw failed.reason;
      }
      return [];
    },
  });
}

/** A signal for the types the collector cares about, `null` (pass by) for any other type or a tenant outside `tenantPrefix`. */
export function parseCollectorEvent(value: Buffer | null, tenantPrefix: string | null = null): Parsed<LifecycleSignal | null> {
  const header = envelopeHeaderSchema.safeParse(safeJson(value));
  if (header.success && !collectorEventTypes.has(header.data.type)) return { ok: true, event: null };
  if (header.success && tenantPrefix !== null && !header.data.tenantId.startsWith(tenantPrefix)) return { ok: true, event: null };
  const parsed = parseEvent(value);
  if (!parsed.ok) return parsed;
  return { ok: true, event: toLifecycleSignal(parsed.event as CollectorEvent) };
}

function safeJson(value: Buffer | null): unknown {
  try {
    return value === null ? null : JSON.parse(value.toString());
  } catch {
    return null;
  }
}

/** One list per loan, in delivery order (Kafka keeps one loan's events in order on its partition). */
function groupByLoan(events: Delivered<LifecycleSignal | null>[]): LifecycleSignal[][] {
  const loans = new Map<string, LifecycleSignal[]>();
  for (const { event } of events) {
    if (event === null) continue;
    const list = loans.get(event.loanId) ?? [];
    list.push(event);
    loans.set(event.loanId, list);
  }
  return [...loans.values()];
}
