import { createHmac } from 'node:crypto';
import { createWebhookDelivery, randomId, type WebhookDeliveryOptions } from '../../lib/index.js';

/**
 * The sandbox's webhook deliveries, one sender per vendor protocol it speaks. Both sign the same way, Stripe's
 * (docs.stripe.com/webhooks, "verify manually"): header `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 * under the endpoint's secret, so a receiver checks the bytes it got and refuses an old timestamp (a captured
 * delivery replayed later). The NACH processor's events go in `X-Nach-Signature`, Stripe's in `Stripe-Signature`.
 * The event is `{id, object: 'event', type, created, data: {object}}`; its body is serialised once, so every
 * retry carries the same bytes (../../lib/webhook-delivery.ts).
 */
export interface WebhookSenderOptions extends WebhookDeliveryOptions {
  readonly secret: string;
  readonly header: 'x-nach-signature' | 'stripe-signature';
  readonly eventIdPrefix: string;
}

export interface EventDelivery {
  readonly eventId: string;
  readonly type: string;
  readonly objectId: string;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export const signWebhook = (rawBody: string, secret: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')}`;

export function createWebhookSender(options: WebhookSenderOptions, now: () => Date) {
  const delivery = createWebhookDelivery<EventDelivery>(options, (r) => ({ eventId: r.eventId, type: r.type, objectId: r.objectId }));
  return {
    send(type: string, object: { id: string }): void {
      if (!delivery.enabled) return;
      const created = Math.floor(now().getTime() / 1000);
      const eventId = randomId(options.eventIdPrefix);
      const body = JSON.stringify({ id: eventId, object: 'event', type, created, data: { object } });
      delivery.deliver({ eventId, type, objectId: object.id, attempts: 0, delivered: false, lastResult: null }, body, { [options.header]: signWebhook(body, options.secret, created) });
    },
    deliveries: delivery.deliveries,
    close: delivery.close,
  };
}
