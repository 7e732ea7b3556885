import { createHmac, randomBytes } from 'node:crypto';

/**
 * The bank's notifications: a JSON event `{ id, type, createdAt, data }` POSTed to the originator's URL, signed
 * in `X-Ach-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the webhook secret>`
 * (the timestamp is signed, so a receiver can refuse a replayed old event), with the event id repeated in
 * `X-Ach-Event-Id`. Any non-2xx is retried with capped exponential backoff, the same bytes and signature.
 */
export type AchEventType = 'file.settled' | 'returns.available';

export interface AchEvent {
  readonly id: string;
  readonly type: AchEventType;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

export function signAchWebhook(rawBody: string, secret: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')}`;
}

export interface AchWebhookSenderOptions {
  readonly url?: string | undefined;
  readonly secret: string;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly timeoutMs: number;
  readonly maxRemembered: number;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

export interface AchDelivery {
  readonly eventId: string;
  readonly type: AchEventType;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export const randomId = (prefix: string, length = 14) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
};

export function createAchWebhookSender(options: AchWebhookSenderOptions) {
  const records: AchDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const attempt = async (record: AchDelivery, body: string, signature: string) => {
    if (closed || !options.url) return;
    record.attempts += 1;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ach-signature': signature, 'x-ach-event-id': record.eventId },
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
      options.log('webhook dropped after the last attempt', { eventId: record.eventId, type: record.type, attempts: record.attempts, lastResult: record.lastResult });
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(record, body, signature);
    }, Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** (record.attempts - 1)));
    timers.add(timer);
  };
  return {
    send(type: AchEventType, data: Record<string, unknown>): AchEvent {
      const event: AchEvent = { id: randomId('evt_'), type, createdAt: new Date().toISOString(), data };
      if (!options.url) return event;
      const body = JSON.stringify(event);
      const record: AchDelivery = { eventId: event.id, type, attempts: 0, delivered: false, lastResult: null };
      records.push(record);
      if (records.length > options.maxRemembered) records.splice(0, records.length - options.maxRemembered);
      void attempt(record, body, signAchWebhook(body, options.secret, Math.floor(Date.now() / 1000)));
      return event;
    },
    deliveries: (): readonly AchDelivery[] => records,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
