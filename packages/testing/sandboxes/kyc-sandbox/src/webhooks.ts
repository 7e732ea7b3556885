import { createHmac } from 'node:crypto';
import { createWebhookDelivery, type WebhookDeliveryOptions } from '../../lib/index.js';

/**
 * Onfido webhook deliveries: the body `{"payload":{resource_type, action, object}}` is serialised once, so
 * every retry carries the same bytes, signed in `X-SHA2-Signature` = hex HMAC-SHA256 of the raw body keyed
 * with the webhook token (documentation.onfido.com/api/manual-webhook-signature-verification). Any non-2xx
 * or network error is retried with capped exponential backoff, up to `maxAttempts` (../../lib/webhook-delivery.ts).
 */
export interface OnfidoWebhookSenderOptions extends WebhookDeliveryOptions {
  /** Where events go (the LOS's POST /v1/kyc-webhooks/onfido); none = no deliveries, clients poll. */
  readonly url?: string | undefined;
  readonly token: string;
}

export interface OnfidoWebhookObject {
  readonly id: string;
  readonly status: string;
  readonly started_at_iso8601: string | null;
  readonly completed_at_iso8601: string | null;
  readonly href: string;
}

export interface DeliveryRecord {
  readonly action: string;
  readonly objectId: string;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export const signOnfidoWebhook = (rawBody: string, token: string): string => createHmac('sha256', token).update(rawBody).digest('hex');

export function createOnfidoWebhookSender(options: OnfidoWebhookSenderOptions) {
  const delivery = createWebhookDelivery<DeliveryRecord>(options, (record) => ({ action: record.action, objectId: record.objectId }));
  return {
    send(resourceType: 'check' | 'report', action: string, object: OnfidoWebhookObject): void {
      if (!delivery.enabled) return;
      const body = JSON.stringify({ payload: { resource_type: resourceType, action, object } });
      const record: DeliveryRecord = { action, objectId: object.id, attempts: 0, delivered: false, lastResult: null };
      delivery.deliver(record, body, { 'x-sha2-signature': signOnfidoWebhook(body, options.token) });
    },
    deliveries: delivery.deliveries,
    close: delivery.close,
  };
}
