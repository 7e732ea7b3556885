import { createHmac } from 'node:crypto';

/**
 * Onfido webhook deliveries: the body `{"payload":{resource_type, action, object}}` is serialised once, so
 * every retry carries the same bytes, signed in `X-SHA2-Signature` = hex HMAC-SHA256 of the raw body keyed
 * with the webhook token (documentation.onfido.com/api/manual-webhook-signature-verification). Any non-2xx
 * or network error is retried with capped exponential backoff, up to `maxAttempts`.
 */
export interface OnfidoWebhookSenderOptions {
  /** Where events go (the LOS's POST /v1/kyc-webhooks/onfido); none = no deliveries, clients poll. */
  readonly url?: string | undefined;
  readonly token: string;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly timeoutMs: number;
  /** Bound on remembered deliveries (the oldest are forgotten first). */
  readonly maxRemembered: number;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
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
  const records: DeliveryRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const attempt = async (record: DeliveryRecord, body: string, signature: string) => {
    if (closed || !options.url) return;
    record.attempts += 1;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sha2-signature': signature },
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
      options.log('webhook dropped after the last attempt', { action: record.action, objectId: record.objectId, attempts: record.attempts, lastResult: record.lastResult });
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
    send(resourceType: 'check' | 'report', action: string, object: OnfidoWebhookObject): void {
      if (!options.url) return;
      const body = JSON.stringify({ payload: { resource_type: resourceType, action, object } });
      const record: DeliveryRecord = { action, objectId: object.id, attempts: 0, delivered: false, lastResult: null };
      records.push(record);
      if (records.length > options.maxRemembered) records.splice(0, records.length - options.maxRemembered);
      void attempt(record, body, signOnfidoWebhook(body, options.token));
    },
    deliveries: (): readonly DeliveryRecord[] => records,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
