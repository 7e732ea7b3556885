import type pg from 'pg';
import type { Logger } from '../logger.js';
import { claimDeliveries, recordAttemptStatus, type AttemptOutcome, type ClaimedDelivery } from './deliveries.js';
import { nextAttempt } from './schedule.js';
import { signWebhook } from './signing.js';

export interface WebhookDispatcherOptions {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** Bound on deliveries in flight at once, across all endpoints. */
  readonly concurrency: number;
  /** How long the dispatcher sleeps when nothing is due (a wake() cuts it short). */
  readonly pollMs: number;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** The HTTP client; fetch by default. */
  readonly fetch?: typeof fetch;
}

export interface WebhookDispatcher {
  /** Look for due deliveries now (called after an enqueue or a replay). */
  wake(): void;
  /** Stops claiming and waits for the deliveries in flight to be recorded. */
  stop(): Promise<void>;
}

/** Longest part of an endpoint's answer kept in the log's error text. */
const MAX_ERROR_CHARS = 300;

/**
 * The delivery loop: claims due rows (SKIP LOCKED) while fewer than `concurrency` are in flight, POSTs each
 * signed body with the endpoint's timeout (no redirects followed), and records the attempt: 2xx is delivered;
 * anything else, a timeout or a refused connection is retried on the schedule, then dead-lettered. State lives
 * in the database only, so a restarted (or another replica's) dispatcher carries on where a killed one stopped.
 */
export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const now = options.now ?? (() => new Date());
  const send = options.fetch ?? fetch;
  const log = options.logger.child({ component: 'webhook-dispatcher' });
  const inFlight = new Set<Promise<void>>();
  let running = true;
  let wakeUp: (() => void) | undefined;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeUp = () => {
      clearTimeout(timer);
      resolve();
    };
  });

  const deliver = async (claim: ClaimedDelivery): Promise<void> => {
    const startedAt = now();
    const headers = signWebhook(claim.secrets, claim.eventId, Math.floor(startedAt.getTime() / 1000), claim.body);
    const clock = performance.now();
    let outcome: Omit<AttemptOutcome, 'result'> & { ok: boolean };
    try {
      const response = await send(claim.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'lendstack-webhooks/1', ...headers },
        body: claim.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(claim.timeoutMs),
      });
      const text = response.ok ? '' : (await response.text().catch(() => '')).slice(0, MAX_ERROR_CHARS);
      if (response.ok) await response.body?.cancel().catch(() => undefined);
      outcome = { ok: response.ok, startedAt, latencyMs: Math.round(performance.now() - clock), statusCode: response.status, ...(response.ok ? {} : { error: text || `HTTP ${response.status}` }) };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${claim.timeoutMs} ms` : String((error as { cause?: unknown }).cause ?? error);
      outcome = { ok: false, startedAt, latencyMs: Math.round(performance.now() - clock), error: reason.slice(0, MAX_ERROR_CHARS) };
    }
    const { ok, ...attempt } = outcome;
    const result = ok ? { kind: 'delivered' as const } : nextAttempt(claim.roundAttempt, now(), options.random);
    const status = await recordAttemptStatus(options.pool, claim, { ...attempt, result: result.kind === 'retry' ? { kind: 'retry', at: result.at } : result });
    if (status === undefined) log.warn({ delivery: claim.id, attempt: claim.attempt }, 'attempt not recorded: the delivery was claimed again after its lease ran out');
    // A delivery cancelled while its last attempt was in flight stays cancelled: it is not a dead letter.
    if (status === 'dead') log.warn({ delivery: claim.id, attempts: claim.attempt }, 'webhook delivery dead-lettered');
    else if (status === 'cancelled') log.info({ delivery: claim.id, attempts: claim.attempt }, 'webhook delivery cancelled (its subscription was disabled while the attempt was in flight)');
  };

  const loop = async () => {
    let failures = 0;
    while (running) {
      try {
        const free = options.concurrency - inFlight.size;
        const claims = free > 0 ? await claimDeliveries(options.pool, free, now()) : [];
        failures = 0;
        for (const claim of claims) {
          const work: Promise<void> = deliver(claim)
            .catch((error: unknown) => log.error({ err: error, delivery: claim.id }, 'could not record a webhook attempt; its lease will expire and it is sent again'))
            .finally(() => {
              inFlight.delete(work);
              wakeUp?.();
            });
          inFlight.add(work);
        }
        // Claimed a full set: look again at once for more room; else sleep until a slot frees or the poll is due.
        if (claims.length === 0 || inFlight.size >= options.concurrency) await pause(options.pollMs);
      } catch (error) {
        failures += 1;
        const backoffMs = Math.min(10_000, 100 * 2 ** Math.min(failures, 7));
        log.warn({ err: error, failures, backoffMs }, 'could not claim webhook deliveries; will retry');
        await pause(backoffMs);
      }
    }
    await Promise.allSettled([...inFlight]);
  };
  const done = loop();

  return {
    wake: () => wakeUp?.(),
    stop: async () => {
      running = false;
      wakeUp?.();
      await done;
    },
  };
}
