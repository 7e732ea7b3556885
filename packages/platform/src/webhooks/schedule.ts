/**
 * When a failed delivery is tried again: exponential backoff with jitter, as data. Attempt 1 is made when
 * the event is enqueued; after failed attempt n (1-based) the next waits RETRY_DELAYS_SECONDS[n - 1],
 * scaled by a jitter factor in [1 - JITTER, 1 + JITTER) so endpoints that failed together do not all come
 * back at once. The delays sum to just under 24 hours (85,955 s): after the last one fails (attempt 12),
 * the delivery is dead-lettered and waits for a replay.
 */
export const RETRY_DELAYS_SECONDS: readonly number[] = [5, 30, 120, 300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800];
export const RETRY_JITTER = 0.1;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

export type Retry = { kind: 'retry'; at: Date; delayMs: number } | { kind: 'dead' };

/** After failed attempt `attempt` (1-based, counted since the event was enqueued or last replayed) at `failedAt`. */
export function nextAttempt(attempt: number, failedAt: Date, random: () => number = Math.random): Retry {
  const base = RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) return { kind: 'dead' };
  const delayMs = Math.round(base * 1_000 * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
  return { kind: 'retry', at: new Date(failedAt.getTime() + delayMs), delayMs };
}
