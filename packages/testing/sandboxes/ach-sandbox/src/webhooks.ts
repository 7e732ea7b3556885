import { createHmac } from 'node:crypto';
import { createWebhookDelivery, randomId, type WebhookDeliveryOptions } from '../../lib/index.js';

/**
 * The bank's notifications: a JSON event `{ id, type, createdAt, data }` POSTed to the originator's URL, signed
 * in `X-Ach-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the webhook secret>`
 * (the timestamp is signed, so a receiver can refuse a replayed old event), with the event id repeated in
 * `X-Ach-Event-Id`. Any non-2xx is retried with capped exponential backoff, the same bytes and signature
 * (../../lib/webhook-delivery.ts).
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

export interface AchWebhookSenderOptions extends WebhookDeliveryOptions {
  readonly secret: string;
}

export interface AchDelivery {
  readonly eventId: string;
  readonly type: AchEventType;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export function createAchWebhookSender(options: AchWebhookSenderOptions) {
  const delivery = createWebhookDelivery<AchDelivery>(options, (record) => ({ eventId: record.eventId, type: record.type }));
  return {
    send(type: AchEventType, data: Record<string, unknown>): AchEvent {
      const event: AchEvent = { id: randomId('evt_'), type, createdAt: new Date().toISOString(), data };
      if (!delivery.enabled) return event;
      const body = JSON.stringify(event);
      const record: AchDelivery = { eventId: event.id, type, attempts: 0, delivered: false, lastResult: null };
      delivery.deliver(record, body, { 'x-ach-signature': signAchWebhook(body, options.secret, Math.floor(Date.now() / 1000)), 'x-ach-event-id': record.eventId });
      return event;
    },
    deliveries: delivery.deliveries,
    close: delivery.close,
  };
}
