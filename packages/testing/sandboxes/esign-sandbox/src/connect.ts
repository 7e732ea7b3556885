import { createHmac } from 'node:crypto';
import { createWebhookDelivery, type WebhookDeliveryOptions } from '../../lib/index.js';

/**
 * DocuSign Connect deliveries (JSON SIM event format): `{event, apiVersion, uri, retryCount, configurationId,
 * generatedDateTime, data: {accountId, userId, envelopeId, envelopeSummary}}`, serialised once so every retry
 * carries the same bytes, signed in `X-DocuSign-Signature-1` = base64 HMAC-SHA256 of the raw body under the
 * Connect configuration's secret, `X-Authorization-Digest: HMACSHA256`
 * (developers.docusign.com/platform/webhooks/connect/validate). Non-2xx or network errors are retried with
 * capped backoff (../../lib/webhook-delivery.ts), as Connect retries a failed delivery.
 */
export interface ConnectSenderOptions extends WebhookDeliveryOptions {
  readonly hmacKey: string;
}

export interface ConnectDelivery {
  readonly event: string;
  readonly envelopeId: string;
  readonly body: string;
  attempts: number;
  delivered: boolean;
  lastResult: string | null;
}

export const signConnectBody = (rawBody: string, key: string): string => createHmac('sha256', key).update(rawBody).digest('base64');

export function createConnectSender(options: ConnectSenderOptions) {
  const delivery = createWebhookDelivery<ConnectDelivery>(options, (r) => ({ event: r.event, envelopeId: r.envelopeId }));
  const headers = (body: string) => ({ 'x-docusign-signature-1': signConnectBody(body, options.hmacKey), 'x-authorization-digest': 'HMACSHA256' });
  return {
    enabled: delivery.enabled,
    send(event: string, envelopeId: string, payload: Record<string, unknown>): void {
      const body = JSON.stringify({ event, apiVersion: 'v2.1', retryCount: 0, configurationId: 10_001, generatedDateTime: new Date().toISOString(), ...payload });
      delivery.deliver({ event, envelopeId, body, attempts: 0, delivered: false, lastResult: null }, body, headers(body));
    },
    /** The same bytes again, as Connect does when it re-sends an event (a replay the receiver must absorb). */
    redeliver(record: ConnectDelivery): void {
      delivery.deliver({ ...record, attempts: 0, delivered: false, lastResult: null }, record.body, headers(record.body));
    },
    deliveries: delivery.deliveries,
    close: delivery.close,
  };
}
