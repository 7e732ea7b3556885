import { randomBytes } from 'node:crypto';
import { signWebhook, type PayoutEntity, type WebhookEvent } from './protocol.js';

export interface WebhookSenderOptions {
  /** Where events go (the LMS's POST /v1/payout-webhooks/razorpayx); none = no deliveries, poll instead. */
  readonly url?: string | undefined;
  readonly secret: string;
  readonly accountId: string;
  /** Attempts per event, first included; then the event is dropped (RazorpayX gives up after 24 h). */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly timeoutMs: number;
  /** Bound on remembered deliveries (the oldest are forgotten first). */
  readonly maxRemembered: number;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

export interface DeliveryRecord {
  readonly eventId: string;
  readonly event: string;
  readonly payoutId: string;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export interface WebhookSender {
  send(event: WebhookEvent['event'], payout: PayoutEntity): void;
  deliveries(): readonly DeliveryRecord[];
  close(): void;
}

export const randomId = (prefix: string, length = 14) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
};

/**
 * Signs each event once (the body is serialised once, so every retry carries the same bytes and the same
 * `X-Razorpay-Event-Id`) and POSTs it, retrying any non-2xx or network error with capped exponential backoff.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const records: DeliveryRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const attempt = async (record: DeliveryRecord, body: string, signature: string) => {
    if (closed || !options.url) return;
    record.attempts += 1;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature, 'x-razorpay-event-id': record.eventId },
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
      options.log('webhook dropped after the last attempt', { eventId: record.eventId, event: record.event, attempts: record.attempts, lastResult: record.lastResult });
      return;
    }
    const delayMs = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** (record.attempts - 1));
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(record, body, signature);
    }, delayMs);
    timers.add(timer);
  };

  return {
    send(event, payout) {
      if (!options.url) return;
      const envelope: WebhookEvent = {
        entity: 'event',
        account_id: options.accountId,
        event,
        contains: ['payout'],
        payload: { payout: { entity: payout } },
        created_at: Math.floor(Date.now() / 1000),
      };
      const body = JSON.stringify(envelope);
      const record: DeliveryRecord = { eventId: randomId('evt_'), event, payoutId: payout.id, attempts: 0, delivered: false, lastResult: null };
      records.push(record);
      if (records.length > options.maxRemembered) records.splice(0, records.length - options.maxRemembered);
      void attempt(record, body, signWebhook(body, options.secret));
    },
    deliveries: () => records,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
