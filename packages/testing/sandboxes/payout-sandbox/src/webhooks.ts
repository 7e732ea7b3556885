import { createWebhookDelivery, randomId, type WebhookDeliveryOptions } from '../../lib/index.js';
import { signWebhook, type PayoutEntity, type WebhookEvent } from './protocol.js';

export interface WebhookSenderOptions extends WebhookDeliveryOptions {
  /** Where events go (the LMS's POST /v1/payout-webhooks/razorpayx); none = no deliveries, poll instead. RazorpayX gives up after 24 h. */
  readonly url?: string | undefined;
  readonly secret: string;
  readonly accountId: string;
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

/**
 * RazorpayX webhooks: the event envelope is serialised and signed once (`X-Razorpay-Signature`, see
 * protocol.ts), so every retry carries the same bytes and the same `X-Razorpay-Event-Id`; delivery and
 * retries are ../../lib/webhook-delivery.ts.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const delivery = createWebhookDelivery<DeliveryRecord>(options, (record) => ({ eventId: record.eventId, event: record.event }));
  return {
    send(event, payout) {
      if (!delivery.enabled) return;
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
      delivery.deliver(record, body, { 'x-razorpay-signature': signWebhook(body, options.secret), 'x-razorpay-event-id': record.eventId });
    },
    deliveries: delivery.deliveries,
    close: delivery.close,
  };
}
