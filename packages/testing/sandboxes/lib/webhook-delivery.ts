/**
 * Webhook delivery as vendors do it: each event's body is serialised and signed once by the caller, so every
 * retry carries the same bytes, signature and headers; it is POSTed as application/json, and any non-2xx or
 * network error (including the per-attempt timeout) is retried with capped exponential backoff,
 * `initialBackoffMs * 2^(attempt-1)` up to `maxBackoffMs`, until `maxAttempts` (first included); then the event
 * is dropped with a warning. The sandbox's own sender (webhooks.ts) builds the vendor's envelope and
 * signature and hands them to `deliver`.
 */

export interface WebhookDeliveryOptions {
  /** Where events go; none = no deliveries (clients poll instead). */
  readonly url?: string | undefined;
  /** Attempts per event, first included; then the event is dropped. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Bound on remembered deliveries (the oldest are forgotten first). */
  readonly maxRemembered: number;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

/** What a delivery record tracks; a sandbox adds the fields that identify its event (id, type, object…). */
export interface DeliveryProgress {
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export interface WebhookDelivery<R extends DeliveryProgress> {
  /** False without a URL: `deliver` would do nothing, so a sender can skip building the event. */
  readonly enabled: boolean;
  /** Remembers `record` and delivers `body` with `headers` (besides content-type) in the background. */
  deliver(record: R, body: string, headers: Readonly<Record<string, string>>): void;
  /** The remembered records, oldest first, updated in place as attempts finish (GET /sandbox/state shows them). */
  deliveries(): readonly R[];
  /** Cancels pending retries; an attempt in flight is not repeated. */
  close(): void;
}

/** `describe(record)` names the event in the "dropped" warning, before its attempts and last result. */
export function createWebhookDelivery<R extends DeliveryProgress>(options: WebhookDeliveryOptions, describe: (record: R) => Record<string, unknown>): WebhookDelivery<R> {
  const records: R[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const attempt = async (record: R, body: string, headers: Readonly<Record<string, string>>) => {
    if (closed || !options.url) return;
    record.attempts += 1;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      record.lastResult = String(response.status);
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        record.delivered = true;
        return;
      }
    } catch (error) {
      record.lastResult = (error as Error).name;
    }
    if (record.attempts >= options.maxAttempts) {
      options.log('webhook dropped after the last attempt', { ...describe(record), attempts: record.attempts, lastResult: record.lastResult });
      return;
    }
    const delayMs = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** (record.attempts - 1));
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(record, body, headers);
    }, delayMs);
    timers.add(timer);
  };

  return {
    enabled: Boolean(options.url),
    deliver(record, body, headers) {
      if (!options.url) return;
      records.push(record);
      if (records.length > options.maxRemembered) records.splice(0, records.length - options.maxRemembered);
      void attempt(record, body, headers);
    },
    deliveries: () => records,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
